/*
 * tests/rtcc/test_trampoline.c - checks the probe trampolines
 * (runtime/arch/x86_64/trampoline.S, linked as $(LIBD)/rtrace_probe.o)
 * against the contract of runtime/arch/x86_64/regs.h:
 *   - rt_regs is filled: pc = the probe's return address, sp = %rsp before
 *     the probe's lea -128, every GPR, callee-saved copies, xmm0-15, flags;
 *   - after the probe every register, xmm and arithmetic flag holds what it
 *     held before, although the hook (below) clobbers them all;
 *   - the hook is called with a 16-byte aligned stack, whatever the
 *     program's %rsp alignment;
 *   - __rt_line_probe calls rt_on_line_fast(pc, rbp) first, then rt_on_line
 *     only when the fast hook returns nonzero; __rt_ret_probe likewise
 *     rt_on_return_fast2(pc, sp, rax, rdx), then rt_on_return;
 *   - the fast path: the fast hook may clobber every caller-saved GPR and the
 *     flags (not the vector registers: it is built without them), and the
 *     program sees nothing of it.
 * The hooks are defined here (the test plays the runtime).
 */
#include <CUnit/Basic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "../../runtime/arch/x86_64/regs.h"

/* Mirrors trampoline_harness.S. */
typedef struct rtt_state {
    uint64_t rax, rcx, rdx, rsi, rdi, r8, r9, r10, r11, rbx, rbp, r12, r13, r14, r15;
    uint64_t flags, sp, pc;
    uint8_t xmm[16][16];
} rtt_state;

void rtt_run_line(rtt_state *before, rtt_state *after, long misalign);
void rtt_run_ret(rtt_state *before, rtt_state *after, long misalign);
void rtt_run_line_ymm(const uint8_t in[16][32], uint8_t out[16][32]);

/* Set while a test wants the hook to behave like glibc's AVX string
 * functions (vzeroupper: upper halves of ymm0-15 zeroed). */
static int hook_vzeroupper;

/* The arithmetic flags: CF PF AF ZF SF OF. */
#define FLAG_MASK 0x8d5u

static rt_regs seen;
static int line_calls, ret_calls;
static uintptr_t seen_addr;
/* The fast hook: its result (0 = the probe is done), calls and arguments. */
static int fast_result = 1;
static int fast_calls;
static uint64_t fast_pc, fast_rbp;
static uintptr_t fast_sp;

/* Destroys every register the psABI lets a callee destroy, and the flags. */
static void clobber(void)
{
    __asm__ volatile(
        "movq $0x5a5a5a5a5a5a5a5a, %%rax\n\t"
        "movq %%rax, %%rcx\n\tmovq %%rax, %%rdx\n\tmovq %%rax, %%rsi\n\t"
        "movq %%rax, %%rdi\n\tmovq %%rax, %%r8\n\tmovq %%rax, %%r9\n\t"
        "movq %%rax, %%r10\n\tmovq %%rax, %%r11\n\t"
        "pcmpeqd %%xmm0, %%xmm0\n\tmovdqa %%xmm0, %%xmm1\n\tmovdqa %%xmm0, %%xmm2\n\t"
        "movdqa %%xmm0, %%xmm3\n\tmovdqa %%xmm0, %%xmm4\n\tmovdqa %%xmm0, %%xmm5\n\t"
        "movdqa %%xmm0, %%xmm6\n\tmovdqa %%xmm0, %%xmm7\n\tmovdqa %%xmm0, %%xmm8\n\t"
        "movdqa %%xmm0, %%xmm9\n\tmovdqa %%xmm0, %%xmm10\n\tmovdqa %%xmm0, %%xmm11\n\t"
        "movdqa %%xmm0, %%xmm12\n\tmovdqa %%xmm0, %%xmm13\n\tmovdqa %%xmm0, %%xmm14\n\t"
        "movdqa %%xmm0, %%xmm15\n\t"
        "xorl %%eax, %%eax\n\t"            /* ZF=1 PF=1, CF=SF=OF=AF=0 */
        ::: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
            "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
            "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
            "cc", "memory");
}

/* Destroys the caller-saved GPRs and the flags (what a GPR-only callee may). */
static void clobber_gprs(void)
{
    __asm__ volatile(
        "movq $0x3c3c3c3c3c3c3c3c, %%rax\n\t"
        "movq %%rax, %%rcx\n\tmovq %%rax, %%rdx\n\tmovq %%rax, %%rsi\n\t"
        "movq %%rax, %%rdi\n\tmovq %%rax, %%r8\n\tmovq %%rax, %%r9\n\t"
        "movq %%rax, %%r10\n\tmovq %%rax, %%r11\n\t"
        "cmpq $1, %%rax\n\t"             /* flags: CF=0, ZF=0, ... */
        ::: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "cc", "memory");
}

int rt_on_line_fast(uint64_t pc, uint64_t rbp);
int rt_on_line_fast(uint64_t pc, uint64_t rbp)
{
    fast_calls++;
    fast_pc = pc;
    fast_rbp = rbp;
    fast_sp = (uintptr_t)__builtin_frame_address(0) + 16;   /* the stack at the call */
    clobber_gprs();
    return fast_result;
}

/* The return probe's fast hook: declines unless fast_ret_result is 0. */
static int fast_ret_result = 1;
static int fast_ret_calls;
static uint64_t fast_ret_pc, fast_ret_sp, fast_ret_rax, fast_ret_rdx;
int rt_on_return_fast2(uint64_t pc, uint64_t sp, uint64_t rax, uint64_t rdx);
int rt_on_return_fast2(uint64_t pc, uint64_t sp, uint64_t rax, uint64_t rdx)
{
    fast_ret_calls++;
    fast_ret_pc = pc;
    fast_ret_sp = sp;
    fast_ret_rax = rax;
    fast_ret_rdx = rdx;
    clobber_gprs();
    return fast_ret_result;
}

void rt_on_line(rt_regs *r)
{
    line_calls++;
    seen = *r;
    seen_addr = (uintptr_t)r;
    clobber();
    if (hook_vzeroupper)
        __asm__ volatile("vzeroupper" ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
                         "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
                         "xmm13", "xmm14", "xmm15");
}

void rt_on_return(rt_regs *r)
{
    ret_calls++;
    seen = *r;
    seen_addr = (uintptr_t)r;
    clobber();
}

/* Fills a state with distinct values; flags = `flags`. */
static void pattern(rtt_state *s, uint64_t seed, uint64_t flags)
{
    uint64_t *g = &s->rax;
    memset(s, 0, sizeof *s);
    for (int i = 0; i < 15; i++)
        g[i] = seed * 0x100000001b3ull + (uint64_t)i * 0x0101010101010101ull;
    s->flags = 0x202 | flags;
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++)
            s->xmm[i][j] = (uint8_t)(seed + i * 16 + j);
}

/* Runs one probe and checks rt_regs and the registers after it. */
static void check_probe(int ret, long misalign, uint64_t flags)
{
    rtt_state before, after;
    int calls0 = ret ? ret_calls : line_calls;
    int other0 = ret ? line_calls : ret_calls;

    pattern(&before, 7 + (uint64_t)misalign + (uint64_t)ret * 3, flags);
    memset(&after, 0, sizeof after);
    memset(&seen, 0, sizeof seen);
    if (ret)
        rtt_run_ret(&before, &after, misalign);
    else
        rtt_run_line(&before, &after, misalign);

    /* the right hook, once */
    CU_ASSERT_EQUAL(ret ? ret_calls : line_calls, calls0 + 1);
    CU_ASSERT_EQUAL(ret ? line_calls : ret_calls, other0);

    /* rt_regs as regs.h says */
    CU_ASSERT_EQUAL(seen.pc, before.pc);
    CU_ASSERT_EQUAL(seen.sp, before.sp);
    CU_ASSERT_EQUAL(seen.rbp, before.rbp);
    CU_ASSERT_EQUAL(seen.flags & FLAG_MASK, flags & FLAG_MASK);
    CU_ASSERT_EQUAL(seen.rax, before.rax);
    CU_ASSERT_EQUAL(seen.rcx, before.rcx);
    CU_ASSERT_EQUAL(seen.rdx, before.rdx);
    CU_ASSERT_EQUAL(seen.rsi, before.rsi);
    CU_ASSERT_EQUAL(seen.rdi, before.rdi);
    CU_ASSERT_EQUAL(seen.r8, before.r8);
    CU_ASSERT_EQUAL(seen.r9, before.r9);
    CU_ASSERT_EQUAL(seen.r10, before.r10);
    CU_ASSERT_EQUAL(seen.r11, before.r11);
    CU_ASSERT_EQUAL(seen.rbx, before.rbx);
    CU_ASSERT_EQUAL(seen.r12, before.r12);
    CU_ASSERT_EQUAL(seen.r13, before.r13);
    CU_ASSERT_EQUAL(seen.r14, before.r14);
    CU_ASSERT_EQUAL(seen.r15, before.r15);
    CU_ASSERT_EQUAL(memcmp(seen.xmm, before.xmm, sizeof seen.xmm), 0);
    /* rt_regs_get agrees for rsp and rbp (DWARF 7 and 6) */
    {
        uint64_t v = 0;
        CU_ASSERT(rt_regs_get(&seen, 7, &v) && v == before.sp);
        CU_ASSERT(rt_regs_get(&seen, 6, &v) && v == before.rbp);
    }
    /* the hook ran on an aligned stack, below the red zone */
    CU_ASSERT_EQUAL(seen_addr % 16, 0);
    CU_ASSERT(seen_addr + sizeof(rt_regs) <= before.sp - 128);

    /* everything restored */
    CU_ASSERT_EQUAL(after.rax, before.rax);
    CU_ASSERT_EQUAL(after.rcx, before.rcx);
    CU_ASSERT_EQUAL(after.rdx, before.rdx);
    CU_ASSERT_EQUAL(after.rsi, before.rsi);
    CU_ASSERT_EQUAL(after.rdi, before.rdi);
    CU_ASSERT_EQUAL(after.r8, before.r8);
    CU_ASSERT_EQUAL(after.r9, before.r9);
    CU_ASSERT_EQUAL(after.r10, before.r10);
    CU_ASSERT_EQUAL(after.r11, before.r11);
    CU_ASSERT_EQUAL(after.rbx, before.rbx);
    CU_ASSERT_EQUAL(after.rbp, before.rbp);
    CU_ASSERT_EQUAL(after.r12, before.r12);
    CU_ASSERT_EQUAL(after.r13, before.r13);
    CU_ASSERT_EQUAL(after.r14, before.r14);
    CU_ASSERT_EQUAL(after.r15, before.r15);
    CU_ASSERT_EQUAL(after.sp, before.sp);
    CU_ASSERT_EQUAL(after.flags & FLAG_MASK, flags & FLAG_MASK);
    CU_ASSERT_EQUAL(memcmp(after.xmm, before.xmm, sizeof after.xmm), 0);
}

/* The fast path: the fast hook returns 0, rt_on_line is not called, the
 * fast hook got the probe's pc and the program's rbp on an aligned stack
 * below the red zone, and every register, xmm and flag is restored. */
static void check_fast(int ret, long misalign, uint64_t flags)
{
    rtt_state before, after;
    int line0 = line_calls, ret0 = ret_calls, fast0 = fast_calls, fastr0 = fast_ret_calls;
    pattern(&before, 21 + (uint64_t)misalign + 5u * (uint64_t)ret, flags);
    memset(&after, 0, sizeof after);
    if (ret) {
        fast_ret_result = 0;
        rtt_run_ret(&before, &after, misalign);
        fast_ret_result = 1;
        CU_ASSERT_EQUAL(fast_ret_calls, fastr0 + 1);
        CU_ASSERT_EQUAL(fast_ret_pc, before.pc);
        CU_ASSERT_EQUAL(fast_ret_sp, before.sp);
        CU_ASSERT_EQUAL(fast_ret_rax, before.rax);
        CU_ASSERT_EQUAL(fast_ret_rdx, before.rdx);
    } else {
        fast_result = 0;
        rtt_run_line(&before, &after, misalign);
        fast_result = 1;
        CU_ASSERT_EQUAL(fast_calls, fast0 + 1);
        CU_ASSERT_EQUAL(fast_pc, before.pc);
        CU_ASSERT_EQUAL(fast_rbp, before.rbp);
        CU_ASSERT_EQUAL(fast_sp % 16, 0);
        CU_ASSERT(fast_sp <= before.sp - 128);
    }
    CU_ASSERT_EQUAL(line_calls, line0);
    CU_ASSERT_EQUAL(ret_calls, ret0);
    CU_ASSERT_EQUAL(after.rax, before.rax);
    CU_ASSERT_EQUAL(after.rcx, before.rcx);
    CU_ASSERT_EQUAL(after.rdx, before.rdx);
    CU_ASSERT_EQUAL(after.rsi, before.rsi);
    CU_ASSERT_EQUAL(after.rdi, before.rdi);
    CU_ASSERT_EQUAL(after.r8, before.r8);
    CU_ASSERT_EQUAL(after.r9, before.r9);
    CU_ASSERT_EQUAL(after.r10, before.r10);
    CU_ASSERT_EQUAL(after.r11, before.r11);
    CU_ASSERT_EQUAL(after.rbx, before.rbx);
    CU_ASSERT_EQUAL(after.rbp, before.rbp);
    CU_ASSERT_EQUAL(after.r12, before.r12);
    CU_ASSERT_EQUAL(after.r13, before.r13);
    CU_ASSERT_EQUAL(after.r14, before.r14);
    CU_ASSERT_EQUAL(after.r15, before.r15);
    CU_ASSERT_EQUAL(after.sp, before.sp);
    CU_ASSERT_EQUAL(after.flags & FLAG_MASK, flags & FLAG_MASK);
    CU_ASSERT_EQUAL(memcmp(after.xmm, before.xmm, sizeof after.xmm), 0);
}

static void test_trampoline__line_probe_fast_path_restores_all(void)
{
    check_fast(0, 0, FLAG_MASK);
    check_fast(0, 1, 0);
    check_fast(0, 0, 0x801);
}

/* The return probe's fast path: pc, the program's sp (at the return
 * address) and rax reach the fast hook; everything is restored. */
static void test_trampoline__ret_probe_fast_path_restores_all(void)
{
    check_fast(1, 0, FLAG_MASK);
    check_fast(1, 1, 0x0c4);
}

/* The slow path (fast hook declines): the fast hook ran first, then rt_on_line. */
static void test_trampoline__line_probe_slow_path_after_fast_hook(void)
{
    int fast0 = fast_calls;
    check_probe(0, 0, 0x0c5);
    CU_ASSERT_EQUAL(fast_calls, fast0 + 1);
}

static void test_trampoline__line_probe_fills_regs_and_restores_all(void)
{
    check_probe(0, 0, FLAG_MASK);
}

static void test_trampoline__line_probe_restores_clear_flags(void)
{
    check_probe(0, 0, 0);
}

static void test_trampoline__line_probe_misaligned_stack(void)
{
    check_probe(0, 1, 0x801);             /* OF and CF only */
}

static void test_trampoline__ret_probe_fills_regs_and_restores_all(void)
{
    check_probe(1, 0, 0x0c4);             /* ZF SF PF */
    check_probe(1, 1, FLAG_MASK);
}

/* ymm0-15 survive an _avx probe whose hook runs vzeroupper (as glibc's AVX
 * string functions do); rt_regs.xmm holds their low halves. */
static void test_trampoline__avx_probe_keeps_ymm_through_vzeroupper_in_hook(void)
{
    static uint8_t in[16][32], out[16][32];
    if (!__builtin_cpu_supports("avx")) {
        fprintf(stderr, "(no AVX on this CPU: ymm test skipped) ");
        return;
    }
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 32; j++)
            in[i][j] = (uint8_t)(0x11 * (i + 1) + j * 3 + 1);
    memset(out, 0, sizeof out);
    memset(&seen, 0, sizeof seen);
    hook_vzeroupper = 1;
    rtt_run_line_ymm(in, out);
    hook_vzeroupper = 0;
    for (int i = 0; i < 16; i++) {
        CU_ASSERT_EQUAL(memcmp(out[i], in[i], 32), 0);
        CU_ASSERT_EQUAL(memcmp(seen.xmm[i], in[i], 16), 0);
    }
}

/* The layout the trampolines write (trampoline.S hard-codes these offsets). */
static void test_trampoline__rt_regs_layout_matches_trampoline(void)
{
    CU_ASSERT_EQUAL(offsetof(rt_regs, pc), 0);
    CU_ASSERT_EQUAL(offsetof(rt_regs, sp), 8);
    CU_ASSERT_EQUAL(offsetof(rt_regs, rbp), 16);
    CU_ASSERT_EQUAL(offsetof(rt_regs, flags), 24);
    CU_ASSERT_EQUAL(offsetof(rt_regs, rax), 32);
    CU_ASSERT_EQUAL(offsetof(rt_regs, r11), 96);
    CU_ASSERT_EQUAL(offsetof(rt_regs, rbx), 104);
    CU_ASSERT_EQUAL(offsetof(rt_regs, r15), 136);
    CU_ASSERT_EQUAL(offsetof(rt_regs, xmm), 144);
    CU_ASSERT_EQUAL(sizeof(rt_regs), 400);
}

int main(void)
{
    CU_pSuite s;
    unsigned fails;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    s = CU_add_suite("trampoline", NULL, NULL);
    CU_add_test(s, "test_trampoline__rt_regs_layout_matches_trampoline",
                test_trampoline__rt_regs_layout_matches_trampoline);
    CU_add_test(s, "test_trampoline__line_probe_fills_regs_and_restores_all",
                test_trampoline__line_probe_fills_regs_and_restores_all);
    CU_add_test(s, "test_trampoline__line_probe_restores_clear_flags",
                test_trampoline__line_probe_restores_clear_flags);
    CU_add_test(s, "test_trampoline__line_probe_misaligned_stack",
                test_trampoline__line_probe_misaligned_stack);
    CU_add_test(s, "test_trampoline__line_probe_fast_path_restores_all",
                test_trampoline__line_probe_fast_path_restores_all);
    CU_add_test(s, "test_trampoline__ret_probe_fast_path_restores_all",
                test_trampoline__ret_probe_fast_path_restores_all);
    CU_add_test(s, "test_trampoline__line_probe_slow_path_after_fast_hook",
                test_trampoline__line_probe_slow_path_after_fast_hook);
    CU_add_test(s, "test_trampoline__ret_probe_fills_regs_and_restores_all",
                test_trampoline__ret_probe_fills_regs_and_restores_all);
    CU_add_test(s, "test_trampoline__avx_probe_keeps_ymm_through_vzeroupper_in_hook",
                test_trampoline__avx_probe_keeps_ymm_through_vzeroupper_in_hook);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    fails = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return fails ? 1 : 0;
}
