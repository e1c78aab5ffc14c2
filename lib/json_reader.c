/*
 * lib/json_reader.c - a small pull tokenizer for trace.json, .jsonl and the
 * side files, over a fixed-size read buffer.
 *
 * The reader asks for one JSON value at a time (one event); the tokenizer
 * reads the input through a 64 KiB buffer and builds the value's generic tree
 * (reader_int.h) in the caller's arena. Memory therefore depends on the
 * largest event, never on the file size, and any valid JSON layout works
 * (one event per line, pretty-printed, ...). It is strict where serde_json
 * (upstream's reader) is strict: valid UTF-8 only, no control characters in
 * strings, no lone surrogates, no trailing commas, nesting below 128 levels.
 * Every problem is an error with the byte offset and line; nothing crashes or
 * loops on garbage, and input that stops inside a value is RTRACE_ETRUNCATED.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reader_int.h"

#define JSON_BUF (64 * 1024)
#define JSON_MAX_NUMBER 4096         /* longest number text we accept */

struct rt_json {
    rt_rd_src *src;
    size_t pos, len;                 /* unread bytes are buf[pos, len) */
    uint64_t base;                   /* input offset of buf[0] */
    uint64_t line;                   /* 1-based line of buf[pos] */
    bool eof, ioerr;
    size_t nodes;                    /* nodes of the value being parsed */
    char *sbuf;                      /* string being decoded */
    size_t slen, scap;
    unsigned char buf[JSON_BUF];
};

/*
 * Reads up to n bytes from the source into buf. Returns the count, 0 at the
 * end, -1 on a read error (last error set).
 */
ssize_t rt_rd_src_read(rt_rd_src *s, void *buf, size_t n)
{
    if (s->limit != UINT64_MAX) {
        uint64_t left = s->limit > s->consumed ? s->limit - s->consumed : 0;
        if (n > left)
            n = (size_t)left;
    }
    if (n == 0)
        return 0;
    if (s->fd < 0) {
        size_t left = s->mem_len - s->mem_pos;
        if (n > left)
            n = left;
        memcpy(buf, s->mem + s->mem_pos, n);
        s->mem_pos += n;
        s->consumed += n;
        return (ssize_t)n;
    }
    for (;;) {
        ssize_t r = read(s->fd, buf, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rtrace_set_error(RTRACE_EIO, "read failed: %s", strerror(errno));
            return -1;
        }
        s->consumed += (uint64_t)r;
        return r;
    }
}

/* Creates a tokenizer over src. 0 or RTRACE_ENOMEM. */
int rt_json_new(rt_json **out, rt_rd_src *src)
{
    rt_json *j = calloc(1, sizeof *j);
    if (!j)
        return rtrace_set_error(RTRACE_ENOMEM, "out of memory");
    j->src = src;
    j->line = 1;
    *out = j;
    return 0;
}

/* Frees the tokenizer (not its source). Accepts NULL. */
void rt_json_free(rt_json *j)
{
    if (!j)
        return;
    free(j->sbuf);
    free(j);
}

/* Refills an exhausted buffer. Returns 1 when bytes are available, 0 at the end, -1 on error. */
static int fill(rt_json *j)
{
    if (j->pos < j->len)
        return 1;
    if (j->eof)
        return 0;
    if (j->ioerr)
        return -1;
    j->base += j->len;
    j->pos = j->len = 0;
    ssize_t r = rt_rd_src_read(j->src, j->buf, sizeof j->buf);
    if (r < 0) {
        j->ioerr = true;
        return -1;
    }
    if (r == 0) {
        j->eof = true;
        return 0;
    }
    j->len = (size_t)r;
    return 1;
}

/* Next byte without consuming it, or -1 at the end, -2 on a read error. */
static inline int peekc(rt_json *j)
{
    if (j->pos < j->len)
        return j->buf[j->pos];
    int r = fill(j);
    return r > 0 ? j->buf[j->pos] : (r == 0 ? -1 : -2);
}

static inline void advance(rt_json *j)
{
    if (j->buf[j->pos] == '\n')
        j->line++;
    j->pos++;
}

/* Skips JSON whitespace; returns the next byte (not consumed), -1 or -2. */
static int skip_ws(rt_json *j)
{
    for (;;) {
        int c = peekc(j);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            advance(j);
        else
            return c;
    }
}

int rt_json_peek(rt_json *j) { return skip_ws(j); }
void rt_json_skip(rt_json *j) { if (peekc(j) >= 0) advance(j); }
uint64_t rt_json_offset(const rt_json *j) { return j->base + j->pos; }
uint64_t rt_json_line(const rt_json *j) { return j->line; }

/* Sets a syntax error naming the position; returns RTRACE_EFORMAT. */
static int syntax(rt_json *j, const char *what)
{
    return rtrace_set_error(RTRACE_EFORMAT, "JSON syntax error at byte %llu (line %llu): %s",
                            (unsigned long long)rt_json_offset(j), (unsigned long long)j->line, what);
}

/* The error for a byte c that ended input early (-1) or failed (-2) or was unexpected. */
static int bad_byte(rt_json *j, int c, const char *expected)
{
    char msg[160];
    if (c == -2)
        return RTRACE_EIO;
    if (c == -1)
        return rtrace_set_error(RTRACE_ETRUNCATED, "input ends inside a JSON value at byte %llu (line %llu)",
                                (unsigned long long)rt_json_offset(j), (unsigned long long)j->line);
    if (c >= 0x20 && c < 0x7f)
        snprintf(msg, sizeof msg, "expected %s, found '%c'", expected, c);
    else
        snprintf(msg, sizeof msg, "expected %s, found byte 0x%02x", expected, c);
    return syntax(j, msg);
}

static rt_node *new_node(rtrace_arena *a, rt_node_type t)
{
    rt_node *n = rtrace_arena_alloc(a, sizeof *n);
    if (n) {
        memset(n, 0, sizeof *n);
        n->t = t;
    }
    return n;
}

/* Appends one byte run to the string buffer: 0, or an error (set) past the cap or on ENOMEM. */
static int sbuf_put(rt_json *j, const void *p, size_t n)
{
    if (j->slen + n > j->scap) {
        if (j->slen + n > RT_RD_MAX_EVENT_BYTES)
            return rtrace_set_error(RTRACE_EFORMAT, "string longer than %zu bytes", RT_RD_MAX_EVENT_BYTES);
        size_t cap = j->scap ? j->scap : 256;
        while (cap < j->slen + n)
            cap *= 2;
        char *nb = realloc(j->sbuf, cap);
        if (!nb)
            return rtrace_set_error(RTRACE_ENOMEM, "out of memory");
        j->sbuf = nb;
        j->scap = cap;
    }
    memcpy(j->sbuf + j->slen, p, n);
    j->slen += n;
    return 0;
}

/* Appends code point cp as UTF-8: 0 or an error code. */
static int sbuf_utf8(rt_json *j, uint32_t cp)
{
    unsigned char b[4];
    size_t n;
    if (cp < 0x80) { b[0] = (unsigned char)cp; n = 1; }
    else if (cp < 0x800) { b[0] = 0xC0 | (cp >> 6); b[1] = 0x80 | (cp & 0x3F); n = 2; }
    else if (cp < 0x10000) { b[0] = 0xE0 | (cp >> 12); b[1] = 0x80 | ((cp >> 6) & 0x3F); b[2] = 0x80 | (cp & 0x3F); n = 3; }
    else { b[0] = 0xF0 | (cp >> 18); b[1] = 0x80 | ((cp >> 12) & 0x3F); b[2] = 0x80 | ((cp >> 6) & 0x3F); b[3] = 0x80 | (cp & 0x3F); n = 4; }
    return sbuf_put(j, b, n);
}

/* Length of the valid UTF-8 sequence at p (n bytes left), or 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return 0;
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* True when the n bytes at p are valid UTF-8 (see reader_int.h). */
bool rt_rd_utf8_valid(const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    for (size_t i = 0; i < n;) {
        if (u[i] < 0x80) { i++; continue; }
        size_t l = utf8_len(u + i, n - i);
        if (!l)
            return false;
        i += l;
    }
    return true;
}

/* Reads 4 hex digits of a \u escape. Returns the value or a negative error code. */
static int32_t read_hex4(rt_json *j)
{
    int32_t v = 0;
    for (int k = 0; k < 4; k++) {
        int c = peekc(j);
        int d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return bad_byte(j, c, "a hex digit in a \\u escape");
        advance(j);
        v = v * 16 + d;
    }
    return v;
}

/*
 * Parses a string (the opening quote is next) into *out, a NUL-terminated
 * copy in the arena. 0 or an error code.
 */
static int parse_string(rt_json *j, rtrace_arena *a, rtrace_str *out)
{
    int rc;
    advance(j);                                   /* the quote */
    j->slen = 0;
    for (;;) {
        int c = peekc(j);
        if (c < 0)
            return bad_byte(j, c, "the end of a string");
        /* Fast path: copy a run of ordinary bytes. */
        size_t start = j->pos, k = start;
        while (k < j->len && j->buf[k] != '"' && j->buf[k] != '\\' && j->buf[k] >= 0x20)
            k++;
        if (k > start) {
            if ((rc = sbuf_put(j, j->buf + start, k - start)))
                return rc;
            j->pos = k;
            continue;
        }
        if (c == '"') {
            advance(j);
            break;
        }
        if (c < 0x20)
            return syntax(j, "control character inside a string (must be escaped)");
        advance(j);                               /* backslash */
        c = peekc(j);
        if (c < 0)
            return bad_byte(j, c, "an escape");
        advance(j);
        char e;
        switch (c) {
        case '"': e = '"'; break;
        case '\\': e = '\\'; break;
        case '/': e = '/'; break;
        case 'b': e = '\b'; break;
        case 'f': e = '\f'; break;
        case 'n': e = '\n'; break;
        case 'r': e = '\r'; break;
        case 't': e = '\t'; break;
        case 'u': {
            int32_t cp = read_hex4(j);
            if (cp < 0)
                return cp;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return syntax(j, "lone trailing surrogate in a \\u escape");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                int b1 = peekc(j);
                if (b1 != '\\')
                    return b1 < 0 ? bad_byte(j, b1, "a low surrogate") : syntax(j, "lone leading surrogate in a \\u escape");
                advance(j);
                int b2 = peekc(j);
                if (b2 != 'u')
                    return b2 < 0 ? bad_byte(j, b2, "a low surrogate") : syntax(j, "lone leading surrogate in a \\u escape");
                advance(j);
                int32_t lo = read_hex4(j);
                if (lo < 0)
                    return lo;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return syntax(j, "invalid low surrogate in a \\u escape");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            if ((rc = sbuf_utf8(j, (uint32_t)cp)))
                return rc;
            continue;
        }
        default:
            return syntax(j, "invalid escape in a string");
        }
        if ((rc = sbuf_put(j, &e, 1)))
            return rc;
    }
    if (!rt_rd_utf8_valid(j->sbuf, j->slen))
        return syntax(j, "string is not valid UTF-8");
    char *s = rtrace_arena_strndup(a, j->slen ? j->sbuf : "", j->slen);
    if (!s)
        return rtrace_set_error(RTRACE_ENOMEM, "out of memory");
    out->ptr = s;
    out->len = j->slen;
    return 0;
}

/* Parses a number (its first byte is next) into node n. */
static int parse_number(rt_json *j, rt_node *n)
{
    char text[JSON_MAX_NUMBER + 1];
    size_t len = 0;
    bool is_float = false;
    int c;
    /* Collect the bytes a number may hold, then check the grammar. */
    while ((c = peekc(j)) >= 0 && ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
                                   c == 'e' || c == 'E')) {
        if (len == JSON_MAX_NUMBER)
            return syntax(j, "number too long");
        text[len++] = (char)c;
        advance(j);
    }
    if (c == -2)
        return RTRACE_EIO;
    text[len] = '\0';
    size_t i = 0;
    if (text[i] == '-') i++;
    if (text[i] == '0') i++;
    else if (text[i] >= '1' && text[i] <= '9') { while (text[i] >= '0' && text[i] <= '9') i++; }
    else return c == -1 && i == len ? bad_byte(j, -1, "a digit") : syntax(j, "invalid number");
    if (text[i] == '.') {
        is_float = true;
        i++;
        if (!(text[i] >= '0' && text[i] <= '9'))
            return c == -1 && i == len ? bad_byte(j, -1, "a digit") : syntax(j, "invalid number");
        while (text[i] >= '0' && text[i] <= '9') i++;
    }
    if (text[i] == 'e' || text[i] == 'E') {
        is_float = true;
        i++;
        if (text[i] == '+' || text[i] == '-') i++;
        if (!(text[i] >= '0' && text[i] <= '9'))
            return c == -1 && i == len ? bad_byte(j, -1, "a digit") : syntax(j, "invalid number");
        while (text[i] >= '0' && text[i] <= '9') i++;
    }
    if (i != len)
        return syntax(j, "invalid number");
    if (!is_float) {
        bool neg = text[0] == '-';
        uint64_t mag = 0;
        bool over = false;
        for (size_t k = neg; k < len; k++) {
            unsigned d = (unsigned)(text[k] - '0');
            if (mag > (UINT64_MAX - d) / 10) { over = true; break; }
            mag = mag * 10 + d;
        }
        if (!over && !neg) { n->t = RT_N_UINT; n->v.u = mag; return 0; }
        if (!over && neg && mag == 0) { n->t = RT_N_UINT; n->v.u = 0; return 0; }
        if (!over && neg && mag <= (uint64_t)INT64_MAX + 1) {
            n->t = RT_N_NEGINT;
            n->v.i = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
            return 0;
        }
        /* Out of 64-bit range: serde_json reads it as a float. */
    }
    n->t = RT_N_FLOAT;
    n->v.f = strtod(text, NULL);
    return 0;
}

/* Matches the literal `lit` (its first byte is next). */
static int parse_literal(rt_json *j, const char *lit)
{
    for (const char *p = lit; *p; p++) {
        int c = peekc(j);
        if (c != (unsigned char)*p)
            return bad_byte(j, c, lit);
        advance(j);
    }
    return 0;
}

/* Parses any value at nesting `depth` (containers open around it). */
static int parse_value(rt_json *j, rtrace_arena *a, int depth, rt_node **out)
{
    int c = skip_ws(j);
    if (++j->nodes > RT_RD_MAX_NODES)
        return syntax(j, "event too large (over 4 Mi JSON values)");
    rt_node *n = new_node(a, RT_N_NULL);
    if (!n)
        return rtrace_set_error(RTRACE_ENOMEM, "out of memory");
    int rc = 0;
    *out = n;
    switch (c) {
    case '{':
    case '[': {
        bool is_map = c == '{';
        int close = is_map ? '}' : ']';
        if (depth + 1 > RT_RD_MAX_DEPTH)
            return syntax(j, "nesting too deep (over 127 levels)");
        advance(j);
        n->t = is_map ? RT_N_MAP : RT_N_ARR;
        c = skip_ws(j);
        if (c == close) {
            advance(j);
            return 0;
        }
        for (;;) {
            rtrace_str key = {0};
            if (is_map) {
                c = skip_ws(j);
                if (c != '"')
                    return bad_byte(j, c, "a string key");
                if ((rc = parse_string(j, a, &key)))
                    return rc;
                c = skip_ws(j);
                if (c != ':')
                    return bad_byte(j, c, "':'");
                advance(j);
            }
            rt_node *child;
            if ((rc = parse_value(j, a, depth + 1, &child)))
                return rc;
            child->key = key;
            if (n->v.c.last)
                n->v.c.last->next = child;
            else
                n->v.c.first = child;
            n->v.c.last = child;
            n->v.c.n++;
            c = skip_ws(j);
            if (c == ',') {
                advance(j);
                continue;
            }
            if (c == close) {
                advance(j);
                return 0;
            }
            return bad_byte(j, c, is_map ? "',' or '}'" : "',' or ']'");
        }
    }
    case '"':
        n->t = RT_N_STR;
        return parse_string(j, a, &n->v.s);
    case 't':
        n->t = RT_N_BOOL;
        n->v.b = true;
        return parse_literal(j, "true");
    case 'f':
        n->t = RT_N_BOOL;
        return parse_literal(j, "false");
    case 'n':
        return parse_literal(j, "null");
    default:
        if (c == '-' || (c >= '0' && c <= '9'))
            return parse_number(j, n);
        return bad_byte(j, c, "a JSON value");
    }
}

/* See reader_int.h. */
int rt_json_value(rt_json *j, rtrace_arena *arena, int depth0, rt_node **out)
{
    j->nodes = 0;
    return parse_value(j, arena, depth0, out);
}

/* See reader_int.h. */
int rt_json_parse_file(rt_node **out, rtrace_arena *arena, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rtrace_set_error(errno == ENOENT ? RTRACE_ENOTFOUND : RTRACE_EIO, "%s: %s", path,
                                strerror(errno));
    rt_rd_src src = { .fd = fd, .limit = UINT64_MAX };
    rt_json *j = NULL;
    int rc = rt_json_new(&j, &src);
    if (rc) {
        close(fd);
        return rc;
    }
    rc = rt_json_value(j, arena, 0, out);
    if (rc == 0) {
        int c = rt_json_peek(j);
        if (c >= 0)
            rc = syntax(j, "trailing characters after the value");
        else if (c == -2)
            rc = RTRACE_EIO;
    }
    if (rc) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", rtrace_last_error());
        rtrace_set_error(rc, "%s: %s", path, msg);
    }
    rt_json_free(j);
    close(fd);
    return rc;
}
