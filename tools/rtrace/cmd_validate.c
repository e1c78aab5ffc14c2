/*
 * tools/rtrace/cmd_validate.c - `rtrace validate DIR [--crashed]
 * [--max-errors N]`: runs the library's validator and prints one line per
 * problem (each names its event number, or the side file at fault).
 * Exit 0 when valid, 1 when not (or unreadable), 2 on usage errors.
 */
#include "rtrace_tool.h"

/* Prints one problem. */
static void print_problem(void *ctx, int64_t event_index, const char *message)
{
    (void)ctx;
    (void)event_index;                /* every message already names its event */
    printf("error: %s\n", message);
}

int cmd_validate(const tool_opts *o)
{
    const char *dir = o->pos[0];
    int rc = tool_check_dir(dir);
    if (rc)
        return rc;
    size_t n = 0;
    rc = rtrace_validate(&n, dir, o->crashed ? RTRACE_VALIDATE_CRASHED : 0, o->max_errors, print_problem, NULL);
    if (n == 0 && rc == 0) {
        printf("%s: valid%s\n", dir, o->crashed ? " (as a crashed trace)" : "");
        return 0;
    }
    if (o->max_errors && n > o->max_errors)
        printf("... %zu more problems not shown\n", n - o->max_errors);
    printf("%s: INVALID, %zu problem%s\n", dir, n, n == 1 ? "" : "s");
    return EXIT_BAD;
}
