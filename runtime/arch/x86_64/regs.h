/*
 * runtime/arch/x86_64/regs.h - what the probe trampolines hand to the C side.
 *
 * The rewriter (cc-wrapper/rewrite.c) places, in the program's code:
 *
 *     .Lrtp_N:  lea -128(%rsp),%rsp        # step over the red zone
 *               call __rt_line_probe       # or __rt_ret_probe, right before `ret`
 *     .Lrtp_N_pc:
 *               lea 128(%rsp),%rsp
 *
 * and records the probe in the section .rtrace_probes (see rt_probe_record).
 * The trampolines (trampoline.S, linked hidden into every instrumented module)
 * save everything the C handler may clobber into an rt_regs on the stack,
 * call rt_on_line(regs) / rt_on_return(regs), restore, and return.
 */
#ifndef RT_ARCH_X86_64_REGS_H
#define RT_ARCH_X86_64_REGS_H

#include <stdint.h>

typedef struct rt_regs {
    uint64_t pc;      /* return address of the probe call (.Lrtp_N_pc) */
    uint64_t sp;      /* the program's %rsp before the probe (before lea -128) */
    uint64_t rbp;     /* the program's %rbp */
    uint64_t flags;
    uint64_t rax, rcx, rdx, rsi, rdi, r8, r9, r10, r11;
    uint64_t rbx, r12, r13, r14, r15;   /* callee-saved: copies for DWARF register locations */
    uint8_t xmm[16][16];                 /* xmm0..xmm15 (xmm0/xmm1 hold float returns) */
} rt_regs;

/* DWARF register numbers (x86-64 psABI) -> value, for DW_OP_reg/breg. */
static inline int rt_regs_get(const rt_regs *r, int dwarf_reg, uint64_t *out)
{
    switch (dwarf_reg) {
    case 0: *out = r->rax; return 1;
    case 1: *out = r->rdx; return 1;
    case 2: *out = r->rcx; return 1;
    case 3: *out = r->rbx; return 1;
    case 4: *out = r->rsi; return 1;
    case 5: *out = r->rdi; return 1;
    case 6: *out = r->rbp; return 1;
    case 7: *out = r->sp; return 1;
    case 8: *out = r->r8; return 1;
    case 9: *out = r->r9; return 1;
    case 10: *out = r->r10; return 1;
    case 11: *out = r->r11; return 1;
    case 12: *out = r->r12; return 1;
    case 13: *out = r->r13; return 1;
    case 14: *out = r->r14; return 1;
    case 15: *out = r->r15; return 1;
    default: return 0;
    }
}

/* The frame's canonical frame address at a line probe (after the prologue). */
static inline uint64_t rt_regs_cfa_at_line(const rt_regs *r) { return r->rbp + 16; }
/* ... and at a return probe (sp points at the return address). */
static inline uint64_t rt_regs_cfa_at_return(const rt_regs *r) { return r->sp + 8; }

/* One entry of the .rtrace_probes section, written by the rewriter:
 *     .pushsection .rtrace_probes,"a",@progbits
 *     .balign 4
 *     .long .Lrtp_N - .       # probe start (line probes: the line-table row address)
 *     .long .Lrtp_N_pc - .    # the pc the trampoline reports
 *     .long KIND              # RT_PROBE_LINE or RT_PROBE_RETURN
 *     .popsection
 * Offsets are relative to the address of the field itself. */
typedef struct rt_probe_record {
    int32_t start_rel;
    int32_t pc_rel;
    uint32_t kind;
} rt_probe_record;
#define RT_PROBE_LINE 1
#define RT_PROBE_RETURN 2
#define RT_PROBE_SECTION ".rtrace_probes"

#endif
