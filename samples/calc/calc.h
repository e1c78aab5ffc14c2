/*
 * samples/calc/calc.h - rtrace-calc, a tiny interpreter that records the
 * programs it runs with the rtrace tracer API (include/rtrace/tracer.h).
 *
 * The language (one statement per line, blocks closed by "end"):
 *     # comment
 *     def name(a, b)     ... end      functions (integer arguments and result)
 *     if expr ... [else ...] end
 *     while expr ... end
 *     return expr
 *     print expr-or-"text", ...       (one line of output)
 *     name = expr
 *     expr                            (e.g. a call)
 * Values are 64-bit integers; operators: + - * / % == != < <= > >= and or
 * not, unary -, parentheses, calls f(x, y). Functions see their parameters
 * and locals, and read globals they do not shadow.
 *
 * Files: lex.c (tokens), parse.c (syntax tree), interp.c (evaluation and
 * recording), main.c (command line).
 */
#ifndef CALC_H
#define CALC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Tokens (lex.c) ------------------------------------------------------ */
typedef enum {
    T_EOF, T_NEWLINE, T_NUM, T_STR, T_IDENT,
    T_DEF, T_IF, T_ELSE, T_WHILE, T_END, T_RETURN, T_PRINT, T_AND, T_OR, T_NOT,
    T_LPAREN, T_RPAREN, T_COMMA, T_ASSIGN,
    T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT
} calc_tok_kind;

typedef struct calc_token {
    calc_tok_kind kind;
    int line;
    int64_t num;         /* T_NUM */
    char *text;          /* T_STR, T_IDENT (malloc'ed) */
} calc_token;

/* Splits `src` into tokens (*out malloc'ed, ending with T_EOF). 0, or -1 with a message in err. */
int calc_lex(const char *src, calc_token **out, size_t *n, char *err, size_t errlen);

/* ---- Syntax tree (parse.c) ------------------------------------------------ */
typedef enum { N_NUM, N_STR, N_VAR, N_BINARY, N_UNARY, N_CALL } calc_node_kind;

typedef struct calc_node calc_node;
struct calc_node {
    calc_node_kind kind;
    int line;
    calc_tok_kind op;        /* N_BINARY, N_UNARY */
    int64_t num;             /* N_NUM */
    char *name;              /* N_STR text, N_VAR / N_CALL name */
    calc_node *a, *b;        /* operands */
    calc_node **args;        /* N_CALL */
    int nargs;
};

typedef enum { S_EXPR, S_ASSIGN, S_PRINT, S_IF, S_WHILE, S_RETURN, S_DEF } calc_stmt_kind;

typedef struct calc_stmt calc_stmt;
typedef struct calc_block { calc_stmt **v; int n; } calc_block;
struct calc_stmt {
    calc_stmt_kind kind;
    int line;
    char *name;              /* S_ASSIGN target, S_DEF name */
    calc_node *expr;         /* S_EXPR, S_ASSIGN, S_IF/S_WHILE condition, S_RETURN (may be NULL) */
    calc_node **items;       /* S_PRINT */
    int nitems;
    calc_block body, els;    /* S_IF, S_WHILE, S_DEF */
    char **params;           /* S_DEF */
    int nparams;
};

/* Parses tokens into the program's top-level block. 0, or -1 with a message in err. */
int calc_parse(const calc_token *toks, size_t n, calc_block *out, char *err, size_t errlen);

/* ---- Running (interp.c) ---------------------------------------------------- */
struct rtrace_tracer;
/*
 * Runs `prog` (from the script at absolute path `path`), printing to stdout
 * and recording through `t` (NULL: run without recording). Returns 0, or 1
 * after a runtime error (reported on stderr and as an Error event).
 */
int calc_run(const calc_block *prog, const char *path, struct rtrace_tracer *t);

#endif
