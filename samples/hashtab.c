/* samples/hashtab.c - differential-test sample: an open-addressing hash table with string
 * keys (FNV-1a hash, linear probing, tombstones), a fixed array of slot structs holding a
 * char array key, lookups that miss, a delete and a re-insert into a tombstone. */
#include <stdio.h>
#include <string.h>

#define CAP 8
#define KEYLEN 8

enum slot_state { EMPTY, USED, DELETED };

struct slot {
    enum slot_state state;
    char key[KEYLEN];
    int value;
};

struct table {
    struct slot slots[CAP];
    int count;
    unsigned probes;
};

static unsigned hash(const char *s)
{
    unsigned h = 2166136261u;
    for (const char *c = s; *c; c++) {
        h ^= (unsigned char)*c;
        h *= 16777619u;
    }
    return h;
}

static int find_slot(struct table *t, const char *key, int for_insert)
{
    unsigned idx = hash(key) % CAP;
    int tomb = -1;
    for (int i = 0; i < CAP; i++) {
        struct slot *s = &t->slots[idx];
        t->probes++;
        if (s->state == EMPTY)
            return for_insert && tomb >= 0 ? tomb : (for_insert ? (int)idx : -1);
        if (s->state == DELETED) {
            if (tomb < 0)
                tomb = (int)idx;
        } else if (strcmp(s->key, key) == 0) {
            return (int)idx;
        }
        idx = (idx + 1) % CAP;
    }
    return for_insert ? tomb : -1;
}

static int put(struct table *t, const char *key, int value)
{
    int i = find_slot(t, key, 1);
    if (i < 0)
        return 0;
    struct slot *s = &t->slots[i];
    if (s->state != USED) {
        s->state = USED;
        strncpy(s->key, key, KEYLEN - 1);
        s->key[KEYLEN - 1] = '\0';
        t->count++;
    }
    s->value = value;
    return 1;
}

static int get(struct table *t, const char *key, int *out)
{
    int i = find_slot(t, key, 0);
    if (i < 0)
        return 0;
    *out = t->slots[i].value;
    return 1;
}

static int del(struct table *t, const char *key)
{
    int i = find_slot(t, key, 0);
    if (i < 0)
        return 0;
    t->slots[i].state = DELETED;
    t->count--;
    return 1;
}

int main(void)
{
    static struct table tab;
    const char *words[] = {"ant", "bee", "cat"};
    int n = (int)(sizeof words / sizeof words[0]);
    for (int i = 0; i < n; i++)
        put(&tab, words[i], (i + 1) * 10);
    put(&tab, "cat", 33);
    int removed = del(&tab, "bee");
    int v = 0;
    int found = get(&tab, "cat", &v);
    printf("cat found=%d v=%d removed=%d\n", found, v, removed);
    found = get(&tab, "bee", &v);
    printf("bee found=%d\n", found);
    put(&tab, "fox", 60);
    int sum = 0;
    for (int i = 0; i < CAP; i++) {
        if (tab.slots[i].state == USED)
            sum += tab.slots[i].value;
    }
    printf("count=%d sum=%d probes=%u\n", tab.count, sum, tab.probes);
    return 0;
}
