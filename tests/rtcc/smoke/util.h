/* tests/rtcc/smoke/util.h - helpers of the smoke-test program. */
#ifndef SMOKE_UTIL_H
#define SMOKE_UTIL_H
struct pair { long a; double b; };
int fib(int n);
double mean(const double *v, int n);
struct pair make_pair(long a, double b);
long double ld_half(long double x);
int asm_add(int a, int b);      /* asm_add.s */
int asm_mul(int a, int b);      /* asm_mul.S */
#endif
