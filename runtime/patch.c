/*
 * runtime/patch.c - patching out the probes that cannot change the trace,
 * once per module, when the core adds it (start-up, dlopen).
 *
 * A probe is `lea -128(%rsp),%rsp; call rel32; lea 128(%rsp),%rsp` (regs.h);
 * patching it overwrites its 5-byte `call rel32` (e8 xx xx xx xx) with the
 * 5-byte NOP 0f 1f 44 00 00 (or eb 03, or eb 10 at the probe's start: see
 * Safety): the two leas cancel out, the trampoline and the hook are never
 * reached. Which probes:
 *
 *  - every probe (line and return) of a function RTRACE_FILTER excludes, in
 *    any mode: such a function has no site (probes.c), so its probes only
 *    cost the lookup and step.c never sees them; nothing of its frame is
 *    tracked (a traced callee opens its own frame from its CFA, its return
 *    sets RT_FR_RETURNED on the traced frame below, as without the patch);
 *  - RTRACE_MODE=calls: every line probe of a traced function except its
 *    first line site in address order (it opens the frame and writes the
 *    Call; at -O0, which rtcc forces, it is the first probe each call
 *    executes) and, when that site is RT_SITE_DEFER (clang's entry hook), the
 *    next line site (where step.c writes the deferred Call). In calls mode
 *    step.c does nothing at the other line probes of a frame it already has.
 *    Return probes are all kept (they write the Return and pop the frame).
 *    Exception: a module that refers to setjmp, sigsetjmp or getcontext
 *    (its symbol tables name setjmp, _setjmp, __sigsetjmp, sigsetjmp,
 *    getcontext, swapcontext) keeps its line probes: after a longjmp, the
 *    next line probe of the frame that called setjmp is what closes the
 *    abandoned frames (step.c), at the same point of the trace as unpatched.
 *
 * Safety. Every probe to patch is checked byte for byte first: the lea
 * -128, the e8 whose rel32 points at this module's own trampoline of the
 * probe's kind (__rt_line_probe[_avx] / __rt_ret_probe[_avx], found in the
 * module's .symtab: no symbol table, no patching), the reported pc right
 * after the call and the lea 128 there; anything else is left alone. The 5
 * bytes are written with one `lock cmpxchg16b` on the 16-byte aligned block
 * that holds them (a thread fetching the instruction sees the old or the new
 * 5 bytes, never a mix). When the 5 bytes cross a 16-byte boundary but their
 * first two do not, those two become `jmp .+5` (eb 03), written the same way:
 * the old call (its last 3 bytes unchanged) or the jump over them, never a
 * mix. When the call starts at the last byte of a block (one probe in
 * sixteen), the probe's first two bytes (the start of `lea -128`, then at
 * offset 10 of its block) become `jmp .+18` (eb 10), over the whole probe: a
 * thread about to run the lea skips both leas and the call; one past it runs
 * the unchanged call and lea 128 as before.
 * A thread (or an outer frame) inside
 * the trampoline of a probe being patched is unaffected: its return address
 * is after the 5 bytes. The pages are made writable only while patching
 * (mprotect to PROT_READ|PROT_WRITE|PROT_EXEC, then back to
 * PROT_READ|PROT_EXEC), only inside mappings /proc/self/maps shows as r-xp;
 * when mprotect fails (a hardened kernel, SELinux execmod) nothing is
 * patched and the runtime works as before. RTRACE_NO_PATCH=1 turns patching
 * off (config.c).
 *
 * What patching cannot know: a frame entered while its first probe recorded
 * nothing (another thread inside instrumented code while the runtime starts,
 * or a thread a dlopen'ed module's constructor started before the module was
 * added) gets, unpatched in calls mode, a late Call at its next line probe;
 * patched, no Call at all (its return is then ignored as "a call we never saw
 * start"). The starting thread itself has no such frame: its first probe or
 * entry hook is what starts the runtime.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "patch.h"



static const unsigned char lea_minus[5] = { 0x48, 0x8d, 0x64, 0x24, 0x80 };            /* lea -0x80(%rsp),%rsp */
static const unsigned char lea_plus[8] = { 0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00 }; /* lea 0x80(%rsp),%rsp */
static const unsigned char nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };               /* nopl 0x0(%rax,%rax,1) */
static const unsigned char jmp5[2] = { 0xeb, 0x03 };                                   /* jmp .+5 (over the rel32's rest) */
static const unsigned char jmp18[2] = { 0xeb, 0x10 };                                  /* jmp .+18 (over the whole probe) */

/* What the module's symbol tables say. */
typedef struct syms {
    uint64_t line[2], ret[2];   /* run-time addresses of the trampolines (0: absent) */
    bool setjmp;                /* the module refers to a setjmp-like function */
} syms;

/* Whether `name` (possibly with an @VERSION suffix) is one of the functions
 * returning twice. */
static bool is_setjmp_name(const char *name)
{
    static const char *const names[] = { "setjmp", "_setjmp", "__sigsetjmp", "sigsetjmp",
                                         "getcontext", "swapcontext" };
    size_t len = strcspn(name, "@");
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strlen(names[i]) == len && !memcmp(names[i], name, len))
            return true;
    return false;
}

/* Reads the trampolines' addresses and the setjmp references of m's file.
 * False when the file cannot be read. */
static bool read_syms(const rt_module *m, syms *out)
{
    memset(out, 0, sizeof *out);
    if (elf_version(EV_CURRENT) == EV_NONE)
        return false;
    int fd = open(m->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    if (!elf) {
        close(fd);
        return false;
    }
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
            !sh.sh_entsize)
            continue;
        Elf_Data *data = elf_getdata(scn, NULL);
        if (!data)
            continue;
        size_t n = sh.sh_size / sh.sh_entsize;
        for (size_t i = 0; i < n; i++) {
            GElf_Sym s;
            if (!gelf_getsym(data, (int)i, &s))
                continue;
            const char *name = elf_strptr(elf, sh.sh_link, s.st_name);
            if (!name || !*name)
                continue;
            if (is_setjmp_name(name)) {
                out->setjmp = true;
                continue;
            }
            if (sh.sh_type != SHT_SYMTAB || s.st_shndx == SHN_UNDEF || name[0] != '_' ||
                GELF_ST_TYPE(s.st_info) != STT_FUNC)
                continue;
            uint64_t a = s.st_value + m->bias;
            if (!strcmp(name, "__rt_line_probe"))
                out->line[0] = a;
            else if (!strcmp(name, "__rt_line_probe_avx"))
                out->line[1] = a;
            else if (!strcmp(name, "__rt_ret_probe"))
                out->ret[0] = a;
            else if (!strcmp(name, "__rt_ret_probe_avx"))
                out->ret[1] = a;
        }
    }
    elf_end(elf);
    close(fd);
    return true;
}

/* A mapping of /proc/self/maps with permissions r-xp. */
typedef struct xmap { uint64_t lo, hi; } xmap;

/* Reads the r-xp mappings (at most max); returns how many. */
static size_t read_xmaps(xmap *out, size_t max)
{
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    size_t n = 0, len = 0;
    char buf[8192];
    for (;;) {
        ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
        if (r <= 0)
            break;
        len += (size_t)r;
        buf[len] = 0;
        char *line = buf, *nl;
        while ((nl = strchr(line, '\n')) != NULL) {
            *nl = 0;
            char *p = line;
            uint64_t lo = strtoull(p, &p, 16);
            uint64_t hi = *p == '-' ? strtoull(p + 1, &p, 16) : 0;
            if (*p == ' ' && !strncmp(p + 1, "r-xp", 4) && hi > lo && n < max)
                out[n++] = (xmap){ lo, hi };
            line = nl + 1;
        }
        len = (size_t)(buf + len - line);
        memmove(buf, line, len);
        if (len == sizeof buf - 1)      /* a line longer than the buffer: drop it */
            len = 0;
    }
    close(fd);
    return n;
}

typedef struct ord { int64_t func; uint64_t start; size_t idx; } ord;

static int ord_cmp(const void *a, const void *b)
{
    const ord *x = a, *y = b;
    if (x->func != y->func)
        return x->func < y->func ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Whether probe p is the expected byte sequence calling one of `targets`. */
static bool probe_ok(const rt_patch_probe *p, const uint64_t targets[2])
{
    const unsigned char *b = (const unsigned char *)(uintptr_t)p->start;
    if (p->pc != p->start + 10 || memcmp(b, lea_minus, 5) != 0 || b[5] != 0xe8 ||
        memcmp(b + 10, lea_plus, 8) != 0)
        return false;
    int32_t rel;
    memcpy(&rel, b + 6, 4);
    uint64_t to = p->start + 10 + (int64_t)rel;
    return (targets[0] && to == targets[0]) || (targets[1] && to == targets[1]);
}

/* Writes n bytes `with` at `at` (which must hold `expect`'s first byte and
 * lie, n bytes, in one 16-byte block) with one 16-byte compare-and-swap of
 * the aligned block. */
static bool write_block(uint64_t at, unsigned char expect, const unsigned char *with, size_t n)
{
    typedef struct { uint64_t lo, hi; } __attribute__((aligned(16))) blk;
    blk *b = (blk *)(uintptr_t)(at & ~(uint64_t)15);
    size_t off = (size_t)(at & 15);
    unsigned char old[16], nw[16];
    if (off + n > 16)
        return false;
    memcpy(old, (const void *)b, 16);
    if (old[off] != expect)
        return false;
    memcpy(nw, old, 16);
    memcpy(nw + off, with, n);
    uint64_t olo, ohi, nlo, nhi;
    memcpy(&olo, old, 8);
    memcpy(&ohi, old + 8, 8);
    memcpy(&nlo, nw, 8);
    memcpy(&nhi, nw + 8, 8);
    bool ok;
    __asm__ volatile("lock cmpxchg16b %1\n\tsete %0"
                     : "=q"(ok), "+m"(*b), "+a"(olo), "+d"(ohi)
                     : "b"(nlo), "c"(nhi)
                     : "memory", "cc");
    return ok;
}

/* Patches out the probe starting at `start` (checked by probe_ok): the call
 * (at start + 5) becomes nop5, or jmp5 when its 5 bytes cross a 16-byte
 * boundary, or, when the call starts at a block's last byte, the probe's
 * first two bytes become jmp18 (see Safety). */
static bool patch_probe(uint64_t start)
{
    uint64_t at = start + 5;
    size_t off = (size_t)(at & 15);
    if (off + sizeof nop5 <= 16)
        return write_block(at, 0xe8, nop5, sizeof nop5);
    if (off + sizeof jmp5 <= 16)
        return write_block(at, 0xe8, jmp5, sizeof jmp5);
    return write_block(start, lea_minus[0], jmp18, sizeof jmp18);
}

/* Contract: see patch.h. */
void rt_patch_module(const rt_module *m, const rt_patch_probe *probes, size_t n)
{
    if (rt_cfg_no_patch || !m || !probes || !n)
        return;
    bool *want = calloc(n, sizeof *want);
    ord *o = calloc(n, sizeof *o);
    if (!want || !o) {
        free(want);
        free(o);
        return;
    }
    bool any_untraced = false;
    for (size_t i = 0; i < n && !any_untraced; i++)
        any_untraced = probes[i].func >= 0 && !probes[i].traced;
    if (!any_untraced && rt_cfg.mode != RT_MODE_CALLS) {
        free(want);
        free(o);
        return;                                 /* full mode, no filter: every probe counts */
    }
    syms sy;
    bool have_syms = read_syms(m, &sy);
    bool calls_lines = rt_cfg.mode == RT_MODE_CALLS && have_syms && !sy.setjmp;
    size_t no = 0, nwant = 0;
    for (size_t i = 0; i < n; i++) {
        const rt_patch_probe *p = &probes[i];
        if (p->func < 0)
            continue;
        if (!p->traced)
            want[i] = true;
        else if (calls_lines && p->kind == RT_PROBE_LINE)
            o[no++] = (ord){ p->func, p->start, i };
    }
    /* calls mode: per function, in address order, keep the first line site
     * (and the next one when it is deferred), patch the rest */
    qsort(o, no, sizeof *o, ord_cmp);
    for (size_t a = 0; a < no;) {
        size_t b = a;
        while (b < no && o[b].func == o[a].func)
            b++;
        bool first = true;
        int keep = 1;           /* line sites still to keep in this function */
        for (size_t k = a; k < b; k++) {
            const rt_patch_probe *p = &probes[o[k].idx];
            if (keep && p->has_site) {
                if (first && p->defer)
                    keep++;     /* the deferred Call is written at the next site */
                first = false;
                keep--;
                continue;
            }
            want[o[k].idx] = true;
        }
        a = b;
    }
    for (size_t i = 0; i < n; i++)
        nwant += want[i];

    xmap maps[256];
    size_t nmaps = nwant && have_syms ? read_xmaps(maps, sizeof maps / sizeof *maps) : 0;
    long pg = sysconf(_SC_PAGESIZE);
    uint64_t pmask = (uint64_t)(pg > 0 ? pg : 4096) - 1;
    for (size_t mi = 0; mi < nmaps; mi++) {
        /* the probes of this mapping that pass the checks */
        uint64_t lo = UINT64_MAX, hi = 0;
        size_t cnt = 0;
        for (size_t i = 0; i < n; i++) {
            if (!want[i])
                continue;
            const rt_patch_probe *p = &probes[i];
            uint64_t at = p->start + 5, blk = at & ~(uint64_t)15;
            if (blk < maps[mi].lo || blk + 16 > maps[mi].hi || p->start < maps[mi].lo ||
                p->start + 18 > maps[mi].hi)
                continue;
            want[i] = false;                    /* decided here, patched or not */
            if (!probe_ok(p, p->kind == RT_PROBE_LINE ? sy.line : sy.ret))
                continue;
            o[cnt++].idx = i;
            lo = blk < lo ? blk : lo;
            hi = blk + 16 > hi ? blk + 16 : hi;
        }
        if (!cnt)
            continue;
        uint64_t plo = lo & ~pmask, phi = (hi + pmask) & ~pmask;
        if (mprotect((void *)(uintptr_t)plo, phi - plo, PROT_READ | PROT_WRITE | PROT_EXEC) != 0)
            continue;                           /* hardened kernel: leave the probes */
        for (size_t k = 0; k < cnt; k++)
            (void)patch_probe(probes[o[k].idx].start);
        if (mprotect((void *)(uintptr_t)plo, phi - plo, PROT_READ | PROT_EXEC) != 0)
            rt_warn("cannot make the code of %s read-only again after patching probes\n", m->path);
    }
    free(want);
    free(o);
}
