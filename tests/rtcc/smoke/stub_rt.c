/* tests/rtcc/smoke/stub_rt.c - a stand-in for librtrace_rt.so: counts the
 * probes and writes the counts to $RTCC_STUB_OUT at exit, so the smoke test
 * can tell that the probes ran (the real runtime may not exist yet). */
#include <stdio.h>
#include <stdlib.h>
static unsigned long lines, rets, enters;
void rt_on_line(void *regs) { (void)regs; lines++; }
void rt_on_return(void *regs) { (void)regs; rets++; }
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
