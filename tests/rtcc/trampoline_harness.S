/*
 * tests/rtcc/trampoline_harness.S - drives one probe the way instrumented
 * code does, with every register and flag set to a known pattern, and
 * records the registers the program sees after the probe.  Used by
 * test_trampoline.c to check that the trampolines fill rt_regs as regs.h
 * says and restore everything.
 *
 * void rtt_run_line(rtt_state *before, rtt_state *after, long misalign);
 * void rtt_run_ret(rtt_state *before, rtt_state *after, long misalign);
 * void rtt_run_line_ymm(const uint8_t in[16][32], uint8_t out[16][32]);
 *   before: the values to load (gprs, flags, xmm); its .sp and .pc fields
 *           are filled with the program's %rsp at the probe and the pc the
 *           trampoline must report.
 *   after:  the values seen right after the probe.
 *   misalign: nonzero to run the probe with %rsp = 8 mod 16.
 */

/* rtt_state layout (test_trampoline.c mirrors it). */
#define S_RAX 0
#define S_RCX 8
#define S_RDX 16
#define S_RSI 24
#define S_RDI 32
#define S_R8 40
#define S_R9 48
#define S_R10 56
#define S_R11 64
#define S_RBX 72
#define S_RBP 80
#define S_R12 88
#define S_R13 96
#define S_R14 104
#define S_R15 112
#define S_FLAGS 120
#define S_SP 128
#define S_PC 136
#define S_XMM 144

#define LOADX(n)  movdqu S_XMM + 16 * n(%rdi), %xmm##n
#define STOREX(n) movdqu %xmm##n, S_XMM + 16 * n(%rdi)

#define HARNESS(name, tramp)                                            \
        .globl name;                                                    \
        .type name, @function;                                          \
name:                                                                   \
        pushq   %rbp;                                                   \
        pushq   %rbx;                                                   \
        pushq   %r12;                                                   \
        pushq   %r13;                                                   \
        pushq   %r14;                                                   \
        pushq   %r15;                                                   \
        movq    %rsi, rtt_after_ptr(%rip);                              \
        movq    %rdx, rtt_misalign(%rip);                               \
        testq   %rdx, %rdx;                                             \
        jz      1f;                                                     \
        subq    $8, %rsp;                                               \
1:      movq    %rsp, S_SP(%rdi);                                       \
        leaq    2f(%rip), %rax;                                         \
        movq    %rax, S_PC(%rdi);                                       \
        LOADX(0); LOADX(1); LOADX(2); LOADX(3); LOADX(4); LOADX(5);     \
        LOADX(6); LOADX(7); LOADX(8); LOADX(9); LOADX(10); LOADX(11);   \
        LOADX(12); LOADX(13); LOADX(14); LOADX(15);                     \
        movq    S_RAX(%rdi), %rax;                                      \
        movq    S_RCX(%rdi), %rcx;                                      \
        movq    S_RDX(%rdi), %rdx;                                      \
        movq    S_RSI(%rdi), %rsi;                                      \
        movq    S_R8(%rdi), %r8;                                        \
        movq    S_R9(%rdi), %r9;                                        \
        movq    S_R10(%rdi), %r10;                                      \
        movq    S_R11(%rdi), %r11;                                      \
        movq    S_RBX(%rdi), %rbx;                                      \
        movq    S_RBP(%rdi), %rbp;                                      \
        movq    S_R12(%rdi), %r12;                                      \
        movq    S_R13(%rdi), %r13;                                      \
        movq    S_R14(%rdi), %r14;                                      \
        movq    S_R15(%rdi), %r15;                                      \
        pushq   S_FLAGS(%rdi);                                          \
        popfq;                                                          \
        movq    S_RDI(%rdi), %rdi;                                      \
        leaq    -128(%rsp), %rsp;                                       \
        call    tramp;                                                  \
2:      leaq    128(%rsp), %rsp;                                        \
        pushfq;                                                         \
        pushq   %rdi;                                                   \
        movq    rtt_after_ptr(%rip), %rdi;                              \
        popq    S_RDI(%rdi);                                            \
        popq    S_FLAGS(%rdi);                                          \
        movq    %rax, S_RAX(%rdi);                                      \
        movq    %rcx, S_RCX(%rdi);                                      \
        movq    %rdx, S_RDX(%rdi);                                      \
        movq    %rsi, S_RSI(%rdi);                                      \
        movq    %r8, S_R8(%rdi);                                        \
        movq    %r9, S_R9(%rdi);                                        \
        movq    %r10, S_R10(%rdi);                                      \
        movq    %r11, S_R11(%rdi);                                      \
        movq    %rbx, S_RBX(%rdi);                                      \
        movq    %rbp, S_RBP(%rdi);                                      \
        movq    %r12, S_R12(%rdi);                                      \
        movq    %r13, S_R13(%rdi);                                      \
        movq    %r14, S_R14(%rdi);                                      \
        movq    %r15, S_R15(%rdi);                                      \
        movq    %rsp, S_SP(%rdi);                                       \
        STOREX(0); STOREX(1); STOREX(2); STOREX(3); STOREX(4);          \
        STOREX(5); STOREX(6); STOREX(7); STOREX(8); STOREX(9);          \
        STOREX(10); STOREX(11); STOREX(12); STOREX(13); STOREX(14);     \
        STOREX(15);                                                     \
        cmpq    $0, rtt_misalign(%rip);                                 \
        je      3f;                                                     \
        addq    $8, %rsp;                                               \
3:      popq    %r15;                                                   \
        popq    %r14;                                                   \
        popq    %r13;                                                   \
        popq    %r12;                                                   \
        popq    %rbx;                                                   \
        popq    %rbp;                                                   \
        cld;                                                            \
        ret;                                                            \
        .size name, .-name

        .text
HARNESS(rtt_run_line, __rt_line_probe)
HARNESS(rtt_run_ret, __rt_ret_probe)

/*
 * void rtt_run_line_ymm(const uint8_t in[16][32], uint8_t out[16][32]);
 * Loads ymm0-15 from `in`, runs an _avx line probe, stores ymm0-15 to `out`.
 * Only called when the CPU has AVX.
 */
#define LOADY(n)  vmovdqu 32 * n(%rdi), %ymm##n
#define STOREY(n) vmovdqu %ymm##n, 32 * n(%rsi)
        .globl  rtt_run_line_ymm
        .type   rtt_run_line_ymm, @function
rtt_run_line_ymm:
        pushq   %rbp
        movq    %rsi, rtt_after_ptr(%rip)
        LOADY(0); LOADY(1); LOADY(2); LOADY(3); LOADY(4); LOADY(5);
        LOADY(6); LOADY(7); LOADY(8); LOADY(9); LOADY(10); LOADY(11);
        LOADY(12); LOADY(13); LOADY(14); LOADY(15);
        leaq    -128(%rsp), %rsp
        call    __rt_line_probe_avx
        leaq    128(%rsp), %rsp
        movq    rtt_after_ptr(%rip), %rsi
        STOREY(0); STOREY(1); STOREY(2); STOREY(3); STOREY(4); STOREY(5);
        STOREY(6); STOREY(7); STOREY(8); STOREY(9); STOREY(10); STOREY(11);
        STOREY(12); STOREY(13); STOREY(14); STOREY(15);
        vzeroupper
        popq    %rbp
        ret
        .size   rtt_run_line_ymm, .-rtt_run_line_ymm

        .bss
        .balign 8
rtt_after_ptr:  .skip 8
rtt_misalign:   .skip 8

        .section .note.GNU-stack,"",@progbits
