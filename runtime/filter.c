/*
 * runtime/filter.c - RTRACE_FILTER: which functions are recorded.
 *
 * Syntax: a comma-separated list of patterns, each
 *     file:GLOB    the function's source file (its absolute path; a glob
 *                  without '/' is also tried against the basename)
 *     func:GLOB    the function's name
 *     GLOB         same as func:GLOB
 * with a leading '!' to exclude. GLOB is an fnmatch(3) pattern (*, ?, [..]).
 * A function is recorded when it matches no exclusion and, if there is at
 * least one inclusion, matches an inclusion. Examples:
 *     RTRACE_FILTER="file:*.c,!func:debug_*"
 *     RTRACE_FILTER="!file:*vendor*"
 *
 * The decision is made once per function when its module is added (start-up,
 * dlopen): a probe outside the filter finds no site, so it costs the lookup.
 * Whole functions are in or out, which keeps the call tree consistent.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define RT_FILTER_MAX 64

typedef struct rt_pattern {
    bool exclude;
    bool is_file;
    bool has_slash;
    char *glob;
} rt_pattern;

static rt_pattern pats[RT_FILTER_MAX];
static size_t npats;
static bool any_include;

/* Contract: see core.h. Not thread-safe: start-up only. */
int rt_filter_parse(const char *spec)
{
    for (size_t i = 0; i < npats; i++)
        free(pats[i].glob);
    npats = 0;
    any_include = false;
    if (!spec || !*spec)
        return 0;
    const char *p = spec;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && (*p == ' ' || *p == '\t')) { p++; len--; }
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
        if (len) {
            rt_pattern pt = { false, false, false, NULL };
            if (*p == '!') { pt.exclude = true; p++; len--; }
            if (len >= 5 && !strncmp(p, "file:", 5)) { pt.is_file = true; p += 5; len -= 5; }
            else if (len >= 5 && !strncmp(p, "func:", 5)) { p += 5; len -= 5; }
            if (!len || npats == RT_FILTER_MAX) {
                rt_warn("RTRACE_FILTER: bad or too many patterns in \"%s\" "
                        "(syntax: [!]file:GLOB or [!]func:GLOB, comma-separated); recording everything\n", spec);
                rt_filter_parse(NULL);
                return -1;
            }
            pt.glob = strndup(p, len);
            if (!pt.glob) {
                rt_filter_parse(NULL);
                return -1;
            }
            pt.has_slash = memchr(p, '/', len) != NULL;
            if (!pt.exclude)
                any_include = true;
            pats[npats++] = pt;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

/* Whether pattern pt matches the function. */
static bool pat_match(const rt_pattern *pt, const char *path, const char *name)
{
    if (!pt->is_file)
        return name && fnmatch(pt->glob, name, 0) == 0;
    if (!path)
        return false;
    if (fnmatch(pt->glob, path, 0) == 0)
        return true;
    if (!pt->has_slash) {
        const char *base = strrchr(path, '/');
        return fnmatch(pt->glob, base ? base + 1 : path, 0) == 0;
    }
    return false;
}

/* Contract: see core.h. */
bool rt_filter_match(const char *path, const char *name)
{
    bool included = !any_include;
    for (size_t i = 0; i < npats; i++) {
        if (!pat_match(&pats[i], path, name))
            continue;
        if (pats[i].exclude)
            return false;
        included = true;
    }
    return included;
}
