/*
 * tools/rtrace/options.c - the one option table of `rtrace` and its parser.
 *
 * Every option is described once, with the commands that accept it and its
 * help line; the parser and every --help text are generated from this table
 * (as curl does), so the help can never disagree with what is accepted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rtrace_tool.h"

enum { C_VALIDATE = 1, C_PRINT = 2, C_STATS = 4, C_CONVERT = 8, C_REPAIR = 16, C_ALL = 31 };

typedef struct tool_opt {
    const char *name;            /* long name without "--" */
    const char *arg;             /* argument name, or NULL for a flag */
    unsigned cmds;               /* commands accepting it */
    const char *help;            /* one line: --help and the man page */
    const char *details;         /* more for the man page, or NULL */
} tool_opt;

static const tool_opt opts[] = {
    { "crashed", NULL, C_VALIDATE, "the program crashed: calls left open at the end are fine",
      "Use it for traces of programs that were killed or crashed, and for traces made valid again by "
      "rtrace repair. Not needed for a program that left through exit, _exit or exec from inside "
      "calls: the recorder notes that with an Event (metadata \"exit\"), after which open calls are "
      "valid." },
    { "max-errors", "N", C_VALIDATE, "report at most N problems (0: all; all are still counted)", NULL },
    { "format", "tree|gdb", C_PRINT, "tree: the call tree for people (default); gdb: the canonical step listing",
      "tree indents calls by depth and shows arguments, return values, each step as file:line with its "
      "source line, the values recorded there and the program's output. gdb prints one "
      "\"STOP function file:line\" line per step followed by its values sorted by name, the listing the "
      "differential tests compare with gdb's." },
    { "no-color", NULL, C_PRINT, "no colours even on a terminal",
      "Colours are used only when standard output is a terminal and NO_COLOR is not set." },
    { "to", "json|binary", C_CONVERT, "the output format (required)",
      "json writes OUT/trace.json, binary OUT/trace.bin (zstd-compressed frames with a seek table)." },
    { "thread", "ID", C_CONVERT, "keep only thread ID's events (and every definition), drop Thread* events",
      "Events before the first ThreadSwitch belong to thread 0, the main thread. Definitions are all kept "
      "so that ids stay the same." },
    { "help", NULL, C_ALL, "show this help", NULL },
};
#define NOPTS (sizeof opts / sizeof opts[0])

const tool_cmd tool_cmds[] = {
    { "validate", "DIR", "check a trace folder as CodeTracer reads it (exit 0 valid, 1 not)",
      "Reads the trace in folder DIR (trace.json or trace.bin and its side files) with the library's "
      "validator and prints one line per problem, each naming its event number or the side file at fault. "
      "Exit status 0 when the trace is valid, 1 when it is not or cannot be read.", 1, cmd_validate },
    { "print", "DIR", "show a trace: the call tree with steps, values and output",
      "Walks the events of DIR once and prints them in the format chosen with --format. The step written "
      "just before each call (the callee's line, as upstream's register_call writes it) is not shown.",
      1, cmd_print },
    { "stats", "DIR", "counts per event kind, calls, depth, threads, definitions, sizes",
      "One streaming pass over DIR: events per kind, steps, calls, the deepest call nesting per thread, "
      "definitions, the sizes of the trace files with bytes per event, and for each thread (its id as in "
      "ThreadStart/ThreadSwitch, the one convert --thread takes) its steps, calls and deepest nesting.",
      1, cmd_stats },
    { "convert", "IN OUT", "copy trace folder IN to OUT in another format",
      "Re-encodes every event of trace folder IN into folder OUT and copies the side files and files/. "
      "json to binary and back gives the same events.", 2, cmd_convert },
    { "repair", "DIR", "make a trace cut off by a killed process valid again",
      "Keeps every complete event: a trace.json is cut after its last complete event and closed; a "
      "trace.bin is read leniently and written again with a new seek table, replacing the old file "
      "atomically; trace_paths.json is rewritten from the Path events when missing or stale. It says what "
      "it did; exit status 0 when the folder is (now) readable, 1 when it cannot be repaired.",
      1, cmd_repair },
    { NULL, NULL, NULL, NULL, 0, NULL },
};

/* Exit statuses and environment variables: the general --help and the man page. */
static const struct { const char *name, *help; } exits[] = {
    { "0", "success (validate: the trace is valid)" },
    { "1", "bad input, an invalid trace or one that cannot be read or repaired" },
    { "2", "usage error: unknown command or option, missing argument" },
};
static const struct { const char *name, *help; } envs[] = {
    { "NO_COLOR", "when set, rtrace print uses no colours even on a terminal" },
};
#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static unsigned cmd_bit(const tool_cmd *cmd)
{
    return 1u << (unsigned)(cmd - tool_cmds);
}

/* Prints `text` word-wrapped to `width` columns, each line indented by `indent`. */
static void wrap(FILE *f, const char *text, int indent, int width)
{
    int col = 0;
    while (*text) {
        size_t n = strcspn(text, " ");
        if (col > indent && col + 1 + (int)n > width) {
            fputc('\n', f);
            col = 0;
        }
        if (col == 0) {
            fprintf(f, "%*s", indent, "");
            col = indent;
        } else {
            fputc(' ', f);
            col++;
        }
        fprintf(f, "%.*s", (int)n, text);
        col += (int)n;
        text += n;
        while (*text == ' ')
            text++;
    }
    if (col)
        fputc('\n', f);
}

/* See rtrace_tool.h. */
void tool_help(FILE *f, const tool_cmd *cmd)
{
    if (!cmd) {
        fprintf(f, "rtrace %s - read, check and convert CodeTracer traces\n\n"
                   "usage: rtrace COMMAND [options] ARGS...\n       rtrace --version\n\ncommands:\n",
                RTRACE_VERSION);
        for (const tool_cmd *c = tool_cmds; c->name; c++)
            fprintf(f, "  %-9s %-7s %s\n", c->name, c->args, c->summary);
        fprintf(f, "\n'rtrace COMMAND --help' shows a command's options.\nexit codes:\n");
        for (size_t i = 0; i < NELEMS(exits); i++)
            fprintf(f, "  %-9s %s\n", exits[i].name, exits[i].help);
        fprintf(f, "environment:\n");
        for (size_t i = 0; i < NELEMS(envs); i++)
            fprintf(f, "  %-9s %s\n", envs[i].name, envs[i].help);
        return;
    }
    fprintf(f, "usage: rtrace %s [options] %s\n  %s\n\n", cmd->name, cmd->args, cmd->summary);
    wrap(f, cmd->details, 2, 78);
    fprintf(f, "\noptions:\n");
    for (size_t i = 0; i < NOPTS; i++) {
        if (!(opts[i].cmds & cmd_bit(cmd)))
            continue;
        char lhs[64];
        snprintf(lhs, sizeof lhs, "--%s%s%s", opts[i].name, opts[i].arg ? "=" : "", opts[i].arg ? opts[i].arg : "");
        fprintf(f, "  %-22s %s\n", lhs, opts[i].help);
    }
}

/*
 * Prints `s` as roff text: backslashes and hyphens escaped ('-' is a minus
 * sign in option names, and a man page must say so), a leading '.' or '\''
 * protected so that it is not read as a request.
 */
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

/* Prints a sentence and a period if it has none. */
static void roff_sentence(FILE *f, const char *s)
{
    roff(f, s);
    size_t n = strlen(s);
    if (n && s[n - 1] != '.')
        fputc('.', f);
}

/* See rtrace_tool.h. */
void tool_man(FILE *f)
{
    fprintf(f, ".\\\" rtrace(1) - generated by `rtrace --man` from tools/rtrace/options.c; do not edit.\n"
               ".TH RTRACE 1 \"\" \"rtrace %s\" \"User Commands\"\n"
               ".SH NAME\nrtrace \\- read, check and convert CodeTracer traces\n"
               ".SH SYNOPSIS\n", RTRACE_VERSION);
    for (const tool_cmd *c = tool_cmds; c->name; c++) {
        fprintf(f, "\\fBrtrace %s\\fR [\\fIoptions\\fR] \\fI%s\\fR\n.br\n", c->name, c->args);
    }
    fprintf(f, ".B rtrace \\-\\-help\n.br\n.B rtrace\n.I COMMAND\n.B \\-\\-help\n.br\n"
               ".B rtrace \\-\\-version\n"
               ".SH DESCRIPTION\n"
               ".B rtrace\nreads the trace folders that programs compiled with\n.BR rtcc (1)\n"
               "write (trace.json or trace.bin, with trace_metadata.json, trace_paths.json and files/),\n"
               "in the format CodeTracer reads.\nEach command takes its options before or after its arguments;\n"
               "an option's value follows it as \\fB\\-\\-name=value\\fR or \\fB\\-\\-name value\\fR.\n"
               ".SH COMMANDS\n");
    for (const tool_cmd *c = tool_cmds; c->name; c++) {
        fprintf(f, ".SS \"rtrace %s %s\"\n", c->name, c->args);
        roff_sentence(f, c->summary);
        fputc('\n', f);
        fprintf(f, ".PP\n");
        roff(f, c->details);
        fprintf(f, "\n.PP\nOptions:\n");
        for (size_t i = 0; i < NOPTS; i++) {
            if (!(opts[i].cmds & cmd_bit(c)))
                continue;
            fprintf(f, ".TP\n.B \\-\\-");
            roff(f, opts[i].name);
            if (opts[i].arg) {
                fprintf(f, "\\fR=\\fI");
                roff(f, opts[i].arg);
                fprintf(f, "\\fR");
            }
            fputc('\n', f);
            roff_sentence(f, opts[i].help);
            if (opts[i].details) {
                fputc('\n', f);
                roff(f, opts[i].details);
            }
            fputc('\n', f);
        }
    }
    fprintf(f, ".SH OPTIONS\n.TP\n.BR \\-\\-help \", \" \\-h\nthe list of commands, or with a command its options.\n"
               ".TP\n.BR \\-\\-version \", \" \\-V\nrtrace's version.\n"
               ".SH EXIT STATUS\n");
    for (size_t i = 0; i < NELEMS(exits); i++) {
        fprintf(f, ".TP\n.B %s\n", exits[i].name);
        roff_sentence(f, exits[i].help);
        fputc('\n', f);
    }
    if (NELEMS(envs)) {
        fprintf(f, ".SH ENVIRONMENT\n");
        for (size_t i = 0; i < NELEMS(envs); i++) {
            fprintf(f, ".TP\n.B ");
            roff(f, envs[i].name);
            fputc('\n', f);
            roff_sentence(f, envs[i].help);
            fputc('\n', f);
        }
    }
    fprintf(f, ".SH EXAMPLES\n.nf\nrtcc \\-g prog.c \\-o prog && ./prog\n"
               "rtrace validate prog.trace\nrtrace print prog.trace\n"
               "rtrace convert prog.trace prog.bin.trace \\-\\-to binary\n.fi\n"
               ".SH SEE ALSO\n.BR rtcc (1)\n");
}

/* Stores the value of option i. 0 or EXIT_USAGE. */
static int set_opt(tool_opts *o, size_t i, const char *val)
{
    const char *n = opts[i].name;
    char *end;
    if (!strcmp(n, "crashed")) o->crashed = true;
    else if (!strcmp(n, "no-color")) o->no_color = true;
    else if (!strcmp(n, "help")) o->help = true;
    else if (!strcmp(n, "format")) {
        if (strcmp(val, "tree") && strcmp(val, "gdb")) {
            fprintf(stderr, "rtrace: --format must be tree or gdb, not '%s'\n", val);
            return EXIT_USAGE;
        }
        o->format = val;
    } else if (!strcmp(n, "to")) {
        if (strcmp(val, "json") && strcmp(val, "binary")) {
            fprintf(stderr, "rtrace: --to must be json or binary, not '%s'\n", val);
            return EXIT_USAGE;
        }
        o->to = val;
    } else if (!strcmp(n, "max-errors") || !strcmp(n, "thread")) {
        errno = 0;
        unsigned long long v = strtoull(val, &end, 10);
        if (errno || !*val || *end || val[0] == '-') {
            fprintf(stderr, "rtrace: --%s needs a non-negative number, not '%s'\n", n, val);
            return EXIT_USAGE;
        }
        if (n[0] == 'm')
            o->max_errors = (size_t)v;
        else {
            o->thread = v;
            o->has_thread = true;
        }
    }
    return 0;
}

/* See rtrace_tool.h. */
int tool_parse(tool_opts *o, const tool_cmd *cmd, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->format = "tree";
    bool only_pos = false;
    for (int a = 0; a < argc; a++) {
        const char *s = argv[a];
        if (only_pos || s[0] != '-' || s[1] == '\0') {
            if (o->npos == (int)(sizeof o->pos / sizeof o->pos[0]) || o->npos >= cmd->npos) {
                fprintf(stderr, "rtrace %s: unexpected argument '%s' (see rtrace %s --help)\n", cmd->name, s, cmd->name);
                return EXIT_USAGE;
            }
            o->pos[o->npos++] = s;
            continue;
        }
        if (!strcmp(s, "--")) {
            only_pos = true;
            continue;
        }
        if (!strcmp(s, "-h"))
            s = "--help";
        if (s[1] != '-') {
            fprintf(stderr, "rtrace %s: unknown option '%s' (see rtrace %s --help)\n", cmd->name, s, cmd->name);
            return EXIT_USAGE;
        }
        const char *name = s + 2, *eq = strchr(name, '=');
        size_t nl = eq ? (size_t)(eq - name) : strlen(name);
        size_t i;
        for (i = 0; i < NOPTS; i++)
            if (strlen(opts[i].name) == nl && !strncmp(opts[i].name, name, nl))
                break;
        if (i == NOPTS || !(opts[i].cmds & cmd_bit(cmd))) {
            fprintf(stderr, "rtrace %s: unknown option '%s' (see rtrace %s --help)\n", cmd->name, s, cmd->name);
            return EXIT_USAGE;
        }
        const char *val = NULL;
        if (opts[i].arg) {
            if (eq)
                val = eq + 1;
            else if (a + 1 < argc)
                val = argv[++a];
            else {
                fprintf(stderr, "rtrace %s: --%s needs an argument (%s)\n", cmd->name, opts[i].name, opts[i].arg);
                return EXIT_USAGE;
            }
        } else if (eq) {
            fprintf(stderr, "rtrace %s: --%s takes no argument\n", cmd->name, opts[i].name);
            return EXIT_USAGE;
        }
        int rc = set_opt(o, i, val);
        if (rc)
            return rc;
    }
    if (o->help)
        return 0;
    if (o->npos < cmd->npos) {
        fprintf(stderr, "rtrace %s: missing %s (usage: rtrace %s [options] %s)\n", cmd->name, cmd->args, cmd->name,
                cmd->args);
        return EXIT_USAGE;
    }
    if (cmd->run == cmd_convert && !o->to) {
        fprintf(stderr, "rtrace convert: --to json|binary is required\n");
        return EXIT_USAGE;
    }
    return 0;
}
