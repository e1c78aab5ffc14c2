/* samples/project/report.c - the report of the word-frequency counter: collects the entries,
 * sorts them by count (then word, so the output is deterministic) and prints the top n. */
#include <stdlib.h>
#include <string.h>
#include "wordfreq.h"

static int by_count(const void *pa, const void *pb)
{
    const struct wf_entry *a = *(const struct wf_entry *const *)pa;
    const struct wf_entry *b = *(const struct wf_entry *const *)pb;
    if (a->count != b->count)
        return b->count - a->count;
    return strcmp(a->word, b->word);
}

void wf_report(const struct wf_table *t, size_t n, FILE *out)
{
    const struct wf_entry **all = malloc((t->nwords + 1) * sizeof *all);
    size_t k = 0;
    if (!all)
        abort();
    for (int i = 0; i < 64; i++)
        for (const struct wf_entry *e = t->buckets[i]; e; e = e->next)
            all[k++] = e;
    qsort(all, k, sizeof *all, by_count);
    for (size_t i = 0; i < k && i < n; i++)
        fprintf(out, "%4d %s\n", all[i]->count, all[i]->word);
    fprintf(out, "%zu distinct words\n", k);
    free(all);
}
