/*
 * runtime/modules.c - which loaded objects the runtime knows: the executable
 * and every shared object carrying a .rtrace_probes section (built by rtcc).
 *
 * dl_iterate_phdr lists the loaded objects with their load bias; the path of
 * each is taken from /proc/self/maps (dlpi_name is relative for a dlopen of
 * "./x.so" and empty for the executable), and the section headers of the
 * file are read to look for .rtrace_probes, so that libc and friends are not
 * parsed for DWARF. A module with probes is loaded (rt_module_load), given
 * its bias and handed to the core (rt_core_add_module). Objects are
 * remembered by (bias, path), so a rescan adds only the new ones.
 *
 * dlopen is interposed: after a successful dlopen the list is rescanned.
 * The loaded object's constructors run inside dlopen, before that: the first
 * probe that finds no site while its thread is inside dlopen rescans then
 * (once per dlopen; the object is already in the loader's list), so the
 * constructors are recorded too (rt_modules_rescan_in_dlopen).
 * Function pointers into objects without the program's debug info (libc's
 * isdigit) are named from their dynamic symbols through dladdr, with a small
 * cache in front: dladdr scans an object's symbols (microseconds), and a
 * loop's stops show the same pointer again and again. dlclose is interposed
 * too, to empty that cache.
 * Caveat: a dlopen of a bare name is searched as if called from this library
 * (DT_RUNPATH/$ORIGIN of the calling object are not used; LD_LIBRARY_PATH,
 * the executable's DT_RPATH, the cache and default folders are).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lifecycle.h"

typedef struct rt_known {
    uint64_t bias;
    char *path;
    rt_module *m;       /* NULL: no probes or not loadable */
} rt_known;

static rt_known *rt_known_mods;
static size_t rt_nknown, rt_known_cap;
static pthread_mutex_t rt_mod_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct seen {
    uint64_t bias;
    uint64_t probe_addr;  /* a run-time address inside the object */
    uint64_t tls_modid;   /* dlpi_tls_modid (0: no TLS) */
    char name[PATH_MAX];
} seen;

typedef struct scan_ctx {
    seen *v;
    size_t n, cap;
} scan_ctx;

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    scan_ctx *c = data;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        seen *nv = realloc(c->v, cap * sizeof *nv);
        if (!nv)
            return 1;
        c->v = nv;
        c->cap = cap;
    }
    seen *s = &c->v[c->n];
    s->bias = info->dlpi_addr;
    s->tls_modid = info->dlpi_tls_modid;
    s->probe_addr = 0;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_LOAD) {
            s->probe_addr = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
            break;
        }
    rt_format(s->name, sizeof s->name, "%s", info->dlpi_name ? info->dlpi_name : "");
    c->n++;
    return 0;
}

/* The file mapped at `addr` according to /proc/self/maps ("" if none). */
static void path_from_maps(const char *maps, uint64_t addr, char *out, size_t cap)
{
    out[0] = '\0';
    for (const char *l = maps; l && *l;) {
        const char *nl = strchr(l, '\n');
        char *end;
        uint64_t lo = strtoull(l, &end, 16);
        uint64_t hi = *end == '-' ? strtoull(end + 1, &end, 16) : 0;
        if (addr >= lo && addr < hi) {
            const char *slash = memchr(l, '/', nl ? (size_t)(nl - l) : strlen(l));
            if (slash) {
                size_t n = nl ? (size_t)(nl - slash) : strlen(slash);
                if (n >= cap)
                    n = cap - 1;
                memcpy(out, slash, n);
                out[n] = '\0';
                /* a deleted file shows " (deleted)": not readable anyway */
            }
            return;
        }
        l = nl ? nl + 1 : NULL;
    }
}

/* Reads /proc/self/maps whole (malloc'ed, NUL-terminated) or NULL. */
static char *read_maps(void)
{
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len + 4096 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len - 1);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    if (buf)
        buf[len] = '\0';
    return buf;
}

/* True when the ELF file has a section named .rtrace_probes. */
static bool has_probes(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool found = false;
    Elf64_Ehdr eh;
    Elf64_Shdr *sh = NULL;
    char *names = NULL;
    if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(Elf64_Shdr) ||
        eh.e_shnum == 0 || eh.e_shstrndx >= eh.e_shnum)
        goto out;
    sh = malloc((size_t)eh.e_shnum * sizeof *sh);
    if (!sh || pread(fd, sh, (size_t)eh.e_shnum * sizeof *sh, (off_t)eh.e_shoff) !=
                   (ssize_t)((size_t)eh.e_shnum * sizeof *sh))
        goto out;
    Elf64_Shdr *ns = &sh[eh.e_shstrndx];
    if (ns->sh_size == 0 || ns->sh_size > (64u << 20))
        goto out;
    names = malloc(ns->sh_size + 1);
    if (!names || pread(fd, names, ns->sh_size, (off_t)ns->sh_offset) != (ssize_t)ns->sh_size)
        goto out;
    names[ns->sh_size] = '\0';
    for (unsigned i = 0; i < eh.e_shnum && !found; i++)
        if (sh[i].sh_name < ns->sh_size && !strcmp(names + sh[i].sh_name, RT_PROBE_SECTION))
            found = true;
out:
    free(names);
    free(sh);
    close(fd);
    return found;
}

static bool known(uint64_t bias, const char *path)
{
    for (size_t i = 0; i < rt_nknown; i++)
        if (rt_known_mods[i].bias == bias && !strcmp(rt_known_mods[i].path, path))
            return true;
    return false;
}

static void remember(uint64_t bias, const char *path, rt_module *m)
{
    if (rt_nknown == rt_known_cap) {
        size_t cap = rt_known_cap ? rt_known_cap * 2 : 16;
        rt_known *nk = realloc(rt_known_mods, cap * sizeof *nk);
        if (!nk)
            return;
        rt_known_mods = nk;
        rt_known_cap = cap;
    }
    char *p = strdup(path);
    if (!p)
        return;
    rt_known_mods[rt_nknown++] = (rt_known){ bias, p, m };
}

/* rt_modules_scan: see lifecycle.h. Serialised by a mutex (start-up, dlopen). */
int rt_modules_scan(void)
{
    pthread_mutex_lock(&rt_mod_lock);
    scan_ctx c = { 0 };
    dl_iterate_phdr(phdr_cb, &c);
    char *maps = read_maps();
    char path[PATH_MAX];
    for (size_t i = 0; i < c.n; i++) {
        seen *s = &c.v[i];
        bool is_exe = i == 0 && s->name[0] == '\0';
        if (is_exe)
            rt_format(path, sizeof path, "%s", rt_program_path());
        else {
            path_from_maps(maps, s->probe_addr, path, sizeof path);
            if (!path[0] && s->name[0]) {
                if (!realpath(s->name, path))
                    continue;   /* e.g. linux-vdso.so.1: no file */
            }
            if (!path[0])
                continue;
        }
        if (known(s->bias, path))
            continue;
        rt_module *m = NULL;
        if (is_exe || has_probes(path)) {
            char err[512];
            m = rt_module_load(path, err, sizeof err);
            if (!m)
                rt_warn("cannot read the debug information of %s: %s (its code is not recorded)",
                        path, err);
        }
        remember(s->bias, path, m);
        if (m) {
            m->bias = s->bias;
            m->tls_modid = s->tls_modid;
            rt_core_add_module(m);
        }
    }
    free(maps);
    free(c.v);
    size_t n = 0;
    for (size_t i = 0; i < rt_nknown; i++)
        n += rt_known_mods[i].m != NULL;
    pthread_mutex_unlock(&rt_mod_lock);
    return (int)n;
}

size_t rt_modules_count(void)
{
    size_t n = 0;
    pthread_mutex_lock(&rt_mod_lock);
    for (size_t i = 0; i < rt_nknown; i++)
        n += rt_known_mods[i].m != NULL;
    pthread_mutex_unlock(&rt_mod_lock);
    return n;
}

typedef void *(*dlopen_fn)(const char *, int);

/* This thread is inside dlopen (depth); a probe there rescanned already. */
static __thread unsigned rt_tls_dlopen_depth;
static __thread bool rt_tls_dlopen_scanned;

/* Contract: see rt.h. */
bool rt_modules_rescan_in_dlopen(void)
{
    if (rt_tls_dlopen_depth == 0 || rt_tls_dlopen_scanned || atomic_load(&rt_state) != RT_ST_RUNNING)
        return false;
    rt_tls_dlopen_scanned = true;
    rt_modules_scan();
    return true;
}

/*
 * dlopen (interposed): libc's dlopen, then, while recording, the new objects
 * with probes are added to the core's tables (if a constructor's probe has
 * not added them already).
 */
RT_EXPORT void *dlopen(const char *file, int mode)
{
    static dlopen_fn real;
    if (!real)
        real = (dlopen_fn)dlsym(RTLD_NEXT, "dlopen");
    bool outer_scanned = rt_tls_dlopen_scanned;
    rt_tls_dlopen_depth++;
    rt_tls_dlopen_scanned = false;
    void *h = real(file, mode);
    rt_tls_dlopen_depth--;
    rt_tls_dlopen_scanned = outer_scanned;
    if (h && file && atomic_load(&rt_state) == RT_ST_RUNNING)
        rt_modules_scan();
    return h;
}

/* ---- Names of functions outside the program's debug info ------------------ */

/* A cached name: the address it starts at, the dlclose generation it was
 * found in, and the name (names longer than the slot are not cached). */
typedef struct rt_symc {
    uint64_t addr;
    unsigned gen;
    unsigned char len;      /* 0: no symbol starts at addr */
    char name[51];
} rt_symc;

#define RT_SYMC_N 64                    /* a power of two */
static rt_symc rt_symcache[RT_SYMC_N];
static pthread_mutex_t rt_symc_lock = PTHREAD_MUTEX_INITIALIZER;
/* Bumped after each dlclose: entries of an older generation are stale. */
static _Atomic unsigned rt_dl_gen = 1;

typedef int (*dlclose_fn)(void *);

/* dlclose (interposed): libc's dlclose, then the name cache is emptied (an
 * unloaded object's names must not stick to addresses reused later). */
RT_EXPORT int dlclose(void *h)
{
    static dlclose_fn real;
    if (!real)
        real = (dlclose_fn)dlsym(RTLD_NEXT, "dlclose");
    int r = real(h);
    atomic_fetch_add(&rt_dl_gen, 1);
    return r;
}

/* dladdr's name for a, when a symbol starts exactly there: into out, its length, else 0. */
static size_t sym_lookup(uint64_t a, char *out, size_t cap)
{
    Dl_info info;
    if (!dladdr((void *)(uintptr_t)a, &info) || !info.dli_sname || (uint64_t)(uintptr_t)info.dli_saddr != a)
        return 0;
    size_t n = strlen(info.dli_sname);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, info.dli_sname, n);
    out[n] = 0;
    return n;
}

/* rt_modules_sym_name: see rt.h. The cache's lock is only tried: a signal
 * handler's probe that interrupts a lookup on its own thread looks up
 * uncached rather than waiting for itself. */
size_t rt_modules_sym_name(uint64_t a, char *out, size_t cap)
{
    if (cap == 0 || a == 0)
        return 0;
    unsigned gen = atomic_load(&rt_dl_gen);
    rt_symc *c = &rt_symcache[(a >> 4) & (RT_SYMC_N - 1)];
    if (pthread_mutex_trylock(&rt_symc_lock) != 0)
        return sym_lookup(a, out, cap);
    size_t n;
    if (c->addr == a && c->gen == gen) {
        n = c->len < cap ? c->len : cap - 1;
        memcpy(out, c->name, n);
        out[n] = 0;
    } else {
        n = sym_lookup(a, out, cap);
        if (n < sizeof c->name && n + 1 < cap) {       /* whole: cacheable */
            c->addr = a;
            c->gen = gen;
            c->len = (unsigned char)n;
            memcpy(c->name, out, n);
        }
    }
    pthread_mutex_unlock(&rt_symc_lock);
    return n;
}
