/*
 * cc-wrapper/args.c - classifies a gcc/clang command line for rtcc.
 *
 * rtcc runs the real compiler several times (compile to .s, assemble, link),
 * so it must know, for every argument, which of these steps wants it: clang
 * with -Werror rejects link options on a compile step ("argument unused
 * during compilation") and positional link inputs (-lm after a .o) must keep
 * their order.  Unknown options go to every step, which is what cc itself
 * does with them.  Response files (@file) are expanded in place with gcc's
 * quoting rules (blanks separate, '...' "..." quote, backslash escapes).
 */
#include "args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exits on allocation failure: a compiler driver cannot do anything useful. */
static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q) {
        fprintf(stderr, "rtcc: error: out of memory\n");
        exit(1);
    }
    return q;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xrealloc(NULL, n), s, n);
}

void rtcc_argv_push(rtcc_argv *a, const char *s)
{
    if (a->n + 2 > a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->v = xrealloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = s ? xstrdup(s) : NULL;
    a->v[a->n] = NULL;
}

void rtcc_argv_pushf(rtcc_argv *a, const char *fmt, ...)
{
    char buf[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    rtcc_argv_push(a, buf);
}

void rtcc_argv_free(rtcc_argv *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

/* True if s starts with prefix p. */
static bool pfx(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static bool eq(const char *a, const char *b) { return strcmp(a, b) == 0; }

/* Options whose value is the next argument (when given alone). */
static bool takes_value(const char *s)
{
    static const char *const opts[] = {
        "-o", "-x", "-MF", "-MT", "-MQ", "-include", "-imacros", "-isystem",
        "-iquote", "-idirafter", "-iprefix", "-iwithprefix", "-iwithprefixbefore",
        "-isysroot", "-imultilib", "-Xlinker", "-Xassembler", "-Xpreprocessor",
        "-Xclang", "-mllvm", "-T", "-u", "-z", "-aux-info", "--param", "-target",
        "-arch", "-B", "--sysroot", "-I", "-D", "-U", "-L", "-l", "-A",
        "-dumpbase", "-dumpdir", "-dumpbase-ext", "-G", "-e", "--entry", NULL
    };
    for (int i = 0; opts[i]; i++)
        if (eq(s, opts[i]))
            return true;
    return false;
}

/* Classifies an option (with its value already attached). */
static rtcc_arg_class classify(const char *s)
{
    static const char *const link_exact[] = {
        "-shared", "-static", "-static-pie", "-pie", "-no-pie", "-rdynamic",
        "-nostdlib", "-nostartfiles", "-nodefaultlibs", "-s", "-r", "-T", "-u",
        "-z", "-Xlinker", "-shared-libgcc", "-static-libgcc", "-static-libstdc++",
        "-static-libasan", "-static-libtsan", "-static-liblsan", "-static-libubsan",
        "-e", "--entry", "-Bstatic", "-Bdynamic", "-Bsymbolic", NULL
    };
    static const char *const compile_exact[] = {
        "-include", "-imacros", "-isystem", "-iquote", "-idirafter", "-iprefix",
        "-iwithprefix", "-iwithprefixbefore", "-imultilib", "-Xpreprocessor", "-ansi", "-C", "-CC", "-P", "-trigraphs", "-nostdinc",
        "-undef", "-H", NULL
    };
    if (eq(s, "-Xassembler") || pfx(s, "-Wa,"))
        return RTCC_A_ASM;
    for (int i = 0; link_exact[i]; i++)
        if (eq(s, link_exact[i]))
            return RTCC_A_LINK;
    for (int i = 0; compile_exact[i]; i++)
        if (eq(s, compile_exact[i]))
            return RTCC_A_COMPILE;
    if (pfx(s, "-l") || pfx(s, "-L") || pfx(s, "-Wl,") || pfx(s, "-fuse-ld=") ||
        pfx(s, "--ld-path=") || pfx(s, "-Wl"))
        return RTCC_A_LINK;
    if (pfx(s, "-I") || pfx(s, "-D") || pfx(s, "-U") || pfx(s, "-std=") ||
        pfx(s, "-Wp,") || pfx(s, "-isystem") || pfx(s, "-iquote") ||
        pfx(s, "-idirafter") || pfx(s, "--std="))
        return RTCC_A_COMPILE;
    return RTCC_A_BOTH;
}

/* See args.h. */
rtcc_g_kind rtcc_g_option(const char *s)
{
    static const char *const keep[] = {
        "-gdwarf", "-gdwarf32", "-gdwarf64", "-glldb", "-gsce", "-gdbx", NULL
    };
    static const char *const low[] = {
        "-gline-tables-only", "-gmlt", "-gline-directives-only", NULL
    };
    /* Prefixes: gcc takes -gstabs+, -gxcoff+ and a level after each. */
    static const char *const formats[] = { "-gstabs", "-gxcoff", "-gvms", "-gcoff", NULL };
    const char *lvl;

    if (s[0] != '-' || s[1] != 'g')
        return RTCC_G_NONE;
    if (pfx(s, "-gsplit-dwarf"))
        return RTCC_G_SPLIT;
    if (eq(s, "-gtoggle"))
        return RTCC_G_TOGGLE;
    if (eq(s, "-gno-as-loc-support"))
        return RTCC_G_NO_LOC;
    if (eq(s, "-gcodeview"))
        return RTCC_G_FORMAT;
    for (int i = 0; formats[i]; i++)
        if (pfx(s, formats[i]))
            return RTCC_G_FORMAT;
    for (int i = 0; low[i]; i++)
        if (eq(s, low[i]))
            return RTCC_G_LOW;
    for (int i = 0; keep[i]; i++)
        if (eq(s, keep[i]))
            return RTCC_G_KEEP;
    if (pfx(s, "-gz") || (pfx(s, "-gdwarf-") && s[8] && !s[8 + strspn(s + 8, "0123456789")]))
        return RTCC_G_KEEP;
    /* -g, -gN, -ggdb, -ggdbN: a level (none given: 2). */
    lvl = pfx(s, "-ggdb") ? s + 5 : s + 2;
    if (lvl[strspn(lvl, "0123456789")] == 0)
        return *lvl && atoi(lvl) < 2 ? RTCC_G_LOW : RTCC_G_KEEP;
    return RTCC_G_MODIFIER;
}

rtcc_in_kind rtcc_input_kind(const char *path, const char *xlang)
{
    const char *dot, *slash;
    if (xlang && !eq(xlang, "none")) {
        if (eq(xlang, "c") || eq(xlang, "cpp-output"))
            return RTCC_IN_C;
        if (eq(xlang, "assembler"))
            return RTCC_IN_ASM;
        if (eq(xlang, "assembler-with-cpp"))
            return RTCC_IN_ASM_CPP;
        return RTCC_IN_OTHER;
    }
    if (eq(path, "-"))
        return RTCC_IN_OTHER;   /* stdin needs -x (cc refuses it too) */
    slash = strrchr(path, '/');
    dot = strrchr(path, '.');
    if (!dot || (slash && dot < slash))
        return RTCC_IN_LINK;
    dot++;
    if (eq(dot, "c") || eq(dot, "i"))
        return RTCC_IN_C;
    if (eq(dot, "s"))
        return RTCC_IN_ASM;
    if (eq(dot, "S") || eq(dot, "sx"))
        return RTCC_IN_ASM_CPP;
    {
        static const char *const other[] = {
            "cc", "cp", "cxx", "cpp", "CPP", "c++", "C", "ii", "m", "mi", "mm", "M",
            "mii", "h", "hh", "H", "hp", "hxx", "hpp", "HPP", "h++", "tcc", "f", "for",
            "ftn", "F", "FOR", "fpp", "FPP", "FTN", "f90", "f95", "f03", "f08", "F90",
            "F95", "F03", "F08", "go", "d", "di", "dd", "ads", "adb", "rs", "cu",
            "cl", "ll", "bc", NULL
        };
        for (int i = 0; other[i]; i++)
            if (eq(dot, other[i]))
                return RTCC_IN_OTHER;
    }
    return RTCC_IN_LINK;
}

/*
 * Splits the text of a response file into `out` (gcc's rules).  Returns 0.
 */
static void split_response(const char *t, rtcc_argv *out)
{
    size_t cap = strlen(t) + 1;
    char *buf = xrealloc(NULL, cap);
    const char *p = t;
    for (;;) {
        size_t n = 0;
        char quote = 0;
        bool any = false;
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
            p++;
        if (!*p)
            break;
        while (*p) {
            if (!quote && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
                           *p == '\f' || *p == '\v'))
                break;
            any = true;
            if (*p == '\\' && p[1]) {
                buf[n++] = p[1];
                p += 2;
            } else if (quote && *p == quote) {
                quote = 0;
                p++;
            } else if (!quote && (*p == '\'' || *p == '"')) {
                quote = *p++;
            } else {
                buf[n++] = *p++;
            }
        }
        buf[n] = 0;
        if (any)
            rtcc_argv_push(out, buf);
    }
    free(buf);
}

/* Reads a whole file as a string; NULL if it cannot be read. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (!f)
        return NULL;
    for (;;) {
        size_t got;
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 8192;
            buf = xrealloc(buf, cap);
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    buf[n] = 0;
    return buf;
}

/* Expands @file arguments (to depth 16) into `out`. */
static int expand(int argc, char **argv, rtcc_argv *out, int depth, char *err, size_t errlen)
{
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        char *text;
        rtcc_argv sub = {0};
        if (s[0] != '@' || !s[1]) {
            rtcc_argv_push(out, s);
            continue;
        }
        if (depth >= 16) {
            snprintf(err, errlen, "response file %s: nested too deeply", s + 1);
            return -1;
        }
        text = slurp(s + 1);
        if (!text) {                   /* gcc keeps it as a literal argument */
            rtcc_argv_push(out, s);
            continue;
        }
        split_response(text, &sub);
        free(text);
        if (expand((int)sub.n, sub.v, out, depth + 1, err, errlen) < 0) {
            rtcc_argv_free(&sub);
            return -1;
        }
        rtcc_argv_free(&sub);
    }
    return 0;
}

int rtcc_parse(int argc, char **argv, bool keep_opt, rtcc_cmdline *cl, char *err, size_t errlen)
{
    const char *xlang = NULL;
    bool saw_c = false, saw_S = false, saw_E = false, saw_M = false;
    bool saw_v = false, other_opts = false;
    rtcc_argv *st = &cl->storage;

    memset(cl, 0, sizeof *cl);
    if (expand(argc - 1, argv + 1, st, 0, err, errlen) < 0)
        return -1;
    cl->a = xrealloc(NULL, (st->n + 1) * sizeof *cl->a);

    for (size_t i = 0; i < st->n; i++) {
        const char *s = st->v[i];
        rtcc_arg *a = &cl->a[cl->n++];
        rtcc_g_kind g;
        memset(a, 0, sizeof *a);
        a->s = s;
        if (s[0] != '-' || eq(s, "-")) {
            a->cls = RTCC_A_INPUT;
            a->xlang = xlang;
            a->kind = rtcc_input_kind(s, xlang);
            cl->ninputs++;
            if (a->kind == RTCC_IN_C)
                cl->nsources++;
            continue;
        }
        if (takes_value(s)) {
            if (i + 1 >= st->n) {      /* let the compiler say "missing argument" */
                a->cls = classify(s);
                other_opts = true;
                continue;
            }
            a->val = st->v[++i];
        }
        if (eq(s, "-c")) {
            a->cls = RTCC_A_SELF; saw_c = true;
        } else if (eq(s, "-S")) {
            a->cls = RTCC_A_SELF; saw_S = true;
        } else if (eq(s, "-E")) {
            a->cls = RTCC_A_SELF; saw_E = true;
        } else if (eq(s, "-o")) {
            a->cls = RTCC_A_SELF;
            cl->output = a->val;
        } else if (pfx(s, "-o")) {
            a->cls = RTCC_A_SELF;      /* -ofile */
            cl->output = s + 2;
        } else if (eq(s, "-x") || (pfx(s, "-x") && s[2])) {
            a->cls = RTCC_A_SELF;
            xlang = a->val ? a->val : s + 2;
            if (eq(xlang, "none"))
                xlang = NULL;
        } else if (s[1] == 'O') {              /* -O, -O0..3, -Os, -Ofast, -Og */
            if (keep_opt) {
                a->cls = RTCC_A_BOTH;
                cl->opt_kept = s;
            } else {
                a->cls = RTCC_A_SELF;
                if (!eq(s, "-O0"))
                    cl->dropped_opt = true;
            }
        } else if (pfx(s, "-flto") || eq(s, "-ffat-lto-objects")) {
            a->cls = RTCC_A_SELF;
            if (pfx(s, "-flto"))
                cl->dropped_lto = true;
        } else if (eq(s, "-M") || eq(s, "-MM")) {
            a->cls = RTCC_A_DEPS; saw_M = true;
        } else if (eq(s, "-MD") || eq(s, "-MMD")) {
            a->cls = RTCC_A_DEPS; cl->deps = true;
        } else if (eq(s, "-MF") || pfx(s, "-MF")) {
            a->cls = RTCC_A_DEPS; cl->deps_file = true;
        } else if (eq(s, "-MT") || eq(s, "-MQ") || pfx(s, "-MT") || pfx(s, "-MQ")) {
            a->cls = RTCC_A_DEPS; cl->deps_target = true;
        } else if (eq(s, "-MP") || eq(s, "-MG")) {
            a->cls = RTCC_A_DEPS;
        } else if (eq(s, "-v")) {
            a->cls = RTCC_A_BOTH; saw_v = true;
        } else if (eq(s, "--version") || eq(s, "-V") || eq(s, "-qversion") ||
                   pfx(s, "-dump") || pfx(s, "-print-") || pfx(s, "--print-") ||
                   eq(s, "-###") || pfx(s, "--help") || eq(s, "--target-help")) {
            a->cls = RTCC_A_BOTH;
            if (!pfx(s, "-dumpbase") && !pfx(s, "-dumpdir"))
                cl->info = true;
        } else if ((g = rtcc_g_option(s)) != RTCC_G_NONE) {
            /* The others are replaced or dropped: main says so. */
            a->cls = g == RTCC_G_KEEP || g == RTCC_G_MODIFIER ? RTCC_A_BOTH : RTCC_A_SELF;
            other_opts = true;
        } else if (eq(s, "-fsyntax-only")) {
            a->cls = RTCC_A_BOTH;
            cl->info = true;           /* no output: nothing to instrument */
        } else {
            a->cls = classify(s);
            if (eq(s, "-m32") || eq(s, "-mx32") || eq(s, "-m16"))
                cl->unsupported = s;
            if (eq(s, "-shared"))
                cl->shared = true;
            if (eq(s, "-nostdlib") || eq(s, "-nodefaultlibs") || eq(s, "-nostartfiles") ||
                eq(s, "-r"))
                cl->nostdlib = true;
            other_opts = true;
        }
    }
    (void)other_opts;
    cl->verbose = saw_v;
    if (saw_E || (saw_M && !cl->deps))
        cl->mode = RTCC_MODE_PREPROCESS;
    else if (saw_S)
        cl->mode = RTCC_MODE_ASM;
    else if (saw_c)
        cl->mode = RTCC_MODE_COMPILE;
    else
        cl->mode = RTCC_MODE_LINK;
    if (cl->ninputs == 0)
        cl->info = true;              /* `cc -v`, `cc` alone: the compiler answers */
    return 0;
}

void rtcc_cmdline_free(rtcc_cmdline *cl)
{
    free(cl->a);
    rtcc_argv_free(&cl->storage);
    memset(cl, 0, sizeof *cl);
}
