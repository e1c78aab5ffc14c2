/* samples/project/main.c - the word-frequency counter's command line:
 *   wordfreq [-n N] FILE      prints the N (default 5) most frequent words of FILE. */
#include <stdlib.h>
#include <string.h>
#include "wordfreq.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    char chunk[256];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        char *grown = realloc(buf, len + got + 1);
        if (!grown) {
            free(buf);
            fclose(f);
            return NULL;
        }
        buf = grown;
        memcpy(buf + len, chunk, got);
        len += got;
    }
    fclose(f);
    if (!buf)
        buf = calloc(1, 1);
    else
        buf[len] = '\0';
    return buf;
}

int main(int argc, char **argv)
{
    size_t top = 5;
    int argi = 1;
    if (argc > 2 && strcmp(argv[1], "-n") == 0) {
        top = (size_t)atoi(argv[2]);
        argi = 3;
    }
    if (argi >= argc) {
        fprintf(stderr, "usage: wordfreq [-n N] FILE\n");
        return 2;
    }
    char *text = slurp(argv[argi]);
    if (!text) {
        fprintf(stderr, "wordfreq: cannot read %s\n", argv[argi]);
        return 1;
    }
    struct wf_table table;
    wf_init(&table);
    const char *p = text;
    char word[WF_MAX_WORD];
    while (wf_next_word(&p, word, sizeof word) > 0)
        wf_add(&table, word);
    wf_report(&table, top, stdout);
    wf_free(&table);
    free(text);
    return 0;
}
