/*
 * runtime/step.c - the probe hooks rt_on_line / rt_on_return: the per-thread
 * frame stack and gdb's stepping rules, deciding which probes are stops.
 *
 * Frames are keyed by their CFA (rbp+16 at a line probe, sp+8 at `ret`):
 *  - a line probe whose CFA is the top frame's: the same call;
 *  - a CFA that matches a frame lower in the stack: the frames above it were
 *    abandoned (longjmp): each is closed with a Return of None so the call
 *    tree stays balanced;
 *  - a CFA that matches no frame: a new call (deeper on this stack, or a
 *    signal handler on another stack), written as upstream's register_call
 *    does, without its Values before the Step: a Step at the function's
 *    line, the Call with the arguments.
 * gdb's `step` (instrumentation.md section 3): the first line of a call is a
 * stop; while control stays on one line there is no new stop; a non-is_stmt
 * row is never a stop, nor is a probe in the middle of one of gdb's rows (a
 * row gdb merged into the previous one: same line, non-zero discriminator, or
 * line 0; a jump target the rewriter probed inside a row), where gdb takes
 * the row's line as its current one, even in a non-is_stmt row; after a
 * return, when the return address itself starts a row, that row is a
 * stop if its line differs from the line of the last stop (gdb's current line
 * is still the callee's); a non-is_stmt row there (no probe: looked up in the
 * line table) of another line makes gdb forget its line, so the next is_stmt
 * row is a stop whatever its line; a return address inside a row leaves the
 * caller's own line to compare as usual. At a stop: Step, then one Value per visible variable (as it is
 * before the line runs).
 *
 * A frame entered at a deferred site (clang's -finstrument-functions entry
 * call comes before the parameters are stored, RT_SITE_DEFER) is pushed as
 * pending: its Call and first stop are written at its next probe, at a call
 * it makes, or at its `ret` (one-line functions), reading it through its CFA.
 *
 * RTRACE_MODE=calls writes only Calls (with arguments) and Returns.
 *
 * The hooks save errno, and never encode into t->enc while this thread is
 * already inside the runtime (a signal handler interrupted it there): such
 * events go to t->nested, which the output appends after the interrupted
 * event.
 */
#include <errno.h>

#include "core.h"
#include "fastvals.h"
#include "../lib/encode_inline.h"   /* the encoder's fused fast paths */


/* Frames of this thread's stack flagged RT_FR_UPWARD (never too low: frames
 * dropped outside this file only leave it too high). While 0, CFAs strictly
 * decrease up the frame stack, so a CFA below the top frame's is a new call:
 * no search of the whole stack at each call (that made a recursion N deep
 * cost O(N^2): 11 s for 200,000). */
__thread size_t rt_upward __attribute__((tls_model("initial-exec")));   /* core.h */

/* This thread's errno (&errno never changes during a thread's life): the
 * hooks save and restore errno at every probe, and reading it through
 * __errno_location() from the .so is a PLT call each time. Set at the
 * thread's first probe; a new thread starts with NULL. */
static __thread int *rt_errno_p __attribute__((tls_model("initial-exec")));

static inline int *errno_ptr(void)
{
    int *p = rt_errno_p;
    if (unlikely(p == NULL))
        p = rt_errno_p = &errno;
    return p;
}

/* Makes room for one more frame; false when it cannot (deeper calls are
 * then not recorded). The lifecycle owns the mapping (rt_thread_frames_reserve). */
static inline bool frames_room(rt_thread *t)
{
    if (likely(t->nframes < t->frames_cap))
        return true;
    return rt_thread_frames_reserve(t, t->nframes + 1);
}

/* Writes one Value event per variable of site s. With RT_SITE_FASTVALS
 * every variable has its event template (a plain integer's head and tail, or
 * a struct of integers' rt_tpl): one room check, then loads and copies
 * (rt_fast_values). Otherwise plain integers take one load and one fused
 * encoder call, the rest goes through the general capture. */
static unsigned write_values(rtrace_enc *e, const rt_site *s, const rt_regs *regs)
{
    const rt_core_var *vars = s->vars;
    uint32_t n = s->nvars;
    if (likely((s->flags & RT_SITE_FASTVALS) && !e->json_first && rtrace__room(e, s->vals_room))) {
        rt_fast_values(e, vars, n, regs->rbp, NULL, NULL);
        return n;
    }
    for (uint32_t i = 0; i < n; i++) {
        const rt_core_var *v = &vars[i];
        if (likely(v->fast != RT_FAST_NONE)) {
            rtrace__enc_value_int_fast(e, v->var_id, v->type_id, rt_fast_load(v, regs->rbp));
            continue;
        }
        rtrace__enc_value_begin_fast(e, v->var_id);
        rt_capture_var(e, v, regs);
        rtrace__enc_event_value_end_fast(e);
    }
    return n;
}

/* Pops frames down to `keep` frames, each with a Return of None (a pending
 * frame has no Call in the trace: nothing to close). */
static unsigned pop_to(rt_thread *t, rtrace_enc *e, size_t keep)
{
    unsigned n = 0;
    while (t->nframes > keep) {
        t->nframes--;
        if (unlikely(t->frames[t->nframes].flags & RT_FR_UPWARD) && rt_upward)
            rt_upward--;
        if (unlikely(t->frames[t->nframes].flags & RT_FR_PENDING))
            continue;
        rtrace_enc_return_begin(e);
        rtrace_enc_none(e, RTRACE_NONE_TYPE_ID);
        rtrace_enc_return_end(e);
        n++;
    }
    return n;
}

/*
 * gcc's -finstrument-functions code keeps a function's result in rbx for its
 * exit hook: `return f(...);` becomes `call f; mov %eax,%ebx` (or %rax,%rbx),
 * the hook's call, then the closing line's row, where the untraced code
 * returns to directly. The address right after such a move (a probe there is
 * a jump target in the middle of the return statement's row), or 0 when pc
 * does not hold one.
 */
static uint64_t after_result_save(uint64_t pc)
{
    unsigned char p[3];
    if (rt_safe_copy(p, (const void *)(uintptr_t)pc, sizeof p) != sizeof p)
        return 0;
    if (p[0] == 0x89 && p[1] == 0xc3)
        return pc + 2;                       /* mov %eax,%ebx */
    if (p[0] == 0x48 && p[1] == 0x89 && p[2] == 0xc3)
        return pc + 3;                       /* mov %rax,%rbx */
    return 0;
}

/* The events of a new call of s->fn, at its first line probe `s`. */
static unsigned write_call(rtrace_enc *e, const rt_site *s, const rt_regs *regs)
{
    const rt_core_func *fn = s->fn;
    unsigned n = 0;
    /* The Step at the function's line comes in both modes: CodeTracer
     * re-labels the step just before a Call as the callee's (upstream's
     * register_call). No Values before it (register_call writes the args
     * there): they would attach to the caller's current step, in CodeTracer
     * as in the canonical listing. The Call carries the args and the first
     * stop right after shows them as Values. */
    rtrace_enc_step(e, fn->path_id, fn->decl_line ? fn->decl_line : s->line);
    n++;
    rtrace_enc_call_begin(e, fn->function_id, s->nparams);
    for (uint32_t i = 0; i < s->nparams; i++) {
        rtrace_enc_arg_begin(e, s->vars[i].var_id);
        rt_capture_var(e, &s->vars[i], regs);
        rtrace_enc_arg_end(e);
    }
    rtrace_enc_call_end(e);
    return n + 1;
}

/*
 * Writes the Call of pending frame `fr` (entered at a deferred site, see
 * RT_SITE_DEFER) and its first stop at that site, now that its parameters are
 * in their slots. `regs` are the registers of a deeper frame or of the
 * frame's own `ret`: the frame is read through a copy whose rbp is the
 * frame's own (CFA - 16 with a frame pointer).
 */
static unsigned resolve_pending(rt_thread *t, rtrace_enc *e, rt_frame *fr, const rt_regs *regs)
{
    const rt_site *s = fr->fn_site;
    rt_regs r = *regs;
    r.rbp = fr->cfa - 16;
    fr->flags &= ~RT_FR_PENDING;
    unsigned n = write_call(e, s, &r);
    if (rt_cfg.mode == RT_MODE_CALLS)
        return n;
    fr->line = s->line;
    fr->path_id = s->path_id;
    rtrace__enc_step_fast(e, s->path_id, s->line);
    t->last_path_id = s->path_id;
    t->last_line = s->line;
    return n + 1 + write_values(e, s, &r);
}

/* Contract: see core.h. */
unsigned rt_step_line(rt_thread *t, rtrace_enc *e, const rt_site *s, const rt_regs *regs, uint64_t cfa)
{
    unsigned n = 0;
    bool first = false;
    rt_frame *fr = t->nframes ? &t->frames[t->nframes - 1] : NULL;
    if (unlikely(fr && fr->cfa == cfa && fr->func == s->fn && (fr->flags & RT_FR_PENDING))) {
        if (s->flags & RT_SITE_DEFER)
            return 0;
        /* the first real line of a deferred call: its Call goes here */
        fr->flags &= ~RT_FR_PENDING;
        size_t idx = t->nframes - 1;
        n += write_call(e, s, regs);
        fr = &t->frames[idx];
        first = true;
    } else if (unlikely(!fr || fr->cfa != cfa || fr->func != s->fn)) {
        size_t i = t->nframes;
        if (likely(rt_upward == 0 && fr && cfa < fr->cfa))
            i = 0;                              /* a new call (see rt_upward) */
        while (i > 0 && t->frames[i - 1].cfa != cfa)
            i--;
        if (i > 0 && t->frames[i - 1].func == s->fn) {
            n += pop_to(t, e, i);               /* longjmp: frames above abandoned */
            fr = &t->frames[i - 1];
        } else {
            if (i > 0)                          /* same CFA, another function: the old frame is gone */
                n += pop_to(t, e, i - 1);
            if (t->nframes && unlikely(t->frames[t->nframes - 1].flags & RT_FR_PENDING))
                n += resolve_pending(t, e, &t->frames[t->nframes - 1], regs);
            if (unlikely(!frames_room(t)))
                return n;
            fr = &t->frames[t->nframes++];
            fr->cfa = cfa;
            fr->func = s->fn;
            fr->fn_site = s;
            fr->line = 0;
            fr->path_id = s->path_id;
            fr->flags = 0;
            fr->ret_pc = 0;
            if (t->nframes > 1 && t->frames[t->nframes - 2].cfa <= cfa) {
                fr->flags = RT_FR_UPWARD;
                rt_upward++;
            }
            if (unlikely(s->flags & RT_SITE_DEFER)) {
                fr->flags |= RT_FR_PENDING;     /* the parameters are not in place yet */
                return n;
            }
            size_t idx = t->nframes - 1;
            n += write_call(e, s, regs);
            fr = &t->frames[idx];               /* a nested probe may have moved the stack */
            first = true;
        }
    }
    if (rt_cfg.mode == RT_MODE_CALLS)
        return n;

    if (unlikely(fr->flags & RT_FR_RETURNED) && !first) {
        /* back from a call: gdb's landing rules (rt_land, core.h) */
        fr->flags &= ~RT_FR_RETURNED;
        if (s->start != fr->ret_pc && s->start == after_result_save(fr->ret_pc) &&
            !(s->flags & RT_SITE_ROWSTART)) {
            /* gcc's `return f(...);` under -finstrument-functions: the
             * untraced code returns to the start of the next row (the
             * function's closing line); the code until then (the result
             * saved for the exit hook, the hook's call) is the
             * instrumentation's: gdb's line is still the callee's there */
            fr->line = t->last_line;
            fr->path_id = (uint32_t)t->last_path_id;
            return n;
        }
        rt_land(t, fr, s);
    }
    bool stop;
    if (unlikely(first)) {
        stop = true;
    } else if (unlikely(!(s->flags & RT_SITE_ROWSTART))) {
        /* the middle of a row in gdb's table (a row gdb merged away, a jump
         * target inside a row): gdb never stops there, it only takes the
         * line as its current one, is_stmt or not */
        stop = false;
    } else if (unlikely(!(s->flags & RT_SITE_STMT))) {
        return n;                               /* gdb never stops at a non-statement row */
    } else {
        stop = s->line != fr->line || s->path_id != fr->path_id;
    }
    fr->line = s->line;
    fr->path_id = s->path_id;
    if (!stop)
        return n;
    rtrace__enc_step_fast(e, s->path_id, s->line);
    t->last_path_id = s->path_id;
    t->last_line = s->line;
    return n + 1 + write_values(e, s, regs);
}

/* Contract: see core.h. */
unsigned rt_step_return(rt_thread *t, rtrace_enc *e, const rt_site *s, const rt_regs *regs,
                        uint64_t cfa, const void *x87)
{
    size_t i = t->nframes;
    while (i > 0 && t->frames[i - 1].cfa != cfa)
        i--;
    if (i == 0 || t->frames[i - 1].func != s->fn)
        return 0;                               /* a call we never saw start */
    unsigned n = pop_to(t, e, i);
    if (unlikely(t->frames[i - 1].flags & RT_FR_PENDING))
        n += resolve_pending(t, e, &t->frames[i - 1], regs);   /* no line probe ran in it */
    if (unlikely(t->frames[i - 1].flags & RT_FR_UPWARD) && rt_upward)
        rt_upward--;
    t->nframes = i - 1;
    rtrace_enc_return_begin(e);
    rt_capture_return(e, s->fn, regs, x87);
    rtrace_enc_return_end(e);
    if (t->nframes) {
        rt_frame *caller = &t->frames[t->nframes - 1];
        caller->flags |= RT_FR_RETURNED;
        caller->ret_pc = *(const uint64_t *)regs->sp;   /* sp points at the return address */
    }
    return n + 1;
}

/* Contract: see rt.h. Called by the line trampolines with every register saved. */
void rt_on_line(rt_regs *regs)
{
    int *ep = errno_ptr();
    int saved_errno = *ep;
    rt_thread *t = rt_thread_get();
    if (unlikely(t != NULL && t->fast_merge)) {
        /* the fast path recorded this probe; a signal handler's probes wrote
         * to t->nested meanwhile: only the commit (which merges them) is left */
        t->fast_merge = 0;
        t->in_runtime++;
        rt_output_commit(t, 0);
        t->in_runtime--;
        *ep = saved_errno;
        return;
    }
    if (likely(t != NULL)) {
        const rt_site *s = rt_sites_lookup(regs->pc);
        if (unlikely(s == NULL) && t->in_runtime == 0 && rt_modules_rescan_in_dlopen())
            s = rt_sites_lookup(regs->pc);   /* a constructor of an object being dlopen'ed */
        if (likely(s != NULL)) {
            bool nested = t->in_runtime != 0;
            t->in_runtime++;
            unsigned n = rt_step_line(t, nested ? &t->nested : &t->enc, s, regs,
                                      rt_regs_cfa_at_line(regs));
            if (n)
                rt_output_commit(t, n);   /* nested: only counted; the outer commit moves them */
            t->in_runtime--;
        }
    }
    *ep = saved_errno;
}

/* Contract: see rt.h. Called by the return trampolines right before `ret`. */
void rt_on_return(rt_regs *regs)
{
    int *ep = errno_ptr();
    int saved_errno = *ep;
    unsigned char x87[16] __attribute__((aligned(16)));
    rt_thread *t = rt_thread_get();
    if (unlikely(t != NULL && t->fast_merge)) {
        /* as in rt_on_line: the fast path did the rest */
        t->fast_merge = 0;
        t->in_runtime++;
        rt_output_commit(t, 0);
        t->in_runtime--;
        *ep = saved_errno;
        return;
    }
    if (likely(t != NULL)) {
        const rt_site *s = rt_sites_lookup(regs->pc);
        if (likely(s != NULL)) {
            const void *px = NULL;
            if (unlikely(s->fn->ret_class == RT_RET_X87)) {
                /* st0 holds the long double: copy it without popping */
                __asm__ volatile("fld %%st(0)\n\tfstpt %0" : "=m"(*(unsigned char(*)[10])x87));
                px = x87;
            }
            bool nested = t->in_runtime != 0;
            t->in_runtime++;
            unsigned n = rt_step_return(t, nested ? &t->nested : &t->enc, s, regs,
                                        rt_regs_cfa_at_return(regs), px);
            if (n)
                rt_output_commit(t, n);   /* nested: only counted; the outer commit moves them */
            t->in_runtime--;
        }
    }
    *ep = saved_errno;
}

/* Contract: see rt.h. Calls stay open: the consumer accepts that. */
void rt_core_thread_end(rt_thread *t)
{
    if (t)
        t->nframes = 0;
    rt_upward = 0;
}
