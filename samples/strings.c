/* samples/strings.c - differential-test sample: char pointers, char arrays, string literals with
 * escapes, an array of strings and a char ** (shown `&<ptr>`: one level of pointer only), and libc
 * string functions (strlen, strcpy, strcat, strcmp, strchr, snprintf). */
#include <stdio.h>
#include <string.h>

static int count_char(const char *s, char c)
{
    int n = 0;
    while (*s) {
        if (*s == c)
            n++;
        s++;
    }
    return n;
}

int main(void)
{
    const char *greeting = "hello, world";
    char buf[24] = "tab\there";
    char *empty = NULL;
    const char *quoted = "say \"hi\" \\ ok";
    const char *words[3] = {"one", "two", "three"};
    const char **wp = &words[1];
    size_t len = strlen(greeting);
    strcpy(buf, "abc");
    strcat(buf, "def");
    int cmp = strcmp(buf, "abd") < 0;
    const char *comma = strchr(greeting, ',');
    int ls = count_char(greeting, 'l');
    char out[16] = "";
    snprintf(out, sizeof out, "%d-%d", (int)len, ls);
    printf("%s|%s|%s|%d|%s|%s|%d|%s\n", greeting, buf, comma, cmp, out, quoted, empty == NULL, *wp);
    return 0;
}
