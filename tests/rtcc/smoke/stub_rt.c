/* tests/rtcc/smoke/stub_rt.c - a stand-in for librtrace_rt.so: counts the
 * probes and writes the counts to $RTCC_STUB_OUT at exit, so the smoke test
 * can tell that the probes ran (the real runtime may not exist yet), and
 * zeroes ymm upper halves as glibc's AVX functions do. */
#include <stdio.h>
#include <stdlib.h>
static unsigned long lines, rets, enters;

/* Like the real runtime calling glibc's AVX string functions: vzeroupper
 * zeroes the upper halves of ymm0-15 (the _avx trampolines must keep them). */
static void like_glibc_avx(void)
{
    static int avx = -1;
    if (avx < 0)
        avx = __builtin_cpu_supports("avx");
    if (avx)
        __asm__ volatile("vzeroupper");
}

/* The trampolines ask the fast hooks first: declining sends every probe to
 * rt_on_line / rt_on_return, which count it. */
int rt_on_line_fast(unsigned long pc, unsigned long rbp) { (void)pc; (void)rbp; return 1; }
int rt_on_return_fast2(unsigned long pc, unsigned long sp, unsigned long rax, unsigned long rdx) { (void)pc; (void)sp; (void)rax; (void)rdx; return 1; }
void rt_on_line(void *regs) { (void)regs; lines++; like_glibc_avx(); }
void rt_on_return(void *regs) { (void)regs; rets++; like_glibc_avx(); }
void __cyg_profile_func_enter(void *fn, void *site) { (void)fn; (void)site; enters++; }
void __cyg_profile_func_exit(void *fn, void *site) { (void)fn; (void)site; }
__attribute__((destructor)) static void report(void)
{
    const char *out = getenv("RTCC_STUB_OUT");
    FILE *f;
    if (!out || !(f = fopen(out, "a")))
        return;
    fprintf(f, "lines=%lu rets=%lu enters=%lu\n", lines, rets, enters);
    fclose(f);
}
