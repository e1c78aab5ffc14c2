/* altstack_overflow.c - a SIGSEGV whose handling overflows the alternate
 * signal stack (a guard page below it). Untraced, the second SIGSEGV comes
 * while the first is blocked in its handler and kills the process (139).
 * Mode "handler" (default): the program's handler recurses until the stack
 * ends. Mode "minimal" (ALT_MODE=minimal): no handler, and a stack of
 * sysconf(_SC_MINSIGSTKSZ) bytes, which holds the kernel's signal frame and
 * little more (the runtime's handler has no room). Traced, both used to
 * start over at the top of the stack forever. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int *volatile nowhere;

static int down(int n)
{
    volatile char pad[256];
    pad[0] = (char)n;
    return down(n + 1) + pad[0];
}

static void on_segv(int sig)
{
    _exit(down(sig));
}

int main(void)
{
    const char *mode = getenv("ALT_MODE");
    bool minimal = mode && strcmp(mode, "minimal") == 0;
    long page = sysconf(_SC_PAGESIZE);
    size_t size = minimal ? (size_t)sysconf(_SC_MINSIGSTKSZ) : 64 * 1024;
    char *m = mmap(NULL, (size_t)page + size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || mprotect(m, (size_t)page, PROT_NONE) != 0)
        return 2;
    stack_t ss = { .ss_sp = m + page, .ss_size = size, .ss_flags = 0 };
    if (sigaltstack(&ss, NULL) != 0)
        return 3;
    if (!minimal) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_segv;
        sa.sa_flags = SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGSEGV, &sa, NULL);
    }
    printf("before the crash\n");
    fflush(stdout);
    return *nowhere;
}
