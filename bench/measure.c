/*
 * bench/measure.c - the benchmark's measuring launcher.
 *
 *   bench_measure [-n RUNS] [-t SECONDS] [-q] [-o FILE] [-c DIR] [--] command [args...]
 *
 * Runs `command` RUNS times (default 5), one after the other, with fork/execvp
 * and the environment passed through unchanged, and prints one line:
 *
 *   runs=5 median_ms=12.345 min_ms=12.001 max_ms=13.020 max_rss_kb=2048 status=0
 *
 * Wall time is taken around fork..wait4 (exec to exit plus the fork), on the
 * monotonic clock. max_rss_kb is the largest ru_maxrss wait4 reported over the
 * runs; Linux includes the child's own reaped children in it, so for a wrapper
 * such as `uftrace record` it covers the traced program too.
 * -q sends the children's stdout to /dev/null, -o FILE to FILE (truncated at
 * each run, so it holds the last run's output); stderr is left alone.
 * status is 0 when every run exited 0, else the first failing run's exit code
 * (128+signal for a signal); the exit code of bench_measure is then 1.
 * -t: a run still going after SECONDS (default 120) is killed with its whole
 * process group (status 137), so that a hung recorder cannot hang `make
 * bench`; the remaining runs are skipped. Each child leads its own process
 * group for that; SIGINT/SIGTERM/SIGHUP received by bench_measure are passed
 * on to the group, so Ctrl-C still stops everything.
 *
 * -c DIR: DIR (the trace folder the command writes) is removed before each
 * run, untimed: each run then writes a new trace, as a user recording once
 * does, instead of truncating the previous run's (freeing hundreds of MiB of
 * page cache would be counted as the recorder's time).
 * Written in C rather than with /usr/bin/time so that the figures do not
 * depend on which `time` the machine has and the median comes out directly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t running;   /* the current child's process group, 0 if none */
static volatile sig_atomic_t timed_out;

/* SIGALRM: the run is over its time; anything else: pass it on, then die of it. */
static void on_signal(int sig)
{
    pid_t pg = running;
    if (sig == SIGALRM) {
        timed_out = 1;
        if (pg > 0)
            kill(-pg, SIGKILL);
        return;
    }
    if (pg > 0)
        kill(-pg, sig);
    signal(sig, SIG_DFL);
    raise(sig);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_measure [-n RUNS] [-t SECONDS] [-q] [-o FILE] [-c DIR] [--] command [args...]\n");
    exit(2);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    if (remove(path) != 0 && errno != ENOENT)
        fprintf(stderr, "bench_measure: cannot remove %s: %s\n", path, strerror(errno));
    return 0;
}

/* rm -rf dir (a missing dir is fine). */
static void remove_tree(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Runs argv once; returns the exit code (128+sig for a signal), -1 if it could not start. */
static int run_once(char **argv, const char *out_path, unsigned timeout, double *ms, long *rss_kb)
{
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench_measure: fork");
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        if (out_path) {
            int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) {
                perror("bench_measure: stdout");
                _exit(127);
            }
        }
        execvp(argv[0], argv);
        fprintf(stderr, "bench_measure: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid); /* also here: no race with the signal handlers */
    running = pid;
    alarm(timeout);
    int st = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    while (wait4(pid, &st, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("bench_measure: wait4");
            return -1;
        }
    }
    *ms = now_ms() - t0;
    alarm(0);
    running = 0;
    *rss_kb = ru.ru_maxrss;
    if (timed_out) {
        fprintf(stderr, "bench_measure: %s killed after %u s\n", argv[0], timeout);
        return 137;
    }
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return -1;
}

int main(int argc, char **argv)
{
    int runs = 5;
    unsigned timeout = 120;
    const char *out_path = NULL, *clean_dir = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
            runs = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "-t") && i + 1 < argc) {
            timeout = (unsigned)atoi(argv[++i]);
        } else if (!strcmp(argv[i], "-q")) {
            out_path = "/dev/null";
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out_path = argv[++i];
        } else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
            clean_dir = argv[++i];
        } else {
            usage();
        }
    }
    if (i >= argc || runs < 1)
        usage();

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: wait4 returns EINTR and loops */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    double *times = calloc((size_t)runs, sizeof *times);
    if (!times)
        return 1;
    long max_rss = 0;
    int status = 0;
    for (int r = 0; r < runs; r++) {
        long rss = 0;
        if (clean_dir)
            remove_tree(clean_dir);
        int rc = run_once(argv + i, out_path, timeout, &times[r], &rss);
        if (rss > max_rss)
            max_rss = rss;
        if (rc != 0 && status == 0)
            status = rc < 0 ? 255 : rc;
        if (rc < 0 || timed_out) {
            runs = r + 1; /* the median of the runs made */
            break;        /* more runs would say the same */
        }
    }
    qsort(times, (size_t)runs, sizeof *times, cmp_double);
    /* Even counts: the mean of the two middle runs. */
    double median = runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    printf("runs=%d median_ms=%.3f min_ms=%.3f max_ms=%.3f max_rss_kb=%ld status=%d\n",
           runs, median, times[0], times[runs - 1], max_rss, status);
    free(times);
    return status ? 1 : 0;
}
