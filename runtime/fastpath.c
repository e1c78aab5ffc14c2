/*
 * runtime/fastpath.c - the probes' fast paths, rt_on_line_fast and
 * rt_on_return_fast2.
 *
 * Most probes are plain cases: a line probe in the frame of the last probe,
 * at a statement row, whose variables are plain integers, structs or arrays
 * of them, C strings or unsigned 64-bit integers (their Value templates; the
 * last two checked first: fast_vals_checks), also the first one after a
 * callee returned (gdb's
 * landing rules: fast_returned); a call whose parameters are plain integers,
 * structs of them, unsigned 64-bit integers up to INT64_MAX or C strings
 * that need no escaping (its Step and Call from the entry site's template,
 * tpl.h, the checked slots read first: fast_call_checks; at clang's deferred
 * entries, at the function's next probe: fast_deferred); the return of a
 * void or plain integer value (unsigned 64-bit: up to INT64_MAX), or of a
 * struct of integers in rax:rdx or in the caller's stack buffer (the
 * function's Return template).
 * The trampolines (trampoline.S) call these first with only the caller-saved
 * GPRs and the flags saved; the full hooks rt_on_line / rt_on_return, with
 * every register and xmm0-15 (ymm) saved, run only when these decline.
 *
 * So this file is built with -mgeneral-regs-only and calls nothing but
 * rt_safe_copy (assembly, GPRs only: a C string's text is read through it,
 * so a bad pointer faults into its recovery, signals.c) - no libc, no other
 * file of the runtime: the site lookup, the thread's state and the event
 * writers are inline: the program's vector registers, x87 state and
 * direction flag stay as they were. runtime.mk checks the object for vector
 * instructions and calls.
 *
 * They decline (return 1) whenever the general path has something to
 * decide, before changing anything (fast_returned excepted: the landing
 * rules it applied are all the general path would apply first): no thread
 * state yet, not recording, inside the runtime already (a signal handler's
 * probe), budgets or RTRACE_NO_FAST, a frame on another stack, a landing
 * inside a row (gcc's `return f();` rule), a pending frame met elsewhere
 * than at its function's next line probe, a longjmp,
 * variables or values without templates (not plain integers or structs of
 * them), a checked slot out of its range (a text to escape, unreadable or too
 * long, an unsigned 64-bit value above INT64_MAX), a buffer that would need
 * to grow or be flushed, the clock check due. What they do is exactly what rt_on_line / rt_on_return would do for
 * that probe (step.c: rt_step_line, write_call, rt_step_return;
 * rt_output_commit's common path).
 *
 * A signal that arrives while they write: in_runtime is set, so the
 * handler's probes go to t->nested as they would inside the full hooks; the
 * commit that merges them needs libc (signal masks), so the fast path then
 * sets t->fast_merge and returns 1, and the full hook only commits.
 */
#include "core.h"
#include "fastvals.h"
#include "lifecycle.h"
#include "sites.h"
#include "tpl.h"

/* Contract: see above and trampoline.S. pc: the probe's return address;
 * rbp: the program's frame pointer. 0 = done, nonzero = run rt_on_line. */
RT_ENTRY int rt_on_line_fast(uint64_t pc, uint64_t rbp);
/* The same for a return probe: sp is the program's stack pointer at its
 * `ret` (it points at the return address), rax and rdx its rax and rdx.
 * Nonzero = run rt_on_return. (rt_on_return_fast, without rdx, is what
 * programs linked with an older rtrace_probe.o call: struct returns in
 * rax:rdx then take the general path.) */
RT_ENTRY int rt_on_return_fast2(uint64_t pc, uint64_t sp, uint64_t rax, uint64_t rdx);
RT_ENTRY int rt_on_return_fast(uint64_t pc, uint64_t sp, uint64_t rax);

/* The calling thread's state when a fast path may run for it, else NULL. */
static inline rt_thread_x *fast_thread(void)
{
    rt_thread_x *x = rt_tls_self;
    if (unlikely(x == NULL))
        return NULL;
    rt_thread *t = &x->pub;
    if (unlikely(t->in_runtime || t->dead || t->nested.len ||
                 atomic_load_explicit(&rt_state, memory_order_relaxed) != RT_ST_RUNNING ||
                 rt_cfg.fast_off))
        return NULL;
    return x;
}

/* Whether `need` more bytes and `nev` more events fit without the general
 * path: no flush and no clock check due. That is also room in the buffer (a
 * thread's buffer never has less than RT_ENC_CAP bytes, far more than
 * RT_FLUSH_BYTES plus any template, threads.c) and that the templates
 * apply (a thread's buffer never holds the trace's first event, whose JSON
 * has no leading separator: json_first is false there). */
static inline bool fast_room(const rt_thread_x *x, size_t need, unsigned nev)
{
    return x->pub.enc.len + need < RT_FLUSH_BYTES && x->pub.events + nev < x->clock_check_at;
}

/* The end of a fast path that wrote: rt_output_commit's common path, then
 * 0, or 1 when a signal handler's probes wrote to t->nested meanwhile (see
 * the file comment). */
static inline int fast_commit(rt_thread_x *x, unsigned nev)
{
    rt_thread *t = &x->pub;
    t->events += nev;
    x->committed = t->enc.len;
    t->in_runtime = 0;
    if (unlikely(t->nested.len)) {
        t->fast_merge = 1;
        return 1;
    }
    return 0;
}

/* The value of a fast integer held in a register (the low bytes of r). */
static inline int64_t fast_reg(uint64_t r, uint8_t kind)
{
    switch (kind) {
    case RT_FAST_I8: return (int8_t)r;
    case RT_FAST_I16: return (int16_t)r;
    case RT_FAST_I32: return (int32_t)r;
    case RT_FAST_I64: case RT_FAST_U64: return (int64_t)r;
    case RT_FAST_U8: return (uint8_t)r;
    case RT_FAST_U16: return (uint16_t)r;
    default: return (uint32_t)r;
    }
}

/* Writes template tpl with the slot values vals (the texts of its string
 * slots in strs, or NULL) into e (room checked), leaving e's state as the
 * encoder would. Inlined, with the format's slot encoder picked once rather
 * than per slot. */
static inline __attribute__((always_inline)) void fast_tpl(rtrace_enc *e, const rt_tpl *tpl, const int64_t *vals,
                                                         const char *strs)
{
    unsigned char *p = e->buf + e->len;
    p = e->format == RTRACE_FORMAT_BINARY ? rt_tpl_write_s(p, tpl, vals, strs, RTRACE_FORMAT_BINARY)
                                          : rt_tpl_write_s(p, tpl, vals, strs, RTRACE_FORMAT_JSON);
    e->len = (size_t)(p - e->buf);
    e->depth = 0;
    e->need_comma[0] = tpl->nc0;
}

/*
 * The first probe of frame fr after a callee returned (RT_FR_RETURNED, and
 * no other flag), at a row start s: gdb's landing rules (rt_land, core.h;
 * a return address inside a row, the common case with gcc, costs one load
 * of the row-start bitmap), then the flag goes and the usual rules follow:
 * true. False (the general path decides) at a probe inside a row (gcc's
 * `return f();` rule lives in step.c).
 */
static inline bool fast_returned(rt_thread *t, rt_frame *fr, const rt_site *s)
{
    if (fr->flags != RT_FR_RETURNED || !(s->flags & RT_SITE_ROWSTART))
        return false;
    rt_land(t, fr, s);
    fr->flags = 0;
    return true;
}

/* The texts and slot values of a stop's checked variables (char *, unsigned
 * 64-bit: RT_SITE_CHKVALS), read before anything is written
 * (fast_vals_checks), for rt_fast_values. */
typedef struct fast_chk {
    char sbuf[RT_TPL_MAX_STR * (RT_FAST_STR_MAX + 8)];
    int64_t svals[RT_SITE_MAX_CHK];
} fast_chk;

/* Writes the first stop of a frame or a later one: Step and Values (c: the
 * checked variables' texts, for an RT_SITE_CHKVALS site). */
static inline void fast_stop(rt_thread *t, rt_frame *fr, const rt_site *s, uint64_t rbp, const fast_chk *c)
{
    fr->line = s->line;
    fr->path_id = s->path_id;
    rtrace__enc_step_in_room(&t->enc, s->path_id, s->line);   /* room checked */
    t->last_path_id = s->path_id;
    t->last_line = s->line;
    if (s->nvars)
        rt_fast_values(&t->enc, s->vars, s->nvars, rbp, (s->flags & RT_SITE_CHKVALS) ? c->sbuf : NULL, c->svals);
}

/* SWAR on 8 bytes (general registers only): x's bytes equal to b, a mask
 * with the high bit of each byte of x that is zero / less than n (n <= 128).
 * Exact for the lowest such byte; a borrow may flag bytes above it. */
#define FAST_BYTES(b) (0x0101010101010101ull * (uint64_t)(b))
#define FAST_HAS_LESS(x, n) (((x) - FAST_BYTES(n)) & ~(x) & FAST_BYTES(0x80))
#define FAST_HAS_ZERO(x) FAST_HAS_LESS(x, 1)

/*
 * The text of the char * at a, read as put_cstring (capture.c) reads it (in
 * 64-byte aligned pieces through rt_safe_copy, up to RTRACE_MAX_STRING
 * bytes), into buf (RT_FAST_STR_MAX + 8 bytes): its length, when it is
 * written as it is (printable ASCII but '"' and '\\', as both encoders write
 * such text unchanged) and as put_cstring would write it (up to its NUL, or
 * RTRACE_MAX_STRING bytes when there is none). -1 for the general path: a
 * NULL or unreadable pointer, a read cut short by a fault, a byte that needs
 * escaping or is not ASCII, or a text the fast path cannot hold.
 */
static inline long fast_cstr(char *buf, uint64_t a)
{
    size_t max = rt_cfg.max_string ? rt_cfg.max_string : 256;
    size_t lim = max < RT_FAST_STR_MAX ? max : RT_FAST_STR_MAX;
    if (a == 0)
        return -1;
    size_t got = 0;
    while (got < lim) {
        size_t piece = 64 - ((a + got) & 63);
        if (piece > lim - got)
            piece = lim - got;
        size_t c = rt_safe_copy(buf + got, (const void *)(a + got), piece);
        size_t i = got;
        for (; i + 8 <= got + c; i += 8) {
            /* 8 bytes at a time: the first NUL, and the first byte that is
             * not written as it is (exact for the lowest byte of each mask) */
            uint64_t w;
            memcpy(&w, buf + i, 8);
            uint64_t z = FAST_HAS_ZERO(w);
            uint64_t bad = FAST_HAS_LESS(w, 0x20) | (w & FAST_BYTES(0x80)) | FAST_HAS_ZERO(w ^ FAST_BYTES(0x7f)) |
                           FAST_HAS_ZERO(w ^ FAST_BYTES('"')) | FAST_HAS_ZERO(w ^ FAST_BYTES('\\'));
            if (likely(!bad))
                continue;
            unsigned fb = (unsigned)__builtin_ctzll(bad) >> 3, fz = z ? (unsigned)__builtin_ctzll(z) >> 3 : 8;
            return fb == fz ? (long)(i + fz) : -1;   /* the NUL, or a byte before it */
        }
        for (; i < got + c; i++) {
            unsigned char ch = (unsigned char)buf[i];
            if (ch == 0)
                return (long)i;
            if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\')
                return -1;
        }
        got += c;
        if (c < piece)
            return -1;
    }
    return lim == max ? (long)lim : -1;
}

/* The Step and Call of a new call of s's function from its template, the
 * parameters read from the frame (rbp); checked: the template has checked
 * slots, whose values fast_call_checks put in vals (strs: the texts of its
 * string slots, or NULL). */
static inline __attribute__((always_inline)) void fast_call_events(rt_thread *t, const rt_tpl *tpl, uint64_t rbp,
                                                                 int64_t *vals, bool checked, const char *strs)
{
    for (unsigned k = 0; k < tpl->nslots; k++)
        if (!checked || (tpl->slot_kind[k] != RT_FAST_CSTR && tpl->slot_kind[k] != RT_FAST_U64))
            vals[k] = rt_fast_load_at((const unsigned char *)(rbp + tpl->slot_off[k]), tpl->slot_kind[k]);
    fast_tpl(&t->enc, tpl, vals, strs);
}

/* One checked slot of kind k (RT_FAST_U64 or RT_FAST_CSTR) whose 8 bytes
 * are at p, read once: an unsigned 64-bit value must be at most INT64_MAX
 * (an Int); a char *'s text is read into sbuf + off (fast_cstr). *sval: the
 * slot value to write (the integer as checked, or the text's place), so
 * that what was checked is what is written, even if the program's memory
 * changes meanwhile (a static another thread writes). The room the text
 * needs (0 for an integer), or -1 when the general path must write it. */
static inline long fast_check_slot(uint8_t k, const void *p, char *sbuf, size_t off, int64_t *sval)
{
    uint64_t a;
    memcpy(&a, p, 8);
    if (k == RT_FAST_U64) {
        *sval = (int64_t)a;
        return a > (uint64_t)INT64_MAX ? -1 : 0;
    }
    long n = fast_cstr(sbuf + off, a);
    if (n < 0)
        return -1;
    *sval = RT_TPL_STR(off, n);
    return (long)RT_TPL_STR_ROOM(n);
}

/* The checked slots of tpl (tpl->npre), parameters in the frame (rbp): the
 * texts of its string slots into sbuf (RT_TPL_MAX_STR * (RT_FAST_STR_MAX + 8)
 * bytes), their slot values into vals (fast_check_slot). The room the texts
 * need beyond the template's, or -1 when a slot takes the general path.
 * Nothing is written meanwhile: a decline changes nothing. */
static __attribute__((noinline)) long fast_call_checks(const rt_tpl *tpl, uint64_t rbp, char *sbuf, int64_t *vals)
{
    size_t room = 0, off = 0;
    for (unsigned k = 0; k < tpl->nslots; k++) {
        uint8_t kind = tpl->slot_kind[k];
        if (kind != RT_FAST_U64 && kind != RT_FAST_CSTR)
            continue;
        long r = fast_check_slot(kind, (const void *)(rbp + tpl->slot_off[k]), sbuf, off, &vals[k]);
        if (r < 0)
            return -1;
        room += (size_t)r;
        off += kind == RT_FAST_CSTR ? RT_FAST_STR_MAX + 8 : 0;
    }
    return (long)room;
}

/* The Values of a stop at s, before anything is written: 0 when they come
 * from templates alone (RT_SITE_FASTVALS, or no variable); for an
 * RT_SITE_CHKVALS site its checked variables (fast_check_slot: the texts
 * into c, their slot values in variable order) and the room of their texts;
 * -1 when the general path must write them. */
static __attribute__((noinline)) long fast_vals_checks(const rt_site *s, uint64_t rbp, fast_chk *c)
{
    if (!s->nvars || (s->flags & RT_SITE_FASTVALS))
        return 0;
    if (!(s->flags & RT_SITE_CHKVALS))
        return -1;
    size_t room = 0, off = 0;
    unsigned j = 0;
    for (uint32_t i = 0; i < s->nvars; i++) {
        const rt_core_var *v = &s->vars[i];
        const rt_tpl *st = v->stpl;
        if (!st || !st->npre)
            continue;
        uint8_t kind = st->slot_kind[0];
        const void *p = v->loc.kind == RT_LOC_ADDR ? (const void *)v->loc.offset : (const void *)(rbp + v->loc.offset);
        long r = fast_check_slot(kind, p, c->sbuf, off, &c->svals[j++]);
        if (r < 0)
            return -1;
        room += (size_t)r;
        off += kind == RT_FAST_CSTR ? RT_FAST_STR_MAX + 8 : 0;
    }
    return (long)room;
}

/* What the Call of a function from its template (and in full mode the
 * first stop) needs, read and checked before anything is written. */
typedef struct fast_callprep {
    int64_t vals[RT_TPL_MAX_SLOTS];                     /* the string slots' values */
    char sbuf[RT_TPL_MAX_STR * (RT_FAST_STR_MAX + 8)];  /* the parameters' texts */
    fast_chk vc;                                        /* the stop's checked variables */
} fast_callprep;

/* Reads and checks, into cp, what the Call of s's function written at site
 * s needs (and in full mode the stop at s), and that it fits without the
 * general path (fast_room): false when the general path must write them. */
static inline __attribute__((always_inline)) bool fast_call_ready(rt_thread_x *x, const rt_site *s, uint64_t rbp, bool full, fast_callprep *cp)
{
    if (likely(!(s->flags & RT_SITE_CALLCHK)))
        return fast_room(x, s->call_room, s->call_nev);
    const rt_tpl *tpl = s->fn->call_tpl;
    long sroom = 0, vroom = 0;
    if (unlikely(tpl->npre) && (sroom = fast_call_checks(tpl, rbp, cp->sbuf, cp->vals)) < 0)
        return false;
    if (full && unlikely(s->flags & RT_SITE_CHKVALS) && (vroom = fast_vals_checks(s, rbp, &cp->vc)) < 0)
        return false;
    return fast_room(x, s->call_room + (size_t)sroom + (size_t)vroom, s->call_nev);
}

/* Writes what fast_call_ready prepared: the Step and Call, then in full
 * mode frame fr's stop at s. */
static inline __attribute__((always_inline)) void fast_call_write(rt_thread *t, rt_frame *fr, const rt_site *s, uint64_t rbp, bool full,
                                   fast_callprep *cp)
{
    const rt_tpl *tpl = s->fn->call_tpl;
    if (likely(!tpl->npre))
        fast_call_events(t, tpl, rbp, cp->vals, false, NULL);   /* inlined without the checked slots' tests */
    else
        fast_call_events(t, tpl, rbp, cp->vals, true, tpl->nstr ? cp->sbuf : NULL);
    if (full)
        fast_stop(t, fr, s, rbp, &cp->vc);
}

/*
 * A call starting at entry site s (a CFA below the top frame's): the frame
 * is pushed and its Step and Call written from the site's template (step.c's
 * write_call), then in full mode its first stop. At a deferred entry
 * (clang's: the parameters are not in their slots yet, RT_SITE_DEFER) the
 * frame is only pushed, pending: fast_deferred writes its Call at the
 * function's next probe. Declines as rt_on_line_fast.
 */
static int fast_call(rt_thread_x *x, const rt_site *s, uint64_t rbp, bool full)
{
    rt_thread *t = &x->pub;
    rt_frame *top = &t->frames[t->nframes - 1];
    uint32_t sf = s->flags;
    bool defer = (sf & RT_SITE_DEFER) != 0;
    if (unlikely((sf & (RT_SITE_ENTRY | RT_SITE_CALLTPL)) != (RT_SITE_ENTRY | RT_SITE_CALLTPL) ||
                 rbp + 16 >= top->cfa || rt_upward || (top->flags & RT_FR_PENDING) ||
                 t->nframes >= t->frames_cap))
        return 1;
    fast_callprep cp;
    if (unlikely(defer) ? !fast_room(x, 0, 0) : unlikely(!fast_call_ready(x, s, rbp, full, &cp)))
        return 1;
    t->in_runtime = 1;
    rt_frame *fr = &t->frames[t->nframes++];
    fr->cfa = rbp + 16;
    fr->func = s->fn;
    fr->fn_site = s;
    fr->line = 0;
    fr->path_id = s->path_id;
    fr->flags = defer ? RT_FR_PENDING : 0;
    fr->ret_pc = 0;
    if (!defer)
        fast_call_write(t, fr, s, rbp, full, &cp);
    return fast_commit(x, s->call_nev);
}

/*
 * The first probe of a pending frame fr (entered at a deferred site) after
 * its entry: the parameters are in place, so its Step and Call are written
 * from the function's template, then in full mode the first stop, here
 * whatever the row (rt_step_line). A deferred site again (the entry probe
 * re-run without a new call) writes nothing, as in rt_step_line. Declines
 * as rt_on_line_fast.
 */
static int fast_deferred(rt_thread_x *x, rt_frame *fr, const rt_site *s, uint64_t rbp, bool full)
{
    if (s->flags & RT_SITE_DEFER)
        return 0;
    rt_thread *t = &x->pub;
    fast_callprep cp;
    if (unlikely(!(s->flags & RT_SITE_CALLTPL) || fr->flags != RT_FR_PENDING || !fast_call_ready(x, s, rbp, full, &cp)))
        return 1;
    t->in_runtime = 1;
    fr->flags = 0;
    fast_call_write(t, fr, s, rbp, full, &cp);
    return fast_commit(x, s->call_nev);
}

int rt_on_line_fast(uint64_t pc, uint64_t rbp)
{
    rt_thread_x *x = fast_thread();
    if (unlikely(x == NULL))
        return 1;
    rt_thread *t = &x->pub;
    const rt_site *s = rt_sites_find(pc);
    if (unlikely(s == NULL || t->nframes == 0))
        return 1;
    bool full = rt_cfg.mode == RT_MODE_FULL;
    rt_frame *fr = &t->frames[t->nframes - 1];
    if (fr->cfa != rbp + 16 || fr->func != s->fn)
        return fast_call(x, s, rbp, full);
    if (unlikely(fr->flags & RT_FR_PENDING))
        return fast_deferred(x, fr, s, rbp, full);
    if (unlikely(!full))
        return 0;                    /* calls mode: nothing in a frame */
    uint32_t sf = s->flags;
    if (unlikely(fr->flags != 0) && !fast_returned(t, fr, s))
        return 1;

    /* gdb's rules in one frame (rt_step_line) */
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
    unsigned nev = 1 + nv;
    fast_chk vc;
    long vroom = 0;
    if (unlikely(nv && !(sf & RT_SITE_FASTVALS)) && (vroom = fast_vals_checks(s, rbp, &vc)) < 0)
        return 1;
    if (unlikely(!fast_room(x, 64 + (size_t)s->vals_room + (size_t)vroom, nev)))
        return 1;
    t->in_runtime = 1;
    fast_stop(t, fr, s, rbp, &vc);
    return fast_commit(x, nev);
}

/* The return fast path; have_rdx: rdx is the program's (else a struct
 * returned in rax:rdx declines). */
static inline int return_fast(uint64_t pc, uint64_t sp, uint64_t rax, uint64_t rdx, bool have_rdx)
{
    rt_thread_x *x = fast_thread();
    if (unlikely(x == NULL))
        return 1;
    rt_thread *t = &x->pub;
    if (unlikely(t->nframes == 0))
        return 1;
    rt_frame *fr = &t->frames[t->nframes - 1];
    /* the probe's function: the top frame's when pc is its first return
     * probe (most functions have one), else from the site table */
    const rt_core_func *fn = fr->func;
    if (unlikely(fn == NULL || fn->ret_pc != pc)) {
        const rt_site *s = rt_sites_find(pc);
        if (unlikely(s == NULL))
            return 1;
        fn = s->fn;
    }
    const rt_tpl *tpl = fn->ret_tpl;
    /* the top frame returns (rt_step_return without frames to pop, pending
     * calls or frames on another stack) */
    if (unlikely(tpl == NULL || fr->cfa != sp + 8 || fr->func != fn ||
                 (fr->flags & (RT_FR_PENDING | RT_FR_UPWARD)) || !fast_room(x, rt_tpl_room(tpl), 1) ||
                 (fn->ret_struct == RT_RETS_REGS && !have_rdx) ||
                 (fn->ret_fast == RT_FAST_U64 && rax > (uint64_t)INT64_MAX)))
        return 1;
    if (fn->ret_struct == RT_RETS_MEM) {
        /* a struct returned in memory, at rax (the caller's buffer): read here only
         * when it lies in the live stack between this frame and the traced
         * caller's, all mapped (one stack: at most 1 MiB apart); elsewhere (RVO
         * into the heap or a global) the general path reads it safely */
        if (t->nframes < 2)
            return 1;
        uint64_t hi = t->frames[t->nframes - 2].cfa, size = fn->ret->size;
        if (rax < sp + 8 || hi <= sp || hi - sp > (1u << 20) || rax > hi || hi - rax < size)
            return 1;
    }
    t->in_runtime = 1;
    t->nframes--;
    int64_t vals[RT_TPL_MAX_SLOTS];
    if (fn->ret_struct == RT_RETS_REGS) {
        /* a small struct of integers: its bytes are rax then rdx */
        unsigned char b[16];
        memcpy(b, &rax, 8);
        memcpy(b + 8, &rdx, 8);
        for (unsigned k = 0; k < tpl->nslots; k++)
            vals[k] = rt_fast_load_at(b + tpl->slot_off[k], tpl->slot_kind[k]);
    } else if (fn->ret_struct == RT_RETS_MEM) {
        for (unsigned k = 0; k < tpl->nslots; k++)
            vals[k] = rt_fast_load_at((const unsigned char *)rax + tpl->slot_off[k], tpl->slot_kind[k]);
    } else {
        vals[0] = fast_reg(rax, fn->ret_fast);
    }
    fast_tpl(&t->enc, tpl, vals, NULL);
    if (t->nframes) {
        rt_frame *caller = &t->frames[t->nframes - 1];
        caller->flags |= RT_FR_RETURNED;
        caller->ret_pc = *(const uint64_t *)sp;   /* sp points at the return address */
    }
    return fast_commit(x, 1);
}

int rt_on_return_fast2(uint64_t pc, uint64_t sp, uint64_t rax, uint64_t rdx)
{
    return return_fast(pc, sp, rax, rdx, true);
}

int rt_on_return_fast(uint64_t pc, uint64_t sp, uint64_t rax)
{
    return return_fast(pc, sp, rax, 0, false);
}
