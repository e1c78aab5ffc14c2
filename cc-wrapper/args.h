/*
 * cc-wrapper/args.h - rtcc's view of a C compiler command line: every
 * argument classified (input, option for the compile steps, for the link
 * step, for both, or handled by rtcc itself), so that rtcc can rebuild the
 * command lines of the steps it runs (compile to .s, assemble, link).
 */
#ifndef RTCC_ARGS_H
#define RTCC_ARGS_H

#include <stdbool.h>
#include <stddef.h>

/* An argv list that grows. */
typedef struct rtcc_argv {
    char **v;
    size_t n, cap;
} rtcc_argv;

void rtcc_argv_push(rtcc_argv *a, const char *s);      /* copies s; exits on ENOMEM */
void rtcc_argv_pushf(rtcc_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rtcc_argv_free(rtcc_argv *a);

/* What an input file is. */
typedef enum {
    RTCC_IN_C,         /* C (or preprocessed C): traced */
    RTCC_IN_ASM,       /* .s: assembled untouched */
    RTCC_IN_ASM_CPP,   /* .S / .sx: preprocessed and assembled untouched */
    RTCC_IN_OTHER,     /* another language (.cc, .m, .f90 ...): compiled untraced */
    RTCC_IN_LINK       /* object, archive, shared object, anything else */
} rtcc_in_kind;

/* How an argument is used. */
typedef enum {
    RTCC_A_BOTH,       /* passed to compile and link steps */
    RTCC_A_COMPILE,    /* compile steps only (-I, -D, -std=, ...) */
    RTCC_A_ASM,        /* assembler steps only (-Wa,..., -Xassembler x) */
    RTCC_A_LINK,       /* link step only (-l, -L, -Wl, -shared, ...) */
    RTCC_A_DEPS,       /* dependency options (-MD, -MF f, ...): the compile of C */
    RTCC_A_INPUT,      /* an input file */
    RTCC_A_SELF        /* handled by rtcc (-c -S -E -o -x -O* -flto, -g options it
                          replaces or drops ...) */
} rtcc_arg_class;

typedef struct rtcc_arg {
    const char *s;            /* the argument */
    const char *val;          /* its value, for options taking the next argv (else NULL) */
    rtcc_arg_class cls;
    rtcc_in_kind kind;        /* inputs */
    const char *xlang;        /* inputs: the -x language in effect (NULL = none) */
} rtcc_arg;

typedef enum {
    RTCC_MODE_LINK = 0,       /* the default: compile and link */
    RTCC_MODE_COMPILE,        /* -c */
    RTCC_MODE_ASM,            /* -S */
    RTCC_MODE_PREPROCESS      /* -E, or -M/-MM without -MD/-MMD */
} rtcc_mode;

typedef struct rtcc_cmdline {
    rtcc_arg *a;
    size_t n;
    rtcc_mode mode;
    const char *output;       /* -o value or NULL */
    size_t ninputs, nsources; /* inputs; of which C sources */
    bool info;                /* --version, -v alone, -print-*, -dump*, -###,
                                 -fsyntax-only: pass through */
    const char *unsupported;  /* an option rtcc cannot trace with (-m32, -mx32) */
    bool verbose;             /* -v */
    bool deps;                /* -MD or -MMD */
    bool deps_file;           /* -MF given */
    bool deps_target;         /* -MT or -MQ given */
    bool dropped_lto;         /* -flto was removed */
    bool dropped_opt;         /* an -O level was replaced by -O0 */
    bool shared;              /* -shared */
    bool nostdlib;            /* -nostdlib / -nodefaultlibs / -nostartfiles / -r */
    const char *opt_kept;     /* with RTCC_KEEP_OPT=1: the last -O option */
    rtcc_argv storage;        /* strings owned (response file contents) */
} rtcc_cmdline;

/*
 * Parses argv[1..argc-1] (response files @file expanded in place).
 * keep_opt: keep -O levels (RTCC_KEEP_OPT=1).  Returns 0, or -1 with a
 * message in err (an unreadable response file is kept literally, as gcc does).
 */
int rtcc_parse(int argc, char **argv, bool keep_opt, rtcc_cmdline *cl, char *err, size_t errlen);
void rtcc_cmdline_free(rtcc_cmdline *cl);

/*
 * What rtcc does with a -g option.  The runtime needs full DWARF (the
 * variables) in the program itself, and rtcc always adds -g after the
 * user's options: with gcc it raises a lower level to 2 and keeps -g3, with
 * clang the last -g gives full information.
 */
typedef enum {
    RTCC_G_NONE,       /* not a -g option */
    RTCC_G_KEEP,       /* a full level, a debugger tuning or how the DWARF is written (-g,
                          -g2, -g3, -ggdb[2|3], -gdwarf[-N], -gdwarf32/64, -gz[=...],
                          -glldb, -gsce, -gdbx): kept, for the assembler step too (it
                          writes the line table and the debug sections) */
    RTCC_G_MODIFIER,   /* any other -g option (-grecord-gcc-switches, -gstrict-dwarf,
                          -gcolumn-info, -gpubnames, -gembed-source, -gbtf ...): kept
                          for the compiler and the linker; clang -Werror would call it
                          unused on the assembler step */
    RTCC_G_LOW,        /* a level below full (-g0, -g1, -ggdb0, -ggdb1, -gline-tables-only,
                          -gmlt, -gline-directives-only): replaced by -g */
    RTCC_G_FORMAT,     /* a format other than DWARF (-gstabs*, -gxcoff*, -gvms*, -gcoff*,
                          -gcodeview): replaced by -g */
    RTCC_G_SPLIT,      /* -gsplit-dwarf[=...]: dropped (the DWARF would be in .dwo files) */
    RTCC_G_TOGGLE,     /* -gtoggle: dropped (gcc would turn rtcc's -g off) */
    RTCC_G_NO_LOC      /* -gno-as-loc-support: dropped (the probes are placed from the
                          .loc directives gcc then leaves out) */
} rtcc_g_kind;

/* The kind of the option `s` (any argument; RTCC_G_NONE when it is no -g option). */
rtcc_g_kind rtcc_g_option(const char *s);

/* The kind of an input file from its name (and the -x language, may be NULL). */
rtcc_in_kind rtcc_input_kind(const char *path, const char *xlang);

#endif
