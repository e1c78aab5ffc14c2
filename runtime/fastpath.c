/*
 * runtime/fastpath.c - the line probes' fast path, rt_on_line_fast.
 *
 * Most probes are the plain case: a line probe in the frame of the last
 * probe, at a statement row, whose variables are all plain integers. The
 * line trampolines (trampoline.S) call this function first with only the
 * caller-saved GPRs and the flags saved; the full hook rt_on_line, with every
 * register and xmm0-15 (ymm) saved, runs only when this one declines.
 *
 * So this file is built with -mgeneral-regs-only and calls nothing (no libc,
 * no other file of the runtime: the site lookup, the thread's state and the
 * event writers are inline): the program's vector registers, x87 state and
 * direction flag stay as they were. runtime.mk checks the object for vector
 * instructions and calls.
 *
 * It declines (returns 1) before changing anything, whenever the general
 * path has something to decide: no thread state yet, not recording, inside
 * the runtime already (a signal handler's probe), calls mode, budgets, a
 * frame change or a flagged frame (call, return, longjmp, deferred call),
 * variables that are not all fast, a buffer that would need to grow or be
 * flushed, the clock check due. What it does is exactly what rt_on_line
 * would do for that probe (step.c: rt_step_line's same-frame branch and
 * rt_output_commit's common path).
 *
 * A signal that arrives while it writes: in_runtime is set, so the handler's
 * probes go to t->nested as they would inside rt_on_line; the commit that
 * merges them needs libc (signal masks), so this function then sets
 * t->fast_merge and returns 1, and rt_on_line only commits.
 */
#include "core.h"
#include "fastvals.h"
#include "lifecycle.h"
#include "sites.h"

/* Contract: see above and trampoline.S. pc: the probe's return address;
 * rbp: the program's frame pointer. 0 = done, nonzero = run rt_on_line. */
RT_ENTRY int rt_on_line_fast(uint64_t pc, uint64_t rbp);

int rt_on_line_fast(uint64_t pc, uint64_t rbp)
{
    rt_thread_x *x = rt_tls_self;
    if (unlikely(x == NULL))
        return 1;
    rt_thread *t = &x->pub;
    if (unlikely(t->in_runtime || t->dead || t->nested.len ||
                 atomic_load_explicit(&rt_state, memory_order_relaxed) != RT_ST_RUNNING ||
                 rt_cfg.mode != RT_MODE_FULL || (rt_cfg.max_events | rt_cfg.max_bytes)))
        return 1;
    const rt_site *s = rt_sites_find(pc);
    if (unlikely(s == NULL || t->nframes == 0))
        return 1;
    rt_frame *fr = &t->frames[t->nframes - 1];
    if (unlikely(fr->cfa != rbp + 16 || fr->func != s->fn || fr->flags != 0))
        return 1;

    /* gdb's rules in one frame (rt_step_line) */
    uint32_t sf = s->flags;
    if (unlikely(!(sf & RT_SITE_ROWSTART))) {
        fr->line = s->line;          /* inside a row: its line, never a stop */
        fr->path_id = s->path_id;
        return 0;
    }
    if (unlikely(!(sf & RT_SITE_STMT)))
        return 0;                    /* never a stop */
    if (s->line == fr->line && s->path_id == fr->path_id)
        return 0;                    /* still on the line */

    /* a stop: Step and the Values, if it needs no decision of the general path */
    uint32_t nv = s->nvars;
    rtrace_enc *e = &t->enc;
    size_t need = 64 + rt_fast_values_room(nv);
    unsigned nev = 1 + nv;
    if (unlikely((nv && !(sf & RT_SITE_FASTVALS)) || e->json_first || e->cap - e->len < need ||
                 e->len + need >= RT_FLUSH_BYTES || t->events + nev >= x->clock_check_at))
        return 1;
    t->in_runtime = 1;
    fr->line = s->line;
    fr->path_id = s->path_id;
    rtrace__enc_step_fast(e, s->path_id, s->line);
    t->last_path_id = s->path_id;
    t->last_line = s->line;
    if (nv)
        rt_fast_values(e, s->vars, nv, rbp);
    /* rt_output_commit's common path */
    t->events += nev;
    x->committed = e->len;
    t->in_runtime = 0;
    if (unlikely(t->nested.len)) {
        t->fast_merge = 1;           /* rt_on_line merges them */
        return 1;
    }
    return 0;
}
