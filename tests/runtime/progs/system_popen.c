/* system_popen.c - system(), popen() and posix_spawn() run shell commands
 * unchanged; their children see the program's own stack limit (`ulimit -s`),
 * not the raised one the runtime gives the traced process (stdout is compared
 * with the untraced run). */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char **environ;

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
    fflush(stdout);
    system("echo system child stack limit: $(ulimit -s)");
    FILE *p = popen("echo from popen", "r");
    char line[64] = "";
    if (p && fgets(line, sizeof line, p))
        printf("popen read %d chars: %s", count_chars(line), line);
    printf("pclose %d\n", p ? pclose(p) : -1);
    p = popen("ulimit -s", "r");
    if (p && fgets(line, sizeof line, p))
        printf("popen child stack limit: %s", line);
    if (p)
        pclose(p);
    fflush(stdout);
    char *argv[] = { "sh", "-c", "echo spawn child stack limit: $(ulimit -s)", NULL };
    pid_t pid;
    if (posix_spawnp(&pid, "sh", NULL, NULL, argv, environ) == 0) {
        int ws;
        waitpid(pid, &ws, 0);
        printf("spawn status %d\n", WEXITSTATUS(ws));
    }
    return 0;
}
