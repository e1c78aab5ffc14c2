/*
 * tests/lib/helpers.c - files, folders and the JSON -> rtrace_event
 * conversion used by the lib tests (the test's own little reader, so the
 * writer's tests do not depend on the reading half of the library).
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib_tests.h"

const char *golden_path(const char *rel)
{
    static char buf[4096];
    const char *g = getenv("GOLDEN_DIR");
    snprintf(buf, sizeof buf, "%s/%s", g && *g ? g : "../shared/golden", rel);
    return buf;
}

char *read_whole(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    size_t r;
    while (buf && (r = fread(buf + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    if (buf) {
        buf[len] = '\0';
        if (n)
            *n = len;
    }
    return buf;
}

char *make_tmpdir(void)
{
    static char buf[64];
    strcpy(buf, "/tmp/rtrace-libtest-XXXXXX");
    return mkdtemp(buf);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(p);
}

void remove_tree(const char *dir)
{
    if (dir && strncmp(dir, "/tmp/rtrace-libtest-", 20) == 0)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- JSON -> rtrace_event ------------------------------------------------------- */

static rtrace_str jstr(rtrace_arena *a, const cJSON *j)
{
    const char *s = cJSON_IsString(j) ? j->valuestring : "";
    size_t n = strlen(s);
    return (rtrace_str){rtrace_arena_strndup(a, s, n), n};
}

static uint64_t ju(const cJSON *obj, const char *key)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(j) ? (uint64_t)j->valuedouble : 0;
}

static int64_t ji(const cJSON *obj, const char *key)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(j) ? (int64_t)j->valuedouble : 0;
}

static const cJSON *jget(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static rtrace_value *json_to_value(rtrace_arena *a, const cJSON *j);

static int list_items(rtrace_value *v, rtrace_arena *a, const cJSON *arr)
{
    int n = cJSON_GetArraySize(arr);
    v->u.seq.n = (size_t)n;
    v->u.seq.items = rtrace_arena_alloc(a, (size_t)n * sizeof(rtrace_value *));
    for (int i = 0; i < n; i++)
        v->u.seq.items[i] = json_to_value(a, cJSON_GetArrayItem(arr, i));
    return 0;
}

static rtrace_value *json_to_value(rtrace_arena *a, const cJSON *j)
{
    rtrace_value *v = rtrace_arena_alloc(a, sizeof *v);
    memset(v, 0, sizeof *v);
    const char *kind = cJSON_GetStringValue(jget(j, "kind"));
    v->type_id = ju(j, "type_id");
    if (!kind) {
        v->kind = RTRACE_V_NONE;
    } else if (!strcmp(kind, "Int")) {
        v->kind = RTRACE_V_INT;
        v->u.i = ji(j, "i");
    } else if (!strcmp(kind, "Float")) {
        v->kind = RTRACE_V_FLOAT;
        v->u.f = jstr(a, jget(j, "f"));
    } else if (!strcmp(kind, "Bool")) {
        v->kind = RTRACE_V_BOOL;
        v->u.b = cJSON_IsTrue(jget(j, "b"));
    } else if (!strcmp(kind, "String")) {
        v->kind = RTRACE_V_STRING;
        v->u.text = jstr(a, jget(j, "text"));
    } else if (!strcmp(kind, "Raw")) {
        v->kind = RTRACE_V_RAW;
        v->u.text = jstr(a, jget(j, "r"));
    } else if (!strcmp(kind, "Error")) {
        v->kind = RTRACE_V_ERROR;
        v->u.text = jstr(a, jget(j, "msg"));
    } else if (!strcmp(kind, "None")) {
        v->kind = RTRACE_V_NONE;
    } else if (!strcmp(kind, "Cell")) {
        v->kind = RTRACE_V_CELL;
        v->u.place = ji(j, "place");
    } else if (!strcmp(kind, "Sequence")) {
        v->kind = RTRACE_V_SEQUENCE;
        list_items(v, a, jget(j, "elements"));
        v->u.seq.is_slice = cJSON_IsTrue(jget(j, "is_slice"));
    } else if (!strcmp(kind, "Tuple")) {
        v->kind = RTRACE_V_TUPLE;
        list_items(v, a, jget(j, "elements"));
    } else if (!strcmp(kind, "Struct")) {
        v->kind = RTRACE_V_STRUCT;
        list_items(v, a, jget(j, "field_values"));
    } else if (!strcmp(kind, "Variant")) {
        v->kind = RTRACE_V_VARIANT;
        v->u.variant.discriminator = jstr(a, jget(j, "discriminator"));
        v->u.variant.contents = json_to_value(a, jget(j, "contents"));
    } else if (!strcmp(kind, "Reference")) {
        v->kind = RTRACE_V_REFERENCE;
        v->u.ref.dereferenced = json_to_value(a, jget(j, "dereferenced"));
        v->u.ref.address = ju(j, "address");
        v->u.ref.is_mutable = cJSON_IsTrue(jget(j, "mutable"));
    } else if (!strcmp(kind, "BigInt")) {
        /* The test data only uses small magnitudes; decode base64 by hand. */
        static const char *al = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *b = cJSON_GetStringValue(jget(j, "b"));
        size_t n = b ? strlen(b) : 0;
        uint8_t *out = rtrace_arena_alloc(a, n);
        size_t o = 0;
        uint32_t acc = 0;
        int bits = 0;
        for (size_t i = 0; i < n && b[i] != '='; i++) {
            acc = acc << 6 | (uint32_t)(strchr(al, b[i]) - al);
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[o++] = (uint8_t)(acc >> bits);
            }
        }
        v->kind = RTRACE_V_BIGINT;
        v->u.bigint.magnitude_be = out;
        v->u.bigint.n = o;
        v->u.bigint.negative = cJSON_IsTrue(jget(j, "negative"));
    } else {
        v->kind = RTRACE_V_NONE;
    }
    return v;
}

int json_to_event(rtrace_event *ev, rtrace_arena *a, const cJSON *j)
{
    memset(ev, 0, sizeof *ev);
    if (cJSON_IsString(j) && !strcmp(j->valuestring, "DropLastStep")) {
        ev->kind = RTRACE_E_DROP_LAST_STEP;
        return 0;
    }
    if (!cJSON_IsObject(j) || !j->child)
        return -1;
    const char *name = j->child->string;
    const cJSON *p = j->child;
    if (!strcmp(name, "Path")) {
        ev->kind = RTRACE_E_PATH;
        ev->u.path = jstr(a, p);
    } else if (!strcmp(name, "Function")) {
        ev->kind = RTRACE_E_FUNCTION;
        ev->u.function.path_id = ju(p, "path_id");
        ev->u.function.line = ju(p, "line");
        ev->u.function.name = jstr(a, jget(p, "name"));
    } else if (!strcmp(name, "Type")) {
        ev->kind = RTRACE_E_TYPE;
        ev->u.type.kind = (int)ju(p, "kind");
        ev->u.type.lang_type = jstr(a, jget(p, "lang_type"));
        const cJSON *si = jget(p, "specific_info");
        const char *sk = cJSON_GetStringValue(jget(si, "kind"));
        if (sk && !strcmp(sk, "Struct")) {
            const cJSON *fs = jget(si, "fields");
            int n = cJSON_GetArraySize(fs);
            ev->u.type.info = RTRACE_SI_STRUCT;
            ev->u.type.nfields = (size_t)n;
            ev->u.type.fields = rtrace_arena_alloc(a, (size_t)n * sizeof(rtrace_field));
            for (int i = 0; i < n; i++) {
                const cJSON *f = cJSON_GetArrayItem(fs, i);
                ev->u.type.fields[i].name = jstr(a, jget(f, "name"));
                ev->u.type.fields[i].type_id = ju(f, "type_id");
            }
        } else if (sk && !strcmp(sk, "Pointer")) {
            ev->u.type.info = RTRACE_SI_POINTER;
            ev->u.type.dereference_type_id = ju(si, "dereference_type_id");
        } else {
            ev->u.type.info = RTRACE_SI_NONE;
        }
    } else if (!strcmp(name, "VariableName") || !strcmp(name, "Variable")) {
        ev->kind = name[8] ? RTRACE_E_VARIABLE_NAME : RTRACE_E_VARIABLE;
        ev->u.name = jstr(a, p);
    } else if (!strcmp(name, "Step")) {
        ev->kind = RTRACE_E_STEP;
        ev->u.step.path_id = ju(p, "path_id");
        ev->u.step.line = ji(p, "line");
    } else if (!strcmp(name, "Call")) {
        ev->kind = RTRACE_E_CALL;
        ev->u.call.function_id = ju(p, "function_id");
        const cJSON *args = jget(p, "args");
        int n = cJSON_GetArraySize(args);
        ev->u.call.nargs = (size_t)n;
        ev->u.call.args = rtrace_arena_alloc(a, (size_t)n * sizeof(rtrace_arg));
        for (int i = 0; i < n; i++) {
            const cJSON *arg = cJSON_GetArrayItem(args, i);
            ev->u.call.args[i].variable_id = ju(arg, "variable_id");
            ev->u.call.args[i].value = json_to_value(a, jget(arg, "value"));
        }
    } else if (!strcmp(name, "Return")) {
        ev->kind = RTRACE_E_RETURN;
        ev->u.return_value = json_to_value(a, jget(p, "return_value"));
    } else if (!strcmp(name, "Value")) {
        ev->kind = RTRACE_E_VALUE;
        ev->u.value.variable_id = ju(p, "variable_id");
        ev->u.value.value = json_to_value(a, jget(p, "value"));
    } else if (!strcmp(name, "Event")) {
        ev->kind = RTRACE_E_EVENT;
        ev->u.event.kind = (int)ju(p, "kind");
        ev->u.event.metadata = jstr(a, jget(p, "metadata"));
        ev->u.event.content = jstr(a, jget(p, "content"));
    } else if (!strcmp(name, "Asm")) {
        ev->kind = RTRACE_E_ASM;
        int n = cJSON_GetArraySize(p);
        ev->u.asm_.n = (size_t)n;
        ev->u.asm_.items = rtrace_arena_alloc(a, (size_t)n * sizeof(rtrace_str));
        for (int i = 0; i < n; i++)
            ev->u.asm_.items[i] = jstr(a, cJSON_GetArrayItem(p, i));
    } else if (!strcmp(name, "ThreadStart") || !strcmp(name, "ThreadExit") || !strcmp(name, "ThreadSwitch")) {
        ev->kind = name[6] == 'S' && name[7] == 't' ? RTRACE_E_THREAD_START
                 : name[6] == 'E' ? RTRACE_E_THREAD_EXIT : RTRACE_E_THREAD_SWITCH;
        ev->u.thread_id = (uint64_t)p->valuedouble;
    } else if (!strcmp(name, "BindVariable") || !strcmp(name, "VariableCell")) {
        ev->kind = name[0] == 'B' ? RTRACE_E_BIND_VARIABLE : RTRACE_E_VARIABLE_CELL;
        ev->u.bind.variable_id = ju(p, "variable_id");
        ev->u.bind.place = ji(p, "place");
    } else if (!strcmp(name, "DropVariables")) {
        ev->kind = RTRACE_E_DROP_VARIABLES;
        int n = cJSON_GetArraySize(p);
        ev->u.drop.n = (size_t)n;
        ev->u.drop.ids = rtrace_arena_alloc(a, (size_t)n * sizeof(uint64_t));
        for (int i = 0; i < n; i++)
            ev->u.drop.ids[i] = (uint64_t)cJSON_GetArrayItem(p, i)->valuedouble;
    } else if (!strcmp(name, "DropVariable")) {
        ev->kind = RTRACE_E_DROP_VARIABLE;
        ev->u.variable_id = (uint64_t)p->valuedouble;
    } else if (!strcmp(name, "CompoundValue") || !strcmp(name, "CellValue") || !strcmp(name, "AssignCell")) {
        ev->kind = name[0] == 'C' && name[1] == 'o' ? RTRACE_E_COMPOUND_VALUE
                 : name[0] == 'C' ? RTRACE_E_CELL_VALUE : RTRACE_E_ASSIGN_CELL;
        ev->u.place_value.place = ji(p, "place");
        ev->u.place_value.value = json_to_value(a, jget(p, ev->kind == RTRACE_E_ASSIGN_CELL ? "new_value" : "value"));
    } else if (!strcmp(name, "AssignCompoundItem")) {
        ev->kind = RTRACE_E_ASSIGN_COMPOUND_ITEM;
        ev->u.compound_item.place = ji(p, "place");
        ev->u.compound_item.index = ju(p, "index");
        ev->u.compound_item.item_place = ji(p, "item_place");
    } else if (!strcmp(name, "DropLastStep")) {
        ev->kind = RTRACE_E_DROP_LAST_STEP;
    } else {
        return -1;
    }
    return 0;
}
