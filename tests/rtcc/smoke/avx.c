/* tests/rtcc/smoke/avx.c - a ymm value lives across probes (clang keeps the
 * result of twice() in ymm0 over a line probe of the multi-line call): the
 * probes of functions using ymm must keep the upper halves, which the stub
 * runtime zeroes with vzeroupper as glibc's AVX string functions do.
 * Expected output: 3 * (1..8). */
#include <stdio.h>
#include <immintrin.h>

__attribute__((noinline)) static __m256 twice(__m256 v)
{
    return _mm256_add_ps(v, v);
}

int main(void)
{
    __m256 a = _mm256_set_ps(8, 7, 6, 5, 4, 3, 2, 1);
    float out[8];
    _mm256_storeu_ps(out, _mm256_add_ps(twice(a),
                                        a));
    for (int i = 0; i < 8; i++)
        printf("%g ", out[i]);
    printf("\n");
    return 0;
}
