/* system_popen.c - system() and popen() run shell commands unchanged. */
#include <stdio.h>
#include <stdlib.h>

static int count_chars(const char *s)
{
    int n = 0;
    while (s[n])
        n++;
    return n;
}

int main(void)
{
    fflush(stdout);
    int st = system("echo from system; exit 3");
    printf("system status %d\n", st >> 8);
    FILE *p = popen("echo from popen", "r");
    char line[64] = "";
    if (p && fgets(line, sizeof line, p))
        printf("popen read %d chars: %s", count_chars(line), line);
    printf("pclose %d\n", p ? pclose(p) : -1);
    return 0;
}
