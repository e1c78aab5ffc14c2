/* sigterm_own.c - the program's own use of signals whose default action ends
 * the process (managed by the runtime while their action is SIG_DFL): every
 * result must be the untraced one. sigaction's old actions (flags, mask as
 * the kernel keeps them), handlers with sigqueue's value, a handler without
 * SA_RESTART interrupting read(), signals left blocked and taken by
 * sigwaitinfo, a signalfd and a timer, glibc's own 32 and 33 refused, and an
 * action set by sysv_signal() (libc's internal sigaction, around the
 * interposition). Also SIGUSR1's old
 * actions (managed before; they were given back as set, not as the kernel
 * keeps them). Exits 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_sig, got_val, got_code, hits;

static void on_info(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got_sig = sig;
    got_val = si->si_value.sival_int;
    got_code = si->si_code;
    hits++;
}

static void on_plain(int sig) { got_sig = sig; hits++; }

/* the action as sigaction gives it back */
static void show(const char *what, int sig)
{
    struct sigaction o;
    memset(&o, 0x5a, sizeof o);
    int r = sigaction(sig, NULL, &o);
    const char *h = o.sa_handler == SIG_DFL ? "DFL" : o.sa_handler == SIG_IGN ? "IGN"
                  : (void *)o.sa_sigaction == (void *)on_info ? "on_info"
                  : o.sa_handler == on_plain ? "on_plain" : "other";
    printf("%s %d: %d %s flags %#x mask %#lx restorer %s\n", what, sig, r, h,
           (unsigned)o.sa_flags, ((unsigned long *)(void *)&o.sa_mask)[0],
           o.sa_restorer ? "set" : "null");
}

static int rfd[2];

/* sends `sig` to the main thread while it waits in read(), then writes */
static void *poker(void *arg)
{
    pthread_t *main_thread = arg;
    struct timespec ts = { 0, 50000000 };
    nanosleep(&ts, NULL);
    pthread_kill(*main_thread, SIGRTMIN + 3);
    nanosleep(&ts, NULL);
    if (write(rfd[1], "x", 1) != 1)
        return NULL;
    return NULL;
}

static void interrupted_read(int flags)
{
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_handler = on_plain;
    a.sa_flags = flags;
    sigemptyset(&a.sa_mask);
    sigaction(SIGRTMIN + 3, &a, NULL);
    if (pipe(rfd) != 0)
        return;
    pthread_t me = pthread_self(), t;
    pthread_create(&t, NULL, poker, &me);
    char c;
    hits = 0;
    ssize_t n = read(rfd[0], &c, 1);
    printf("read with%s SA_RESTART: %zd %s, handler ran %d\n", flags ? "" : "out", n,
           n < 0 ? strerror(errno) : "data", (int)hits);
    pthread_join(t, NULL);
    close(rfd[0]);
    close(rfd[1]);
}

int main(void)
{
    int sigs[] = { SIGRTMIN, SIGRTMIN + 5, SIGRTMAX, SIGPROF, SIGVTALRM, SIGIO, SIGPWR, SIGSTKFLT };
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        show("at start", sigs[i]);

    /* a handler with SA_SIGINFO and a full mask (SIGKILL/SIGSTOP dropped by the kernel) */
    struct sigaction a, old;
    memset(&a, 0, sizeof a);
    a.sa_sigaction = on_info;
    a.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&a.sa_mask);
    memset(&old, 0x5a, sizeof old);
    int r = sigaction(SIGRTMIN, &a, &old);
    printf("set: %d, old %s\n", r, old.sa_handler == SIG_DFL ? "DFL" : "?");
    show("handler", SIGRTMIN);
    sigaction(SIGUSR1, &a, NULL);
    show("handler", SIGUSR1);
    sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 42 });
    printf("sigqueue: signal SIGRTMIN%+d value %d SI_QUEUE %d\n", got_sig - SIGRTMIN, (int)got_val,
           got_code == SI_QUEUE);
    /* back to SIG_DFL with flags and SIGKILL in the mask: given back as the kernel keeps it */
    memset(&a, 0, sizeof a);
    a.sa_handler = SIG_DFL;
    a.sa_flags = SA_NODEFER;
    sigemptyset(&a.sa_mask);
    sigaddset(&a.sa_mask, SIGKILL);
    sigaddset(&a.sa_mask, SIGUSR1);
    sigaction(SIGRTMIN, &a, &old);
    printf("old was on_info: %d\n", (void *)old.sa_sigaction == (void *)on_info);
    show("default again", SIGRTMIN);
    sigaction(SIGUSR1, &a, NULL);
    show("default again", SIGUSR1);
    a.sa_handler = SIG_IGN;
    sigaction(SIGRTMIN, &a, &old);
    printf("old %s\n", old.sa_handler == SIG_DFL ? "DFL" : "?");
    show("ignored", SIGRTMIN);
    raise(SIGRTMIN);
    printf("ignored SIGRTMIN survived\n");
    signal(SIGRTMIN, SIG_DFL);

    /* SA_RESTART or not: the handler's flags are the kernel's */
    interrupted_read(0);
    interrupted_read(SA_RESTART);

    /* left SIG_DFL and blocked: queued, taken by sigwaitinfo in order */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 1);
    sigaddset(&set, SIGIO);
    sigaddset(&set, SIGRTMIN + 2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (int v = 1; v <= 3; v++)
        sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = v * 10 });
    sigset_t pend;
    sigpending(&pend);
    printf("pending SIGRTMIN+1: %d\n", sigismember(&pend, SIGRTMIN + 1));
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, SIGRTMIN + 1);
    for (int k = 0; k < 3; k++) {
        siginfo_t si;
        int s = sigwaitinfo(&one, &si);
        printf("sigwaitinfo: SIGRTMIN%+d value %d\n", s - SIGRTMIN, si.si_value.sival_int);
    }
    /* a signalfd */
    sigset_t io;
    sigemptyset(&io);
    sigaddset(&io, SIGIO);
    int sfd = signalfd(-1, &io, 0);
    raise(SIGIO);
    struct signalfd_siginfo fi;
    ssize_t n = read(sfd, &fi, sizeof fi);
    printf("signalfd: %zd bytes, SIGIO %d\n", n, n == (ssize_t)sizeof fi && fi.ssi_signo == SIGIO);
    close(sfd);
    /* a timer's signal, taken by sigtimedwait */
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMIN + 2;
    ev.sigev_value.sival_int = 7;
    timer_t tm;
    timer_create(CLOCK_MONOTONIC, &ev, &tm);
    struct itimerspec its = { { 0, 0 }, { 0, 20000000 } };
    timer_settime(tm, 0, &its, NULL);
    sigset_t two;
    sigemptyset(&two);
    sigaddset(&two, SIGRTMIN + 2);
    struct timespec limit = { 5, 0 };
    siginfo_t si;
    int s = sigtimedwait(&two, &si, &limit);
    printf("timer: SIGRTMIN%+d value %d SI_TIMER %d\n", s - SIGRTMIN, si.si_value.sival_int,
           si.si_code == SI_TIMER);
    timer_delete(tm);
    sigprocmask(SIG_UNBLOCK, &set, NULL);

    /* glibc's own signals */
    memset(&a, 0, sizeof a);
    a.sa_handler = on_plain;
    errno = 0;
    int r32 = sigaction(32, &a, NULL);
    int e32 = errno;
    errno = 0;
    int r33 = sigaction(33, &a, NULL);
    printf("sigaction 32: %d %s, 33: %d %s\n", r32, strerror(e32), r33, strerror(errno));

    /* sysv_signal() sets the action through libc's internal sigaction (one-shot) */
    sysv_signal(SIGPWR, on_plain);
    show("sysv_signal", SIGPWR);
    hits = 0;
    raise(SIGPWR);
    printf("SIGPWR handled %d\n", (int)hits);
    show("after one", SIGPWR);
    return 0;
}
