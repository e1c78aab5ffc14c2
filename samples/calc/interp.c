/*
 * samples/calc/interp.c - runs a calc program and records it with the
 * tracer API, the way a language's tracer should feed CodeTracer:
 *  - a Step before each statement runs (and each time an if/while condition
 *    is evaluated), followed by a Value for every variable in scope as it is
 *    before the line runs (the consumer does not carry values forward);
 *  - a call: Function defined on first use (at its "def" line), then
 *    register_call (Values of the arguments, Step at the def line, Call);
 *    the body's steps; register_return with the result; then a Step at the
 *    caller's line again, since the caller resumes in the middle of it;
 *  - print: the text on stdout and an Event of kind Write;
 *  - a runtime error: an Event of kind Error naming the line, and exit 1.
 * Values are built in the tracer's arena, so recording allocates nothing
 * per value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtrace/tracer.h"
#include "calc.h"

#define MAX_CALL_DEPTH 2000
#define MAX_VARS 64

typedef struct var { const char *name; int64_t value; } var;
typedef struct scope { var v[MAX_VARS]; int n; } scope;

typedef struct interp {
    const calc_block *prog;
    const char *path;
    rtrace_tracer *t;
    uint64_t int_type;
    scope globals;
    int depth;
    bool failed;
    char err[256];
} interp;

typedef struct frame {
    scope *vars;          /* locals, or the globals at top level */
    bool top;
    int64_t ret;
} frame;

enum { FLOW_NEXT = 0, FLOW_RETURN = 1, FLOW_ERROR = -1 };

/* Records a runtime error (the first one) and returns FLOW_ERROR. */
static int rt_error(interp *in, int line, const char *msg, const char *name)
{
    if (!in->failed) {
        in->failed = true;
        snprintf(in->err, sizeof in->err, "line %d: %s%s%s", line, msg, name ? " " : "", name ? name : "");
    }
    return FLOW_ERROR;
}

static var *find_var(scope *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->v[i].name, name))
            return &s->v[i];
    return NULL;
}

static int set_var(interp *in, scope *s, const char *name, int64_t value, int line)
{
    var *v = find_var(s, name);
    if (!v) {
        if (s->n == MAX_VARS)
            return rt_error(in, line, "too many variables, at", name);
        v = &s->v[s->n++];
        v->name = name;
    }
    v->value = value;
    return FLOW_NEXT;
}

/* A Step at `line`, then the Value of every variable in scope. */
static void record_step(interp *in, frame *f, int line)
{
    if (!in->t)
        return;
    rtrace_tracer_register_step(in->t, in->path, line);
    for (int i = 0; i < f->vars->n; i++)
        rtrace_tracer_register_variable(in->t, f->vars->v[i].name,
                                        rtrace_tracer_int(in->t, in->int_type, f->vars->v[i].value));
}

static const calc_stmt *find_function(interp *in, const char *name)
{
    for (int i = 0; i < in->prog->n; i++)
        if (in->prog->v[i]->kind == S_DEF && !strcmp(in->prog->v[i]->name, name))
            return in->prog->v[i];
    return NULL;
}

static int exec_block(interp *in, frame *f, const calc_block *b);

/* Evaluates n into *out; FLOW_NEXT or FLOW_ERROR. */
static int eval(interp *in, frame *f, const calc_node *n, int64_t *out)
{
    int64_t a = 0, b = 0;
    switch (n->kind) {
    case N_NUM:
        *out = n->num;
        return FLOW_NEXT;
    case N_STR:
        return rt_error(in, n->line, "a string can only be printed:", n->name);
    case N_VAR: {
        var *v = find_var(f->vars, n->name);
        if (!v && !f->top)
            v = find_var(&in->globals, n->name);
        if (!v)
            return rt_error(in, n->line, "unknown variable", n->name);
        *out = v->value;
        return FLOW_NEXT;
    }
    case N_UNARY:
        if (eval(in, f, n->a, &a))
            return FLOW_ERROR;
        *out = n->op == T_NOT ? !a : (int64_t)(0 - (uint64_t)a);
        return FLOW_NEXT;
    case N_BINARY:
        if (eval(in, f, n->a, &a))
            return FLOW_ERROR;
        /* and/or short-circuit */
        if (n->op == T_AND && !a) { *out = 0; return FLOW_NEXT; }
        if (n->op == T_OR && a) { *out = 1; return FLOW_NEXT; }
        if (eval(in, f, n->b, &b))
            return FLOW_ERROR;
        switch (n->op) {
        case T_PLUS: *out = (int64_t)((uint64_t)a + (uint64_t)b); break;   /* wraps, no UB */
        case T_MINUS: *out = (int64_t)((uint64_t)a - (uint64_t)b); break;
        case T_STAR: *out = (int64_t)((uint64_t)a * (uint64_t)b); break;
        case T_SLASH:
        case T_PERCENT:
            if (b == 0)
                return rt_error(in, n->line, "division by zero", NULL);
            if (b == -1)
                *out = n->op == T_SLASH ? (int64_t)(0 - (uint64_t)a) : 0;
            else
                *out = n->op == T_SLASH ? a / b : a % b;
            break;
        case T_EQ: *out = a == b; break;
        case T_NE: *out = a != b; break;
        case T_LT: *out = a < b; break;
        case T_LE: *out = a <= b; break;
        case T_GT: *out = a > b; break;
        case T_GE: *out = a >= b; break;
        case T_AND:
        case T_OR: *out = b != 0; break;
        default: return rt_error(in, n->line, "bad operator", NULL);
        }
        return FLOW_NEXT;
    case N_CALL: {
        const calc_stmt *def = find_function(in, n->name);
        if (!def)
            return rt_error(in, n->line, "unknown function", n->name);
        if (def->nparams != n->nargs)
            return rt_error(in, n->line, "wrong number of arguments for", n->name);
        if (in->depth >= MAX_CALL_DEPTH)
            return rt_error(in, n->line, "calls nested too deep, in", n->name);
        int64_t args[16];
        for (int i = 0; i < n->nargs; i++)
            if (eval(in, f, n->args[i], &args[i]))
                return FLOW_ERROR;
        scope *locals = calloc(1, sizeof *locals);
        if (!locals)
            return rt_error(in, n->line, "out of memory calling", n->name);
        for (int i = 0; i < def->nparams; i++)
            set_var(in, locals, def->params[i], args[i], n->line);
        if (in->t) {
            uint64_t fid = rtrace_tracer_ensure_function_id(in->t, def->name, in->path, def->line);
            rtrace_value *vals[16];
            for (int i = 0; i < n->nargs; i++)
                vals[i] = rtrace_tracer_int(in->t, in->int_type, args[i]);
            rtrace_tracer_register_call(in->t, fid, (const char *const *)def->params, vals, (size_t)n->nargs);
        }
        frame callee = {.vars = locals, .top = false, .ret = 0};
        in->depth++;
        int flow = exec_block(in, &callee, &def->body);
        in->depth--;
        free(locals);
        if (flow == FLOW_ERROR)
            return FLOW_ERROR;   /* the call stays open: the trace ends inside it, like a crash */
        if (in->t) {
            rtrace_tracer_register_return(in->t, rtrace_tracer_int(in->t, in->int_type, callee.ret));
            /* Back in the caller, in the middle of its line: a Step there again (as gdb
             * shows after "finish"), so that what follows (Values, the arguments of
             * a next call) attaches to the caller's line, not to the callee's last step. */
            record_step(in, f, n->line);
        }
        *out = callee.ret;
        return FLOW_NEXT;
    }
    }
    return rt_error(in, n->line, "bad expression", NULL);
}

/* Runs print: items separated by spaces, then a newline; also an Event Write. */
static int exec_print(interp *in, frame *f, const calc_stmt *s)
{
    char text[4096];
    size_t len = 0;
    for (int i = 0; i < s->nitems; i++) {
        const calc_node *item = s->items[i];
        const char *sep = i ? " " : "";
        int w;
        if (item->kind == N_STR) {
            w = snprintf(text + len, sizeof text - len, "%s%s", sep, item->name);
        } else {
            int64_t v;
            if (eval(in, f, item, &v))
                return FLOW_ERROR;
            w = snprintf(text + len, sizeof text - len, "%s%lld", sep, (long long)v);
        }
        if (w < 0 || (size_t)w >= sizeof text - len - 1)
            return rt_error(in, s->line, "printed line too long", NULL);
        len += (size_t)w;
    }
    text[len++] = '\n';
    fwrite(text, 1, len, stdout);
    if (in->t)
        rtrace_tracer_register_special_event(in->t, RTRACE_LOG_WRITE, "", text, len);
    return FLOW_NEXT;
}

static int exec_stmt(interp *in, frame *f, const calc_stmt *s)
{
    int64_t v = 0;
    switch (s->kind) {
    case S_DEF:
        return FLOW_NEXT;               /* a declaration: nothing runs */
    case S_ASSIGN:
        record_step(in, f, s->line);
        if (eval(in, f, s->expr, &v))
            return FLOW_ERROR;
        return set_var(in, f->vars, s->name, v, s->line);
    case S_EXPR:
        record_step(in, f, s->line);
        return eval(in, f, s->expr, &v);
    case S_PRINT:
        record_step(in, f, s->line);
        return exec_print(in, f, s);
    case S_RETURN:
        record_step(in, f, s->line);
        if (f->top)
            return rt_error(in, s->line, "return outside a function", NULL);
        if (s->expr && eval(in, f, s->expr, &f->ret))
            return FLOW_ERROR;
        return FLOW_RETURN;
    case S_IF:
        record_step(in, f, s->line);
        if (eval(in, f, s->expr, &v))
            return FLOW_ERROR;
        return exec_block(in, f, v ? &s->body : &s->els);
    case S_WHILE:
        for (;;) {
            record_step(in, f, s->line);
            if (eval(in, f, s->expr, &v))
                return FLOW_ERROR;
            if (!v)
                return FLOW_NEXT;
            int flow = exec_block(in, f, &s->body);
            if (flow)
                return flow;
        }
    }
    return rt_error(in, s->line, "bad statement", NULL);
}

static int exec_block(interp *in, frame *f, const calc_block *b)
{
    for (int i = 0; i < b->n; i++) {
        int flow = exec_stmt(in, f, b->v[i]);
        if (flow)
            return flow;
    }
    return FLOW_NEXT;
}

int calc_run(const calc_block *prog, const char *path, rtrace_tracer *t)
{
    interp *in = calloc(1, sizeof *in);
    if (!in) {
        fprintf(stderr, "rtrace-calc: out of memory\n");
        return 1;
    }
    in->prog = prog;
    in->path = path;
    in->t = t;
    if (t)
        in->int_type = rtrace_tracer_ensure_type_id(t, RTRACE_TYPE_INT, "int");
    frame top = {.vars = &in->globals, .top = true};
    int flow = exec_block(in, &top, prog);
    int rc = 0;
    if (flow == FLOW_ERROR) {
        fflush(stdout);
        fprintf(stderr, "rtrace-calc: %s: %s\n", path, in->err);
        if (t)
            rtrace_tracer_register_special_event(t, RTRACE_LOG_ERROR, "", in->err, strlen(in->err));
        rc = 1;
    }
    free(in);
    return rc;
}
