/*
 * lib/floatfmt.c - doubles as the text of Float value records.
 *
 * Upstream's types require Float "f" to be a string (a JSON number is
 * rejected). We write the shortest of %.15g, %.16g and %.17g that strtod
 * reads back to the same bits (%.17g always does), so "2.5" stays "2.5" and
 * 0.1 stays "0.1"; non-finite values are "inf", "-inf" and "NaN" (the
 * spellings Rust's f64 parser accepts). -0.0 gives "-0".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "encode_inline.h"

/* Formats `d` into buf (NUL-terminated); returns the text length. */
size_t rtrace__format_double(char buf[RTRACE__FLOAT_BUF], double d)
{
    if (isnan(d)) {
        memcpy(buf, "NaN", 4);
        return 3;
    }
    if (isinf(d)) {
        if (d < 0) {
            memcpy(buf, "-inf", 5);
            return 4;
        }
        memcpy(buf, "inf", 4);
        return 3;
    }
    /* Small integral values: exact as an integer, no printf needed. */
    /* (Range first: converting an out-of-range double to int64_t is undefined.) */
    if (d > -1e15 && d < 1e15 && d == (double)(int64_t)d && !(d == 0 && signbit(d))) {
        int64_t i = (int64_t)d;
        char tmp[24];
        int k = 24, neg = i < 0;
        uint64_t u = neg ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
        do {
            tmp[--k] = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (neg)
            tmp[--k] = '-';
        size_t len = (size_t)(24 - k);
        memcpy(buf, tmp + k, len);
        buf[len] = '\0';
        return len;
    }
    int len = 0;
    for (int prec = 15; prec <= 17; prec++) {
        len = snprintf(buf, RTRACE__FLOAT_BUF, "%.*g", prec, d);
        if (prec == 17 || strtod(buf, NULL) == d)
            break;
    }
    return (size_t)len;
}
