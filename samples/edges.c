/* samples/edges.c - differential-test sample: special floating values (negative zero,
 * infinities, NaN, subnormals), flag enums whose value is no single enumerator, a static
 * thread-local, 64-bit extremes, a struct of floats returned in SSE registers, a function
 * pointer array, a pointer to an array, 128-bit integers. _Complex is left out: the canonical
 * listing has no form for it (gdb's side reads <error>, the trace <unsupported type>). */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

enum flags { F_NONE = 0, F_READ = 1, F_WRITE = 2, F_EXEC = 4 };

struct vec2 { float x, y; };
struct vec3 { double x, y, z; };

static struct vec2 scale2(struct vec2 v, float k)
{
    struct vec2 r = {v.x * k, v.y * k};
    return r;
}

static struct vec3 cross(struct vec3 a, struct vec3 b)
{
    struct vec3 r = {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
    return r;
}

static int counter(void)
{
    static _Thread_local int calls = 0;
    calls++;
    return calls;
}

static int inc(int v) { return v + 1; }
static int dbl(int v) { return v * 2; }

int main(void)
{
    double nz = -0.0;
    double pinf = INFINITY, ninf = -INFINITY;
    double qnan = NAN;
    double tiny = DBL_MIN / 4;
    float fmax = FLT_MAX;
    long double ld = 1.0L / 3;
    enum flags fl = F_READ | F_WRITE;
    enum flags none = F_NONE;
    int64_t lo = INT64_MIN;
    uint64_t hi = UINT64_MAX;
    int imin = INT_MIN;
    __int128 wide = -((__int128)1 << 100) - 7;
    unsigned __int128 uwide = ~(unsigned __int128)0;
    struct vec2 v = scale2((struct vec2){1.5f, -2.0f}, 2.0f);
    struct vec3 c = cross((struct vec3){1, 0, 0}, (struct vec3){0, 1, 0});
    int k = counter();
    k += counter();
    int (*ops[2])(int) = {inc, dbl};
    int acc = 5;
    for (int i = 0; i < 2; i++)
        acc = ops[i](acc);
    int row[4] = {9, 8, 7, 6};
    int (*prow)[4] = &row;
    (*prow)[1] = 0;
    printf("%g %g %g %d %g %g %Lg %d %d %lld %llu %d\n", nz, pinf, ninf, isnan(qnan), tiny,
           (double)fmax, ld, fl, none, (long long)lo, (unsigned long long)hi, imin);
    printf("%g %g %g %d %d %d %d %d\n", v.x, v.y, c.z, k, acc, row[1], (int)(wide % 1000),
           (int)(uwide >> 120));
    return 0;
}
