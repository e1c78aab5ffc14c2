/*
 * fast_strings.c - calls whose parameters are call-template slots checked
 * before the Call is written (runtime/tpl.h, fastpath.c fast_call_checks):
 * char * texts the fast path writes itself (printable ASCII, up to
 * RTRACE_MAX_STRING bytes) and every case it leaves to the general path: a
 * NULL or unreadable pointer, text cut by an unmapped page, text that needs
 * escaping or is not ASCII, text longer than the fast path holds, a size_t
 * above INT64_MAX (a parameter or the return value); arrays of integers
 * (statics: their Value templates; one capped at RTRACE_MAX_ELEMS, one with
 * a BigInt). Parameters and statics only, no local variable on the stack:
 * the trace is the same at every run, with the fast path or without
 * (RTRACE_NO_FAST=1), byte for byte (main's page is a static for that).
 * Prints the sum of what tally() returned.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static char long600[600], exact256[257], just255[256];
static char *page;

static unsigned long tally(const char *w, size_t n, int k)
{
    (void)w;
    return n + (unsigned long)k;
}

/* an unsigned 64-bit return value: an Int up to INT64_MAX, else a BigInt;
 * statics (a char * and a size_t) shown at its lines */
static unsigned long big(unsigned long x)
{
    static const char *label = "big value";
    static size_t nbig;
    nbig += label[0] == 'b';
    return x;
}

/* page: two pages; the second is unmapped, the first filled with 'x' (no
 * NUL): the text 10 bytes before its end is cut by the unmapped page */
static const char *edge(char *page)
{
    munmap(page + 4096, 4096);
    memset(page, 'x', 4096);
    return page + 4096 - 10;
}

static unsigned long special(unsigned long sum, const char *cut)
{
    /* arrays of integers of every width (their Values from templates), one
     * longer than RTRACE_MAX_ELEMS, one with a BigInt (the general path) */
    static signed char sc[5] = { -128, -1, 0, 1, 127 };
    static unsigned char uc[4] = { 0, 1, 200, 255 };
    static short sh[3] = { -32768, 0, 32767 };
    static unsigned short us[2] = { 0, 65535 };
    static int longer[40] = { -2147483647 - 1, 2147483647 };
    static long lg[2] = { -9223372036854775807L - 1, 9223372036854775807L };
    static unsigned long wide[3] = { 1, ~0ul, 5 };
    longer[39] = 7;
    sum += wide[0] - 1 + (unsigned long)(longer[39] - 7) + (unsigned long)(sc[2] + uc[0] + sh[1] + us[0] + lg[0] - lg[0]);
    sum += tally("", 1, 2);
    sum += tally("two words, and digits 0123456789", 3, 4);
    sum += tally("quote\"d", 5, 6);
    sum += tally("back\\slash", 7, 8);
    sum += tally("tab\tand\nnewline", 9, 10);
    sum += tally("caf\xc3\xa9", 11, 12);
    sum += tally("\x80 not UTF-8", 13, 14);
    sum += tally("del\x7f", 15, 16);
    sum += tally(NULL, 17, 18);
    sum += tally((const char *)8, 19, 20);
    sum += tally(cut, 21, 22);
    sum += tally(long600, 23, 24);
    sum += tally(exact256, 25, 26);
    sum += tally(just255, 27, 28);
    sum += tally("big", (size_t)-1, 29);
    sum += tally("max", (size_t)INT64_MAX, 30);
    sum += tally("over", (size_t)INT64_MAX + 1, 31);
    static char after_nul[16] = "ab\0\"\t\x80zzz";   /* "ab": what follows its NUL is not its text */
    sum += tally(after_nul, 33, 34);
    sum += tally("a longer text with a \"quote\" late", 35, 36);
    sum += tally("twelve chars\ttab after them", 37, 38);
    sum += big(~0ul) & 1;
    sum += big(5);
    return sum;
}

static unsigned long run(unsigned long i, unsigned long sum)
{
    static short seen[4];              /* an array at every stop of the loop */
    for (; i < 20000; i++) {
        seen[i & 3] = (short)i;
        sum += tally(i & 1 ? "alpha" : "bravo-charlie", i, (int)(i & 3));
    }
    return sum;
}

int main(void)
{
    memset(long600, 'L', sizeof long600 - 1);
    memset(exact256, 'E', sizeof exact256 - 1);
    memset(just255, 'J', sizeof just255 - 1);
    page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return 1;
    printf("sum %lu\n", run(0, special(0, edge(page))));
    return 0;
}
