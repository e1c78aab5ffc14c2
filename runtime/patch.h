/*
 * runtime/patch.h - turning probes that cannot record anything into NOPs
 * (patch.c). The core (probes.c) describes each probe record of a module it
 * adds; patch.c decides which probes are useless and overwrites their call.
 */
#ifndef RT_PATCH_H
#define RT_PATCH_H

#include "rt.h"

/* One probe record of a module, as probes.c indexed it. */
typedef struct rt_patch_probe {
    uint64_t start;           /* run-time address of the probe (its `lea -128(%rsp),%rsp`) */
    uint64_t pc;              /* run-time pc the trampoline reports (after the call) */
    int64_t func;             /* index into m->funcs; -1: in no function (never patched) */
    uint32_t kind;            /* RT_PROBE_LINE / RT_PROBE_RETURN */
    bool traced;              /* the function passes RTRACE_FILTER */
    bool has_site;            /* the probe has a site in the table */
    bool defer;               /* ... and that site is RT_SITE_DEFER */
} rt_patch_probe;

/* RTRACE_NO_PATCH=1 (defined and parsed in config.c): never patch. */
extern RT_HIDDEN bool rt_cfg_no_patch;

/* Patches out the probes of m that cannot change the trace (see patch.c).
 * Call after the module's sites are published. Start-up and dlopen only;
 * never fails (a probe that cannot be patched safely keeps running). */
RT_HIDDEN void rt_patch_module(const rt_module *m, const rt_patch_probe *probes, size_t n);

#endif
