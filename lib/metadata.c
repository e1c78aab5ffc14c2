/*
 * lib/metadata.c - reading a trace folder's side files: trace_metadata.json
 * ({"workdir", "program", "args"}, all required as upstream's TraceMetadata
 * says) and trace_paths.json (an array of path strings in path-id order).
 *
 * They are small, so each is parsed whole with the JSON tokenizer into a
 * generic tree and checked; a problem is an error naming the file and field.
 */
#include <stdio.h>
#include <string.h>

#include "reader_int.h"

/* Joins dir and name into buf. */
static void join(char *buf, size_t n, const char *dir, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

/* A required string field of the metadata map. */
static int meta_str(const char **out, const rt_node *m, const char *key, const char *path)
{
    const rt_node *f = rt_node_get(m, key);
    if (!f)
        return rtrace_set_error(RTRACE_EFORMAT, "%s: missing field `%s`", path, key);
    if (f->t != RT_N_STR)
        return rtrace_set_error(RTRACE_EFORMAT, "%s: `%s` must be a string, got %s", path, key,
                                rt_node_type_name(f));
    *out = f->v.s.ptr;
    return 0;
}

/*
 * Reads dir/trace_metadata.json into *out (strings in `arena`). 0,
 * RTRACE_ENOTFOUND, RTRACE_EFORMAT (with the field at fault) or RTRACE_EIO.
 */
int rtrace_read_metadata(rtrace_metadata *out, rtrace_arena *arena, const char *dir)
{
    char path[4096];
    rt_node *root;
    memset(out, 0, sizeof *out);
    join(path, sizeof path, dir, "trace_metadata.json");
    int rc = rt_json_parse_file(&root, arena, path);
    if (rc)
        return rc;
    if (root->t != RT_N_MAP)
        return rtrace_set_error(RTRACE_EFORMAT, "%s: expected a JSON object, got %s", path, rt_node_type_name(root));
    if ((rc = meta_str(&out->workdir, root, "workdir", path)) || (rc = meta_str(&out->program, root, "program", path)))
        return rc;
    const rt_node *args = rt_node_get(root, "args");
    if (!args)
        return rtrace_set_error(RTRACE_EFORMAT, "%s: missing field `args`", path);
    if (args->t != RT_N_ARR)
        return rtrace_set_error(RTRACE_EFORMAT, "%s: `args` must be a list of strings, got %s", path,
                                rt_node_type_name(args));
    out->args = rtrace_arena_alloc(arena, (args->v.c.n ? args->v.c.n : 1) * sizeof(char *));
    if (!out->args)
        return rtrace_set_error(RTRACE_ENOMEM, "out of memory");
    for (const rt_node *a = args->v.c.first; a; a = a->next) {
        if (a->t != RT_N_STR)
            return rtrace_set_error(RTRACE_EFORMAT, "%s: `args` item %zu must be a string, got %s", path,
                                    out->nargs, rt_node_type_name(a));
        out->args[out->nargs++] = a->v.s.ptr;
    }
    return 0;
}

/* Reads dir/trace_paths.json: *out gets *n strings in `arena`. */
int rtrace_read_paths(const char ***out, size_t *n, rtrace_arena *arena, const char *dir)
{
    char path[4096];
    rt_node *root;
    *out = NULL;
    *n = 0;
    join(path, sizeof path, dir, "trace_paths.json");
    int rc = rt_json_parse_file(&root, arena, path);
    if (rc)
        return rc;
    if (root->t != RT_N_ARR)
        return rtrace_set_error(RTRACE_EFORMAT, "%s: expected an array of paths, got %s", path,
                                rt_node_type_name(root));
    const char **list = rtrace_arena_alloc(arena, (root->v.c.n ? root->v.c.n : 1) * sizeof(char *));
    if (!list)
        return rtrace_set_error(RTRACE_ENOMEM, "out of memory");
    size_t k = 0;
    for (const rt_node *p = root->v.c.first; p; p = p->next) {
        if (p->t != RT_N_STR)
            return rtrace_set_error(RTRACE_EFORMAT, "%s: item %zu must be a string, got %s", path, k,
                                    rt_node_type_name(p));
        list[k++] = p->v.s.ptr;
    }
    *out = list;
    *n = k;
    return 0;
}
