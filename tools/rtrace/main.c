/*
 * tools/rtrace/main.c - entry point of the `rtrace` command: picks the
 * command, parses its options with the shared table and runs it.
 */
#include <string.h>

#include "rtrace_tool.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        tool_help(stderr, NULL);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("rtrace %s\n", RTRACE_VERSION);
        return 0;
    }
    /* Hidden: the man page, generated at build time into share/man/man1/rtrace.1. */
    if (!strcmp(argv[1], "--man")) {
        tool_man(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        tool_help(stdout, NULL);
        return 0;
    }
    for (const tool_cmd *c = tool_cmds; c->name; c++) {
        if (strcmp(c->name, argv[1]) != 0)
            continue;
        tool_opts o;
        int rc = tool_parse(&o, c, argc - 2, argv + 2);
        if (rc)
            return rc;
        if (o.help) {
            tool_help(stdout, c);
            return 0;
        }
        return c->run(&o);
    }
    fprintf(stderr, "rtrace: unknown command '%s' (see rtrace --help)\n", argv[1]);
    return EXIT_USAGE;
}
