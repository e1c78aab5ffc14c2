/* A start-up descriptor limit at or below where the runtime keeps its files
 * (run under `ulimit -n 8`, `ulimit -Sn 8`, `ulimit -n 6`...): the program
 * sees its own limit, gets the numbers it would untraced, meets EMFILE at the
 * same open, and finds the numbers above its limit closed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

static int twice(int x) { return 2 * x; }

static const char *err_name(int r)
{
    return r >= 0 ? "ok" : errno == EMFILE ? "EMFILE" : errno == EBADF ? "EBADF" : "other";
}

int main(void)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    printf("soft limit %llu\n", (unsigned long long)rl.rlim_cur);
    int fds[64], n = 0, r;
    while (n < 64 && (r = open("/dev/null", O_RDONLY)) >= 0)
        fds[n++] = r;
    printf("opened");
    for (int i = 0; i < n; i++)
        printf(" %d", fds[i]);
    printf(", then %s\n", err_name(r));
    int hi = (int)rl.rlim_cur;
    r = dup2(0, hi);
    printf("dup2 onto %d: %s\n", hi, err_name(r));
    for (int fd = hi; fd < hi + 4; fd++) {
        r = (int)write(fd, "x", 1);
        printf("write to %d: %s\n", fd, err_name(r));
    }
    while (n > 0)
        close(fds[--n]);
    printf("twice %d\n", twice(21));
    return 0;
}
