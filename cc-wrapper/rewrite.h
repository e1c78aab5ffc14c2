/*
 * cc-wrapper/rewrite.h - the assembly rewriter's interface: reads the
 * assembly a C compiler (gcc 12 or clang 14, -g -O0) produced and writes it
 * back with line probes and return probes inserted (see rewrite.c for what
 * it matches, and runtime/arch/x86_64/regs.h for the probe sequence).
 */
#ifndef RTCC_REWRITE_H
#define RTCC_REWRITE_H

#include <stddef.h>
#include <stdio.h>

/* What a rewrite did (for tests and diagnostics). */
typedef struct rtcc_rewrite_stats {
    unsigned functions;       /* functions seen in text sections */
    unsigned instrumented;    /* ... of which may get probes (not naked) */
    unsigned naked;           /* ... whose body starts with an asm block */
    unsigned excluded;        /* ... without __cyg_profile_func_enter call
                                 (RTCC_RW_HOOKED_ONLY) */
    unsigned line_probes;
    unsigned ret_probes;
    unsigned wrapped;         /* probes wrapped in .cfi_adjust_cfa_offset */
    unsigned skipped_same_line; /* is_stmt groups left without a probe: reached
                                   only by falling through from the same line */
    unsigned mid_row_probes;  /* line probes at jump targets inside a row
                                 (counted in line_probes too) */
    unsigned avx_probes;      /* probes calling the _avx trampolines */
    int lto;                  /* the input is LTO bytecode: nothing to rewrite */
} rtcc_rewrite_stats;

/* Flags of a rewrite. */
#define RTCC_RW_ALL_ROWS 1u   /* probe every is_stmt row group, also those only
                                 reached by falling through from the same line */
#define RTCC_RW_HOOKED_ONLY 2u /* the input was compiled with -finstrument-functions:
                                 functions without a __cyg_profile_func_enter call
                                 (excluded by the user) get no probes */

/*
 * Rewrites `len` bytes of assembly text `src` into `out`.
 * Returns 0 on success; -1 on a write error (errno set).  `stats` may be NULL.
 * Never fails on unknown input: lines it does not understand are copied.
 */
int rtcc_rewrite_buf(const char *src, size_t len, FILE *out, unsigned flags,
                     rtcc_rewrite_stats *stats);

/*
 * Rewrites the file `in_path` into `out_path` (created or truncated; "-" is
 * stdout).
 * Returns 0 on success; -1 with a message naming the file and the problem
 * written to `err` (size errlen) on failure.
 */
int rtcc_rewrite_file(const char *in_path, const char *out_path, unsigned flags,
                      rtcc_rewrite_stats *stats, char *err, size_t errlen);

#endif
