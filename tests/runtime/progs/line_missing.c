/* line_missing.c - code under a #line naming a file that does not exist
 * (generated code, a grammar.y left behind): the trace keeps the path, files/
 * gets a placeholder for it, and the runtime says so once, also with a fork
 * child that writes its own trace. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static int twice(int x)
{
#line 10 "grammar.y"
    int y = x * 2;
    return y;
}

int main(void)
{
    int v = twice(21);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        printf("child %d\n", twice(4));
        return 0;
    }
    int st = 0;
    waitpid(pid, &st, 0);
    printf("parent %d, child exited %d\n", v, WEXITSTATUS(st));
    return 0;
}
