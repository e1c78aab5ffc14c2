/*
 * lib/utf8.c - making arbitrary bytes valid UTF-8.
 *
 * Every text in a trace must be UTF-8 (JSON files, and CBOR text strings,
 * which upstream's decoder rejects when malformed), but a C char buffer can
 * hold anything. Policy (same in JSON and CBOR, so both formats decode to the
 * same text): well-formed sequences are kept as they are; every byte that is
 * not part of a well-formed sequence becomes U+FFFD (EF BF BD). Well-formed
 * means Unicode's Table 3-7: shortest form only, no surrogates, <= U+10FFFF.
 */
#include "encode_inline.h"

/* Length of the well-formed sequence at s[0] (1..4), or 0 if none starts there. */
size_t rtrace__utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return (n >= 2 && (s[1] & 0xc0) == 0x80) ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if (n < 3 || (s[2] & 0xc0) != 0x80)
            return 0;
        unsigned lo = 0x80, hi = 0xbf;
        if (c == 0xe0)
            lo = 0xa0;          /* no overlongs */
        else if (c == 0xed)
            hi = 0x9f;          /* no surrogates */
        return (s[1] >= lo && s[1] <= hi) ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (n < 4 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
            return 0;
        unsigned lo = 0x80, hi = 0xbf;
        if (c == 0xf0)
            lo = 0x90;          /* no overlongs */
        else if (c == 0xf4)
            hi = 0x8f;          /* <= U+10FFFF */
        return (s[1] >= lo && s[1] <= hi) ? 4 : 0;
    }
    return 0;
}

/* Length of the longest well-formed prefix of s[0, n). ASCII is scanned 8 bytes at a time. */
size_t rtrace__utf8_valid_prefix(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = rtrace__utf8_seq_len(s + i, n - i);
        if (!k)
            return i;
        i += k;
    }
    return n;
}

/* Bytes needed for s[0, n) after replacing every invalid byte by U+FFFD. */
size_t rtrace__utf8_sanitized_len(const unsigned char *s, size_t n)
{
    size_t out = 0, i = 0;
    while (i < n) {
        size_t v = rtrace__utf8_valid_prefix(s + i, n - i);
        out += v;
        i += v;
        if (i < n) {
            out += 3;
            i++;
        }
    }
    return out;
}

/* Writes the sanitized text to dst; returns the bytes written. */
size_t rtrace__utf8_sanitize(unsigned char *dst, const unsigned char *s, size_t n)
{
    size_t out = 0, i = 0;
    while (i < n) {
        size_t v = rtrace__utf8_valid_prefix(s + i, n - i);
        memcpy(dst + out, s + i, v);
        out += v;
        i += v;
        if (i < n) {
            dst[out++] = 0xef;
            dst[out++] = 0xbf;
            dst[out++] = 0xbd;
            i++;
        }
    }
    return out;
}
