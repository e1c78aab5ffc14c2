/* abort_handled.c - a failed assert() while the program has a SIGABRT handler
 * that returns: glibc's abort() then resets SIGABRT to SIG_DFL itself and
 * raises it again (no handler runs): status 134, and the trace must still be
 * closed, ending with the Error event. */
#include <assert.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void on_abrt(int sig)
{
    char msg[] = "handler saw signal 6\n";
    msg[sizeof msg - 3] = (char)('0' + sig % 10);
    write(2, msg, strlen(msg));
}

static int check(int v)
{
    int doubled = v * 2;
    assert(doubled == 3);
    return doubled;
}

int main(void)
{
    signal(SIGABRT, on_abrt);
    puts("start");
    fflush(stdout);
    return check(21);
}
