/* samples/exprparse.c - differential-test sample: a tokenizer and a recursive-descent
 * evaluator for integer expressions (+ - * / % parentheses, unary minus), a token struct
 * with an enum kind, a parser struct holding a const char * cursor. */
#include <ctype.h>
#include <stdio.h>

enum tok_kind { T_NUM, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT, T_LPAREN, T_RPAREN,
                T_END, T_BAD };

struct token {
    enum tok_kind kind;
    long value;
};

struct parser {
    const char *src;
    int pos;
    struct token cur;
    int errors;
};

static struct token next_token(struct parser *p)
{
    struct token t = {T_END, 0};
    while (p->src[p->pos] == ' ')
        p->pos++;
    char c = p->src[p->pos];
    if (c == '\0')
        return t;
    if (isdigit((unsigned char)c)) {
        long v = 0;
        while (isdigit((unsigned char)p->src[p->pos])) {
            v = v * 10 + (p->src[p->pos] - '0');
            p->pos++;
        }
        t.kind = T_NUM;
        t.value = v;
        return t;
    }
    p->pos++;
    switch (c) {
    case '+': t.kind = T_PLUS; break;
    case '-': t.kind = T_MINUS; break;
    case '*': t.kind = T_STAR; break;
    case '/': t.kind = T_SLASH; break;
    case '%': t.kind = T_PERCENT; break;
    case '(': t.kind = T_LPAREN; break;
    case ')': t.kind = T_RPAREN; break;
    default:
        t.kind = T_BAD;
        t.value = c;
        break;
    }
    return t;
}

static void advance(struct parser *p)
{
    p->cur = next_token(p);
}

static long parse_expr(struct parser *p);

static long parse_primary(struct parser *p)
{
    long v = 0;
    if (p->cur.kind == T_NUM) {
        v = p->cur.value;
        advance(p);
    } else if (p->cur.kind == T_MINUS) {
        advance(p);
        v = -parse_primary(p);
    } else if (p->cur.kind == T_LPAREN) {
        advance(p);
        v = parse_expr(p);
        if (p->cur.kind == T_RPAREN)
            advance(p);
        else
            p->errors++;
    } else {
        p->errors++;
        advance(p);
    }
    return v;
}

static long parse_term(struct parser *p)
{
    long left = parse_primary(p);
    while (p->cur.kind == T_STAR || p->cur.kind == T_SLASH || p->cur.kind == T_PERCENT) {
        enum tok_kind op = p->cur.kind;
        advance(p);
        long right = parse_primary(p);
        if (op == T_STAR)
            left *= right;
        else if (right == 0)
            p->errors++;
        else
            left = op == T_SLASH ? left / right : left % right;
    }
    return left;
}

static long parse_expr(struct parser *p)
{
    long left = parse_term(p);
    while (p->cur.kind == T_PLUS || p->cur.kind == T_MINUS) {
        enum tok_kind op = p->cur.kind;
        advance(p);
        long right = parse_term(p);
        left = (op == T_PLUS) ? left + right : left - right;
    }
    return left;
}

static long evaluate(const char *text, int *errors)
{
    struct parser p = {text, 0, {T_END, 0}, 0};
    advance(&p);
    long result = parse_expr(&p);
    if (p.cur.kind != T_END)
        p.errors++;
    *errors = p.errors;
    return result;
}

int main(void)
{
    const char *inputs[] = {"2*(3+4)", "-7%4", "8/0+(1"};
    int n = (int)(sizeof inputs / sizeof inputs[0]);
    long total = 0;
    for (int i = 0; i < n; i++) {
        int errors = 0;
        long r = evaluate(inputs[i], &errors);
        printf("%-16s = %ld (%d errors)\n", inputs[i], r, errors);
        total += r;
    }
    printf("total %ld\n", total);
    return 0;
}
