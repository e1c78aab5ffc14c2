/* samples/files.c - differential-test sample: file descriptors. The program writes a file,
 * reads it back and prints the descriptor numbers it was given: a recorder that keeps its own
 * files open on low descriptors changes them (the traced run would print other numbers). Plain
 * descriptors, not FILE *: a FILE's malloc'ed internals hold leftover bytes that differ
 * between any two runs. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    const char *text = "line one\nline two\n";
    int out = open("files.out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ssize_t wrote = write(out, text, strlen(text));
    close(out);
    int in = open("files.out", O_RDONLY);
    char buf[32] = "";
    ssize_t got = read(in, buf, sizeof buf - 1);
    close(in);
    unlink("files.out");
    printf("fds %d %d, wrote %zd, read %zd: %s", out, in, wrote, got, buf);
    return 0;
}
