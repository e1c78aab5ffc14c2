/*
 * bench/progs/strings.c - a string-processing loop with libc calls.
 *
 *   strings [SIZE]   SIZE times: format a record with snprintf, split it with
 *                    strchr, compare and copy the words (strcmp, strlen,
 *                    memcpy), upper-case one, hash them. Prints a checksum.
 * Exercises char * locals and arguments (recorded as strings) and calls into
 * libc, which are not traced. Work is linear in SIZE; SIZE 0 = start-up.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_SIZE 600000       /* about 0.1 s untraced at -O0 */

static const char *const names[] = { "alpha", "bravo", "charlie", "delta", "echo", "foxtrot" };

static unsigned hash_word(const char *w, size_t n)
{
    unsigned h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)w[i]) * 16777619u;
    return h;
}

static void upcase(char *s)
{
    for (; *s; s++)
        *s = (char)toupper((unsigned char)*s);
}

static unsigned process(const char *line)
{
    unsigned h = 0;
    char word[32];
    const char *p = line;
    while (*p) {
        const char *sep = strchr(p, ',');
        size_t n = sep ? (size_t)(sep - p) : strlen(p);
        if (n >= sizeof word)
            n = sizeof word - 1;
        memcpy(word, p, n);
        word[n] = '\0';
        if (strcmp(word, "delta") == 0)
            upcase(word);
        h += hash_word(word, strlen(word));
        p = sep ? sep + 1 : p + n;
    }
    return h;
}

int main(int argc, char **argv)
{
    long size = argc > 1 ? atol(argv[1]) : DEFAULT_SIZE;
    char line[128];
    unsigned long sum = 0;
    for (long i = 0; i < size; i++) {
        snprintf(line, sizeof line, "%s,%s,%ld,%s", names[i % 6], names[(i + 3) % 6], i,
                 names[(i * 7) % 6]);
        sum += process(line);
    }
    printf("strings: size=%ld checksum=%lu\n", size, sum);
    return 0;
}
