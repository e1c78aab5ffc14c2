/* samples/project/words.c - the tokenizer of the word-frequency counter: letters and
 * apostrophes make words, folded to lower case and cut at the buffer size. */
#include <ctype.h>
#include "wordfreq.h"

size_t wf_next_word(const char **text, char *word, size_t cap)
{
    const char *p = *text;
    size_t n = 0;
    while (*p && !isalpha((unsigned char)*p))
        p++;
    while (*p && (isalpha((unsigned char)*p) || *p == '\'')) {
        if (n + 1 < cap)
            word[n++] = (char)tolower((unsigned char)*p);
        p++;
    }
    word[n] = '\0';
    *text = p;
    return n;
}
