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
    const char *help;
} tool_opt;

static const tool_opt opts[] = {
    { "crashed", NULL, C_VALIDATE, "the program crashed: calls left open at the end are fine" },
    { "max-errors", "N", C_VALIDATE, "report at most N problems (0: all; all are still counted)" },
    { "format", "tree|gdb", C_PRINT, "tree: the call tree for people (default); gdb: the canonical step listing" },
    { "no-color", NULL, C_PRINT, "no colours even on a terminal" },
    { "to", "json|binary", C_CONVERT, "the output format (required)" },
    { "thread", "ID", C_CONVERT, "keep only thread ID's events (and every definition), drop Thread* events" },
    { "help", NULL, C_ALL, "show this help" },
};
#define NOPTS (sizeof opts / sizeof opts[0])

const tool_cmd tool_cmds[] = {
    { "validate", "DIR", "check a trace folder as CodeTracer reads it (exit 0 valid, 1 not)", 1, cmd_validate },
    { "print", "DIR", "show a trace: the call tree with steps, values and output", 1, cmd_print },
    { "stats", "DIR", "counts per event kind, calls, depth, definitions, sizes", 1, cmd_stats },
    { "convert", "IN OUT", "copy trace folder IN to OUT in another format", 2, cmd_convert },
    { "repair", "DIR", "make a trace cut off by a killed process valid again", 1, cmd_repair },
    { NULL, NULL, NULL, 0, NULL },
};

static unsigned cmd_bit(const tool_cmd *cmd)
{
    return 1u << (unsigned)(cmd - tool_cmds);
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
        fprintf(f, "\n'rtrace COMMAND --help' shows a command's options.\n"
                   "Exit codes: 0 success, 1 bad input or invalid trace, 2 usage error.\n");
        return;
    }
    fprintf(f, "usage: rtrace %s [options] %s\n  %s\n\noptions:\n", cmd->name, cmd->args, cmd->summary);
    for (size_t i = 0; i < NOPTS; i++) {
        if (!(opts[i].cmds & cmd_bit(cmd)))
            continue;
        char lhs[64];
        snprintf(lhs, sizeof lhs, "--%s%s%s", opts[i].name, opts[i].arg ? "=" : "", opts[i].arg ? opts[i].arg : "");
        fprintf(f, "  %-22s %s\n", lhs, opts[i].help);
    }
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
