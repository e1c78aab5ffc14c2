/*
 * tools/rtrace/rtrace_tool.h - what the files of the `rtrace` command share:
 * the parsed options (filled from the single option table in options.c, which
 * also generates every --help text), the command entry points (one file per
 * command) and small helpers (trace folder checks, copying side files, the
 * value and model tables that print and stats build while reading).
 *
 * Exit codes of every command: 0 success / valid, 1 bad input or invalid
 * trace, 2 usage error.
 */
#ifndef RTRACE_TOOL_H
#define RTRACE_TOOL_H

#include <stdio.h>
#include "rtrace/rtrace.h"

#define EXIT_BAD 1
#define EXIT_USAGE 2

/* Options of all commands; options.c knows which command accepts which. */
typedef struct tool_opts {
    bool crashed;                /* validate --crashed */
    size_t max_errors;           /* validate --max-errors N */
    const char *format;          /* print --format=tree|gdb */
    bool no_color;               /* print --no-color */
    const char *to;              /* convert --to json|binary */
    bool has_thread;             /* convert --thread ID */
    uint64_t thread;
    bool help;
    const char *pos[4];          /* positional arguments */
    int npos;
} tool_opts;

typedef struct tool_cmd {
    const char *name;
    const char *args;            /* positional arguments for the usage line */
    const char *summary;         /* one line: `rtrace --help` and the man page */
    const char *details;         /* a paragraph: `rtrace CMD --help` and the man page */
    int npos;                    /* required positional count */
    int (*run)(const tool_opts *o);
} tool_cmd;

extern const tool_cmd tool_cmds[];

/* Parses argv (after the command name) for `cmd`. 0, or EXIT_USAGE with a message printed. */
int tool_parse(tool_opts *o, const tool_cmd *cmd, int argc, char **argv);
/* Prints the --help text of `cmd` (NULL: the general help) generated from the option table. */
void tool_help(FILE *f, const tool_cmd *cmd);
/* Prints the man page rtrace(1) (roff), generated from the same tables as --help. */
void tool_man(FILE *f);

int cmd_validate(const tool_opts *o);
int cmd_print(const tool_opts *o);
int cmd_stats(const tool_opts *o);
int cmd_convert(const tool_opts *o);
int cmd_repair(const tool_opts *o);

/* Checks that `dir` is a readable trace folder; prints why not and returns EXIT_BAD. */
int tool_check_dir(const char *dir);
/* Copies file src to dst (creating parents). 0 or -1 with a message printed. */
int tool_copy_file(const char *src, const char *dst);
/* Copies the tree src into dst recursively. 0 or -1. */
int tool_copy_tree(const char *src, const char *dst);
/* mkdir -p. 0 or -1. */
int tool_mkdirs(const char *path);

/* ---- the trace model that print and stats keep while reading ---------- */
typedef struct tool_type { int kind; int info; char *lang; char **fields; size_t nfields; } tool_type;
typedef struct tool_model {
    char **paths; size_t npaths, cpaths;
    char **funcs; uint64_t *func_path, *func_line; size_t nfuncs, cfuncs;
    tool_type *types; size_t ntypes, ctypes;
    char **vars; size_t nvars, cvars;
} tool_model;
/* Records a definition event (Path, Function, Type, VariableName, Variable). True if it was one. */
bool model_define(tool_model *m, const rtrace_event *ev);
void model_free(tool_model *m);
const char *model_var(const tool_model *m, uint64_t id);
const char *model_func(const tool_model *m, uint64_t id);
const char *model_path(const tool_model *m, uint64_t id);

/* A growable text buffer. */
typedef struct tool_buf { char *p; size_t len, cap; } tool_buf;
void buf_put(tool_buf *b, const char *s, size_t n);
void buf_puts(tool_buf *b, const char *s);
void buf_printf(tool_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(tool_buf *b);

/*
 * Appends the canonical text of a value (tests/diff/CANONICAL.md) to b.
 * `in_deref`: inside a pointed-to value (pointers then print as <ptr>).
 */
void canon_value(tool_buf *b, const tool_model *m, const rtrace_value *v, bool in_deref);

#endif
