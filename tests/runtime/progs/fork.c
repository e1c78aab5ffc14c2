/* fork.c - the child computes and exits 3; the parent waits and reports. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static int in_child(void)
{
    int v = fib(10);
    printf("child fib %d\n", v);
    return 3;
}

int main(void)
{
    printf("parent before fork\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        exit(in_child());
    int status = 0;
    waitpid(pid, &status, 0);
    printf("parent: child exited %d, fib %d\n", WEXITSTATUS(status), fib(8));
    return 0;
}
