/*
 * samples/calc/lex.c - the tokenizer of the calc language: numbers, "strings",
 * names and keywords, operators, and newlines (which end statements).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc.h"

static const struct { const char *word; calc_tok_kind kind; } keywords[] = {
    {"def", T_DEF}, {"if", T_IF}, {"else", T_ELSE}, {"while", T_WHILE}, {"end", T_END},
    {"return", T_RETURN}, {"print", T_PRINT}, {"and", T_AND}, {"or", T_OR}, {"not", T_NOT},
};

/* Appends a token, growing the array; false on out-of-memory. */
static bool push(calc_token **v, size_t *n, size_t *cap, calc_token t)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        calc_token *nv = realloc(*v, nc * sizeof *nv);
        if (!nv)
            return false;
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = t;
    return true;
}

/* Tokenizes the whole source; see calc.h. */
int calc_lex(const char *src, calc_token **out, size_t *n, char *err, size_t errlen)
{
    calc_token *v = NULL;
    size_t len = 0, cap = 0;
    int line = 1;
    const char *p = src;
    while (*p) {
        calc_token t = {.line = line};
        if (*p == '#') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (*p == '\n') {
            t.kind = T_NEWLINE;
            line++;
            p++;
        } else if (isspace((unsigned char)*p)) {
            p++;
            continue;
        } else if (isdigit((unsigned char)*p)) {
            char *end;
            t.kind = T_NUM;
            t.num = strtoll(p, &end, 10);
            p = end;
        } else if (isalpha((unsigned char)*p) || *p == '_') {
            const char *s = p;
            while (isalnum((unsigned char)*p) || *p == '_')
                p++;
            t.kind = T_IDENT;
            for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
                if (strlen(keywords[k].word) == (size_t)(p - s) && !strncmp(s, keywords[k].word, (size_t)(p - s)))
                    t.kind = keywords[k].kind;
            if (t.kind == T_IDENT)
                t.text = strndup(s, (size_t)(p - s));
        } else if (*p == '"') {
            const char *s = ++p;
            while (*p && *p != '"' && *p != '\n')
                p++;
            if (*p != '"') {
                snprintf(err, errlen, "line %d: unterminated string", line);
                goto fail;
            }
            t.kind = T_STR;
            t.text = strndup(s, (size_t)(p - s));
            p++;
        } else {
            char c = *p++;
            char c2 = *p;
            switch (c) {
            case '(': t.kind = T_LPAREN; break;
            case ')': t.kind = T_RPAREN; break;
            case ',': t.kind = T_COMMA; break;
            case '+': t.kind = T_PLUS; break;
            case '-': t.kind = T_MINUS; break;
            case '*': t.kind = T_STAR; break;
            case '/': t.kind = T_SLASH; break;
            case '%': t.kind = T_PERCENT; break;
            case '=': t.kind = c2 == '=' ? (p++, T_EQ) : T_ASSIGN; break;
            case '<': t.kind = c2 == '=' ? (p++, T_LE) : T_LT; break;
            case '>': t.kind = c2 == '=' ? (p++, T_GE) : T_GT; break;
            case '!':
                if (c2 == '=') {
                    p++;
                    t.kind = T_NE;
                    break;
                }
                /* fall through */
            default:
                snprintf(err, errlen, "line %d: unexpected character '%c'", line, c);
                goto fail;
            }
        }
        if (!push(&v, &len, &cap, t)) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
    }
    calc_token eof = {.kind = T_EOF, .line = line};
    if (!push(&v, &len, &cap, eof)) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    *out = v;
    *n = len;
    return 0;
fail:
    for (size_t i = 0; i < len; i++)
        free(v[i].text);
    free(v);
    return -1;
}
