/*
 * runtime/config.c - the runtime's configuration, read once from the
 * environment at start-up into rt_cfg.
 *
 *   RTRACE_DIR=path           trace folder (default ./<program>.trace)
 *   RTRACE_FORMAT=json|binary trace.json (default) or trace.bin
 *   RTRACE_MODE=full|calls    steps and values (default), or calls only
 *   RTRACE_QUIET=0|1          1: no summary line at exit
 *   RTRACE_STATS=0|1          1: the summary line also tells the share of the events
 *                             the probes' fast path wrote (the rest took the general
 *                             path: slower shapes, see fastpath.c) and, binary, the
 *                             zstd frames and how many the program's threads
 *                             compressed (lib/sink.c's help)
 *   RTRACE_THREADS=all|main   record every thread (default) or the main one
 *   RTRACE_FILTER=...         passed to the core unparsed
 *   RTRACE_MAX_DEPTH=N        pointer levels followed (default 2, at most 64)
 *   RTRACE_MAX_ELEMS=N        array elements shown (default 32)
 *   RTRACE_MAX_STRING=N       bytes of a string shown (default 256)
 *   RTRACE_MAX_EVENTS=N       stop recording after N events (0 = no limit)
 *   RTRACE_MAX_BYTES=N[K|M|G] stop after N bytes of events (0 = no limit)
 *   RTRACE_RING=N             keep only the last N events (0 = off)
 *   RTRACE_ZSTD_LEVEL=N       binary: zstd level -7..22 (default -2: on the bench
 *                             programs' streams no slower than -3, with files 30-50%
 *                             smaller; see lib/sink.c, sink_cctx)
 *   RTRACE_NO_PATCH=0|1       1: leave every probe in place (by default the probes
 *                             that cannot change the trace are patched out at
 *                             start-up and dlopen, see patch.c): an escape hatch,
 *                             and the reference the tests compare patched runs with.
 *                             Kept in rt_cfg_no_patch (patch.h), not in rt_cfg.
 *   RTRACE_NO_FAST=0|1        1: every probe takes the general path (step.c), none
 *                             the fast path (fastpath.c): the same trace, slower; the
 *                             reference the tests compare the fast path's traces with.
 *
 * A bad value is never fatal: the program must run the same traced or not.
 * It gets one message naming the variable and what is accepted, and the
 * default is used. An empty value counts as unset. The parser takes a lookup
 * function instead of calling getenv itself so that tests can feed it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"
#include "patch.h"

RT_HIDDEN rt_config rt_cfg;
RT_HIDDEN bool rt_cfg_no_patch;   /* RTRACE_NO_PATCH (patch.h) */

/* Case-insensitive ASCII comparison (strcasecmp depends on the locale). */
static bool eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? *a + 32 : *a;
        char y = *b >= 'A' && *b <= 'Z' ? *b + 32 : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

/*
 * Parses a non-negative decimal integer with an optional K, M or G suffix
 * (powers of 1024) when `suffixes`. Returns false on anything else (signs,
 * junk, overflow, a value above `max`).
 */
static bool parse_u64(const char *s, bool suffixes, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (*p && suffixes) {
        unsigned shift = 0;
        switch (*p) {
        case 'k': case 'K': shift = 10; break;
        case 'm': case 'M': shift = 20; break;
        case 'g': case 'G': shift = 30; break;
        default: return false;
        }
        p++;
        if ((*p == 'i' || *p == 'I') && (p[1] == 'B' || p[1] == 'b'))
            p += 2;
        else if (*p == 'B' || *p == 'b')
            p++;
        if (v > (UINT64_MAX >> shift))
            return false;
        v <<= shift;
    }
    if (*p || v > max)
        return false;
    *out = v;
    return true;
}

/* Looks a variable up; NULL when unset or empty. */
static const char *get_var(rt_getenv_fn get, void *ctx, const char *name)
{
    const char *v = get(name, ctx);
    return v && *v ? v : NULL;
}

/* Reads an unsigned variable into *dst, reporting a bad value. */
static int num_var(rt_getenv_fn get, void *ctx, const char *name, bool suffixes,
                   uint64_t max, uint64_t *dst, const char *accepted)
{
    const char *v = get_var(get, ctx, name);
    uint64_t n;
    if (!v)
        return 0;
    if (parse_u64(v, suffixes, max, &n)) {
        *dst = n;
        return 0;
    }
    rt_warn("%s=\"%.*s\" is not valid: expected %s; using the default %llu",
            name, 64, v, accepted, (unsigned long long)*dst);
    return 1;
}

/* Reads a variable that must be one of two words; *dst = index of the match. */
static int word_var(rt_getenv_fn get, void *ctx, const char *name,
                    const char *w0, const char *w1, int *dst)
{
    const char *v = get_var(get, ctx, name);
    if (!v)
        return 0;
    if (eq(v, w0)) {
        *dst = 0;
        return 0;
    }
    if (eq(v, w1)) {
        *dst = 1;
        return 0;
    }
    rt_warn("%s=\"%.*s\" is not valid: expected %s or %s; using the default %s",
            name, 64, v, w0, w1, *dst ? w1 : w0);
    return 1;
}

/* Reads a 0|1 variable (also yes/no, true/false, on/off) into *dst; the
 * default is off. */
static int bool_var(rt_getenv_fn get, void *ctx, const char *name, bool *dst)
{
    const char *v = get_var(get, ctx, name);
    if (!v)
        return 0;
    if (eq(v, "1") || eq(v, "yes") || eq(v, "true") || eq(v, "on")) {
        *dst = true;
        return 0;
    }
    if (eq(v, "0") || eq(v, "no") || eq(v, "false") || eq(v, "off"))
        return 0;
    rt_warn("%s=\"%.*s\" is not valid: expected 1 or 0; using the default 0", name, 64, v);
    return 1;
}

/*
 * rt_config_parse: fills *c from the RTRACE_* variables (see the file
 * comment). Never fails: returns the number of bad values, each reported once.
 */
int rt_config_parse(rt_config *c, rt_getenv_fn get, void *ctx, const char *progname)
{
    int bad = 0;
    memset(c, 0, sizeof *c);
    c->format = RTRACE_FORMAT_JSON;
    c->mode = RT_MODE_FULL;
    c->threads_all = true;
    c->max_depth = 2;
    c->max_elems = 32;
    c->max_string = 256;
    c->zstd_level = -2;

    const char *dir = get_var(get, ctx, "RTRACE_DIR");
    if (dir && strlen(dir) < sizeof c->dir - 32) {   /* room for ".<pid>" and "/trace.json" */
        strcpy(c->dir, dir);
    } else {
        if (dir) {
            rt_warn("RTRACE_DIR is too long (%zu bytes, at most %zu): using the default",
                    strlen(dir), sizeof c->dir - 33);
            bad++;
        }
        const char *name = progname && *progname ? progname : "program";
        rt_format(c->dir, sizeof c->dir - 32, "./%s.trace", name);
    }

    int w = 0;
    bad += word_var(get, ctx, "RTRACE_FORMAT", "json", "binary", &w);
    c->format = w ? RTRACE_FORMAT_BINARY : RTRACE_FORMAT_JSON;
    w = 0;
    bad += word_var(get, ctx, "RTRACE_MODE", "full", "calls", &w);
    c->mode = w ? RT_MODE_CALLS : RT_MODE_FULL;
    w = 0;
    bad += word_var(get, ctx, "RTRACE_THREADS", "all", "main", &w);
    c->threads_all = w == 0;

    bad += bool_var(get, ctx, "RTRACE_QUIET", &c->quiet);
    bad += bool_var(get, ctx, "RTRACE_NO_FAST", &c->no_fast);
    bad += bool_var(get, ctx, "RTRACE_STATS", &c->stats);
    c->filter = get_var(get, ctx, "RTRACE_FILTER");
    rt_cfg_no_patch = false;
    bad += bool_var(get, ctx, "RTRACE_NO_PATCH", &rt_cfg_no_patch);

    uint64_t v = c->max_depth;
    bad += num_var(get, ctx, "RTRACE_MAX_DEPTH", false, 64, &v, "a number from 0 to 64");
    c->max_depth = (uint32_t)v;
    v = c->max_elems;
    bad += num_var(get, ctx, "RTRACE_MAX_ELEMS", false, 1u << 20, &v, "a number from 0 to 1048576");
    c->max_elems = (uint32_t)v;
    v = c->max_string;
    bad += num_var(get, ctx, "RTRACE_MAX_STRING", false, 1u << 24, &v, "a number from 0 to 16777216");
    c->max_string = (uint32_t)v;
    bad += num_var(get, ctx, "RTRACE_MAX_EVENTS", false, UINT64_MAX, &c->max_events,
                   "a number of events (0 = no limit)");
    bad += num_var(get, ctx, "RTRACE_MAX_BYTES", true, UINT64_MAX, &c->max_bytes,
                   "a number of bytes, optionally with K, M or G (0 = no limit)");
    bad += num_var(get, ctx, "RTRACE_RING", false, 1ull << 32, &c->ring,
                   "a number of events to keep (0 = off)");

    const char *z = get_var(get, ctx, "RTRACE_ZSTD_LEVEL");
    if (z) {
        bool neg = *z == '-';
        uint64_t n;
        if (parse_u64(z + neg, false, neg ? 7 : 22, &n))
            c->zstd_level = neg ? -(int)n : (int)n;
        else {
            rt_warn("RTRACE_ZSTD_LEVEL=\"%.*s\" is not valid: expected a number from -7 to 22; using the default -2",
                    64, z);
            bad++;
        }
    }
    c->fast_off = c->no_fast || c->max_events || c->max_bytes;
    return bad;
}
