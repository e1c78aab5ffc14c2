/* A daemon-style program: it closes every descriptor above 2 (one by one,
 * with close_range and closefrom), dup2()s onto the high numbers where the
 * runtime keeps the trace file (600+) and the folder lock (512+), and writes
 * through them. Untraced, those numbers are free: close() fails with EBADF
 * and dup2() succeeds; the traced program must see the same, and its trace
 * must not be damaged by any of it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int square(int x) { return x * x; }

static long work(int n)
{
    long s = 0;
    for (int i = 0; i < n; i++)
        s += square(i);
    return s;
}

int main(void)
{
    int ebadf = 0;
    for (int fd = 3; fd < 1024; fd++)
        if (close(fd) != 0 && errno == EBADF)
            ebadf++;
    printf("close loop: %d EBADF\n", ebadf);
    printf("work %ld\n", work(200));

    closefrom(3);
    printf("close_range: %d\n", close_range(3, ~0u, 0));
    printf("work %ld\n", work(300));

    /* writing to a number it never opened: EBADF, never into the trace */
    int wbad = 0;
    for (int t = 500; t < 1024; t++)
        if (write(t, "garbage", 7) < 0 && errno == EBADF)
            wbad++;
    printf("write to 500..1023: %d EBADF\n", wbad);

    /* F_DUPFD from 600 and 512 (the trace file's and the lock's numbers) */
    int d600 = fcntl(1, F_DUPFD, 600), d512 = fcntl(1, F_DUPFD_CLOEXEC, 512);
    printf("F_DUPFD 600: %d, F_DUPFD_CLOEXEC 512: %d (cloexec %d)\n", d600, d512,
           (fcntl(d512, F_GETFD) & FD_CLOEXEC) != 0);
    close(d600);
    close(d512);

    /* take every number from 500 to 700 for ourselves, write through each */
    int fd = open("own.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int taken = 0;
    for (int t = 500; t <= 700; t++)
        if (dup2(fd, t) == t && write(t, "x", 1) == 1)
            taken++;
    printf("dup2 onto 500..700: %d of 201\n", taken);
    printf("dup3 onto 650: %d\n", dup3(fd, 650, O_CLOEXEC));
    for (int t = 500; t <= 700; t++)
        close(t);
    close(fd);
    printf("own.txt has %ld bytes\n", (long)lseek(open("own.txt", O_RDONLY), 0, SEEK_END));
    printf("work %ld\n", work(400));
    return 0;
}
