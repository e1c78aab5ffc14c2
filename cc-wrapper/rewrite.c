/*
 * cc-wrapper/rewrite.c - inserts line and return probes into the assembly
 * of one C translation unit (the technique of AFL's afl-as, applied to the
 * DWARF line table instead of basic blocks).
 *
 * The input is what gcc 12 or clang 14 writes for `-S -g -fno-omit-frame-pointer`.
 * Pre-passes over the text collect facts that need lookahead (the labels
 * code refers to, the functions using ymm/zmm, those calling the enter hook,
 * clang's md5 mix); then one pass, line by line, a small state machine,
 * copies the text and inserts the probes.  What it matches:
 *
 *   - sections: .text / .data / .bss / .section NAME[,"flags"] / .pushsection /
 *     .popsection / .previous.  Code sections are .text, .text.* and any
 *     section whose flags hold 'x'.
 *   - functions: a label NAME: in a code section, where `.type NAME,@function`
 *     came before; the function ends at its `.size NAME, ...` or `.cfi_endproc`.
 *   - `.loc FILE LINE [COL] [options]`: a group of consecutive .loc rows is
 *     pending until the next instruction (or data directive) of the function;
 *     right before that instruction (after any labels, so that jumps to the
 *     label run the probe) comes a line probe.  Skipped: the first .loc of each
 *     function (the opening line, before the prologue), groups whose rows are
 *     all `is_stmt 0` (gdb never stops there; is_stmt carries over from one
 *     .loc to the next, as in the assemblers) or all line 0, and groups that
 *     control reaches only by falling through from a group of the same line,
 *     with no call in between (see flush_pending; RTCC_RW_ALL_ROWS keeps them).
 *   - jump targets: a local label (.L5, .LBB0_3) that code jumps to (see
 *     collect_targets) and that no probe-worthy .loc group follows gets a
 *     line probe before its instruction: a mid-row target (see flush_pending).
 *     Labels referenced only from debug info or other metadata, function
 *     entries, labels in the prologue (before the first stmt .loc after the
 *     opening one) and labels followed by data get none.
 *   - functions whose code mentions ymm/zmm registers: their probes call the
 *     _avx trampolines, which keep the upper halves of ymm0-15.
 *   - `ret`, `retq`, `ret $N`, `rep ret`, `repz ret`, `bnd ret`: a return probe
 *     right before it (after a pending line probe, if any).
 *   - CFI: .cfi_startproc, .cfi_def_cfa, .cfi_def_cfa_register,
 *     .cfi_remember_state / .cfi_restore_state, .cfi_endproc: where the CFA is
 *     computed from %rsp (before `ret`, functions without a frame pointer), the
 *     probe is wrapped in .cfi_adjust_cfa_offset 128 / -128 so that gdb and
 *     backtrace() still unwind through the probe.
 *   - inline asm: gcc writes `#APP`, then per asm statement `# LINE "file" 1`,
 *     the user's text, `# 0 "" 2`; between the `# 0 "" 2` marker and #NO_APP
 *     (or the next statement's `# LINE "file" 1`) it puts the next
 *     statement's .loc, which we handle as usual.  clang writes `#APP`, the
 *     user's text, `#NO_APP`.  A group pending at #APP gets its probe before
 *     the #APP line (the row is the first instruction of the asm statement).
 *   - `.file N "dir" "name" md5 0x...`: when clang mixes .file rows with and
 *     without md5 (it does for sources given with a folder), the md5s are
 *     dropped, as the assembler would do after warning about it.
 *   - `.section .gnu.lto_*`: gcc -flto output (no code to instrument; rtcc
 *     drops -flto, this only catches -flto hidden in specs).
 *   - `.intel_syntax` / `.att_syntax` (gcc -masm=intel): probes are written
 *     in AT&T syntax, switched to and back around each probe.
 *   - with RTCC_RW_HOOKED_ONLY: functions without a call to
 *     __cyg_profile_func_enter (excluded by the user from
 *     -finstrument-functions) get no probes.
 *
 * What it must not match: anything inside the user's asm text (no probe, no
 * `ret`, no section tracking), instructions outside functions or in data
 * sections, and functions whose body starts with an asm block (naked
 * functions: the first thing after the label that emits code is #APP); those
 * get no probe at all.
 *
 * The probe, as runtime/arch/x86_64/regs.h draws it:
 *
 *   .Lrtp_N:     leaq -128(%rsp),%rsp      # over the red zone
 *                call __rt_line_probe      # or __rt_ret_probe; in functions
 *                                          # using ymm/zmm: the _avx variants
 *   .Lrtp_N_pc:  leaq 128(%rsp),%rsp
 *                .pushsection .rtrace_probes,"aR",@progbits  (a record)
 *
 * "R" (SHF_GNU_RETAIN) keeps the records under --gc-sections; both gas 2.40
 * and clang 14's integrated assembler accept it.  Every rewritten file gets
 * the section, empty when it has no probe: it marks objects built by rtcc.
 */
#define _GNU_SOURCE                    /* memmem */
#include "rewrite.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RTCC_MAX_SECT_STACK 32
#define RTCC_MAX_CFI_STACK 16
#define RTCC_MAX_FUNC_NAMES 64

typedef enum {
    APP_OFF = 0,      /* compiler code */
    APP_START,        /* just after #APP: gcc's `# N "f" 1` or clang's user text */
    APP_USER_GCC,     /* user text until `# 0 "" 2` */
    APP_GAP_GCC,      /* compiler lines between two asm statements, before #NO_APP */
    APP_USER_CLANG    /* user text until #NO_APP */
} app_state;

typedef struct rw {
    FILE *out;
    rtcc_rewrite_stats st;
    bool err;
    unsigned next_label;

    /* sections */
    bool in_text, prev_text;
    bool push_stack[RTCC_MAX_SECT_STACK];
    bool push_prev[RTCC_MAX_SECT_STACK];
    int push_depth;

    /* functions announced by .type NAME,@function, not yet defined */
    char *fnames[RTCC_MAX_FUNC_NAMES];
    int nfnames;

    /* the current function */
    bool in_func;
    char func_name[256];
    bool first_loc_seen;  /* the opening .loc was skipped */
    bool body_started;    /* an instruction or #APP was seen */
    bool naked;           /* body starts with an asm block: no probes */

    /* CFI */
    bool in_cfi;
    bool cfa_rsp;
    bool cfi_stack[RTCC_MAX_CFI_STACK];
    int cfi_depth;

    /* .loc */
    bool is_stmt;         /* the assembler's is_stmt register (carries over) */
    bool pending;         /* a probe-worthy .loc group waits for an instruction */

    app_state app;
    bool any_probe;
    bool intel;           /* .intel_syntax in effect (gcc -masm=intel) */
    bool strip_md5;       /* clang's .file rows mix md5 and no md5 */

    /* Same-line fall-through rows (see flush_pending). */
    bool all_rows;        /* RTCC_RW_ALL_ROWS: probe every is_stmt group */
    const struct strset *targets;   /* labels control can jump to (collect_targets) */
    bool grp_mixed;       /* the pending group has rows of several lines */
    unsigned grp_file;
    long grp_line;
    bool last_valid;      /* last_* is the line control falls through from */
    unsigned last_file;
    long last_line;

    /* Mid-row jump targets (see flush_pending). */
    bool at_target;       /* a jump-target label since the last instruction */
    bool body_rows;       /* a stmt .loc after the opening one: past the prologue */

    /* Functions whose code mentions ymm/zmm registers: their probes call the
     * _avx trampolines (ymm upper halves saved). */
    const struct strset *avx_funcs;
    bool avx;             /* the current function is one of them */
    /* With RTCC_RW_HOOKED_ONLY: the functions calling __cyg_profile_func_enter. */
    const struct strset *hooked;
    bool used_plain, used_avx;

    /* The exit hook between a call and the next row (see do_line). */
    int hold;             /* HOLD_* */
    bool hold_hook;       /* the held lines include the call of __cyg_profile_func_exit */
    char *held;           /* the held lines, as read */
    size_t held_len, held_cap;
} rw;

enum { HOLD_NONE, HOLD_AFTER_CALL, HOLD_LOC };

/* ---- a set of label names (open addressing) ------------------------------ */
typedef struct strset {
    char **slot;
    size_t cap, n;
} strset;

static uint64_t hash_str(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;           /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

/* Adds s[0..n) to the set; returns false on allocation failure. */
static bool strset_add(strset *set, const char *s, size_t n)
{
    size_t i;
    if ((set->n + 1) * 2 > set->cap) {
        size_t ncap = set->cap ? set->cap * 2 : 1024;
        char **nslot = calloc(ncap, sizeof *nslot);
        if (!nslot)
            return false;
        for (size_t k = 0; k < set->cap; k++) {
            if (!set->slot[k])
                continue;
            i = hash_str(set->slot[k], strlen(set->slot[k])) & (ncap - 1);
            while (nslot[i])
                i = (i + 1) & (ncap - 1);
            nslot[i] = set->slot[k];
        }
        free(set->slot);
        set->slot = nslot;
        set->cap = ncap;
    }
    i = hash_str(s, n) & (set->cap - 1);
    while (set->slot[i]) {
        if (strncmp(set->slot[i], s, n) == 0 && set->slot[i][n] == 0)
            return true;
        i = (i + 1) & (set->cap - 1);
    }
    set->slot[i] = strndup(s, n);
    if (!set->slot[i])
        return false;
    set->n++;
    return true;
}

static bool strset_has(const strset *set, const char *s)
{
    size_t i;
    if (!set || !set->cap)
        return false;
    i = hash_str(s, strlen(s)) & (set->cap - 1);
    while (set->slot[i]) {
        if (strcmp(set->slot[i], s) == 0)
            return true;
        i = (i + 1) & (set->cap - 1);
    }
    return false;
}

static void strset_free(strset *set)
{
    for (size_t i = 0; i < set->cap; i++)
        free(set->slot[i]);
    free(set->slot);
    memset(set, 0, sizeof *set);
}

/* Writes n bytes; records a write error. */
static void emit(rw *w, const char *s, size_t n)
{
    if (n && fwrite(s, 1, n, w->out) != n)
        w->err = true;
}

static void emits(rw *w, const char *s) { emit(w, s, strlen(s)); }

/*
 * Emits one probe calling `tramp` with record kind `kind` (1 line, 2 return),
 * wrapped in CFA adjustments when the CFA is computed from %rsp.
 */
static void emit_probe(rw *w, const char *tramp, int kind)
{
    char buf[640];
    unsigned n = w->next_label++;
    bool wrap = w->in_cfi && w->cfa_rsp;
    int len;
    if (w->intel)                      /* the probe is written in AT&T syntax */
        emits(w, "\t.att_syntax prefix\n");
    len = snprintf(buf, sizeof buf,
        ".Lrtp_%u:\n"
        "\tleaq\t-128(%%rsp), %%rsp\n"
        "%s"
        "\tcall\t%s%s\n"
        ".Lrtp_%u_pc:\n"
        "\tleaq\t128(%%rsp), %%rsp\n"
        "%s"
        "\t.pushsection\t.rtrace_probes,\"aR\",@progbits\n"
        "\t.balign\t4\n"
        "\t.long\t.Lrtp_%u - .\n"
        "\t.long\t.Lrtp_%u_pc - .\n"
        "\t.long\t%d\n"
        "\t.popsection\n",
        n, wrap ? "\t.cfi_adjust_cfa_offset 128\n" : "", tramp, w->avx ? "_avx" : "", n,
        wrap ? "\t.cfi_adjust_cfa_offset -128\n" : "", n, n, kind);
    emit(w, buf, (size_t)len);
    if (w->intel)
        emits(w, "\t.intel_syntax noprefix\n");
    if (w->avx) {
        w->used_avx = true;
        w->st.avx_probes++;
    } else {
        w->used_plain = true;
    }
    if (wrap)
        w->st.wrapped++;
    if (kind == 1)
        w->st.line_probes++;
    else
        w->st.ret_probes++;
    w->any_probe = true;
}

/* True while probes may be placed: inside a non-naked function, in code. */
static bool probing(const rw *w)
{
    return w->in_func && w->in_text && !w->naked;
}

/*
 * Emits the pending line probe, if any.  A group whose rows are all of the
 * line control falls through from (same file and line as the previous stmt
 * group, no jump target between them) is not probed: gdb never stops there
 * (a line is not a new stop while control stays on it), so neither does the
 * runtime.  Groups right after a label some code refers to (a jump target,
 * a jump-table entry, a computed-goto address) or after a call (control
 * comes back there from the callee: gdb stops at a row that starts at a
 * return address), the first group of a function and groups after inline
 * asm are always probed.
 *
 * A jump target with no probe-worthy group of its own (no .loc after the
 * label, or only is_stmt 0 / line 0 rows: clang's `.LBB1_6:` inside the
 * `.loc 0 0` block that joins the arms of a ?:) gets a line probe too: control
 * lands in the middle of one of gdb's rows (line-0 rows are merged into the
 * row before them), where gdb takes that row's line as its current one
 * without stopping, is_stmt or not; the runtime does the same (its site is
 * not a row start, runtime/step.c).
 * Without the probe the runtime would still hold the line the jump came
 * from, and miss the stop when the next row has that line again.  Not
 * placed: before data (a jump table in code) and where the CFA is computed
 * from %rsp (the line probe finds its frame through %rbp).
 */
static void flush_pending(rw *w)
{
    if (w->pending && probing(w)) {
        bool same = !w->all_rows && w->last_valid && !w->grp_mixed &&
                    w->grp_file == w->last_file && w->grp_line == w->last_line;
        if (same)
            w->st.skipped_same_line++;
        else
            emit_probe(w, "__rt_line_probe", 1);
        w->last_valid = !w->grp_mixed;
        w->last_file = w->grp_file;
        w->last_line = w->grp_line;
    } else if (w->at_target && probing(w) && !(w->in_cfi && w->cfa_rsp)) {
        emit_probe(w, "__rt_line_probe", 1);   /* mid-row jump target */
        w->st.mid_row_probes++;
    }
    w->pending = false;
    w->at_target = false;
}

/* ---- small lexing helpers (the line is NUL-terminated, no '\n') ---------- */

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Does the word at p equal `kw` (followed by blank or end)? */
static bool word_is(const char *p, const char *kw)
{
    size_t n = strlen(kw);
    return strncmp(p, kw, n) == 0 && (p[n] == 0 || isspace((unsigned char)p[n]) || p[n] == '#');
}

/* Copies the next token (up to blank, ',' or '#') into buf; returns the rest. */
static const char *token(const char *p, char *buf, size_t size)
{
    size_t n = 0;
    p = skip_ws(p);
    if (*p == '"') {                       /* quoted section names */
        p++;
        while (*p && *p != '"') {
            if (n + 1 < size)
                buf[n++] = *p;
            p++;
        }
        if (*p == '"')
            p++;
    } else {
        while (*p && !isspace((unsigned char)*p) && *p != ',' && *p != '#') {
            if (n + 1 < size)
                buf[n++] = *p;
            p++;
        }
    }
    buf[n] = 0;
    p = skip_ws(p);
    if (*p == ',')
        p++;
    return p;
}

/* Is the section `name` with flags string `flags` (may be NULL) code? */
static bool section_is_text(const char *name, const char *flags)
{
    if (strcmp(name, ".text") == 0 || strncmp(name, ".text.", 6) == 0)
        return true;
    return flags && strchr(flags, 'x') != NULL;
}

/* Parses `NAME[, "flags" ...]` after .section/.pushsection. */
static bool parse_section_args(const char *p)
{
    char name[256], flags[64];
    p = token(p, name, sizeof name);
    p = skip_ws(p);
    flags[0] = 0;
    if (*p == '"')
        token(p, flags, sizeof flags);
    return section_is_text(name, flags[0] ? flags : NULL);
}

static void set_section(rw *w, bool text)
{
    w->prev_text = w->in_text;
    w->in_text = text;
}

/* Handles a section directive; returns true if `d` was one. */
static bool do_section(rw *w, const char *d)
{
    if (word_is(d, ".text")) {
        set_section(w, true);
    } else if (word_is(d, ".data") || word_is(d, ".bss")) {
        set_section(w, false);
    } else if (word_is(d, ".section")) {
        set_section(w, parse_section_args(d + 8));
    } else if (word_is(d, ".pushsection")) {
        if (w->push_depth < RTCC_MAX_SECT_STACK) {
            w->push_stack[w->push_depth] = w->in_text;
            w->push_prev[w->push_depth] = w->prev_text;
        }
        w->push_depth++;
        set_section(w, parse_section_args(d + 12));
    } else if (word_is(d, ".popsection")) {
        if (w->push_depth > 0) {
            w->push_depth--;
            if (w->push_depth < RTCC_MAX_SECT_STACK) {
                w->in_text = w->push_stack[w->push_depth];
                w->prev_text = w->push_prev[w->push_depth];
            }
        }
    } else if (word_is(d, ".previous")) {
        bool t = w->in_text;
        w->in_text = w->prev_text;
        w->prev_text = t;
    } else {
        return false;
    }
    return true;
}

/* Is the register token the stack pointer (DWARF 7, %rsp, rsp)? */
static bool reg_is_rsp(const char *r)
{
    return strcmp(r, "7") == 0 || strcmp(r, "%rsp") == 0 || strcmp(r, "rsp") == 0;
}

/* Handles a .cfi_* directive (always copied through by the caller). */
static void do_cfi(rw *w, const char *d)
{
    char reg[32];
    if (word_is(d, ".cfi_startproc")) {
        w->in_cfi = true;
        w->cfa_rsp = true;             /* CFA = %rsp + 8 at entry */
        w->cfi_depth = 0;
    } else if (word_is(d, ".cfi_endproc")) {
        w->in_cfi = false;
        w->cfa_rsp = false;
    } else if (word_is(d, ".cfi_def_cfa_register")) {
        token(d + 21, reg, sizeof reg);
        w->cfa_rsp = reg_is_rsp(reg);
    } else if (word_is(d, ".cfi_def_cfa")) {
        token(d + 12, reg, sizeof reg);
        w->cfa_rsp = reg_is_rsp(reg);
    } else if (word_is(d, ".cfi_remember_state")) {
        if (w->cfi_depth < RTCC_MAX_CFI_STACK)
            w->cfi_stack[w->cfi_depth] = w->cfa_rsp;
        w->cfi_depth++;
    } else if (word_is(d, ".cfi_restore_state")) {
        if (w->cfi_depth > 0) {
            w->cfi_depth--;
            if (w->cfi_depth < RTCC_MAX_CFI_STACK)
                w->cfa_rsp = w->cfi_stack[w->cfi_depth];
        }
    }
}

/* Ends the current function (no probe is placed after this). */
static void end_function(rw *w)
{
    w->pending = false;
    w->at_target = false;
    w->in_func = false;
    w->func_name[0] = 0;
}

/* Handles `.loc FILE LINE [COL] [options]`. */
static void do_loc(rw *w, const char *d)
{
    char tok[64];
    long line;
    unsigned file;
    bool stmt_row;
    const char *p = token(d + 4, tok, sizeof tok);     /* file number */
    file = (unsigned)strtoul(tok, NULL, 10);
    p = token(p, tok, sizeof tok);                      /* line */
    line = strtol(tok, NULL, 10);
    while (*(p = skip_ws(p)) && *p != '#') {
        p = token(p, tok, sizeof tok);
        if (strcmp(tok, "is_stmt") == 0) {
            p = token(p, tok, sizeof tok);
            w->is_stmt = strcmp(tok, "0") != 0;
        } else if (strcmp(tok, "isa") == 0 || strcmp(tok, "discriminator") == 0 ||
                   strcmp(tok, "view") == 0) {
            p = token(p, tok, sizeof tok);              /* the option's value */
        }
        if (!tok[0])
            break;
    }
    stmt_row = w->is_stmt && line > 0;
    if (!w->in_func || w->naked)
        return;
    if (!w->first_loc_seen) {                          /* the opening line */
        w->first_loc_seen = true;
        return;
    }
    if (!stmt_row)
        return;
    w->body_rows = true;
    if (!w->pending) {
        w->pending = true;
        w->grp_mixed = false;
        w->grp_file = file;
        w->grp_line = line;
    } else if (file != w->grp_file || line != w->grp_line) {
        w->grp_mixed = true;
    }
}

/*
 * clang 14 -S sometimes writes the main source twice, as `.file 0 "dir"
 * "d/x.c" md5 0x...` and `.file 3 "d" "x.c"` without md5 (relative source
 * paths with a folder); assembling that text warns "inconsistent use of MD5
 * checksums" and drops the checksums.  We drop them ourselves, quietly:
 * returns true when some numbered .file directives have md5 and some not.
 */
static bool md5_mixed(const char *src, size_t len)
{
    bool with = false, without = false;
    const char *p = src, *end = src + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        const char *q = p;
        while (q < e && (*q == ' ' || *q == '\t'))
            q++;
        if (e - q > 6 && strncmp(q, ".file", 5) == 0 && (q[5] == ' ' || q[5] == '\t')) {
            const char *r = q + 5;
            while (r < e && (*r == ' ' || *r == '\t'))
                r++;
            if (r < e && isdigit((unsigned char)*r)) {
                if (memmem(q, (size_t)(e - q), " md5 ", 5))
                    with = true;
                else
                    without = true;
            }
        }
        p = e + 1;
    }
    return with && without;
}

/* Copies a `.file N "dir" "name" md5 0x...` line without its md5 option. */
static void emit_file_without_md5(rw *w, const char *raw, size_t n)
{
    const char *m = memmem(raw, n, " md5 ", 5);
    const char *after;
    if (!m) {
        emit(w, raw, n);
        return;
    }
    after = m + 5;
    while (after < raw + n && (isxdigit((unsigned char)*after) || *after == 'x'))
        after++;
    emit(w, raw, (size_t)(m - raw));
    emit(w, after, (size_t)(raw + n - after));
}

/* Is `s` (after the label name) a label line `NAME:`? Fills name. */
static bool parse_label(const char *s, char *name, size_t size)
{
    size_t n = 0;
    const char *p = s;
    if (*p == '"')
        return false;
    while (*p && (isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == '$')) {
        if (n + 1 < size)
            name[n++] = *p;
        p++;
    }
    name[n] = 0;
    if (n == 0 || *p != ':')
        return false;
    p = skip_ws(p + 1);
    return *p == 0 || *p == '#';
}

/* Remembers NAME from `.type NAME, @function`. */
static void do_type(rw *w, const char *d)
{
    char name[256], kind[64];
    const char *p = token(d + 5, name, sizeof name);
    token(p, kind, sizeof kind);
    if (strcmp(kind, "@function") != 0 && strcmp(kind, "%function") != 0 &&
        strcmp(kind, "STT_FUNC") != 0)
        return;
    if (w->nfnames < RTCC_MAX_FUNC_NAMES) {
        w->fnames[w->nfnames] = strdup(name);
        if (w->fnames[w->nfnames])
            w->nfnames++;
    }
}

/* If `name` was announced as a function, forgets it and returns true. */
static bool take_function_name(rw *w, const char *name)
{
    for (int i = 0; i < w->nfnames; i++) {
        if (strcmp(w->fnames[i], name) == 0) {
            free(w->fnames[i]);
            w->fnames[i] = w->fnames[--w->nfnames];
            return true;
        }
    }
    return false;
}

/* Does this directive emit bytes (data in a code section)? */
static bool data_directive(const char *d)
{
    static const char *const dirs[] = {
        ".byte", ".short", ".value", ".word", ".hword", ".long", ".int",
        ".quad", ".octa", ".2byte", ".4byte", ".8byte", ".ascii", ".asciz",
        ".string", ".zero", ".skip", ".space", ".fill", ".nops", ".sleb128",
        ".uleb128", ".inst", NULL
    };
    for (int i = 0; dirs[i]; i++)
        if (word_is(d, dirs[i]))
            return true;
    return false;
}

/* Is this instruction a `ret` (with its optional prefixes and operand)? */
static bool is_ret(const char *s)
{
    if (word_is(s, "rep") || word_is(s, "repz") || word_is(s, "bnd") ||
        word_is(s, "notrack"))
        s = skip_ws(s + strcspn(s, " \t"));
    return word_is(s, "ret") || word_is(s, "retq") || word_is(s, "retl");
}

/* Is this instruction a call (callq, call *%rax, notrack call ...)? */
static bool is_call(const char *s)
{
    if (word_is(s, "notrack") || word_is(s, "bnd") || word_is(s, "rex64") ||
        word_is(s, "data16"))
        s = skip_ws(s + strcspn(s, " \t"));
    return word_is(s, "call") || word_is(s, "callq") || word_is(s, "calll");
}

/* Is `s` gcc's start-of-asm-statement marker `# LINE "file" 1`? */
static bool gcc_asm_begin(const char *s)
{
    const char *p;
    if (s[0] != '#' || s[1] != ' ' || !isdigit((unsigned char)s[2]))
        return false;
    p = s + 2;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p++ != ' ' || *p != '"')
        return false;
    p = strrchr(p, '"');
    return p && strcmp(p, "\" 1") == 0;
}

/* Is `s` gcc's end-of-asm-statement marker `# 0 "" 2`? */
static bool gcc_asm_end(const char *s)
{
    return strcmp(s, "# 0 \"\" 2") == 0;
}

/* The user's asm text starts (no probe inside; a pending one goes first). */
static void user_asm_starts(rw *w)
{
    w->last_valid = false;
    if (w->in_func && !w->body_started && !w->naked) {
        w->naked = true;                   /* body starts with an asm block */
        w->pending = false;
        w->st.naked++;
    }
    w->body_started = true;
}

/*
 * Processes one line (NUL-terminated, without its '\n'; `raw` of length n
 * is what gets copied out, with the '\n').
 */
static void do_line_now(rw *w, char *line, const char *raw, size_t n)
{
    const char *s = skip_ws(line);
    char name[256];

    /* Inline asm blocks first: their text is never interpreted. */
    switch (w->app) {
    case APP_START:
        if (gcc_asm_begin(s)) {
            w->app = APP_USER_GCC;
            emit(w, raw, n);
            return;
        }
        w->app = APP_USER_CLANG;
        /* fall through */
    case APP_USER_CLANG:
        if (strcmp(s, "#NO_APP") == 0)
            w->app = APP_OFF;
        emit(w, raw, n);
        return;
    case APP_USER_GCC:
        if (gcc_asm_end(s))
            w->app = APP_GAP_GCC;
        emit(w, raw, n);
        return;
    case APP_GAP_GCC:
        if (gcc_asm_begin(s)) {            /* the next asm statement */
            flush_pending(w);
            w->app = APP_USER_GCC;
            emit(w, raw, n);
            return;
        }
        if (strcmp(s, "#NO_APP") == 0) {
            w->app = APP_OFF;
            emit(w, raw, n);
            return;
        }
        break;                             /* compiler lines: .loc etc. */
    case APP_OFF:
        if (strcmp(s, "#APP") == 0) {
            user_asm_starts(w);            /* may drop the pending probe */
            flush_pending(w);
            w->app = APP_START;
            emit(w, raw, n);
            return;
        }
        break;
    }

    if (*s == 0 || *s == '#') {                     /* blank or comment */
        emit(w, raw, n);
        return;
    }

    if (parse_label(s, name, sizeof name)) {
        if (strset_has(w->targets, name)) {
            w->last_valid = false;                  /* control may jump here */
            /* a local label in the body, past the prologue (the variadic
             * prologue's jump over the xmm saves lands in the opening
             * line's row; -finstrument-functions puts the enter hook call
             * there: not a line of the body) */
            if (w->in_func && w->in_text && w->body_rows && strncmp(name, ".L", 2) == 0)
                w->at_target = true;
        }
        if (w->in_text && take_function_name(w, name)) {
            w->last_valid = false;
            w->avx = strset_has(w->avx_funcs, name);
            w->st.functions++;
            w->in_func = true;
            snprintf(w->func_name, sizeof w->func_name, "%s", name);
            w->first_loc_seen = false;
            w->body_started = false;
            w->naked = false;
            w->pending = false;
            w->at_target = false;
            w->body_rows = false;
            /* Excluded from -finstrument-functions (no_instrument_function,
             * -finstrument-functions-exclude-*): no probes either.  Clones
             * and split parts (f.cold, f.part.0, f.constprop.0) have no hook
             * call of their own and keep their probes. */
            if (w->hooked && !strchr(name, '.') && !strset_has(w->hooked, name)) {
                w->naked = true;
                w->st.excluded++;
            }
        }
        emit(w, raw, n);
        return;
    }

    if (*s == '.') {
        if (word_is(s, ".loc")) {
            do_loc(w, s);
        } else if (strncmp(s, ".cfi_", 5) == 0) {
            do_cfi(w, s);
            if (word_is(s, ".cfi_endproc") && w->in_func)
                end_function(w);
        } else if (word_is(s, ".type")) {
            do_type(w, s);
        } else if (word_is(s, ".size")) {
            char sz[256];
            token(s + 5, sz, sizeof sz);
            if (w->in_func && strcmp(sz, w->func_name) == 0)
                end_function(w);
        } else if (do_section(w, s)) {
            if (word_is(s, ".section") && strstr(s, ".gnu.lto_"))
                w->st.lto = 1;                     /* gcc -flto -S */
        } else if (word_is(s, ".intel_syntax")) {
            w->intel = true;
        } else if (word_is(s, ".att_syntax")) {
            w->intel = false;
        } else if (word_is(s, ".file") && w->strip_md5 && strstr(s, " md5 ")) {
            emit_file_without_md5(w, raw, n);
            return;
        } else if (w->in_text && data_directive(s)) {
            w->at_target = false;                  /* no mid-row probe before data */
            flush_pending(w);
            if (w->in_func)
                w->body_started = true;
        }
        emit(w, raw, n);
        return;
    }

    /* An instruction. */
    if (w->in_func && w->in_text) {
        flush_pending(w);
        w->body_started = true;
        if (probing(w) && is_ret(s))
            emit_probe(w, "__rt_ret_probe", 2);
        /* Control also comes back after a call, from the callee's line: gdb
         * stops at a row starting at a return address. */
        if (is_call(s)) {
            w->last_valid = false;
            if (probing(w) && w->app == APP_OFF && !strstr(s, "__cyg_profile_func_")) {
                w->hold = HOLD_AFTER_CALL;          /* see do_line */
                w->hold_hook = false;
                w->held_len = 0;
            }
        }
    }
    emit(w, raw, n);
}

/* A line that may belong to gcc's exit-hook sequence: a mov or lea (the hook's arguments, the
 * return value saved and restored around it), the hook call itself, a blank line. */
static bool hold_line(const char *s)
{
    return *s == 0 || strncmp(s, "mov", 3) == 0 || strncmp(s, "lea", 3) == 0 ||
           (is_call(s) && strstr(s, "__cyg_profile_func_exit"));
}

/* Where the exit hook's own lines start in held text `h` (n bytes): at its first argument
 * `movq 8(%rbp), %rax` (the return address), or before the register-to-register moves right
 * before it (the return value saved around the hook).  Stores after the call that come before
 * (`p->cur = next_token(p);` storing a returned struct) are the statement's: in the untraced
 * build they run before the next row.  0 when no such argument line is held. */
static size_t hook_start(const char *h, size_t n)
{
    size_t start = 0, run = 0;                  /* run: where the current reg-only run began */
    bool in_run = false;
    for (size_t i = 0; i < n;) {
        const char *e = memchr(h + i, '\n', n - i);
        size_t len = e ? (size_t)(e - (h + i)) + 1 : n - i;
        const char *l = h + i;
        while (l < h + i + len && (*l == ' ' || *l == '\t'))
            l++;
        size_t ll = (size_t)(h + i + len - l);
        bool blank = ll == 0 || *l == '\n';
        if (!blank && ll >= 12 && strncmp(l, "movq", 4) == 0 && memmem(l, ll, "8(%rbp)", 7)) {
            start = in_run ? run : i;
            return start;
        }
        bool mem = !blank && memchr(l, '(', ll) != NULL;
        if (!blank) {
            if (mem || (strncmp(l, "mov", 3) != 0))
                in_run = false;
            else if (!in_run) {
                in_run = true;
                run = i;
            }
        }
        i += len;
    }
    return 0;
}

/* Writes the held lines out and stops holding. */
static void release_held(rw *w)
{
    emit(w, w->held, w->held_len);
    w->held_len = 0;
    w->hold = HOLD_NONE;
}

/*
 * Processes one line (as do_line_now).  gcc -finstrument-functions puts the exit hook's call,
 * with its arguments and the return value saved and restored around it, between a call in a
 * function's last statement and the row of the closing line:
 *     call f; movl %eax,%ebx; movq 8(%rbp),%rax; ...; call __cyg_profile_func_exit; movl %ebx,%eax
 *     .loc 1 14 49
 * In the untraced build that row starts at f's return address, where gdb stops (`return
 * f(g(x), h(x));` on the line of its braces: gdb stops at the line again after f).  The row and
 * its probe are moved before the hook's lines, so that in the traced build too it starts at the
 * return address (the runtime's rule, runtime/step.c).  Lines after a call are held while they
 * may be such a sequence; anything else writes them out unchanged.  Local labels right after the
 * call (a block ending with the call, jumped over: `.L23:`) are written at once, before the
 * moved row and its probe.
 */
static void do_line(rw *w, char *line, const char *raw, size_t n)
{
    const char *s = skip_ws(line);
    if (w->hold == HOLD_AFTER_CALL) {
        char lname[256];
        if (w->held_len == 0 && parse_label(s, lname, sizeof lname) && strncmp(lname, ".L", 2) == 0) {
            /* labels right at the return address (`if (c) { ...; f(); }` as a function's last
             * statement: the jump over the block lands there too) stay before the moved row */
            do_line_now(w, line, raw, n);
            return;
        }
        if (hold_line(s)) {
            if (w->held_len + n > w->held_cap) {
                size_t cap = (w->held_len + n) * 2 + 256;
                char *nb = realloc(w->held, cap);
                if (!nb) {
                    release_held(w);
                    do_line_now(w, line, raw, n);
                    return;
                }
                w->held = nb;
                w->held_cap = cap;
            }
            memcpy(w->held + w->held_len, raw, n);
            w->held_len += n;
            if (*s && is_call(s))
                w->hold_hook = true;
            return;
        }
        if (w->hold_hook && word_is(s, ".loc") && !w->pending) {
            do_loc(w, s);
            if (w->pending) {                       /* a probed row: moved up */
                size_t keep = hook_start(w->held, w->held_len);
                emit(w, w->held, keep);             /* the statement's own stores stay before it */
                memmove(w->held, w->held + keep, w->held_len - keep);
                w->held_len -= keep;
                emit(w, raw, n);
                w->hold = HOLD_LOC;
                return;
            }
            release_held(w);
            emit(w, raw, n);
            return;
        }
        release_held(w);
    } else if (w->hold == HOLD_LOC) {
        if (word_is(s, ".loc")) {                   /* more rows of the group */
            do_loc(w, s);
            emit(w, raw, n);
            return;
        }
        flush_pending(w);                           /* the probe, at the return address */
        release_held(w);
    }
    do_line_now(w, line, raw, n);
}

/*
 * Where a section's references to labels can send control (collect_targets):
 * SECT_PROG for code and program data (.text*, code sections, .rodata*,
 * .data*, .ldata*, .lrodata*, .gcc_except_table*: jump tables, tables of
 * label addresses, landing pads); SECT_META for the other non-debug sections
 * (sanitizer PC tables, __patchable_function_entries, .stack_sizes, notes,
 * user sections): addresses recorded, never jumped to; SECT_DEBUG for
 * .debug_* / .zdebug_*.
 */
enum { SECT_PROG, SECT_META, SECT_DEBUG };

static bool name_has_prefix(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(name, prefix, n) == 0 && (name[n] == 0 || name[n] == '.');
}

/* The SECT_* kind of the section named at p (after .section/.pushsection). */
static int section_kind_at(const char *p)
{
    static const char *const prog[] = {
        ".text", ".rodata", ".data", ".ldata", ".lrodata", ".gcc_except_table", NULL
    };
    char name[256], flags[64];
    p = token(p, name, sizeof name);
    p = skip_ws(p);
    flags[0] = 0;
    if (*p == '"')
        token(p, flags, sizeof flags);
    if (strncmp(name, ".debug", 6) == 0 || strncmp(name, ".zdebug", 7) == 0)
        return SECT_DEBUG;
    if (strchr(flags, 'x'))
        return SECT_PROG;
    for (int i = 0; prog[i]; i++)
        if (name_has_prefix(name, prog[i]))
            return SECT_PROG;
    return SECT_META;
}

/*
 * Collects the labels control can reach other than by falling through: every
 * name the operands of instructions mention (jumps, asm goto, the address of
 * a label taken by lea/mov for a computed goto), in any section, and every
 * name data directives and .set/.equ mention in SECT_PROG sections (jump
 * tables, label-address tables, landing pads).  References from .debug_*
 * (gcc's .LBB/.LBE/.LVL, clang's .Ltmp/.Lfunc_begin) and other SECT_META
 * sections do not count: those labels are used only as data.
 * Over-approximating is mostly harmless (a kept probe, a mid-row probe that
 * takes the line gdb already has); missing one loses a stop, so everything
 * that looks like a name counts.  Returns false on allocation failure.
 */
static bool collect_targets(const char *src, size_t len, strset *set)
{
    int kind = SECT_PROG, prev_kind = SECT_PROG;
    int stack[RTCC_MAX_SECT_STACK];
    int depth = 0;
    const char *p = src, *end = src + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        const char *q = p;
        char first[32];
        size_t fl = 0;
        bool insn;
        while (q < e && (*q == ' ' || *q == '\t'))
            q++;
        while (q + fl < e && fl + 1 < sizeof first && !isspace((unsigned char)q[fl]))
            fl++;
        memcpy(first, q, fl);
        first[fl] = 0;
        p = e + 1;
        if (fl == 0 || first[0] == '#' || first[fl - 1] == ':')
            continue;                              /* blank, comment, label */
        insn = first[0] != '.';
        if (!insn) {
            char line[512];
            snprintf(line, sizeof line, "%.*s", (int)(e - q), q);
            if (!strcmp(first, ".section")) {
                prev_kind = kind;
                kind = section_kind_at(line + 8);
                continue;
            } else if (!strcmp(first, ".pushsection")) {
                if (depth < RTCC_MAX_SECT_STACK)
                    stack[depth] = kind;
                depth++;
                prev_kind = kind;
                kind = section_kind_at(line + 12);
                continue;
            } else if (!strcmp(first, ".popsection")) {
                if (depth > 0 && --depth < RTCC_MAX_SECT_STACK)
                    kind = stack[depth];
                continue;
            } else if (!strcmp(first, ".previous")) {
                int t = kind;
                kind = prev_kind;
                prev_kind = t;
                continue;
            } else if (!strcmp(first, ".text") || !strcmp(first, ".data") ||
                       !strcmp(first, ".bss")) {
                prev_kind = kind;
                kind = SECT_PROG;
                continue;
            } else if (!data_directive(q) && strcmp(first, ".set") && strcmp(first, ".equ")) {
                continue;                          /* other directives */
            }
        }
        if (kind == SECT_DEBUG || (!insn && kind == SECT_META))
            continue;
        /* every name-looking token of the operands */
        for (const char *r = q + fl; r < e; ) {
            if (isalpha((unsigned char)*r) || *r == '_' || *r == '.' || *r == '$') {
                const char *b = r;
                while (r < e && (isalnum((unsigned char)*r) || *r == '_' || *r == '.' || *r == '$'))
                    r++;
                if (!strset_add(set, b, (size_t)(r - b)))
                    return false;
            } else if (*r == '"') {                /* skip strings */
                r++;
                while (r < e && *r != '"')
                    r += (*r == '\\') ? 2 : 1;
                r++;
            } else {
                r++;
            }
        }
    }
    return true;
}

/* Does [p, e) mention a ymm or zmm register (AT&T or Intel syntax)? */
static bool mentions_wide_vector(const char *p, const char *e)
{
    for (; p + 3 <= e; p++) {
        char a = (char)tolower((unsigned char)p[0]);
        if ((a == 'y' || a == 'z') && tolower((unsigned char)p[1]) == 'm' &&
            tolower((unsigned char)p[2]) == 'm')
            return true;
    }
    return false;
}

/*
 * Collects, among the functions (code between `NAME:` and its .size or
 * .cfi_endproc):
 *   avx:    those whose code mentions ymm/zmm registers, the compiler's or
 *           inline asm's.  All vector registers are caller-saved, so only
 *           these can hold a ymm value across a probe.
 *   hooked: those that call __cyg_profile_func_enter (-finstrument-functions
 *           leaves it out of the functions the user excluded).
 * Returns false on allocation failure.
 */
static bool collect_functions(const char *src, size_t len, strset *avx, strset *hooked)
{
    strset declared = {0};
    char cur[256] = "";
    bool cur_avx = false, cur_hooked = false, ok = true;
    const char *p = src, *end = src + len;
    while (p < end && ok) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        const char *q = p;
        size_t n;
        while (q < e && (*q == ' ' || *q == '\t'))
            q++;
        n = (size_t)(e - q);
        p = e + 1;
        if (n > 6 && strncmp(q, ".type", 5) == 0 && isspace((unsigned char)q[5])) {
            char line[512], name[256], kind[64];
            const char *r;
            snprintf(line, sizeof line, "%.*s", (int)n, q);
            r = token(line + 5, name, sizeof name);
            token(r, kind, sizeof kind);
            if (strstr(kind, "function") || strcmp(kind, "STT_FUNC") == 0)
                ok = strset_add(&declared, name, strlen(name));
            continue;
        }
        if (n > 1 && n < 512 && memchr(q, ':', n)) {
            char line[512], name[256];
            snprintf(line, sizeof line, "%.*s", (int)n, q);
            if (parse_label(line, name, sizeof name)) {   /* clang: `f:   # @f` */
                if (strset_has(&declared, name)) {
                    snprintf(cur, sizeof cur, "%s", name);
                    cur_avx = false;
                    cur_hooked = false;
                }
                continue;
            }
        }
        if (!cur[0])
            continue;
        if ((n >= 12 && strncmp(q, ".cfi_endproc", 12) == 0) ||
            (n > 6 && strncmp(q, ".size", 5) == 0 && isspace((unsigned char)q[5]))) {
            cur[0] = 0;
            continue;
        }
        if (!cur_avx && q[0] != '#' && mentions_wide_vector(q, e)) {
            cur_avx = true;
            ok = strset_add(avx, cur, strlen(cur));
        }
        if (!cur_hooked && ok && q[0] != '.' && q[0] != '#' &&
            memmem(q, (size_t)(e - q), "__cyg_profile_func_enter", 24)) {
            cur_hooked = true;
            ok = strset_add(hooked, cur, strlen(cur));
        }
    }
    strset_free(&declared);
    return ok;
}

int rtcc_rewrite_buf(const char *src, size_t len, FILE *out, unsigned flags,
                     rtcc_rewrite_stats *stats)
{
    rw w;
    strset targets = {0}, avx_funcs = {0}, hooked = {0};
    char *line = NULL;
    size_t cap = 0;
    size_t pos = 0;

    memset(&w, 0, sizeof w);
    w.out = out;
    w.is_stmt = true;
    w.strip_md5 = md5_mixed(src, len);
    w.all_rows = (flags & RTCC_RW_ALL_ROWS) != 0;
    if (!collect_functions(src, len, &avx_funcs, &hooked)) {
        if (stats)
            memset(stats, 0, sizeof *stats);
        strset_free(&avx_funcs);
        strset_free(&hooked);
        errno = ENOMEM;
        return -1;
    }
    w.avx_funcs = &avx_funcs;
    if (flags & RTCC_RW_HOOKED_ONLY)
        w.hooked = &hooked;
    if (!collect_targets(src, len, &targets)) {
        if (stats)
            memset(stats, 0, sizeof *stats);
        strset_free(&targets);
        strset_free(&avx_funcs);
        strset_free(&hooked);
        errno = ENOMEM;
        return -1;
    }
    w.targets = &targets;
    while (pos < len && !w.err) {
        const char *nl = memchr(src + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - src) : len;
        size_t n = end - pos;
        if (n + 1 > cap) {
            char *nbuf = realloc(line, n + 1);
            if (!nbuf) {
                w.err = true;
                errno = ENOMEM;
                break;
            }
            line = nbuf;
            cap = n + 1;
        }
        memcpy(line, src + pos, n);
        line[n] = 0;
        /* A last line without '\n' gets one: the assembler wants it. */
        if (nl) {
            do_line(&w, line, src + pos, n + 1);
        } else {
            do_line(&w, line, src + pos, n);
            emits(&w, "\n");
        }
        pos = end + 1;
    }
    if (w.hold == HOLD_LOC)
        flush_pending(&w);
    if (w.hold != HOLD_NONE)
        release_held(&w);
    free(w.held);
    /* The section exists even without probes: it marks the object as
     * compiled by rtcc (rtcc warns at link time about objects without it). */
    emits(&w, "\t.pushsection\t.rtrace_probes,\"aR\",@progbits\n\t.popsection\n");
    if (w.used_plain)
        emits(&w, "\t.hidden\t__rt_line_probe\n\t.hidden\t__rt_ret_probe\n");
    if (w.used_avx)
        emits(&w, "\t.hidden\t__rt_line_probe_avx\n\t.hidden\t__rt_ret_probe_avx\n");
    w.st.instrumented = w.st.functions - w.st.naked - w.st.excluded;
    free(line);
    strset_free(&targets);
    strset_free(&avx_funcs);
    strset_free(&hooked);
    for (int i = 0; i < w.nfnames; i++)
        free(w.fnames[i]);
    if (stats)
        *stats = w.st;
    if (fflush(out) != 0 || ferror(out))
        w.err = true;
    return w.err ? -1 : 0;
}

int rtcc_rewrite_file(const char *in_path, const char *out_path, unsigned flags,
                      rtcc_rewrite_stats *stats, char *err, size_t errlen)
{
    FILE *in = fopen(in_path, "rb");
    FILE *out;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc;

    if (!in) {
        snprintf(err, errlen, "cannot read %s: %s", in_path, strerror(errno));
        return -1;
    }
    for (;;) {
        size_t got;
        if (cap - len < 65536) {
            char *nbuf = realloc(buf, cap ? cap * 2 : 65536 * 2);
            if (!nbuf) {
                snprintf(err, errlen, "out of memory reading %s", in_path);
                free(buf);
                fclose(in);
                return -1;
            }
            buf = nbuf;
            cap = cap ? cap * 2 : 65536 * 2;
        }
        got = fread(buf + len, 1, cap - len, in);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(in)) {
        snprintf(err, errlen, "cannot read %s: %s", in_path, strerror(errno));
        free(buf);
        fclose(in);
        return -1;
    }
    fclose(in);
    out = strcmp(out_path, "-") == 0 ? stdout : fopen(out_path, "wb");
    if (!out) {
        snprintf(err, errlen, "cannot write %s: %s", out_path, strerror(errno));
        free(buf);
        return -1;
    }
    rc = rtcc_rewrite_buf(buf, len, out, flags, stats);
    if (out == stdout ? fflush(out) != 0 : fclose(out) != 0)
        rc = -1;
    free(buf);
    if (rc != 0)
        snprintf(err, errlen, "cannot write %s: %s", out_path, strerror(errno));
    return rc;
}
