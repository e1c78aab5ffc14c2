/*
 * runtime/signals.c - crashes and signals: close the trace, then die exactly
 * as the untraced program would; keep the program's own handlers working.
 *
 * Managed signals:
 *   fault signals  SIGSEGV SIGBUS SIGFPE SIGILL SIGABRT SIGTRAP SIGSYS:
 *       the runtime's handler is always the one installed in the kernel
 *       (SIGSEGV/SIGBUS also serve rt_safe_copy). It dispatches to the
 *       program's disposition, which is kept here ("virtual" disposition).
 *   termination signals: every other signal whose default action ends the
 *       process: SIGTERM SIGINT SIGHUP SIGQUIT SIGPIPE SIGALRM SIGUSR1
 *       SIGUSR2 SIGXCPU SIGXFSZ SIGVTALRM SIGPROF SIGSTKFLT SIGIO SIGPWR and
 *       SIGRTMIN..SIGRTMAX (read at start-up; glibc keeps 32 and 33 for
 *       itself): the runtime's handler is installed only while the program's
 *       disposition is SIG_DFL; a program handler or SIG_IGN is installed
 *       for real, untouched. The mask is never touched: a blocked signal
 *       stays pending for sigwaitinfo or a signalfd, as untraced.
 *
 * sigaction() and signal() are interposed for these signals: the program's
 * new action is remembered (and applied to the kernel as described), and the
 * old action it gets back is the one it set (or found at start-up), never the
 * runtime's, as the kernel gives it back: with libc's SA_RESTORER and
 * restorer, without SIGKILL and SIGSTOP in its mask. A termination signal's
 * action that is not the runtime's handler is read from the kernel, so one
 * set around the interposition (sigset, sysv_signal) is seen too. The kernel
 * action for a program handler of a fault signal keeps
 * the program's sa_mask and SA_ONSTACK/SA_RESTART/SA_NODEFER flags;
 * SA_RESETHAND is emulated. SIGSEGV and SIGBUS are always installed with
 * SA_NODEFER so that rt_safe_copy works even inside the program's own SIGSEGV
 * handler (the program's handler then runs with SIGSEGV unblocked).
 *
 * The runtime's handler, for a signal whose program disposition is SIG_DFL
 * (or a kernel-raised fault that SIG_IGN cannot ignore):
 *   1. a fault inside rt_safe_copy: resume at its fault exit, return;
 *   2. otherwise: the core writes the Error event (rt_core_on_fatal), the
 *      trace is closed with the async-signal-safe path, the summary printed;
 *   3. the disposition is set back to SIG_DFL and the signal is delivered
 *      again: a kernel-raised SIGSEGV/SIGBUS/SIGFPE/SIGILL simply returns and
 *      the faulting instruction runs again; anything else is re-raised (it
 *      stays pending until the handler returns). So the exit status, the
 *      "core dumped" bit and any waiting parent see the same thing.
 * When another thread is closing the trace at that moment (threads crashing
 * together, a signal during exit), step 3 waits for it to finish (at most
 * RT_CLOSE_WAIT_NS): dying at once would cut the trace mid-write. The thread
 * whose own close was interrupted dies at once (it cannot finish it).
 * Blocked fault signals: the kernel does not run a handler for a SIGSEGV,
 * SIGBUS, SIGFPE, SIGILL, SIGTRAP or SIGSYS it raises while the signal is
 * blocked: it resets the action to SIG_DFL and kills the process, so a
 * program that blocks everything (sigprocmask(SIG_BLOCK, full set)) and then
 * crashes would leave an unclosed trace. So sigprocmask/pthread_sigmask are
 * interposed: these six are never blocked in the kernel; the program's view
 * of them is kept per thread and reported in the old mask. The handler then
 * acts as the kernel would for a signal the program blocked: a kernel-raised
 * fault is fatal with the default action (whatever handler the program set),
 * a sent one is held (per thread) and sent again when the program unblocks
 * it; sigpending() (interposed) shows it, as the kernel would a blocked one.
 * abort() with SIGABRT ignored, or handled by a handler that returns: glibc's
 * abort() then sets SIG_DFL through its internal sigaction (not interposed)
 * and raises again, which kills the process without running any handler. So
 * when the runtime's handler sees a SIGABRT that abort() raised (a return
 * address inside abort() on the interrupted stack, see abort_on_stack) and
 * the program's handler returned, or the program ignores it, the process is
 * about to die: the trace is closed as for a fatal SIGABRT. A handler that
 * leaves abort() with siglongjmp never returns here: recording goes on.
 * A handler (the program's or the runtime's) overflowing the alternate
 * signal stack would, with SA_NODEFER, be run again at the top of that stack
 * and overflow again forever; untraced, the SIGSEGV is blocked in its handler
 * and kills the process. rt_handler looks for that first and ends the process
 * as untraced, closing the trace if there is room for it.
 * Caveat: a stack overflow without an alternate stack ends the process
 * without the trace being closed (rtrace repair fixes such a trace), and so
 * does an alternate stack too small for closing it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "lifecycle.h"

extern char rt_safe_copy_q_begin[], rt_safe_copy_q_end[];
extern char rt_safe_copy_b_begin[], rt_safe_copy_b_end[], rt_safe_copy_done[];

#define RT_NSIG 65
_Static_assert(__SIGRTMAX < RT_NSIG, "RT_NSIG must cover the real-time signals");
static struct sigaction rt_prog_act[RT_NSIG];   /* the program's view */
static volatile bool rt_managed_fault[RT_NSIG], rt_managed_term[RT_NSIG];
static volatile bool rt_installed;

/* What libc adds to every action it gives the kernel (SA_RESTORER and its
 * restorer on x86_64), learnt from the first action the runtime installs. */
static int rt_libc_flags;
static void (*rt_libc_restorer)(void);
static bool rt_libc_known;

/* A crashing thread waits this long for another thread's close (die). */
#define RT_CLOSE_WAIT_NS (5 * 1000000000ll)

static const int rt_fault_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS };
/* with default action "terminate"; SIGRTMIN..SIGRTMAX are added at start-up */
static const int rt_term_sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM,
                                    SIGUSR1, SIGUSR2, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF,
#ifdef SIGSTKFLT
                                    SIGSTKFLT,
#endif
#ifdef SIGPWR
                                    SIGPWR,
#endif
                                    SIGIO };

extern int __sigaction(int, const struct sigaction *, struct sigaction *);

int rt_real_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    return __sigaction(sig, act, old);
}

static void rt_handler(int sig, siginfo_t *info, void *uc);

static bool is_fn(const struct sigaction *a)
{
    return a->sa_handler != SIG_DFL && a->sa_handler != SIG_IGN;
}

/* Applies the program's disposition of `sig` to the kernel (see above). */
static void apply(int sig)
{
    const struct sigaction *p = &rt_prog_act[sig];
    struct sigaction k;
    memset(&k, 0, sizeof k);
    if (rt_managed_fault[sig]) {
        k.sa_sigaction = rt_handler;
        k.sa_flags = SA_SIGINFO | SA_ONSTACK;
        if (is_fn(p)) {
            k.sa_mask = p->sa_mask;
            k.sa_flags = SA_SIGINFO | (p->sa_flags & (SA_ONSTACK | SA_RESTART | SA_NODEFER));
        } else {
            sigemptyset(&k.sa_mask);
        }
        if (sig == SIGSEGV || sig == SIGBUS)
            k.sa_flags |= SA_NODEFER;
    } else if (rt_managed_term[sig]) {
        if (p->sa_handler == SIG_DFL) {
            k.sa_sigaction = rt_handler;
            k.sa_flags = SA_SIGINFO | SA_ONSTACK;
            sigemptyset(&k.sa_mask);
        } else {
            k = *p;
        }
    } else {
        return;
    }
    __sigaction(sig, &k, NULL);
    if (!rt_libc_known && k.sa_handler != SIG_DFL && k.sa_handler != SIG_IGN) {
        struct sigaction got;
        if (__sigaction(sig, NULL, &got) == 0) {
            rt_libc_flags = got.sa_flags & ~k.sa_flags;
            rt_libc_restorer = got.sa_restorer;
            rt_libc_known = true;
        }
    }
}

/* `a` as the kernel keeps it and gives it back (see the file comment). */
static void as_kernel_keeps(struct sigaction *a)
{
    if (rt_libc_known) {
        a->sa_flags |= rt_libc_flags;
        if (rt_libc_flags)
            a->sa_restorer = rt_libc_restorer;
    }
    sigdelset(&a->sa_mask, SIGKILL);
    sigdelset(&a->sa_mask, SIGSTOP);
}

/* The program's current action for managed `sig` (see the file comment). */
static struct sigaction prog_action(int sig)
{
    struct sigaction cur;
    if (rt_managed_term[sig] && __sigaction(sig, NULL, &cur) == 0 &&
        (void *)cur.sa_sigaction != (void *)rt_handler)
        return cur;
    return rt_prog_act[sig];
}

/* Resumes a faulting rt_safe_copy; true if the fault was one. */
static bool safe_copy_fixup(void *ucv)
{
    ucontext_t *uc = ucv;
    char *pc = (char *)uc->uc_mcontext.gregs[REG_RIP];
    if (pc >= rt_safe_copy_q_begin && pc < rt_safe_copy_q_end) {
        uc->uc_mcontext.gregs[REG_RIP] = (greg_t)rt_safe_copy_b_begin;
        return true;
    }
    if (pc >= rt_safe_copy_b_begin && pc < rt_safe_copy_b_end) {
        uc->uc_mcontext.gregs[REG_RIP] = (greg_t)rt_safe_copy_done;
        return true;
    }
    return false;
}

/* The code of abort() [lo, hi), found at start-up (dlsym is not async-signal-safe). */
static uintptr_t rt_abort_lo, rt_abort_hi;

static void find_abort(void)
{
    void *a = dlsym(RTLD_DEFAULT, "abort");
    Dl_info info;
    const ElfW(Sym) *sym = NULL;
    if (a && dladdr1(a, &info, (void **)&sym, RTLD_DL_SYMENT) && sym && sym->st_size) {
        rt_abort_lo = (uintptr_t)a;
        rt_abort_hi = (uintptr_t)a + sym->st_size;
    }
}

/*
 * Whether the SIGABRT interrupting context `ucv` was raised by abort(): a
 * return address inside abort() (not its first byte: that would be a pointer
 * to the function, not a return address) within the 2 KiB above the
 * interrupted stack pointer (raise -> pthread_kill -> tgkill sit between).
 * Reads with rt_safe_copy: the stack may end within that window.
 */
static bool abort_on_stack(const void *ucv)
{
    const ucontext_t *uc = ucv;
    if (!uc || !rt_abort_lo)
        return false;
    uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP] & ~(uintptr_t)7;
    uintptr_t words[64];
    for (int chunk = 0; chunk < 4; chunk++) {
        size_t got = rt_safe_copy(words, (const void *)(sp + chunk * sizeof words), sizeof words);
        for (size_t i = 0; i < got / sizeof *words; i++)
            if (words[i] > rt_abort_lo && words[i] < rt_abort_hi)
                return true;
        if (got < sizeof words)
            break;
    }
    return false;
}

/* Nanoseconds of CLOCK_MONOTONIC (async-signal-safe). */
static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* Threads inside die()'s close: the one that closes the trace prints the
 * summary after the state is CLOSED, and must not be killed before. */
static _Atomic int rt_dying;

/* While another thread closes the trace, waits for it to finish, summary
 * included (at most RT_CLOSE_WAIT_NS: it may be stuck); async-signal-safe. */
static void wait_for_close(void)
{
    int64_t deadline = mono_ns() + RT_CLOSE_WAIT_NS;
    const struct timespec nap = { 0, 1000000 };
    while (!rt_output_closing_here() &&
           (atomic_load(&rt_state) == RT_ST_CLOSING || atomic_load(&rt_dying) > 0) &&
           mono_ns() < deadline)
        nanosleep(&nap, NULL);
}

/*
 * The program dies of `sig`: Error event, close the trace (or wait for the
 * thread closing it), summary, then the default action (see the file comment
 * for how it is re-delivered).
 */
static void die(int sig, siginfo_t *info, void *uc)
{
    int st = atomic_load(&rt_state);
    if (st == RT_ST_RUNNING || st == RT_ST_STOPPED) {
        atomic_fetch_add(&rt_dying, 1);
        rt_thread_x *x = rt_thread_self_raw();
        if (x && st == RT_ST_RUNNING && !x->pub.dead && atomic_load(&x->in_use)) {
            rt_thread *t = &x->pub;
            if (t->in_runtime > 0) {
                /* interrupted inside a hook: drop its partial event */
                t->enc.len = x->committed;
                t->enc.depth = 0;
                if (t->nested.depth != 0)
                    rtrace_enc_reset(&t->nested);
                t->nested.depth = 0;
            }
            t->in_runtime = 0;
            rt_core_on_fatal(t, sig, info, uc);
            if (t->enc.depth == 0)
                x->committed = t->enc.len;
            t->in_runtime = 1;   /* nothing else may write in this thread now */
        }
        rt_output_finish(true);
        if (rt_output_closing_here())
            rt_output_print_summary();   /* not a thread that lost the race to close */
        atomic_fetch_sub(&rt_dying, 1);
    }
    wait_for_close();
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    __sigaction(sig, &dfl, NULL);
    bool refault = info && info->si_code > 0 &&
                   (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL);
    if (!refault) {
        /* blocked in this handler (except SA_NODEFER): delivered on return */
        raise(sig);
    }
}

/* ---- Fault signals the program blocked (see the file comment) ---------------- */
static const int rt_unblockable[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS };
static __thread uint64_t rt_tls_fault_blocked __attribute__((tls_model("initial-exec")));
static __thread uint64_t rt_tls_fault_pending __attribute__((tls_model("initial-exec")));

static bool prog_blocked(int sig)
{
    return sig > 0 && sig < 64 && (rt_tls_fault_blocked >> sig) & 1;
}

/* a new thread starts with its creator's view (threads.c), as with the mask */
uint64_t rt_signals_fault_blocked(void) { return rt_tls_fault_blocked; }
void rt_signals_set_fault_blocked(uint64_t bits) { rt_tls_fault_blocked = bits; }

/* both interposers: 0 or an errno value, as pthread_sigmask */
static int mask_call(int how, const sigset_t *set, sigset_t *old, const void *caller)
{
    uint64_t before = rt_tls_fault_blocked, after = before;
    sigset_t k;
    const sigset_t *kp = set;
    /* the program's calls see and set its own view; the runtime's (its
     * lock blocks everything around a flush, then restores the mask it got)
     * must get the kernel's real mask, or restoring it would block the fault
     * signals for real while the program has them blocked in its view */
    bool program = rt_installed && !rt_called_from_runtime(caller);
    bool filter = set && program;
    if (set) {
        k = *set;
        kp = &k;
        /* glibc's own signals 32 and 33 (cancellation, setxid) are never
         * blocked, as libc's pthread_sigmask (sigdelset refuses them) */
        ((unsigned long *)(void *)&k)[0] &= ~((1ul << 31) | (1ul << 32));
    }
    if (filter) {
        uint64_t req = 0;
        for (size_t i = 0; i < sizeof rt_unblockable / sizeof *rt_unblockable; i++)
            if (sigismember(set, rt_unblockable[i]) == 1)
                req |= 1ull << rt_unblockable[i];
        if (how == SIG_BLOCK)
            after = before | req;
        else if (how == SIG_SETMASK)
            after = req;
        else if (how == SIG_UNBLOCK)
            after = before & ~req;   /* and really unblocked: one may be pending */
        else
            return EINVAL;
        if (how != SIG_UNBLOCK)
            for (size_t i = 0; i < sizeof rt_unblockable / sizeof *rt_unblockable; i++)
                sigdelset(&k, rt_unblockable[i]);
    }
    /* the program's view first: a signal pending while it was blocked is
     * delivered as the syscall returns, and must find itself unblocked */
    if (filter)
        rt_tls_fault_blocked = after;
    if (syscall(SYS_rt_sigprocmask, how, kp, old, (size_t)(_NSIG / 8)) != 0) {
        rt_tls_fault_blocked = before;
        return errno;
    }
    if (old && program)
        for (size_t i = 0; i < sizeof rt_unblockable / sizeof *rt_unblockable; i++)
            if ((before >> rt_unblockable[i]) & 1)
                sigaddset(old, rt_unblockable[i]);
    uint64_t now = rt_tls_fault_pending & ~rt_tls_fault_blocked;
    if (now) {
        rt_tls_fault_pending &= ~now;
        for (int sig = 1; sig < 64; sig++)
            if ((now >> sig) & 1)
                syscall(SYS_tgkill, getpid(), rt_gettid(), sig);
    }
    return 0;
}

RT_EXPORT int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
    int saved = errno;
    int r = mask_call(how, set, old, __builtin_return_address(0));
    errno = saved;
    return r;
}

RT_EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    int r = mask_call(how, set, old, __builtin_return_address(0));
    if (r) {
        errno = r;
        return -1;
    }
    return 0;
}

/* sigpending (interposed): the kernel's set plus the fault signals held
 * here for this thread while the program blocks them (see mask_call). */
RT_EXPORT int sigpending(sigset_t *set)
{
    if (syscall(SYS_rt_sigpending, set, (size_t)(_NSIG / 8)) != 0)
        return -1;
    for (int sig = 1; sig < 64; sig++)
        if ((rt_tls_fault_pending >> sig) & 1)
            sigaddset(set, sig);
    return 0;
}

/* The handler's work (rt_handler first looks for the faults it cannot handle). */
__attribute__((noinline)) static void handle_signal(int sig, siginfo_t *info, void *uc)
{
    int saved = errno;
    if ((sig == SIGSEGV || sig == SIGBUS) && uc && safe_copy_fixup(uc)) {
        errno = saved;
        return;
    }
    if (prog_blocked(sig)) {
        if (info && info->si_code > 0) {
            /* raised by the kernel while the program blocks it: fatal,
             * whatever the program's handler, as untraced */
            die(sig, info, uc);
            errno = saved;
            return;
        }
        /* sent (kill, raise): kept pending here and sent again when the
         * program unblocks it (mask_call); never blocked in the kernel, where
         * a sigsetjmp/siglongjmp could carry the block on unseen */
        rt_tls_fault_pending |= 1ull << sig;
        errno = saved;
        return;
    }
    if (sig > 0 && sig < RT_NSIG) {
        struct sigaction p = rt_prog_act[sig];
        if (is_fn(&p)) {
            if (p.sa_flags & SA_RESETHAND) {
                memset(&rt_prog_act[sig], 0, sizeof rt_prog_act[sig]);
                rt_prog_act[sig].sa_handler = SIG_DFL;
                apply(sig);
            }
            errno = saved;
            if (p.sa_flags & SA_SIGINFO)
                p.sa_sigaction(sig, info, uc);
            else
                p.sa_handler(sig);
            if (sig == SIGABRT && abort_on_stack(uc)) {
                saved = errno;
                die(sig, info, uc);    /* abort() kills the process next */
                errno = saved;
            }
            return;
        }
        if (p.sa_handler == SIG_IGN) {
            bool kernel_fault = info && info->si_code > 0 && rt_managed_fault[sig] &&
                                sig != SIGABRT && sig != SIGTRAP;
            if (!kernel_fault && !(sig == SIGABRT && abort_on_stack(uc))) {
                errno = saved;
                return;
            }
        }
    }
    die(sig, info, uc);
    errno = saved;
}

/*
 * Whether the kernel-raised SIGSEGV or SIGBUS is a handler overflowing the
 * alternate signal stack: the fault address and the interrupted stack
 * pointer lie just below the stack's low end (uc_stack is the stack as the
 * kernel knew it at delivery). A program's own fault (a NULL pointer, its
 * main or thread stack) is none.
 */
#define RT_ALT_SLACK (64u << 10)   /* how far below the low end an overflow may land */
static inline bool altstack_overflow(int sig, const siginfo_t *info, const ucontext_t *uc)
{
    if ((sig != SIGSEGV && sig != SIGBUS) || !info || info->si_code <= 0 || !uc ||
        (uc->uc_stack.ss_flags & SS_DISABLE))
        return false;
    uintptr_t lo = (uintptr_t)uc->uc_stack.ss_sp;
    uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    uintptr_t addr = (uintptr_t)info->si_addr;
    return addr < lo && lo - addr <= RT_ALT_SLACK && sp <= lo + 128 && lo - sp <= RT_ALT_SLACK;
}

/* 1 once this thread overflowed its alternate stack (see rt_handler). */
static __thread int rt_tls_alt_overflow __attribute__((tls_model("initial-exec")));

/* SIG_DFL for sig with the raw system call: the kernel's sigaction for it is
 * all zeros, and this needs no stack (see rt_handler). */
static const unsigned long rt_kernel_dfl[4];

/*
 * The handler installed in the kernel for every managed signal. An overflow
 * of the alternate stack is looked for first, with next to no stack: the
 * kernel delivers that SIGSEGV at the top of the same stack again (the stack
 * pointer is no longer "on" it), and with SA_NODEFER, which rt_safe_copy
 * needs, the handler that overflowed (the program's, or this one with an
 * alternate stack hardly bigger than the kernel's signal frame) would run and
 * overflow again forever, where untraced the SIGSEGV is blocked in its
 * handler and kills the process. So the first overflow closes the trace
 * (die, from the top of the stack); an overflow again, die() itself finding
 * no room, sets the default action and the fault kills the process.
 */
static void rt_handler(int sig, siginfo_t *info, void *uc)
{
    if (unlikely(altstack_overflow(sig, info, uc))) {
        if (!rt_tls_alt_overflow) {
            rt_tls_alt_overflow = 1;
            die(sig, info, uc);
        } else {
            syscall(SYS_rt_sigaction, sig, rt_kernel_dfl, NULL, sizeof rt_kernel_dfl[0]);
        }
        return;
    }
    handle_signal(sig, info, uc);
}

/*
 * rt_signals_install: records the current dispositions as the program's and
 * installs the runtime's handlers (start-up).
 */
void rt_signals_install(void)
{
    if (rt_installed)
        return;   /* a second start (fork child, tests): keep the program's view */
    find_abort();
    for (size_t i = 0; i < sizeof rt_fault_sigs / sizeof *rt_fault_sigs; i++) {
        int s = rt_fault_sigs[i];
        __sigaction(s, NULL, &rt_prog_act[s]);
        rt_managed_fault[s] = true;
    }
    for (size_t i = 0; i < sizeof rt_term_sigs / sizeof *rt_term_sigs; i++) {
        int s = rt_term_sigs[i];
        __sigaction(s, NULL, &rt_prog_act[s]);
        rt_managed_term[s] = true;
    }
    for (int s = SIGRTMIN; s <= SIGRTMAX && s < RT_NSIG; s++) {
        __sigaction(s, NULL, &rt_prog_act[s]);
        rt_managed_term[s] = true;
    }
    rt_installed = true;
    for (int s = 1; s < RT_NSIG; s++)
        if (rt_managed_fault[s] || rt_managed_term[s])
            apply(s);
}

/*
 * sigaction (interposed): for managed signals the program's action is
 * remembered and applied as described in the file comment; `old` gets the
 * program's previous action. Other signals, and everything before start-up,
 * go straight to libc.
 */
RT_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (!rt_installed || sig <= 0 || sig >= RT_NSIG || !(rt_managed_fault[sig] || rt_managed_term[sig]))
        return __sigaction(sig, act, old);
    struct sigaction prev = prog_action(sig);
    if (act) {
        /* copied first: act may be old */
        struct sigaction probe = *act;
        as_kernel_keeps(&probe);
        sigset_t all, oldmask;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &oldmask);
        rt_prog_act[sig] = probe;
        apply(sig);
        pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
    }
    if (old)
        *old = prev;
    return 0;
}

/*
 * signal (interposed): glibc's BSD semantics (handler stays installed,
 * SA_RESTART, the signal blocked during its handler) through sigaction().
 */
RT_EXPORT __sighandler_t signal(int sig, __sighandler_t handler)
{
    struct sigaction act, old;
    if (handler == SIG_ERR || sig <= 0 || sig >= RT_NSIG) {
        errno = EINVAL;
        return SIG_ERR;
    }
    memset(&act, 0, sizeof act);
    act.sa_handler = handler;
    sigemptyset(&act.sa_mask);
    sigaddset(&act.sa_mask, sig);
    act.sa_flags = SA_RESTART;
    if (sigaction(sig, &act, &old) < 0)
        return SIG_ERR;
    return old.sa_handler;
}
