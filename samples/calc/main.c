/*
 * samples/calc/main.c - the command line of rtrace-calc:
 *
 *     rtrace-calc [-o DIR] [-f json|binary] [-n] SCRIPT [ARGS...]
 *
 * Runs SCRIPT and records it into the trace folder DIR (default:
 * ./<script name without .calc>.trace) in JSON (default) or binary; -n runs
 * without recording. Exit status: 0, 1 on a runtime error, 2 on bad usage,
 * a syntax error, or a trace that could not be written.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtrace/tracer.h"
#include "calc.h"

static int usage(void)
{
    fprintf(stderr, "usage: rtrace-calc [-o DIR] [-f json|binary] [-n] SCRIPT [ARGS...]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    rtrace_format format = RTRACE_FORMAT_JSON;
    bool record = true;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            dir = argv[++i];
        } else if (!strcmp(argv[i], "-f") && i + 1 < argc) {
            i++;
            if (!strcmp(argv[i], "json"))
                format = RTRACE_FORMAT_JSON;
            else if (!strcmp(argv[i], "binary"))
                format = RTRACE_FORMAT_BINARY;
            else
                return usage();
        } else if (!strcmp(argv[i], "-n")) {
            record = false;
        } else {
            return usage();
        }
    }
    if (i >= argc)
        return usage();
    const char *script = argv[i];
    char path[PATH_MAX];
    if (!realpath(script, path)) {
        fprintf(stderr, "rtrace-calc: cannot open %s\n", script);
        return 2;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "rtrace-calc: cannot open %s\n", script);
        return 2;
    }
    static char src[1 << 20];
    size_t n = fread(src, 1, sizeof src - 1, f);
    fclose(f);
    src[n] = '\0';

    char err[256];
    calc_token *toks;
    size_t ntoks;
    calc_block prog;
    if (calc_lex(src, &toks, &ntoks, err, sizeof err) || calc_parse(toks, ntoks, &prog, err, sizeof err)) {
        fprintf(stderr, "rtrace-calc: %s: %s\n", script, err);
        return 2;
    }

    char defdir[PATH_MAX];
    if (!dir) {
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        size_t bl = strlen(base);
        if (bl > 5 && !strcmp(base + bl - 5, ".calc"))
            bl -= 5;
        snprintf(defdir, sizeof defdir, "%.*s.trace", (int)bl, base);
        dir = defdir;
    }
    rtrace_tracer *t = NULL;
    if (record) {
        if (rtrace_tracer_open(&t, dir, path, (const char *const *)argv + i + 1, (size_t)(argc - i - 1), format) ||
            rtrace_tracer_start(t, path, 1)) {
            fprintf(stderr, "rtrace-calc: cannot record into %s: %s\n", dir, rtrace_last_error());
            rtrace_tracer_free(t);
            return 2;
        }
    }
    int rc = calc_run(&prog, path, t);
    fflush(stdout);
    if (t) {
        if (rtrace_tracer_close(t)) {
            fprintf(stderr, "rtrace-calc: trace %s: %s\n", dir, rtrace_last_error());
            rc = 2;
        }
        rtrace_tracer_free(t);
    }
    return rc;
}
