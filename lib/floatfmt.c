/*
 * lib/floatfmt.c - doubles as the text of Float value records.
 *
 * Upstream's types require Float "f" to be a string (a JSON number is
 * rejected). We write the shortest of %.15g, %.16g and %.17g that strtod
 * reads back to the same bits (%.17g always does), so "2.5" stays "2.5" and
 * 0.1 stays "0.1"; non-finite values are "inf", "-inf" and "NaN" (the
 * spellings Rust's f64 parser accepts). -0.0 gives "-0". printf and strtod
 * cost some hundreds of ns, so integers and short decimals take exact fast
 * paths that give the same text (tests/lib compares them over many values).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "encode_inline.h"

static const double pow10_tab[9] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};

/*
 * Fast path for values that are short decimals (2.5, 0.1, 123.456): finds
 * the smallest k <= 8 such that M = round(|d| * 10^k) satisfies
 * M / 10^k == |d| (M and 10^k are exact doubles, so that one division is
 * the correctly rounded value of the decimal M/10^k: the text reads back
 * as d). Limited to 1e-4 <= |d| < 1e15 and M < 10^15, where %.15g prints
 * the same digits in fixed notation, so the text is the one the printf
 * loop below would give, only without printf and strtod. Writes the text
 * and returns its length, or returns 0 when d is not such a value.
 */
static size_t short_decimal(char buf[RTRACE__FLOAT_BUF], double d)
{
    double a = fabs(d);
    if (!(a >= 1e-4 && a < 1e15))
        return 0;
    for (int k = 1; k <= 8; k++) {
        double m = nearbyint(a * pow10_tab[k]);
        if (m >= 1e15)
            return 0;
        if (m / pow10_tab[k] != a)
            continue;
        /* Digits of M, then a point k digits from the right (with "0.00" padding). */
        char digits[24];
        int nd = 0;
        uint64_t u = (uint64_t)m;
        do {
            digits[nd++] = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        while (nd <= k)
            digits[nd++] = '0';                 /* at least one digit before the point */
        int frac = k;
        while (frac > 0 && digits[0] == '0') {  /* a smaller k missed through rounding: drop trailing zeros */
            memmove(digits, digits + 1, (size_t)--nd);
            frac--;
        }
        size_t len = 0;
        if (d < 0)
            buf[len++] = '-';
        for (int i = nd - 1; i >= 0; i--) {
            buf[len++] = digits[i];
            if (i == frac && frac > 0)
                buf[len++] = '.';
        }
        buf[len] = '\0';
        return len;
    }
    return 0;
}

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
    size_t fast = short_decimal(buf, d);
    if (fast)
        return fast;
    int len = 0;
    for (int prec = 15; prec <= 17; prec++) {
        len = snprintf(buf, RTRACE__FLOAT_BUF, "%.*g", prec, d);
        if (prec == 17 || strtod(buf, NULL) == d)
            break;
    }
    return (size_t)len;
}
