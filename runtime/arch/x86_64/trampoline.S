/*
 * runtime/arch/x86_64/trampoline.S - the probe trampolines __rt_line_probe
 * and __rt_ret_probe, called from the probes rtcc inserts into the program's
 * assembly (see regs.h for the probe sequence and cc-wrapper/rewrite.c).
 *
 * This object is built once ($(LIBD)/rtrace_probe.o) and linked, hidden, into
 * every instrumented executable and shared object: the probe's `call` is then
 * a direct call that never goes through the PLT, so a lazy binding cannot
 * clobber the program's r10/r11/flags before we have saved them.  We save
 * first, then call the C hook (rt_on_line / rt_on_return) through the PLT.
 *
 * A probe may sit anywhere between two instructions of compiled code, so it
 * must be invisible: every register the C hook may clobber (rax rcx rdx rsi
 * rdi r8-r11, xmm0-15) and the arithmetic flags are restored on the way out.
 * The upper halves of ymm0-15 are saved by the _avx variants, which the
 * rewriter calls from functions whose code mentions ymm registers (all vector
 * registers are caller-saved: only such a function can have a ymm value live
 * across a probe): the hook may call glibc's AVX string functions, whose
 * vzeroupper would zero them.  The plain trampolines execute no AVX
 * instruction (checking XINUSE with xgetbv costs more than the rest of the
 * probe, and restoring uppers that were clean would leave them dirty, slowing
 * every later SSE instruction).  The x87 stack is left untouched (the hook
 * does not use x87; st0 still holds a long double return value inside
 * rt_on_return).  Not saved: AVX-512 state (zmm16-31, zmm uppers, k0-7).
 * Flags are saved with lahf/seto and restored with add/sahf: measurably
 * cheaper than pushfq/popfq (popfq is microcoded) and enough for compiled
 * code (DF is clear at every statement boundary by the psABI).
 *
 * The trampolines first try the fast hook rt_on_line_fast(pc, rbp) or
 * rt_on_return_fast2(pc, sp, rax, rdx)
 * (runtime/fastpath.c, built with -mgeneral-regs-only: it never touches a
 * vector register, x87 or the flags we restore, and calls nothing that
 * could): only the psABI's caller-saved GPRs and the flags are saved for it.
 * It returns 0 when it did everything (the common probe: same frame, a
 * statement row, plain integer variables), nonzero when the full hook must
 * run: then the whole rt_regs (GPRs from their push slots, xmm, ymm uppers)
 * is built and rt_on_line(regs) / rt_on_return(regs) called, as before.
 *
 * Stack on entry, and the frame we build (addresses grow upwards):
 *
 *      program sp (regs->sp)  -> | program's red zone / locals      |
 *                                | 128 bytes skipped by the probe's |
 *                                |   lea -128(%rsp),%rsp            |
 *      entry rsp + 8          -> +----------------------------------+
 *      entry rsp              -> | return address  (regs->pc)       |  CFA = entry rsp + 8
 *                                | saved program rbp                |  <- our %rbp
 *                                | saved rax                        |  -8(%rbp)
 *                                | flags word: ah = SZ-A-P-C, al=OF |  -16(%rbp)
 *                                | (padding to 16)                  |
 *                                | ymm0-15 upper halves (_avx only) |  YMMHI(%rsp)
 *      %rsp (16-aligned)      -> | rt_regs (RTR_SIZE bytes)         |  -> rt_on_*(&regs)
 *
 * regs->sp = entry rsp + 8 + 128 = %rbp + 16 + 128.
 */

/* Offsets of the fields of rt_regs (regs.h); tests/rtcc checks them. */
#define RTR_PC      0
#define RTR_SP      8
#define RTR_RBP     16
#define RTR_FLAGS   24
#define RTR_RAX     32
#define RTR_RCX     40
#define RTR_RDX     48
#define RTR_RSI     56
#define RTR_RDI     64
#define RTR_R8      72
#define RTR_R9      80
#define RTR_R10     88
#define RTR_R11     96
#define RTR_RBX     104
#define RTR_R12     112
#define RTR_R13     120
#define RTR_R14     128
#define RTR_R15     136
#define RTR_XMM     144
#define RTR_SIZE    400     /* 144 + 16 * 16, a multiple of 16 */
#define YMMHI       RTR_SIZE                /* 16 * 16 bytes of ymm uppers */
#define FRAME_SIZE  (RTR_SIZE + 256)        /* a multiple of 16 */

#define RED_ZONE    128

/* ENTRY/END: a hidden function symbol with its type and size. */
#define ENTRY(name)             \
        .globl name;            \
        .hidden name;           \
        .type name, @function;  \
        .p2align 4;             \
name:

#define END(name)               \
        .size name, .-name

#define SAVE_XMM(n)     movaps %xmm##n, RTR_XMM + 16 * n(%rsp)
#define LOAD_XMM(n)     movaps RTR_XMM + 16 * n(%rsp), %xmm##n
/* Upper halves of ymm0-15, after rt_regs in the frame.  LOAD_YMMHI runs
 * after LOAD_XMM (the legacy-SSE movaps keeps bits 255:128; vinsertf128
 * then writes them back). */
#define SAVE_YMMHI(n)   vextractf128 $1, %ymm##n, YMMHI + 16 * n(%rsp)
#define LOAD_YMMHI(n)   vinsertf128 $1, YMMHI + 16 * n(%rsp), %ymm##n, %ymm##n

/* SAVE_UPPERS_1 / LOAD_UPPERS_1: the _avx trampolines; _0: the others. */
#define SAVE_UPPERS_0
#define LOAD_UPPERS_0
#define SAVE_UPPERS_1                                                   \
        SAVE_YMMHI(0);  SAVE_YMMHI(1);  SAVE_YMMHI(2);  SAVE_YMMHI(3);  \
        SAVE_YMMHI(4);  SAVE_YMMHI(5);  SAVE_YMMHI(6);  SAVE_YMMHI(7);  \
        SAVE_YMMHI(8);  SAVE_YMMHI(9);  SAVE_YMMHI(10); SAVE_YMMHI(11); \
        SAVE_YMMHI(12); SAVE_YMMHI(13); SAVE_YMMHI(14); SAVE_YMMHI(15)
#define LOAD_UPPERS_1                                                   \
        LOAD_YMMHI(0);  LOAD_YMMHI(1);  LOAD_YMMHI(2);  LOAD_YMMHI(3);  \
        LOAD_YMMHI(4);  LOAD_YMMHI(5);  LOAD_YMMHI(6);  LOAD_YMMHI(7);  \
        LOAD_YMMHI(8);  LOAD_YMMHI(9);  LOAD_YMMHI(10); LOAD_YMMHI(11); \
        LOAD_YMMHI(12); LOAD_YMMHI(13); LOAD_YMMHI(14); LOAD_YMMHI(15)

        .text

/*
 * FAST_BODY(fast, slow, args, avx): a trampoline with a fast path.
 *
 *      entry rsp        -> | return address  (pc)      |  CFA = entry rsp + 8
 *                          | saved program rbp          |  <- our %rbp
 *                          | rax                        |  -8(%rbp)
 *                          | flags word (ah, al = OF)   |  -16(%rbp)
 *                          | rcx rdx rsi rdi r8 r9 r10 r11 | -24 .. -80(%rbp)
 *      %rsp (aligned 16)-> | ...                        |
 * Fast: fast(FAST_ARGS_<args>); 0 -> restore and return.
 * Slow: an rt_regs frame below (GPRs copied from the slots above, the
 * callee-saved ones are still the program's), slow(&regs), then the same
 * restore.
 * Contract: on return every register and arithmetic flag holds the value it
 * had at the `call` (with avx = 1, ymm0-15 whole); the fast hook got its
 * arguments, the slow one (if called) a pointer to a filled rt_regs.
 */
/* The fast hooks' arguments: line (pc, program rbp), return (pc, program
 * sp, program rax, program rdx). */
#define FAST_ARGS_line                                                  \
        movq    8(%rbp), %rdi;                  /* pc */                \
        movq    0(%rbp), %rsi                   /* the program's rbp */
#define FAST_ARGS_ret                                                   \
        movq    8(%rbp), %rdi;                  /* pc */                \
        leaq    16 + RED_ZONE(%rbp), %rsi;      /* the program's sp */  \
        movq    -8(%rbp), %rdx;                 /* the program's rax */ \
        movq    -32(%rbp), %rcx                 /* the program's rdx */

#define FAST_BODY(fast, slow, args, avx)                                \
        .cfi_startproc;                                                 \
        pushq   %rbp;                                                   \
        .cfi_adjust_cfa_offset 8;                                       \
        .cfi_offset %rbp, -16;                                          \
        movq    %rsp, %rbp;                                             \
        .cfi_def_cfa_register %rbp;                                     \
        pushq   %rax;                                                   \
        lahf;                                                           \
        seto    %al;                                                    \
        pushq   %rax;                                                   \
        pushq   %rcx;                                                   \
        pushq   %rdx;                                                   \
        pushq   %rsi;                                                   \
        pushq   %rdi;                                                   \
        pushq   %r8;                                                    \
        pushq   %r9;                                                    \
        pushq   %r10;                                                   \
        pushq   %r11;                                                   \
        andq    $-16, %rsp;                                             \
        FAST_ARGS_##args;                                               \
        call    fast@PLT;                                               \
        testl   %eax, %eax;                                             \
        jnz     3f;                                                     \
2:      leaq    -80(%rbp), %rsp;                                        \
        popq    %r11;                                                   \
        popq    %r10;                                                   \
        popq    %r9;                                                    \
        popq    %r8;                                                    \
        popq    %rdi;                                                   \
        popq    %rsi;                                                   \
        popq    %rdx;                                                   \
        popq    %rcx;                                                   \
        movq    -16(%rbp), %rax;                                        \
        addb    $0x7f, %al;             /* OF = (al == 1) */            \
        sahf;                           /* SF ZF AF PF CF from ah */    \
        movq    -8(%rbp), %rax;                                         \
        leave;                                                          \
        .cfi_def_cfa %rsp, 8;                                           \
        ret;                                                            \
        .cfi_def_cfa %rbp, 16;                                          \
3:      subq    $FRAME_SIZE, %rsp;      /* still 16-aligned */          \
        movq    -24(%rbp), %rcx;                                        \
        movq    %rcx, RTR_RCX(%rsp);                                    \
        movq    -32(%rbp), %rcx;                                        \
        movq    %rcx, RTR_RDX(%rsp);                                    \
        movq    -40(%rbp), %rcx;                                        \
        movq    %rcx, RTR_RSI(%rsp);                                    \
        movq    -48(%rbp), %rcx;                                        \
        movq    %rcx, RTR_RDI(%rsp);                                    \
        movq    -56(%rbp), %rcx;                                        \
        movq    %rcx, RTR_R8(%rsp);                                     \
        movq    -64(%rbp), %rcx;                                        \
        movq    %rcx, RTR_R9(%rsp);                                     \
        movq    -72(%rbp), %rcx;                                        \
        movq    %rcx, RTR_R10(%rsp);                                    \
        movq    -80(%rbp), %rcx;                                        \
        movq    %rcx, RTR_R11(%rsp);                                    \
        movq    %rbx, RTR_RBX(%rsp);                                    \
        movq    %r12, RTR_R12(%rsp);                                    \
        movq    %r13, RTR_R13(%rsp);                                    \
        movq    %r14, RTR_R14(%rsp);                                    \
        movq    %r15, RTR_R15(%rsp);                                    \
        SAVE_XMM(0);  SAVE_XMM(1);  SAVE_XMM(2);  SAVE_XMM(3);          \
        SAVE_XMM(4);  SAVE_XMM(5);  SAVE_XMM(6);  SAVE_XMM(7);          \
        SAVE_XMM(8);  SAVE_XMM(9);  SAVE_XMM(10); SAVE_XMM(11);         \
        SAVE_XMM(12); SAVE_XMM(13); SAVE_XMM(14); SAVE_XMM(15);         \
        movq    -8(%rbp), %rcx;                                         \
        movq    %rcx, RTR_RAX(%rsp);                                    \
        movq    0(%rbp), %rcx;                                          \
        movq    %rcx, RTR_RBP(%rsp);                                    \
        movq    8(%rbp), %rcx;                                          \
        movq    %rcx, RTR_PC(%rsp);                                     \
        leaq    16 + RED_ZONE(%rbp), %rcx;                              \
        movq    %rcx, RTR_SP(%rsp);                                     \
        movzbl  -15(%rbp), %ecx;                                        \
        movzbl  -16(%rbp), %edx;                                        \
        shll    $11, %edx;                                              \
        orl     %edx, %ecx;                                             \
        movq    %rcx, RTR_FLAGS(%rsp);                                  \
        SAVE_UPPERS_##avx;                                              \
        movq    %rsp, %rdi;                                             \
        call    slow@PLT;                                               \
        LOAD_XMM(0);  LOAD_XMM(1);  LOAD_XMM(2);  LOAD_XMM(3);          \
        LOAD_XMM(4);  LOAD_XMM(5);  LOAD_XMM(6);  LOAD_XMM(7);          \
        LOAD_XMM(8);  LOAD_XMM(9);  LOAD_XMM(10); LOAD_XMM(11);         \
        LOAD_XMM(12); LOAD_XMM(13); LOAD_XMM(14); LOAD_XMM(15);         \
        LOAD_UPPERS_##avx;                                              \
        jmp     2b;                                                     \
        .cfi_endproc

/* void __rt_line_probe(void): called after each line-table row group. */
ENTRY(__rt_line_probe)
        FAST_BODY(rt_on_line_fast, rt_on_line, line, 0)
END(__rt_line_probe)

/* void __rt_ret_probe(void): called right before each `ret`. */
ENTRY(__rt_ret_probe)
        FAST_BODY(rt_on_return_fast2, rt_on_return, ret, 0)
END(__rt_ret_probe)

/* The same, for functions whose code uses ymm registers (the rewriter picks
 * them): the upper halves of ymm0-15 are saved and restored as well. */
ENTRY(__rt_line_probe_avx)
        FAST_BODY(rt_on_line_fast, rt_on_line, line, 1)
END(__rt_line_probe_avx)

ENTRY(__rt_ret_probe_avx)
        FAST_BODY(rt_on_return_fast2, rt_on_return, ret, 1)
END(__rt_ret_probe_avx)

        .section .note.GNU-stack,"",@progbits
