/*
 * cc-wrapper/help.c - the one source of rtcc's help: what rtcc changes on a
 * cc command line, its own options, its environment and the environment of
 * the traced program (names and defaults as runtime/config.c parses them).
 * `rtcc --help` and the man page (`rtcc --man`, generated at build time into
 * share/man/man1/rtcc.1) both print these tables.
 */
#include <stdbool.h>
#include <string.h>

#include "help.h"
#include "version.h"

typedef struct help_item {
    const char *name;            /* option, verb or variable */
    const char *value;           /* value syntax of a variable ("dir", "N"), or NULL */
    const char *dflt;            /* default, or NULL when none worth saying */
    const char *desc;            /* one paragraph, unwrapped */
} help_item;

/* What rtcc changes on the command line (name: the verb). */
static const help_item changes[] = {
    { "adds", NULL, NULL, "-g -O0 -fno-omit-frame-pointer -finstrument-functions when compiling C "
      "(-g after the user's options: the runtime needs full DWARF, with the variables, in the "
      "program; -g3, -gdwarf-N, -gz and the other -g options stay)" },
    { "replaces", NULL, NULL, "-O1 -O2 -O3 -Os -Ofast -Og -O by -O0 (set RTCC_KEEP_OPT=1 to keep them; "
      "the trace then follows optimised code); with a warning, by -g: -g0 -g1 -ggdb0 -ggdb1 "
      "-gline-tables-only -gmlt -gline-directives-only (no variables) and -gstabs* -gxcoff* -gvms* "
      "-gcoff* -gcodeview (not DWARF)" },
    { "drops", NULL, NULL, "with a warning: -flto... (link-time optimisation cannot be traced), "
      "-gsplit-dwarf (the runtime reads the DWARF in the program, not in .dwo files), -gtoggle, "
      "-gno-as-loc-support (the probes are placed at the .loc directives)" },
    { "inserts", NULL, NULL, "a probe after each is_stmt line-table row group and before each `ret` "
      "(C sources only; -S gives the instrumented assembly); rows only reached by falling through from "
      "the same line get none (gdb never stops there; RTCC_ALL_ROWS=1 probes them too)" },
    { "links", NULL, NULL, "<libdir>/rtrace_probe.o -L<libdir> -Wl,-rpath,<libdir> -lrtrace_rt into "
      "executables and shared objects (-shared: it is traced too)" },
    { "skips", NULL, NULL, "functions excluded from -finstrument-functions (attribute "
      "no_instrument_function, -finstrument-functions-exclude-*): no probes" },
    { "warns", NULL, NULL, "when it links an object or archive that was not built by rtcc (it runs "
      "untraced), and for sources in other languages (.cc, .cpp, .m, .f90 ...), which are compiled "
      "untraced" },
    { "refuses", NULL, NULL, "-static (the runtime is librtrace_rt.so) and -m32/-mx32 (x86-64 only)" },
    { "keeps", NULL, NULL, ".s and .S inputs untouched; -E, -M, -MM, -v, --version, -V, -qversion, "
      "-dumpversion, -print-* go to the compiler as they are" },
};

/* rtcc's own options (alone on the command line). */
static const help_item own_opts[] = {
    { "--help", NULL, NULL, "this text" },
    { "--version", NULL, NULL, "rtcc's version, then the wrapped compiler's --version" },
};

/* Environment of rtcc. */
static const help_item rtcc_env[] = {
    { "RTCC_CC", "cmd", "cc", "the real compiler, with extra words if any" },
    { "RTCC_KEEP_OPT", "1", NULL, "keep the -O level" },
    { "RTCC_LIBDIR", "dir", "<directory of rtcc>/../lib", "where rtrace_probe.o and librtrace_rt.so are" },
    { "RTCC_VERBOSE", "1", NULL, "print each command rtcc runs (as does -v), and probe counts" },
    { "RTCC_ALL_ROWS", "1", NULL, "also probe rows reached only from the same line" },
    { "TMPDIR", "dir", "/tmp", "where temporary files go" },
};

/* Environment of the traced program: runtime/config.c, same names and defaults. */
static const help_item rt_env[] = {
    { "RTRACE_DIR", "dir", "./<program>.trace", "trace folder" },
    { "RTRACE_FORMAT", "json|binary", "json", "trace.json or trace.bin" },
    { "RTRACE_MODE", "full|calls", "full", "steps, values and calls, or calls only" },
    { "RTRACE_FILTER", "spec", "everything", "what to record: comma-separated file:GLOB and func:GLOB "
      "patterns, ! to exclude (passed to the runtime's filter)" },
    { "RTRACE_QUIET", "0|1", "0", "1: no summary line from the runtime at exit, nor notices (a budget "
      "reached, a source file missing)" },
    { "RTRACE_STATS", "0|1", "0", "1: the summary line also gives the share of the events the probes' "
      "fast path wrote (the rest took the slower general path) and, binary, how many zstd frames the "
      "program's threads compressed themselves" },
    { "RTRACE_THREADS", "all|main", "all", "record every thread, or the main one only" },
    { "RTRACE_MAX_DEPTH", "N", "2", "pointer levels followed in values (at most 64)" },
    { "RTRACE_MAX_ELEMS", "N", "32", "array/sequence elements captured" },
    { "RTRACE_MAX_STRING", "N", "256", "bytes of a char * string captured" },
    { "RTRACE_MAX_EVENTS", "N", "0, no limit", "stop recording after N events" },
    { "RTRACE_MAX_BYTES", "N[K|M|G]", "0, no limit", "stop after N bytes of events" },
    { "RTRACE_RING", "N", "0, off", "keep only the last N events" },
    { "RTRACE_ZSTD_LEVEL", "N", "-2", "trace.bin: zstd level -7..22" },
    { "RTRACE_NO_FAST", "0|1", "0", "1: every probe takes the general path (slower, the same trace: "
      "the reference the tests compare the fast path with)" },
    { "RTRACE_NO_PATCH", "0|1", "0", "1: keep every probe (by default the probes that cannot change "
      "the trace are turned into NOPs at start-up and dlopen)" },
};

/* Exit statuses (the man page; --help says it in its introduction). */
static const help_item exits[] = {
    { "0", NULL, NULL, "success" },
    { "1", NULL, NULL, "an error of rtcc itself (compiler not found, bad command line, -m32, "
      "instrumentation failed), with a message" },
    { "N", NULL, NULL, "otherwise the real compiler's (or linker's) exit status; 128+S when it was "
      "killed by signal S; 127 when it could not be run" },
};

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* --------------------------------------------------------------- --help */

/* Prints `text` wrapped to 80 columns; the first line continues at column `col`. */
static void wrap(FILE *f, const char *text, int col, int indent)
{
    bool first = true;
    while (*text) {
        size_t n = strcspn(text, " ");
        if (!first && col + 1 + (int)n > 80) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
        } else if (!first) {
            fputc(' ', f);
            col++;
        }
        fprintf(f, "%.*s", (int)n, text);
        col += (int)n;
        text += n;
        text += strspn(text, " ");
        first = false;
    }
    fputc('\n', f);
}

/* One table: "  name[=value]  desc (default: dflt)", descriptions aligned. */
static void help_table(FILE *f, const char *title, const help_item *t, size_t n)
{
    int w = 0;
    fprintf(f, "\n%s\n", title);
    for (size_t i = 0; i < n; i++) {
        int l = (int)strlen(t[i].name) + (t[i].value ? 1 + (int)strlen(t[i].value) : 0);
        if (l > w)
            w = l;
    }
    for (size_t i = 0; i < n; i++) {
        char lhs[96], text[512];
        snprintf(lhs, sizeof lhs, "%s%s%s", t[i].name, t[i].value ? "=" : "", t[i].value ? t[i].value : "");
        snprintf(text, sizeof text, "%s%s%s%s", t[i].desc, t[i].dflt ? " (default: " : "",
                 t[i].dflt ? t[i].dflt : "", t[i].dflt ? ")" : "");
        fprintf(f, "  %-*s  ", w, lhs);
        wrap(f, text, w + 4, w + 4);
    }
}

/* See help.h. */
void rtcc_help(FILE *f)
{
    fprintf(f, "Usage: rtcc [cc options] files...\n"
               "\n"
               "rtcc compiles C programs for recording with runtime_tracing (CodeTracer\n"
               "traces). It behaves like the C compiler it wraps and accepts its options;\n"
               "its exit status is the compiler's (1 on rtcc's own errors).\n");
    help_table(f, "What rtcc changes on the command line:", changes, NELEMS(changes));
    help_table(f, "rtcc's own options (alone on the command line):", own_opts, NELEMS(own_opts));
    help_table(f, "Environment of rtcc:", rtcc_env, NELEMS(rtcc_env));
    help_table(f, "Environment of the traced program (read by librtrace_rt at start-up):", rt_env,
               NELEMS(rt_env));
}

/* ------------------------------------------------------------- man page */

/* Prints `s` as roff text: '\' and '-' escaped, a leading '.' or '\'' protected. */
static void roff(FILE *f, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", f);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else
            fputc(*s, f);
    }
}

/* One table as .TP paragraphs: bold name, italic value, the description, the default. */
static void man_table(FILE *f, const help_item *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fputs(".TP\n\\fB", f);
        roff(f, t[i].name);
        fputs("\\fR", f);
        if (t[i].value) {
            fputs("=\\fI", f);
            roff(f, t[i].value);
            fputs("\\fR", f);
        }
        fputc('\n', f);
        roff(f, t[i].desc);
        fputs(".\n", f);
        if (t[i].dflt) {
            fputs("Default: ", f);
            roff(f, t[i].dflt);
            fputs(".\n", f);
        }
    }
}

/* See help.h. */
void rtcc_man(FILE *f)
{
    fprintf(f, ".\\\" rtcc(1) - generated by `rtcc --man` from cc-wrapper/help.c; do not edit.\n"
               ".TH RTCC 1 \"\" \"rtcc %s\" \"User Commands\"\n"
               ".SH NAME\nrtcc \\- compile C programs for recording with runtime_tracing\n"
               ".SH SYNOPSIS\n.B rtcc\n.RI [ \"cc options\" ] \" files\" ...\n.br\n"
               ".B rtcc \\-\\-help\n.br\n.B rtcc \\-\\-version\n"
               ".SH DESCRIPTION\n"
               ".B rtcc\nis a drop-in C compiler: it runs the real compiler (\\fBRTCC_CC\\fR, default\n"
               ".BR cc )\nstep by step and builds programs that record a CodeTracer trace of their run\n"
               "(read it with\n.BR rtrace (1)).\n"
               "C sources are compiled to assembly with debugging information, probes are inserted\n"
               "at each line and before each return, and the result is assembled; executables and\n"
               "shared objects are linked with the tracing runtime librtrace_rt.so.\n"
               "Everything else goes to the real compiler as it is, and its diagnostics reach\n"
               "standard error unchanged.\nTemporary files are removed on every path.\n"
               ".SH OPTIONS\nrtcc accepts the options of the compiler it wraps.\n"
               "What it changes on the command line:\n", RTCC_VERSION);
    man_table(f, changes, NELEMS(changes));
    fputs(".PP\nrtcc's own options (alone on the command line):\n", f);
    man_table(f, own_opts, NELEMS(own_opts));
    fputs(".SH ENVIRONMENT\n.SS \"Environment of rtcc\"\n", f);
    man_table(f, rtcc_env, NELEMS(rtcc_env));
    fputs(".SS \"Environment of the traced program\"\n"
          "Read by librtrace_rt at start-up.\nA bad value is never fatal: the runtime says so once\n"
          "and uses the default.\nAn empty value counts as unset.\n", f);
    man_table(f, rt_env, NELEMS(rt_env));
    fputs(".SH EXIT STATUS\n", f);
    man_table(f, exits, NELEMS(exits));
    fputs(".SH EXAMPLES\nBuild a project for tracing, record a run, check and show the trace:\n"
          ".PP\n.nf\n"
          "make CC=rtcc\n"
          "\\&./configure CC=rtcc && make\n"
          "cmake \\-DCMAKE_C_COMPILER=rtcc \\-S . \\-B build && cmake \\-\\-build build\n"
          "RTCC_CC=clang rtcc \\-o prog prog.c util.c\n"
          "RTRACE_DIR=/tmp/prog.trace RTRACE_FORMAT=binary ./prog\n"
          "rtrace validate /tmp/prog.trace && rtrace print /tmp/prog.trace\n"
          ".fi\n"
          ".SH SEE ALSO\n.BR rtrace (1),\n.BR cc (1),\n.BR gcc (1),\n.BR clang (1)\n", f);
}
