/* samples/project/wordfreq.h - interface of the word-frequency counter, a small multi-file
 * project used to check that real builds (make with $(CC)/$(AR), cmake) work with rtcc. */
#ifndef WORDFREQ_H
#define WORDFREQ_H

#include <stddef.h>
#include <stdio.h>

#define WF_MAX_WORD 32

struct wf_entry {
    char word[WF_MAX_WORD];
    int count;
    struct wf_entry *next;    /* hash chain */
};

struct wf_table {
    struct wf_entry *buckets[64];
    size_t nwords;            /* distinct words */
};

/* words.c: splits text into lower-case words; returns the next word's length (0 at end). */
size_t wf_next_word(const char **text, char *word, size_t cap);

/* table.c: the hash table of counts. */
void wf_init(struct wf_table *t);
void wf_add(struct wf_table *t, const char *word);
void wf_free(struct wf_table *t);

/* report.c: prints the n most frequent words (ties by word) to out. */
void wf_report(const struct wf_table *t, size_t n, FILE *out);

#endif
