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
 *   system, popen, posix_spawn(p): their children are made inside libc, with
 *   no hook of ours, so the program's value is put back around the call (and
 *   raised again after), when the main thread's stack is well within the
 *   program's own limit (its mapping, read from /proc/self/maps: otherwise
 *   lowering the limit would make the main stack's next growth fault); a
 *   program that deep keeps the raised limit for its children.
 * Caveat: thread stacks are fixed at creation and not enlarged.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* ---- Children made inside libc: system, popen, posix_spawn ----------------- */
/* Size of the main thread's stack mapping ("[stack]" in /proc/self/maps), or
 * 0 when it cannot be read. No stdio: a 4 KiB buffer, lines may straddle it. */
static size_t main_stack_size(void)
{
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char buf[4096 + 256];
    size_t have = 0, found = 0;
    for (;;) {
        ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
        if (r <= 0)
            break;
        have += (size_t)r;
        buf[have] = 0;
        char *line = buf, *nl;
        while ((nl = strchr(line, '\n')) != NULL) {
            *nl = 0;
            if (strstr(line, "[stack]")) {
                unsigned long lo = 0, hi = 0;
                if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && hi > lo)
                    found = hi - lo;
            }
            line = nl + 1;
        }
        have = (size_t)(buf + have - line);
        memmove(buf, line, have);
        if (have >= sizeof buf - 1)
            have = 0;                       /* a line longer than the buffer: skip it */
    }
    close(fd);
    return found;
}

/* Puts the program's soft limit back for a child about to be made inside
 * libc; true when it did (spawn_done then raises it again). */
static bool spawn_begin(void)
{
    if (!rt_stack_raised || rt_stack_prog.rlim_cur == RLIM_INFINITY)
        return false;
    size_t used = main_stack_size();
    if (used == 0 || used + (1u << 20) > rt_stack_prog.rlim_cur)
        return false;                       /* that deep: lowering would fault */
    rt_stack_for_exec(true);
    return true;
}

static void spawn_done(bool lowered)
{
    if (lowered)
        rt_stack_for_exec(false);
}

/* The libc function `name` the program would have called. */
static void *next_fn(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

RT_EXPORT int system(const char *command)
{
    static int (*real)(const char *);
    if (!real)
        real = (int (*)(const char *))next_fn("system");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    bool lowered = command ? spawn_begin() : false;
    int r = real(command);
    int saved = errno;
    spawn_done(lowered);
    errno = saved;
    return r;
}

RT_EXPORT FILE *popen(const char *command, const char *type)
{
    static FILE *(*real)(const char *, const char *);
    if (!real)
        real = (FILE * (*)(const char *, const char *)) next_fn("popen");
    if (!real) {
        errno = ENOSYS;
        return NULL;
    }
    bool lowered = spawn_begin();
    FILE *f = real(command, type);
    int saved = errno;
    spawn_done(lowered);
    errno = saved;
    return f;
}

typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
                        const posix_spawnattr_t *, char *const[], char *const[]);

static int spawn_call(const char *name, spawn_fn *real, pid_t *pid, const char *path,
                      const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
                      char *const argv[], char *const envp[])
{
    if (!*real)
        *real = (spawn_fn)next_fn(name);
    if (!*real)
        return ENOSYS;
    bool lowered = spawn_begin();
    int r = (*real)(pid, path, fa, attr, argv, envp);
    spawn_done(lowered);
    return r;
}

RT_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                          const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    static spawn_fn real;
    return spawn_call("posix_spawn", &real, pid, path, fa, attr, argv, envp);
}

RT_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                           const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    static spawn_fn real;
    return spawn_call("posix_spawnp", &real, pid, file, fa, attr, argv, envp);
}
