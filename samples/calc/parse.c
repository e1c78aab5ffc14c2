/*
 * samples/calc/parse.c - recursive-descent parser of the calc language into
 * the syntax tree of calc.h. Precedence, lowest first: or, and, not,
 * comparisons, + -, * / %, unary -, primary. A syntax error stops the parse
 * (longjmp back to calc_parse) with a message naming the line; the program
 * then exits, so the partial tree is not freed.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc.h"

typedef struct parser {
    const calc_token *t;
    size_t n, i;
    char *err;
    size_t errlen;
    jmp_buf fail;
} parser;

static const char *const tok_names[] = {
    [T_EOF] = "end of file", [T_NEWLINE] = "end of line", [T_NUM] = "number", [T_STR] = "string",
    [T_IDENT] = "name", [T_DEF] = "def", [T_IF] = "if", [T_ELSE] = "else", [T_WHILE] = "while",
    [T_END] = "end", [T_RETURN] = "return", [T_PRINT] = "print", [T_AND] = "and", [T_OR] = "or",
    [T_NOT] = "not", [T_LPAREN] = "(", [T_RPAREN] = ")", [T_COMMA] = ",", [T_ASSIGN] = "=",
    [T_EQ] = "==", [T_NE] = "!=", [T_LT] = "<", [T_LE] = "<=", [T_GT] = ">", [T_GE] = ">=",
    [T_PLUS] = "+", [T_MINUS] = "-", [T_STAR] = "*", [T_SLASH] = "/", [T_PERCENT] = "%",
};

static const calc_token *peek(parser *p) { return &p->t[p->i]; }
static calc_tok_kind kind(parser *p) { return p->t[p->i].kind; }

static _Noreturn void fail(parser *p, const char *what)
{
    snprintf(p->err, p->errlen, "line %d: %s (found %s)", peek(p)->line, what, tok_names[kind(p)]);
    longjmp(p->fail, 1);
}

/* Consumes a token of kind k or fails with `what`. */
static const calc_token *expect(parser *p, calc_tok_kind k, const char *what)
{
    if (kind(p) != k)
        fail(p, what);
    return &p->t[p->i++];
}

static bool accept(parser *p, calc_tok_kind k)
{
    if (kind(p) != k)
        return false;
    p->i++;
    return true;
}

static void *xcalloc(parser *p, size_t n, size_t size)
{
    void *m = calloc(n ? n : 1, size);
    if (!m)
        fail(p, "out of memory");
    return m;
}

static calc_node *new_node(parser *p, calc_node_kind k, int line)
{
    calc_node *n = xcalloc(p, 1, sizeof *n);
    n->kind = k;
    n->line = line;
    return n;
}

static calc_node *expr(parser *p);

static calc_node *primary(parser *p)
{
    const calc_token *t = peek(p);
    if (accept(p, T_NUM)) {
        calc_node *n = new_node(p, N_NUM, t->line);
        n->num = t->num;
        return n;
    }
    if (accept(p, T_STR)) {
        calc_node *n = new_node(p, N_STR, t->line);
        n->name = t->text;
        return n;
    }
    if (accept(p, T_IDENT)) {
        if (!accept(p, T_LPAREN)) {
            calc_node *n = new_node(p, N_VAR, t->line);
            n->name = t->text;
            return n;
        }
        calc_node *n = new_node(p, N_CALL, t->line);
        n->name = t->text;
        n->args = xcalloc(p, 16, sizeof *n->args);
        if (!accept(p, T_RPAREN)) {
            do {
                if (n->nargs == 16)
                    fail(p, "more than 16 arguments");
                n->args[n->nargs++] = expr(p);
            } while (accept(p, T_COMMA));
            expect(p, T_RPAREN, "expected ')' after the arguments");
        }
        return n;
    }
    if (accept(p, T_LPAREN)) {
        calc_node *n = expr(p);
        expect(p, T_RPAREN, "expected ')'");
        return n;
    }
    fail(p, "expected a value");
}

static calc_node *unary(parser *p)
{
    int line = peek(p)->line;
    if (accept(p, T_MINUS)) {
        calc_node *n = new_node(p, N_UNARY, line);
        n->op = T_MINUS;
        n->a = unary(p);
        return n;
    }
    return primary(p);
}

/* Binary operators of one precedence level: `ops` ends with T_EOF. */
static calc_node *binary(parser *p, calc_node *(*next)(parser *), const calc_tok_kind *ops)
{
    calc_node *left = next(p);
    for (;;) {
        calc_tok_kind k = kind(p);
        bool match = false;
        for (const calc_tok_kind *o = ops; *o != T_EOF; o++)
            match |= *o == k;
        if (!match)
            return left;
        int line = peek(p)->line;
        p->i++;
        calc_node *n = new_node(p, N_BINARY, line);
        n->op = k;
        n->a = left;
        n->b = next(p);
        left = n;
    }
}

static calc_node *mul(parser *p) { static const calc_tok_kind o[] = {T_STAR, T_SLASH, T_PERCENT, T_EOF}; return binary(p, unary, o); }
static calc_node *add(parser *p) { static const calc_tok_kind o[] = {T_PLUS, T_MINUS, T_EOF}; return binary(p, mul, o); }
static calc_node *cmp(parser *p) { static const calc_tok_kind o[] = {T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_EOF}; return binary(p, add, o); }

static calc_node *not_(parser *p)
{
    int line = peek(p)->line;
    if (accept(p, T_NOT)) {
        calc_node *n = new_node(p, N_UNARY, line);
        n->op = T_NOT;
        n->a = not_(p);
        return n;
    }
    return cmp(p);
}

static calc_node *and_(parser *p) { static const calc_tok_kind o[] = {T_AND, T_EOF}; return binary(p, not_, o); }
static calc_node *expr(parser *p) { static const calc_tok_kind o[] = {T_OR, T_EOF}; return binary(p, and_, o); }

static void block(parser *p, calc_block *b, bool top);

static void end_of_statement(parser *p)
{
    if (kind(p) != T_EOF)
        expect(p, T_NEWLINE, "expected the end of the line");
}

static void push_stmt(parser *p, calc_block *b, calc_stmt *s)
{
    calc_stmt **nv = realloc(b->v, (size_t)(b->n + 1) * sizeof *nv);
    if (!nv)
        fail(p, "out of memory");
    b->v = nv;
    b->v[b->n++] = s;
}

static calc_stmt *statement(parser *p)
{
    calc_stmt *s = xcalloc(p, 1, sizeof *s);
    s->line = peek(p)->line;
    if (accept(p, T_DEF)) {
        s->kind = S_DEF;
        s->name = expect(p, T_IDENT, "expected the function's name")->text;
        expect(p, T_LPAREN, "expected '(' after the function's name");
        s->params = xcalloc(p, 16, sizeof *s->params);
        if (!accept(p, T_RPAREN)) {
            do {
                if (s->nparams == 16)
                    fail(p, "more than 16 parameters");
                s->params[s->nparams++] = expect(p, T_IDENT, "expected a parameter name")->text;
            } while (accept(p, T_COMMA));
            expect(p, T_RPAREN, "expected ')' after the parameters");
        }
        end_of_statement(p);
        block(p, &s->body, false);
        expect(p, T_END, "expected 'end' closing the function");
    } else if (accept(p, T_IF)) {
        s->kind = S_IF;
        s->expr = expr(p);
        end_of_statement(p);
        block(p, &s->body, false);
        if (accept(p, T_ELSE)) {
            end_of_statement(p);
            block(p, &s->els, false);
        }
        expect(p, T_END, "expected 'end' closing the if");
    } else if (accept(p, T_WHILE)) {
        s->kind = S_WHILE;
        s->expr = expr(p);
        end_of_statement(p);
        block(p, &s->body, false);
        expect(p, T_END, "expected 'end' closing the while");
    } else if (accept(p, T_RETURN)) {
        s->kind = S_RETURN;
        if (kind(p) != T_NEWLINE && kind(p) != T_EOF)
            s->expr = expr(p);
    } else if (accept(p, T_PRINT)) {
        s->kind = S_PRINT;
        s->items = xcalloc(p, 32, sizeof *s->items);
        do {
            if (s->nitems == 32)
                fail(p, "more than 32 print items");
            s->items[s->nitems++] = expr(p);
        } while (accept(p, T_COMMA));
    } else if (kind(p) == T_IDENT && p->t[p->i + 1].kind == T_ASSIGN) {
        s->kind = S_ASSIGN;
        s->name = peek(p)->text;
        p->i += 2;
        s->expr = expr(p);
    } else {
        s->kind = S_EXPR;
        s->expr = expr(p);
    }
    end_of_statement(p);
    return s;
}

/* Statements until 'end'/'else' (or end of file at top level). */
static void block(parser *p, calc_block *b, bool top)
{
    for (;;) {
        while (accept(p, T_NEWLINE))
            ;
        calc_tok_kind k = kind(p);
        if (k == T_EOF) {
            if (!top)
                fail(p, "missing 'end'");
            return;
        }
        if (k == T_END || k == T_ELSE) {
            if (top)
                fail(p, "'end' or 'else' without a block to close");
            return;
        }
        calc_stmt *s = statement(p);
        if (s->kind == S_DEF && !top) {
            snprintf(p->err, p->errlen, "line %d: functions can only be defined at top level", s->line);
            longjmp(p->fail, 1);
        }
        push_stmt(p, b, s);
    }
}

int calc_parse(const calc_token *toks, size_t n, calc_block *out, char *err, size_t errlen)
{
    parser p = {.t = toks, .n = n, .err = err, .errlen = errlen};
    memset(out, 0, sizeof *out);
    if (setjmp(p.fail))
        return -1;
    block(&p, out, true);
    return 0;
}
