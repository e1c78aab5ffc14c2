/*
 * cc-wrapper/spawn.c - runs the real compiler (fork + execvp + waitpid) and
 * keeps the registry of rtcc's temporary files.
 *
 * A compiler driver must leave nothing behind: every temporary file is
 * registered before anything is written into it, and removed by atexit()
 * on normal exits and by a handler on SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGPIPE
 * (which first passes the signal on to the compiler step running then, and
 * afterwards re-raises it so that rtcc's parent sees the true cause).
 */
#include "spawn.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define RTCC_MAX_TMP 4096

static char *tmp_paths[RTCC_MAX_TMP];
static volatile sig_atomic_t tmp_count;
static volatile pid_t running_child;   /* the compiler step running now, or 0 */
static const int fatal_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };

void rtcc_tmp_cleanup(void)
{
    for (int i = 0; i < tmp_count; i++) {
        if (tmp_paths[i])
            unlink(tmp_paths[i]);
    }
}

/* Fatal signal: stop the running step, remove the files, die of the signal. */
static void on_signal(int sig)
{
    pid_t child = running_child;
    if (child > 0)
        kill(child, sig);
    rtcc_tmp_cleanup();
    signal(sig, SIG_DFL);
    raise(sig);
}

void rtcc_tmp_init(void)
{
    const int *sigs = fatal_sigs;
    atexit(rtcc_tmp_cleanup);
    for (size_t i = 0; i < sizeof fatal_sigs / sizeof fatal_sigs[0]; i++) {
        struct sigaction sa;
        struct sigaction old;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        /* Keep "ignored" signals ignored (nohup, background jobs). */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

void rtcc_tmp_register(const char *path)
{
    char *copy;
    sigset_t all, old;
    if (tmp_count >= RTCC_MAX_TMP) {
        fprintf(stderr, "rtcc: error: too many temporary files\n");
        exit(1);
    }
    copy = strdup(path);
    if (!copy) {
        fprintf(stderr, "rtcc: error: out of memory\n");
        exit(1);
    }
    /* The handler must never see a half-registered entry. */
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    tmp_paths[tmp_count] = copy;
    tmp_count = tmp_count + 1;
    sigprocmask(SIG_SETMASK, &old, NULL);
}

const char *rtcc_tmp_create(const char *suffix)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    int fd;
    sigset_t all, old;
    if (!dir || !*dir)
        dir = "/tmp";
    snprintf(path, sizeof path, "%s/rtcc-XXXXXX%s", dir, suffix);
    /* Block signals between creation and registration: no leak window. */
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    fd = mkstemps(path, (int)strlen(suffix));
    if (fd < 0) {
        int e = errno;
        sigprocmask(SIG_SETMASK, &old, NULL);
        fprintf(stderr, "rtcc: error: cannot create a temporary file in %s: %s\n",
                dir, strerror(e));
        exit(1);
    }
    close(fd);
    rtcc_tmp_register(path);
    {
        /* A tool that names a side file after its output (gas --MD, gcc
         * -MD without -MF) would write <temp>.d: removed too, should it. */
        const char *ret = tmp_paths[tmp_count - 1];
        char side[4096 + 8];
        size_t n = strlen(path) - strlen(suffix);
        if (*suffix && strcmp(suffix, ".d") != 0) {
            snprintf(side, sizeof side, "%.*s.d", (int)n, path);
            rtcc_tmp_register(side);
        }
        sigprocmask(SIG_SETMASK, &old, NULL);
        return ret;
    }
}

/* Prints a command line on stderr, as `cc -v` does for its sub-commands. */
static void print_cmd(char *const argv[])
{
    fputs("rtcc:", stderr);
    for (int i = 0; argv[i]; i++)
        fprintf(stderr, " %s", argv[i]);
    fputc('\n', stderr);
}

int rtcc_run(char *const argv[], bool verbose)
{
    pid_t pid, w;
    int status;
    sigset_t all, old;
    if (verbose)
        print_cmd(argv);
    fflush(stdout);
    fflush(stderr);
    /* Signals blocked across fork: the child must never run our handler
     * (it would remove files the parent still needs), and the parent must
     * know the child's pid before a handler can run. */
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid = fork();
    if (pid < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        fprintf(stderr, "rtcc: error: cannot fork: %s\n", strerror(errno));
        return 127;
    }
    if (pid == 0) {
        for (size_t i = 0; i < sizeof fatal_sigs / sizeof fatal_sigs[0]; i++) {
            struct sigaction cur;
            if (sigaction(fatal_sigs[i], NULL, &cur) == 0 && cur.sa_handler == on_signal)
                signal(fatal_sigs[i], SIG_DFL);
        }
        sigprocmask(SIG_SETMASK, &old, NULL);
        execvp(argv[0], argv);
        fprintf(stderr, "rtcc: error: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    running_child = pid;
    sigprocmask(SIG_SETMASK, &old, NULL);
    do {
        w = waitpid(pid, &status, 0);
    } while (w < 0 && errno == EINTR);
    running_child = 0;
    if (w < 0) {
        fprintf(stderr, "rtcc: error: waiting for %s: %s\n", argv[0], strerror(errno));
        return 127;
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "rtcc: error: %s was killed by signal %d (%s)\n", argv[0],
                WTERMSIG(status), strsignal(WTERMSIG(status)));
        return 128 + WTERMSIG(status);
    }
    return 127;
}

void rtcc_exec(char *const argv[])
{
    fflush(stdout);
    fflush(stderr);
    execvp(argv[0], argv);
    fprintf(stderr, "rtcc: error: cannot run %s: %s\n", argv[0], strerror(errno));
}
