/* samples/project/table.c - the hash table of the word-frequency counter (chained, FNV-1a). */
#include <stdlib.h>
#include <string.h>
#include "wordfreq.h"

static unsigned hash(const char *s)
{
    unsigned h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

void wf_init(struct wf_table *t)
{
    memset(t, 0, sizeof *t);
}

void wf_add(struct wf_table *t, const char *word)
{
    struct wf_entry **slot = &t->buckets[hash(word) % 64];
    for (struct wf_entry *e = *slot; e; e = e->next)
        if (strcmp(e->word, word) == 0) {
            e->count++;
            return;
        }
    struct wf_entry *e = calloc(1, sizeof *e);
    if (!e)
        abort();
    strncpy(e->word, word, WF_MAX_WORD - 1);
    e->count = 1;
    e->next = *slot;
    *slot = e;
    t->nwords++;
}

void wf_free(struct wf_table *t)
{
    for (int i = 0; i < 64; i++)
        while (t->buckets[i]) {
            struct wf_entry *e = t->buckets[i];
            t->buckets[i] = e->next;
            free(e);
        }
    t->nwords = 0;
}
