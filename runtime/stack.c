/*
 * runtime/stack.c - room on the main thread's stack for the probes' frames.
 *
 * rtcc's code has bigger frames than the same code untraced (a function
 * built with -finstrument-functions saves a callee-saved register for the
 * hooks: a small recursive function goes from 32 to 48 bytes a frame), so a
 * program that recurses 200,000 deep within the default 8 MiB stack untraced
 * overflowed it traced. The main thread's stack grows on demand up to the soft
 * RLIMIT_STACK, and the kernel keeps at least 128 MiB free below it, so at
 * start-up the runtime doubles the soft limit (within the hard limit) and
 * keeps up the program's view of it:
 *   getrlimit / prlimit (on itself) report the program's soft limit;
 *   setrlimit / prlimit set the program's value, the kernel gets twice it;
 *   exec*: the program's value is put back for the new image (and raised
 *   again if the exec fails).
 * Caveats: children made by system, popen and posix_spawn (no hook runs in
 * them) inherit the raised limit; thread stacks are fixed at creation and not
 * enlarged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lifecycle.h"

static bool rt_stack_raised;          /* the kernel's soft limit is not the program's */
static struct rlimit rt_stack_prog;   /* the program's view */

static int real_prlimit(int resource, const struct rlimit *new, struct rlimit *old)
{
    return (int)syscall(SYS_prlimit64, 0, resource, new, old);
}

/* The soft limit the kernel gets for a program soft limit `cur`. */
static rlim_t raised(rlim_t cur, rlim_t max)
{
    if (cur == RLIM_INFINITY || cur > RLIM_INFINITY / 2)
        return cur;
    rlim_t r = cur * 2;
    return max != RLIM_INFINITY && r > max ? max : r;
}

void rt_stack_init(void)
{
    struct rlimit rl;
    if (rt_stack_raised || real_prlimit(RLIMIT_STACK, NULL, &rl) != 0)
        return;
    struct rlimit k = { raised(rl.rlim_cur, rl.rlim_max), rl.rlim_max };
    if (k.rlim_cur == rl.rlim_cur || real_prlimit(RLIMIT_STACK, &k, NULL) != 0)
        return;
    rt_stack_prog = rl;
    rt_stack_raised = true;
}

/* exec: `for_exec` puts the program's limit back; false raises it again. */
void rt_stack_for_exec(bool for_exec)
{
    if (!rt_stack_raised)
        return;
    int saved = errno;
    struct rlimit k = rt_stack_prog;
    if (!for_exec)
        k.rlim_cur = raised(k.rlim_cur, k.rlim_max);
    real_prlimit(RLIMIT_STACK, &k, NULL);
    errno = saved;
}

/* RLIMIT_STACK of this process, through the program's view. 0 or -1/errno. */
static int stack_limit(const struct rlimit *new, struct rlimit *old)
{
    struct rlimit cur;
    if (real_prlimit(RLIMIT_STACK, NULL, &cur) != 0)
        return -1;
    struct rlimit view = rt_stack_prog;
    view.rlim_max = cur.rlim_max;
    if (new) {
        if (new->rlim_cur > new->rlim_max) {
            errno = EINVAL;
            return -1;
        }
        struct rlimit k = { raised(new->rlim_cur, new->rlim_max), new->rlim_max };
        if (real_prlimit(RLIMIT_STACK, &k, NULL) != 0)
            return -1;
        rt_stack_prog = *new;
    }
    if (old)
        *old = view;
    return 0;
}

static bool ours(int resource, pid_t pid)
{
    return rt_stack_raised && resource == RLIMIT_STACK && (pid == 0 || pid == getpid());
}

RT_EXPORT int getrlimit(__rlimit_resource_t resource, struct rlimit *rl)
{
    if (ours((int)resource, 0))
        return stack_limit(NULL, rl);
    return real_prlimit((int)resource, NULL, rl) == 0 ? 0 : -1;
}

RT_EXPORT int setrlimit(__rlimit_resource_t resource, const struct rlimit *rl)
{
    if (ours((int)resource, 0))
        return stack_limit(rl, NULL);
    return real_prlimit((int)resource, rl, NULL) == 0 ? 0 : -1;
}

RT_EXPORT int prlimit(pid_t pid, __rlimit_resource_t resource, const struct rlimit *new, struct rlimit *old)
{
    if (ours((int)resource, pid))
        return stack_limit(new, old);
    return (int)syscall(SYS_prlimit64, pid, (int)resource, new, old) == 0 ? 0 : -1;
}

/* the 64-bit names: the same layout on x86_64 */
RT_EXPORT int getrlimit64(__rlimit_resource_t resource, struct rlimit64 *rl)
{
    return getrlimit(resource, (struct rlimit *)rl);
}

RT_EXPORT int setrlimit64(__rlimit_resource_t resource, const struct rlimit64 *rl)
{
    return setrlimit(resource, (const struct rlimit *)rl);
}

RT_EXPORT int prlimit64(pid_t pid, __rlimit_resource_t resource, const struct rlimit64 *new,
                        struct rlimit64 *old)
{
    return prlimit(pid, resource, (const struct rlimit *)new, (struct rlimit *)old);
}
