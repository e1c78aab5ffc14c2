/*
 * cc-wrapper/rtcc.c - rtcc, a drop-in C compiler that recompiles programs
 * for tracing (the role of AFL's afl-gcc): it runs the real compiler
 * (RTCC_CC, default `cc`) step by step:
 *
 *   C source  --cc -S -g -O0 -fno-omit-frame-pointer -finstrument-functions-->
 *   .s        --rewrite.c (line and return probes)-->  .s  --cc -c-->  .o
 *   objects   --cc (link) + rtrace_probe.o + -lrtrace_rt-->  program / .so
 *
 * Everything else (.s, .S, other languages, objects, -E, -M, --version, -v
 * alone) goes to the real compiler as it is.  Diagnostics of the real
 * compiler reach stderr unchanged and its exit status is rtcc's.  Temporary
 * files live in TMPDIR and are removed on every path (spawn.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "elfcheck.h"
#include "help.h"
#include "rewrite.h"
#include "spawn.h"
#include "version.h"

/* Global settings from the environment. */
static rtcc_argv cc_prefix;        /* RTCC_CC split on blanks */
static bool keep_opt;              /* RTCC_KEEP_OPT=1 */
static bool verbose;               /* -v */
static bool all_rows;              /* RTCC_ALL_ROWS=1 */
static const rtcc_cmdline *cl;

/* snprintf for paths: a path that does not fit is an error, never truncated. */
static void fmt_path(char *out, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fmt_path(char *out, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(out, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size) {
        fprintf(stderr, "rtcc: error: path too long: %.200s...\n", out);
        exit(1);
    }
}

/* Splits RTCC_CC into words (no quoting: compilers' paths rarely have blanks). */
static void split_words(const char *s, rtcc_argv *out)
{
    char *copy = strdup(s), *save = NULL;
    if (!copy) {
        fprintf(stderr, "rtcc: error: out of memory\n");
        exit(1);
    }
    for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
        rtcc_argv_push(out, w);
    free(copy);
}

/* Finds an executable in PATH; fills `out`; returns false if none. */
static bool find_in_path(const char *name, char *out, size_t size)
{
    const char *path = getenv("PATH");
    if (strchr(name, '/')) {
        snprintf(out, size, "%s", name);
        return access(name, X_OK) == 0;
    }
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        struct stat st;
        snprintf(out, size, "%.*s%s%s", (int)n, path, n ? "/" : "", name);
        if (access(out, X_OK) == 0 && stat(out, &st) == 0 && S_ISREG(st.st_mode))
            return true;
        path += n;
        if (*path == ':')
            path++;
    }
    return false;
}

/* Checks that RTCC_CC names a compiler that is not rtcc itself. */
static void check_compiler(void)
{
    char found[PATH_MAX], real_cc[PATH_MAX], real_self[PATH_MAX];
    const char *env = getenv("RTCC_CC");
    if (cc_prefix.n == 0) {
        fprintf(stderr, "rtcc: error: RTCC_CC is empty: set it to a C compiler (e.g. gcc, clang)\n");
        exit(1);
    }
    if (!find_in_path(cc_prefix.v[0], found, sizeof found)) {
        fprintf(stderr, "rtcc: error: the C compiler '%s'%s was not found%s\n", cc_prefix.v[0],
                env ? " (from RTCC_CC)" : "", strchr(cc_prefix.v[0], '/') ? "" : " in PATH");
        exit(1);
    }
    if (realpath(found, real_cc) && realpath("/proc/self/exe", real_self) &&
        strcmp(real_cc, real_self) == 0) {
        fprintf(stderr, "rtcc: error: the C compiler '%s' is rtcc itself: set RTCC_CC to the "
                        "real compiler\n", cc_prefix.v[0]);
        exit(1);
    }
}

/* The directory holding rtrace_probe.o and librtrace_rt.so (absolute). */
static const char *libdir(void)
{
    static char dir[PATH_MAX];
    const char *env = getenv("RTCC_LIBDIR");
    char self[PATH_MAX];
    char *slash;
    if (dir[0])
        return dir;
    if (env && *env) {
        if (!realpath(env, dir))
            snprintf(dir, sizeof dir, "%s", env);
        return dir;
    }
    if (!realpath("/proc/self/exe", self)) {
        fprintf(stderr, "rtcc: error: cannot find rtcc's own path (/proc/self/exe): %s; "
                        "set RTCC_LIBDIR\n", strerror(errno));
        exit(1);
    }
    slash = strrchr(self, '/');
    if (slash)
        *slash = 0;
    fmt_path(dir, sizeof dir, "%s/../lib", self);
    if (realpath(dir, self))
        snprintf(dir, sizeof dir, "%s", self);
    return dir;
}

/* basename without its last suffix ("dir/a.c" -> "a"). */
static void stem(const char *path, char *out, size_t size)
{
    const char *b = strrchr(path, '/');
    char *dot;
    snprintf(out, size, "%s", b ? b + 1 : path);
    dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = 0;
}

/* path without its last suffix ("o/x.o" -> "o/x"). */
static void strip_suffix(const char *path, char *out, size_t size)
{
    const char *b = strrchr(path, '/');
    char *dot;
    snprintf(out, size, "%s", path);
    dot = strrchr(out, '.');
    if (dot && dot > out + (b ? b - path + 1 : 0))
        *dot = 0;
}

/* Starts a command with the real compiler. */
static void cmd_start(rtcc_argv *c)
{
    for (size_t i = 0; i < cc_prefix.n; i++)
        rtcc_argv_push(c, cc_prefix.v[i]);
}

/* Appends one argument (and its value) as it was given. */
static void push_arg(rtcc_argv *c, const rtcc_arg *a)
{
    rtcc_argv_push(c, a->s);
    if (a->val)
        rtcc_argv_push(c, a->val);
}

/* Runs a command and frees it; returns the exit status. */
static int run(rtcc_argv *c)
{
    int rc = rtcc_run(c->v, verbose);
    rtcc_argv_free(c);
    return rc;
}

/*
 * Is `a` an option the assembler step needs (-Wa, the few -m options the
 * assembler uses, target, -B, and the -g options kept for it: they set the
 * DWARF version of the line table the assembler builds from the .loc
 * directives; without them it would not match .debug_info, e.g. with
 * -gdwarf-4)?  Others would make clang -Werror fail with "argument unused
 * during compilation".
 */
static bool asm_option(const rtcc_arg *a)
{
    const char *s = a->s;
    return a->cls == RTCC_A_ASM || rtcc_g_option(s) == RTCC_G_KEEP ||
           strcmp(s, "-m64") == 0 || strncmp(s, "-march=", 7) == 0 ||
           strncmp(s, "-mrelax-relocations", 19) == 0 ||
           strncmp(s, "-mx86-used-note", 15) == 0 ||
           strncmp(s, "--target", 8) == 0 || strcmp(s, "-target") == 0 ||
           strncmp(s, "-B", 2) == 0 || strcmp(s, "-v") == 0 ||
           strncmp(s, "--gcc-toolchain", 15) == 0 || strcmp(s, "-fintegrated-as") == 0 ||
           strcmp(s, "-fno-integrated-as") == 0 || strcmp(s, "-no-integrated-as") == 0 ||
           strcmp(s, "-integrated-as") == 0 || strncmp(s, "--sysroot", 9) == 0 ||
           strcmp(s, "-pipe") == 0;
}

/*
 * Warns about a -g option of the user that rtcc replaced or dropped (`s`;
 * nothing for the others): the runtime needs full DWARF in the program.
 */
static void warn_debug_option(const char *s)
{
    switch (rtcc_g_option(s)) {
    case RTCC_G_LOW:
        fprintf(stderr, "rtcc: warning: %s replaced by -g: tracing needs full debugging "
                        "information (the variables)\n", s);
        break;
    case RTCC_G_FORMAT:
        fprintf(stderr, "rtcc: warning: %s replaced by -g: the runtime reads DWARF only\n", s);
        break;
    case RTCC_G_SPLIT:
        fprintf(stderr, "rtcc: warning: %s dropped: the runtime reads the DWARF in the "
                        "program, not in .dwo files\n", s);
        break;
    case RTCC_G_TOGGLE:
        fprintf(stderr, "rtcc: warning: %s dropped: it would turn rtcc's -g off\n", s);
        break;
    case RTCC_G_NO_LOC:
        fprintf(stderr, "rtcc: warning: %s dropped: rtcc places its probes at the .loc "
                        "directives\n", s);
        break;
    default:
        break;
    }
}

/*
 * Adds the dependency options of the user (-MD, -MMD, -MF, -MT, -MQ, -MP) to
 * a compile step of `in`, with the file name and target cc would use for the
 * user's command: the step itself writes a temporary file, whose name must
 * not leak into them.  `dep_target` is the make target cc would name.
 */
static void add_dep_options(rtcc_argv *c, const rtcc_arg *in, const char *dep_target)
{
    char buf[PATH_MAX];
    if (!cl->deps)
        return;
    for (size_t i = 0; i < cl->n; i++)
        if (cl->a[i].cls == RTCC_A_DEPS)
            push_arg(c, &cl->a[i]);
    if (!cl->deps_file) {
        if (cl->output && cl->mode != RTCC_MODE_ASM)
            strip_suffix(cl->output, buf, sizeof buf);
        else
            stem(in->s, buf, sizeof buf);
        rtcc_argv_push(c, "-MF");
        rtcc_argv_pushf(c, "%s.d", buf);
    }
    if (!cl->deps_target) {
        rtcc_argv_push(c, "-MT");
        rtcc_argv_push(c, dep_target);
    }
}

/*
 * Compiles the C source `in` to instrumented assembly and, when `obj` is
 * not NULL, assembles it into `obj`; else the assembly goes to `asm_out`.
 * `dep_target` names the make target of the dependency file, if any.
 * Returns the exit status of the failing step, or 0.
 */
static int compile_c(const rtcc_arg *in, const char *obj, const char *asm_out,
                     const char *dep_target)
{
    rtcc_argv c = {0};
    const char *raw = rtcc_tmp_create(".s");
    const char *inst = obj ? rtcc_tmp_create(".s") : asm_out;
    char err[4096];
    rtcc_rewrite_stats st;
    int rc;

    cmd_start(&c);
    for (size_t i = 0; i < cl->n; i++) {
        const rtcc_arg *a = &cl->a[i];
        if (a->cls == RTCC_A_BOTH || a->cls == RTCC_A_COMPILE)
            push_arg(&c, a);
    }
    add_dep_options(&c, in, dep_target);
    rtcc_argv_push(&c, "-g");          /* last: full level whatever the user's (args.h) */
    if (!keep_opt)
        rtcc_argv_push(&c, "-O0");
    rtcc_argv_push(&c, "-fno-omit-frame-pointer");
    rtcc_argv_push(&c, "-finstrument-functions");
    rtcc_argv_push(&c, "-S");
    if (in->xlang) {
        rtcc_argv_push(&c, "-x");
        rtcc_argv_push(&c, in->xlang);
    }
    rtcc_argv_push(&c, in->s);
    rtcc_argv_push(&c, "-o");
    rtcc_argv_push(&c, raw);
    rc = run(&c);
    if (rc != 0)
        return rc;

    if (rtcc_rewrite_file(raw, inst, (all_rows ? RTCC_RW_ALL_ROWS : 0) | RTCC_RW_HOOKED_ONLY,
                          &st, err, sizeof err) != 0) {
        fprintf(stderr, "rtcc: error: %s\n", err);
        return 1;
    }
    if (st.lto)
        fprintf(stderr, "rtcc: warning: %s: the compiler produced LTO bytecode: not traced\n", in->s);
    if (verbose)
        fprintf(stderr, "rtcc: %s: %u functions, %u line probes, %u return probes, "
                        "%u same-line rows without probe\n",
                in->s, st.functions, st.line_probes, st.ret_probes, st.skipped_same_line);
    if (!obj)
        return 0;

    cmd_start(&c);
    for (size_t i = 0; i < cl->n; i++)
        if (cl->a[i].cls != RTCC_A_INPUT && asm_option(&cl->a[i]))
            push_arg(&c, &cl->a[i]);
    rtcc_argv_push(&c, "-g");
    rtcc_argv_push(&c, "-c");
    rtcc_argv_push(&c, "-x");
    rtcc_argv_push(&c, "assembler");
    rtcc_argv_push(&c, inst);
    rtcc_argv_push(&c, "-o");
    rtcc_argv_push(&c, obj);
    return run(&c);
}

/*
 * Compiles a non-C input (.s, .S, other languages) untouched with `step`
 * ("-c" or "-S") into `out` (NULL: the compiler's default name).  `tmp_out`:
 * `out` is rtcc's temporary object (linking): the dependency file is then
 * named for the user's command (plain .s files get none: the assembler would
 * name it after the temporary object).
 */
static int compile_other(const rtcc_arg *in, const char *step, const char *out,
                         bool tmp_out)
{
    rtcc_argv c = {0};
    cmd_start(&c);
    for (size_t i = 0; i < cl->n; i++) {
        const rtcc_arg *a = &cl->a[i];
        if (a->cls == RTCC_A_INPUT)
            continue;
        /* A .s file only needs the assembler's options: run on its own,
         * clang -Werror rejects the others ("argument unused"), which the
         * user's single cc command would have used for its C files. */
        if (in->kind == RTCC_IN_ASM) {
            if (asm_option(a) || (a->cls == RTCC_A_DEPS && cl->deps && !tmp_out))
                push_arg(&c, a);
            continue;
        }
        if (a->cls == RTCC_A_BOTH || a->cls == RTCC_A_COMPILE || a->cls == RTCC_A_ASM ||
            (a->cls == RTCC_A_DEPS && cl->deps && !tmp_out))
            push_arg(&c, a);
        else if (a->cls == RTCC_A_SELF && keep_opt && a->s[1] == 'O')
            push_arg(&c, a);
    }
    if (tmp_out && in->kind != RTCC_IN_ASM)
        add_dep_options(&c, in, cl->output ? cl->output : "a.out");
    rtcc_argv_push(&c, step);
    if (in->xlang) {
        rtcc_argv_push(&c, "-x");
        rtcc_argv_push(&c, in->xlang);
    }
    rtcc_argv_push(&c, in->s);
    if (out) {
        rtcc_argv_push(&c, "-o");
        rtcc_argv_push(&c, out);
    }
    return run(&c);
}

/* Passes the original command line to the real compiler (exec). */
static int pass_through(int argc, char **argv)
{
    rtcc_argv c = {0};
    cmd_start(&c);
    for (int i = 1; i < argc; i++)
        rtcc_argv_push(&c, argv[i]);
    if (verbose) {                     /* as cc -v shows its sub-commands */
        fputs("rtcc:", stderr);
        for (size_t i = 0; i < c.n; i++)
            fprintf(stderr, " %s", c.v[i]);
        fputc('\n', stderr);
    }
    rtcc_exec(c.v);
    return 127;
}

/* Warns about the untraced objects and archives of a link. */
static void warn_untraced(const char *path)
{
    if (rtcc_object_traced(path) == RTCC_OBJ_UNTRACED)
        fprintf(stderr, "rtcc: warning: %s was not compiled from C by rtcc (no "
                        ".rtrace_probes section): it is linked untraced\n", path);
}

/* -c and -S: one output per input. */
static int compile_only(void)
{
    int status = 0;
    char buf[PATH_MAX], out[PATH_MAX];
    for (size_t i = 0; i < cl->n; i++) {
        const rtcc_arg *a = &cl->a[i];
        int rc;
        if (a->cls != RTCC_A_INPUT || a->kind == RTCC_IN_LINK)
            continue;
        if (a->kind == RTCC_IN_C) {
            stem(a->s, buf, sizeof buf);
            if (strcmp(a->s, "-") == 0)
                snprintf(buf, sizeof buf, "-");
            if (cl->mode == RTCC_MODE_ASM) {
                if (cl->output)
                    fmt_path(out, sizeof out, "%s", cl->output);
                else if (strcmp(a->s, "-") == 0)
                    snprintf(out, sizeof out, "-");      /* cc -S - writes to stdout */
                else
                    fmt_path(out, sizeof out, "%s.s", buf);
                {
                    char tgt[PATH_MAX];
                    fmt_path(tgt, sizeof tgt, "%s.o", buf);
                    if (strcmp(out, "-") == 0)
                        rc = compile_c(a, NULL, "-", tgt);
                    else
                        rc = compile_c(a, NULL, out, tgt);
                }
            } else {
                if (cl->output)
                    snprintf(out, sizeof out, "%s", cl->output);
                else
                    fmt_path(out, sizeof out, "%s.o", buf);
                rc = compile_c(a, out, NULL, out);
            }
        } else {
            rc = compile_other(a, cl->mode == RTCC_MODE_ASM ? "-S" : "-c", cl->output, false);
        }
        if (rc != 0 && status == 0)
            status = rc;
    }
    return status;
}

/* Compile every source to a temporary object, then link. */
static int compile_and_link(void)
{
    rtcc_argv c = {0};
    const char **objs = calloc(cl->n + 1, sizeof *objs);
    const char *dir = libdir();
    char probe[PATH_MAX];
    int status = 0;
    bool relocatable = false;

    if (!objs) {
        fprintf(stderr, "rtcc: error: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < cl->n; i++) {
        const char *a = cl->a[i].s;
        if (cl->a[i].cls == RTCC_A_INPUT)
            continue;
        if (strcmp(a, "-r") == 0)
            relocatable = true;
        if (strcmp(a, "-static") == 0 || strcmp(a, "-static-pie") == 0) {
            fprintf(stderr, "rtcc: error: %s: the tracing runtime is a shared library "
                            "(librtrace_rt.so); traced programs must be linked dynamically\n", a);
            free(objs);
            return 1;
        }
    }
    fmt_path(probe, sizeof probe, "%s/rtrace_probe.o", dir);
    if (!relocatable && access(probe, R_OK) != 0) {
        fprintf(stderr, "rtcc: error: %s: %s (build it, or set RTCC_LIBDIR to the folder "
                        "holding rtrace_probe.o and librtrace_rt.so)\n", probe, strerror(errno));
        free(objs);
        return 1;
    }
    for (size_t i = 0; i < cl->n; i++) {
        const rtcc_arg *a = &cl->a[i];
        int rc = 0;
        if (a->cls != RTCC_A_INPUT)
            continue;
        if (a->kind == RTCC_IN_LINK) {
            warn_untraced(a->s);
            objs[i] = a->s;
            continue;
        }
        objs[i] = rtcc_tmp_create(".o");
        if (a->kind == RTCC_IN_C) {
            char tgt[PATH_MAX];
            snprintf(tgt, sizeof tgt, "%s", cl->output ? cl->output : "a.out");
            rc = compile_c(a, objs[i], NULL, tgt);
        } else {
            rc = compile_other(a, "-c", objs[i], true);
        }
        if (rc != 0 && status == 0)
            status = rc;
    }
    if (status != 0) {
        free(objs);
        return status;
    }

    cmd_start(&c);
    for (size_t i = 0; i < cl->n; i++) {
        const rtcc_arg *a = &cl->a[i];
        if (a->cls == RTCC_A_INPUT)
            rtcc_argv_push(&c, objs[i]);
        else if (a->cls == RTCC_A_BOTH || a->cls == RTCC_A_LINK)
            push_arg(&c, a);
    }
    if (cl->output) {
        rtcc_argv_push(&c, "-o");
        rtcc_argv_push(&c, cl->output);
    }
    if (!relocatable) {
        rtcc_argv_push(&c, probe);
        rtcc_argv_pushf(&c, "-L%s", dir);
        rtcc_argv_pushf(&c, "-Wl,-rpath,%s", dir);
        rtcc_argv_push(&c, "-lrtrace_rt");
    }
    free(objs);
    return run(&c);
}

int main(int argc, char **argv)
{
    static rtcc_cmdline cmd;
    const char *env_cc = getenv("RTCC_CC");
    const char *env_keep = getenv("RTCC_KEEP_OPT");
    const char *env_verbose = getenv("RTCC_VERBOSE");
    char err[4096];
    int rc;

    rtcc_tmp_init();
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        rtcc_help(stdout);
        return 0;
    }
    /* Hidden: the man page, generated at build time into share/man/man1/rtcc.1. */
    if (argc == 2 && strcmp(argv[1], "--man") == 0) {
        rtcc_man(stdout);
        return 0;
    }
    split_words(env_cc && *env_cc ? env_cc : (env_cc ? "" : "cc"), &cc_prefix);
    check_compiler();
    keep_opt = env_keep && strcmp(env_keep, "0") != 0 && *env_keep;
    verbose = env_verbose && strcmp(env_verbose, "0") != 0 && *env_verbose;
    all_rows = getenv("RTCC_ALL_ROWS") && strcmp(getenv("RTCC_ALL_ROWS"), "0") != 0 &&
               *getenv("RTCC_ALL_ROWS");

    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("rtcc (runtime_tracing C edition) %s, wrapping:\n", RTCC_VERSION);
        return pass_through(argc, argv);
    }
    if (rtcc_parse(argc, argv, keep_opt, &cmd, err, sizeof err) != 0) {
        fprintf(stderr, "rtcc: error: %s\n", err);
        return 1;
    }
    cl = &cmd;
    verbose = verbose || cmd.verbose;

    if (cmd.info || cmd.mode == RTCC_MODE_PREPROCESS)
        return pass_through(argc, argv);
    if (cmd.unsupported) {
        fprintf(stderr, "rtcc: error: %s: rtcc traces x86-64 code only (the probes are "
                        "64-bit)\n", cmd.unsupported);
        return 1;
    }
    /* Command lines cc rejects (-o with -c and several files): let it say so. */
    if (cmd.mode != RTCC_MODE_LINK && cmd.output) {
        size_t outs = 0;
        for (size_t i = 0; i < cmd.n; i++)
            if (cmd.a[i].cls == RTCC_A_INPUT && cmd.a[i].kind != RTCC_IN_LINK)
                outs++;
        if (outs > 1)
            return pass_through(argc, argv);
    }
    if (cmd.dropped_lto)
        fprintf(stderr, "rtcc: warning: -flto dropped: link-time optimised code cannot be "
                        "traced\n");
    for (size_t i = 0; i < cmd.n; i++)
        if (cmd.a[i].cls == RTCC_A_SELF)
            warn_debug_option(cmd.a[i].s);
    for (size_t i = 0; i < cmd.n; i++)
        if (cmd.a[i].cls == RTCC_A_INPUT && cmd.a[i].kind == RTCC_IN_OTHER)
            fprintf(stderr, "rtcc: warning: %s is not C: compiled untraced\n", cmd.a[i].s);

    if (cmd.mode == RTCC_MODE_LINK)
        rc = compile_and_link();
    else
        rc = compile_only();
    rtcc_cmdline_free(&cmd);
    rtcc_argv_free(&cc_prefix);
    return rc;
}
