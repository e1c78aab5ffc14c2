#!/bin/sh
# tests/runtime/core_e2e.sh - end-to-end checks of the runtime core on the
# programs of tests/runtime/core_progs/, compiled with rtcc under gcc and
# clang: what the gdb differential test (tests/diff) does not cover or cannot
# compare: the crash event, frames abandoned by longjmp, VLAs, long double
# returns, a dlopen'ed plugin sharing types with the program, RTRACE_FILTER,
# RTRACE_MODE=calls, and the probes' fast path against the general path
# (fast_share.c, RTRACE_NO_FAST=1, RTRACE_STATS=1). Every expected value below was worked out by hand from
# the program's source. Probe patching (runtime/patch.c): a program written
# below (patchme.c) counts its own NOPed probes; every patched run's trace
# must equal, byte for byte, the same run with RTRACE_NO_PATCH=1.
#
#   core_e2e.sh BIN OUT     BIN: folder of rtcc and rtrace; OUT: scratch folder
#
# Prints one line per check and "core e2e: N passed, M failed"; exit 1 on failure.
set -u
bin=$1
out=$2
src=$(cd "$(dirname "$0")/core_progs" && pwd)
pass=0
fail=0

# check NAME STATUS: counts a check whose command exited with STATUS.
check() {
    if [ "$2" = 0 ]; then
        pass=$((pass + 1)); echo "  ok    $1"
    else
        fail=$((fail + 1)); echo "  FAIL  $1"
    fi
}

# listing_has FILE STOP VAR: the stop line STOP is followed (within its block) by VAR.
listing_has() {
    awk -v stop="$2" -v var="$3" '
        $0 == stop { inb = 1; next }
        /^STOP / { inb = 0 }
        inb && $0 == var { found = 1 }
        END { exit found ? 0 : 1 }' "$1"
}

# patchme.c: calls, recursion, a loop, a filterable function; with NOPS_OUT
# set it writes to that file how many probes of its code are NOPed.
patchme_src() {
    cat <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

unsigned long many(unsigned long s);
unsigned long after_many(unsigned long s);
extern char __rt_line_probe[] __attribute__((visibility("hidden")));

static int leaf(int x)
{
    int y = x * 2;
    y += 1;
    return y;
}

static int skip_me(int x)
{
    int z = x + 3;
    z *= 2;
    return leaf(z);
}

static long fib(int n)
{
    if (n < 2)
        return n;
    long a = fib(n - 1);
    long b = fib(n - 2);
    return a + b;
}

static int loop(int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += leaf(i);
    return s;
}

/* probes whose call became nopl 0(%rax,%rax,1) or jmp .+5, or whose first
 * lea became jmp .+18, in [p, end) */
static int count_nops(const unsigned char *p, const unsigned char *end)
{
    static const unsigned char nop[] = { 0x48, 0x8d, 0x64, 0x24, 0x80, 0x0f, 0x1f, 0x44, 0x00, 0x00 };
    static const unsigned char jmp[] = { 0x48, 0x8d, 0x64, 0x24, 0x80, 0xeb, 0x03 };
    static const unsigned char jmp18[] = { 0xeb, 0x10, 0x64, 0x24, 0x80, 0xe8 };
    int n = 0;
    for (; p + sizeof nop <= end; p++)
        n += memcmp(p, nop, sizeof nop) == 0 || memcmp(p, jmp, sizeof jmp) == 0 ||
             memcmp(p, jmp18, sizeof jmp18) == 0;
    return n;
}

/* line probes in [p, end) still calling the trampoline at `tr`; jmp18s: how
 * many were patched at their first lea (their call at a 16-byte block's last byte) */
static int count_live(const unsigned char *p, const unsigned char *end, const unsigned char *tr, int *jmp18s)
{
    static const unsigned char lea[] = { 0x48, 0x8d, 0x64, 0x24, 0x80, 0xe8 };
    int n = 0;
    *jmp18s = 0;
    for (; p + 10 <= end; p++) {
        int32_t rel;
        memcpy(&rel, p + 6, 4);
        if (memcmp(p, lea, sizeof lea) == 0 && p + 10 + rel == tr)
            n++;
        *jmp18s += p[0] == 0xeb && p[1] == 0x10 && memcmp(p + 2, lea + 2, 4) == 0;
    }
    return n;
}

int main(void)
{
    printf("%ld %d %d %lu\n", fib(10), loop(5), skip_me(4), after_many(many(1)) & 0xffff);
    const char *out = getenv("NOPS_OUT");
    if (out) {
        const unsigned char *fs[] = { (const unsigned char *)leaf, (const unsigned char *)skip_me,
                                      (const unsigned char *)fib, (const unsigned char *)loop,
                                      (const unsigned char *)main };
        const unsigned char *lo = fs[0], *hi = fs[0];
        for (int i = 1; i < 5; i++) {
            lo = fs[i] < lo ? fs[i] : lo;
            hi = fs[i] > hi ? fs[i] : hi;
        }
        FILE *f = fopen(out, "w");
        if (f) {
            int jmp18s;
            int live = count_live((const unsigned char *)many, (const unsigned char *)after_many,
                                  (const unsigned char *)__rt_line_probe, &jmp18s);
            fprintf(f, "%d\n%d %d\n", count_nops(lo, hi + 600), live, jmp18s);
            fclose(f);
        }
    }
    return 0;
}
EOF
}

# many(): 300 one-line statements, so 300 line probes, of which about one in
# sixteen has its call at a 16-byte block's last byte; after_many() follows it
# in the code (both compilers keep the source order at -O0)
many_src() {
    echo "unsigned long many(unsigned long s);"
    echo "unsigned long after_many(unsigned long s);"
    echo "__attribute__((noinline)) unsigned long many(unsigned long s)"
    echo "{"
    i=0
    while [ $i -lt 300 ]; do
        echo "    s = s * 3 + $i;"
        i=$((i + 1))
    done
    echo "    return s;"
    echo "}"
    echo "__attribute__((noinline)) unsigned long after_many(unsigned long s) { return s + 1; }"
}

# Runs compared with same_trace go without address randomisation (pointer
# values, and the stack garbage uninitialised locals show, are then the same
# from run to run) and with RTRACE_NO_PATCH=0 or 1 (same environment size).
# Without setarch -R, addresses and integers are masked before comparing.
if setarch -R true >/dev/null 2>&1; then norand="setarch -R"; else norand=; fi

# same_trace A B: the trace folders A and B hold the same events.
same_trace() {
    if [ -n "$norand" ]; then
        cmp -s "$1/trace.json" "$2/trace.json"
    else
        mask='s/"(address|i)":-?[0-9]+/"\1":0/g'
        sed -E "$mask" "$1/trace.json" >"$1/masked.json" &&
            sed -E "$mask" "$2/trace.json" >"$2/masked.json" &&
            cmp -s "$1/masked.json" "$2/masked.json"
    fi
}

for cc in gcc clang; do
    command -v $cc >/dev/null 2>&1 || continue
    d=$out/$cc
    rm -rf "$d"
    mkdir -p "$d"

    # ---- crash.c: the Error event of a crash, pointer values -----------------
    RTCC_CC=$cc "$bin/rtcc" -o "$d/crash" "$src/crash.c" 2>"$d/crash.cc.log"
    check "$cc crash: builds" $?
    (cd "$d" && RTRACE_QUIET=1 RTRACE_DIR="$d/crash.trace" ./crash >/dev/null 2>&1) 2>/dev/null
    tail -n 3 "$d/crash.trace/trace.json" |
        grep -q '{"Event":{"kind":11,"metadata":"","content":"SIGSEGV (Segmentation fault) at [^"]*core_progs/crash.c:17 in boom()"}}'
    check "$cc crash: Error event with signal, file:line and function" $?
    "$bin/rtrace" validate --crashed "$d/crash.trace" >/dev/null 2>&1
    check "$cc crash: valid as a crashed trace" $?
    "$bin/rtrace" print --format=gdb "$d/crash.trace" >"$d/crash.txt" 2>&1
    listing_has "$d/crash.txt" "STOP main crash.c:24" "  a={v=1, next=&{v=2, next=<ptr>}}"
    check "$cc crash: struct with a pointer chain (one level, then <ptr>)" $?
    listing_has "$d/crash.txt" "STOP boom crash.c:17" "  p=<error>"
    check "$cc crash: a wild pointer's target is an Error" $?

    # ---- jmp_vla.c: VLA, longjmp, long double --------------------------------
    RTCC_CC=$cc "$bin/rtcc" -o "$d/jv" "$src/jmp_vla.c" 2>"$d/jv.cc.log"
    check "$cc jmp_vla: builds" $?
    (cd "$d" && RTRACE_QUIET=1 RTRACE_DIR="$d/jv.trace" ./jv >"$d/jv.out" 2>&1)
    grep -qx '14 7 1.5 2' "$d/jv.out"
    check "$cc jmp_vla: the program's output is unchanged" $?
    "$bin/rtrace" validate "$d/jv.trace" >/dev/null 2>&1
    check "$cc jmp_vla: valid (the frames longjmp abandoned are closed)" $?
    "$bin/rtrace" print --format=gdb "$d/jv.trace" >"$d/jv.txt" 2>&1
    listing_has "$d/jv.txt" "STOP sum_vla jmp_vla.c:16" "  a=[0, 1, 4, 9]"
    check "$cc jmp_vla: VLA of run-time length 4" $?
    listing_has "$d/jv.txt" "STOP main jmp_vla.c:40" "  got=7"
    check "$cc jmp_vla: main steps again after the longjmp" $?
    grep -q '{"Return":{"return_value":{"kind":"Float","f":"1.5","type_id":[1-9][0-9]*}}}' "$d/jv.trace/trace.json"
    check "$cc jmp_vla: long double returned in st0" $?

    # RTRACE_FILTER: helper excluded entirely
    (cd "$d" && RTRACE_QUIET=1 RTRACE_FILTER='!func:helper' RTRACE_DIR="$d/jvf.trace" ./jv >/dev/null 2>&1)
    ! grep -q '"name":"helper"' "$d/jvf.trace/trace.json" && grep -q '"name":"sum_vla"' "$d/jvf.trace/trace.json" &&
        "$bin/rtrace" validate "$d/jvf.trace" >/dev/null 2>&1
    check "$cc jmp_vla: RTRACE_FILTER=!func:helper leaves out helper only" $?

    # RTRACE_MODE=calls: calls and returns, no values, no line steps: only the Step at
    # the callee's line that upstream's register_call writes right before each Call
    # (toplevel's Call, written at start, has none)
    (cd "$d" && RTRACE_QUIET=1 RTRACE_MODE=calls RTRACE_DIR="$d/jvc.trace" ./jv >/dev/null 2>&1)
    ! grep -q '"Value"' "$d/jvc.trace/trace.json" &&
        [ "$(grep -c '"Call"' "$d/jvc.trace/trace.json")" = 8 ] &&
        [ "$(grep -c '"Step"' "$d/jvc.trace/trace.json")" = 7 ] &&
        [ "$(grep -A1 '"Step"' "$d/jvc.trace/trace.json" | grep -c '"Call"')" = 7 ] &&
        "$bin/rtrace" validate "$d/jvc.trace" >/dev/null 2>&1
    check "$cc jmp_vla: RTRACE_MODE=calls: 8 Calls (toplevel, main, sum_vla, deep x3, half, helper), each but toplevel's right after a Step, no Value" $?

    # longjmp in calls mode: the module calls setjmp, so its line probes stay (patch.c)
    (cd "$d" && RTRACE_QUIET=1 RTRACE_MODE=calls RTRACE_NO_PATCH=0 RTRACE_DIR="$d/jvcp.trace" $norand ./jv >/dev/null 2>&1)
    (cd "$d" && RTRACE_QUIET=1 RTRACE_MODE=calls RTRACE_NO_PATCH=1 RTRACE_DIR="$d/jvcn.trace" $norand ./jv >/dev/null 2>&1)
    same_trace "$d/jvcp.trace" "$d/jvcn.trace"
    check "$cc jmp_vla: RTRACE_MODE=calls: the same trace as with RTRACE_NO_PATCH=1" $?

    # ---- patchme.c: probes patched out (runtime/patch.c) ------------------------
    patchme_src >"$d/patchme.c"
    many_src >"$d/many.c"
    RTCC_CC=$cc "$bin/rtcc" -o "$d/patchme" "$d/patchme.c" "$d/many.c" 2>"$d/patchme.cc.log"
    check "$cc patchme: builds" $?
    # run_pm NAME [VAR=VALUE...]: runs patchme into $d/NAME.trace, output in
    # $d/NAME.out; then again with NOPS_OUT: NOPed probe count in $d/NAME.nops
    run_pm() {
        n=$1; shift
        (cd "$d" && env RTRACE_QUIET=1 RTRACE_DIR="$d/$n.trace" "$@" $norand ./patchme >"$d/$n.out" 2>&1)
        (cd "$d" && env RTRACE_QUIET=1 RTRACE_DIR="$d/$n.ntrace" NOPS_OUT="$d/$n.nops" "$@" ./patchme >/dev/null 2>&1)
    }
    run_pm pmc RTRACE_MODE=calls RTRACE_NO_PATCH=0
    run_pm pmcn RTRACE_MODE=calls RTRACE_NO_PATCH=1
    run_pm pmf
    run_pm pmff RTRACE_FILTER='!func:skip_me' RTRACE_NO_PATCH=0
    run_pm pmffn RTRACE_FILTER='!func:skip_me' RTRACE_NO_PATCH=1
    run_pm pmcf RTRACE_MODE=calls RTRACE_FILTER='!func:skip_me' RTRACE_NO_PATCH=0
    run_pm pmcfn RTRACE_MODE=calls RTRACE_FILTER='!func:skip_me' RTRACE_NO_PATCH=1
    ok=0
    for n in pmc pmcn pmf pmff pmffn pmcf pmcfn; do
        grep -qx '55 25 29 12152' "$d/$n.out" || ok=1
    done
    check "$cc patchme: the program's output is unchanged in every mode, patched or not" $ok
    # nops NAME: probes NOPed; live NAME: many()'s line probes still calling the
    # trampoline; jmp18 NAME: those patched at their first lea
    nops() { sed -n 1p "$d/$1.nops"; }
    live() { sed -n '2s/ .*//p' "$d/$1.nops"; }
    jmp18() { sed -n '2s/.* //p' "$d/$1.nops"; }
    [ "$(nops pmc)" -gt 0 ] && [ "$(nops pmcn)" = 0 ] && [ "$(nops pmf)" = 0 ]
    check "$cc patchme: RTRACE_MODE=calls NOPs line probes ($(nops pmc)), RTRACE_NO_PATCH=1 and full mode none" $?
    # calls mode keeps only many()'s entry probe (and clang's next one, where its
    # Call is written): every other one of its 300 goes, those whose call starts
    # at a block's last byte included (jmp .+18 over the whole probe)
    [ "$(live pmf)" -ge 300 ] && [ "$(live pmcn)" -ge 300 ] && [ "$(live pmc)" -le 2 ] &&
        [ "$(jmp18 pmc)" -ge 1 ] && [ "$(jmp18 pmf)" = 0 ]
    check "$cc patchme: RTRACE_MODE=calls: $(live pmc) of many()'s $(live pmf) line probes left, $(jmp18 pmc) of them patched at their first lea" $?
    [ "$(nops pmff)" -gt 0 ] && [ "$(nops pmffn)" = 0 ] && [ "$(nops pmcf)" -gt "$(nops pmc)" ]
    check "$cc patchme: RTRACE_FILTER=!func:skip_me NOPs skip_me's probes ($(nops pmff) in full mode, $(nops pmcf) in calls mode)" $?
    same_trace "$d/pmc.trace" "$d/pmcn.trace" && "$bin/rtrace" validate "$d/pmc.trace" >/dev/null 2>&1 &&
        [ "$(grep -c '"Call"' "$d/pmc.trace/trace.json")" = 189 ] && ! grep -q '"Value"' "$d/pmc.trace/trace.json"
    check "$cc patchme: RTRACE_MODE=calls: 189 Calls (toplevel, main, fib x177, loop, leaf x6, skip_me, many, after_many), valid, the same trace as with RTRACE_NO_PATCH=1" $?
    same_trace "$d/pmff.trace" "$d/pmffn.trace" && "$bin/rtrace" validate "$d/pmff.trace" >/dev/null 2>&1 &&
        ! grep -q '"name":"skip_me"' "$d/pmff.trace/trace.json"
    check "$cc patchme: RTRACE_FILTER=!func:skip_me: valid, the same trace as with RTRACE_NO_PATCH=1" $?
    same_trace "$d/pmcf.trace" "$d/pmcfn.trace" && "$bin/rtrace" validate "$d/pmcf.trace" >/dev/null 2>&1
    check "$cc patchme: RTRACE_MODE=calls + RTRACE_FILTER: valid, the same trace as with RTRACE_NO_PATCH=1" $?

    # ---- host.c + plug.c: a dlopen'ed module ------------------------------------
    RTCC_CC=$cc "$bin/rtcc" -shared -fPIC -o "$d/libplug.so" "$src/plug.c" 2>"$d/plug.cc.log" &&
        RTCC_CC=$cc "$bin/rtcc" -o "$d/host" "$src/host.c" -ldl 2>"$d/host.cc.log"
    check "$cc dlopen: builds" $?
    (cd "$d" && RTRACE_QUIET=1 RTRACE_DIR="$d/host.trace" ./host >"$d/host.out" 2>&1)
    grep -qx '5 7 3.5' "$d/host.out" && "$bin/rtrace" validate "$d/host.trace" >/dev/null 2>&1
    check "$cc dlopen: runs, valid trace" $?
    grep -q '"return_value":{"kind":"Struct","field_values":\[{"kind":"Int","i":7,"type_id":[1-9][0-9]*},{"kind":"Float","f":"3.5","type_id":[1-9][0-9]*}\]' "$d/host.trace/trace.json"
    check "$cc dlopen: the plugin's struct return, every field typed" $?
    "$bin/rtrace" print --format=gdb "$d/host.trace" >"$d/host.txt" 2>&1
    listing_has "$d/host.txt" "STOP main host.c:14" "  add=<plug_add>"
    check "$cc dlopen: a function pointer into the plugin is named" $?
    # add(2, 3): the plugin's Call carries the arguments (clang's entry sequence in PIC
    # code loads the function's address from the GOT; the Call waits for the spills)
    grep -q '"args":\[{"variable_id":[0-9]*,"value":{"kind":"Int","i":2,"type_id":[0-9]*}},{"variable_id":[0-9]*,"value":{"kind":"Int","i":3,' "$d/host.trace/trace.json"
    check "$cc dlopen: the plugin's Call has the arguments 2 and 3" $?
    # calls mode: the plugin's probes are patched at dlopen
    (cd "$d" && RTRACE_QUIET=1 RTRACE_MODE=calls RTRACE_NO_PATCH=0 RTRACE_DIR="$d/hostc.trace" $norand ./host >"$d/hostc.out" 2>&1)
    (cd "$d" && RTRACE_QUIET=1 RTRACE_MODE=calls RTRACE_NO_PATCH=1 RTRACE_DIR="$d/hostcn.trace" $norand ./host >/dev/null 2>&1)
    grep -qx '5 7 3.5' "$d/hostc.out" && same_trace "$d/hostc.trace" "$d/hostcn.trace" &&
        "$bin/rtrace" validate "$d/hostc.trace" >/dev/null 2>&1
    check "$cc dlopen: RTRACE_MODE=calls: output unchanged, valid, the same trace as with RTRACE_NO_PATCH=1" $?

    # ---- fast_share.c: the probes' fast path against the general path --------
    # Every event the fast path writes (fastpath.c: templates) must be what the
    # general path (step.c: the encoder) writes: the program shows no
    # uninitialised memory, so the traces are equal byte for byte, with and
    # without RTRACE_NO_FAST=1, in both formats and modes. RTRACE_STATS=1
    # gives the fast path's share: nearly all of it here (what is left: the
    # clock checks and flushes); a change that sends such probes to the
    # general path, which the trace alone does not show, fails here.
    RTCC_CC=$cc "$bin/rtcc" -o "$d/fs" "$src/fast_share.c" 2>"$d/fs.cc.log"
    check "$cc fast_share: builds" $?
    for mode in full calls; do
        for fmt in json binary; do
            t=$d/fs-$mode-$fmt
            (cd "$d" && RTRACE_STATS=1 RTRACE_MODE=$mode RTRACE_FORMAT=$fmt RTRACE_DIR="$t.fast" ./fs >"$t.out" 2>"$t.err")
            (cd "$d" && RTRACE_QUIET=1 RTRACE_NO_FAST=1 RTRACE_MODE=$mode RTRACE_FORMAT=$fmt \
                 RTRACE_DIR="$t.slow" ./fs >/dev/null 2>&1)
            if [ $fmt = json ]; then
                cmp -s "$t.fast/trace.json" "$t.slow/trace.json"
            else
                "$bin/rtrace" convert --to=json "$t.fast" "$t.fast.json" >/dev/null 2>&1 &&
                    "$bin/rtrace" convert --to=json "$t.slow" "$t.slow.json" >/dev/null 2>&1 &&
                    cmp -s "$t.fast.json/trace.json" "$t.slow.json/trace.json"
            fi
            same=$?
            grep -qx 'sum 601057648 point 30000 -30000' "$t.out" && [ $same = 0 ] &&
                "$bin/rtrace" validate "$t.fast" >/dev/null 2>&1
            check "$cc fast_share $mode $fmt: the fast path's trace is the general path's" $?
            pct=$(sed -n 's/.*; fast path: \([0-9]*\)\.[0-9]*% of the events.*/\1/p' "$t.err")
            [ -n "$pct" ] && [ "$pct" -ge 99 ]
            check "$cc fast_share $mode $fmt: the fast path wrote ${pct:-?}% of the events (at least 99%)" $?
            # binary: the zstd frames too (at least one; how many the program's thread compressed)
            if [ $fmt = binary ]; then
                grep -Eq '; zstd frames: [1-9][0-9]*, [0-9]+ compressed by the program$' "$t.err"
            else
                ! grep -q 'zstd frames' "$t.err"
            fi
            check "$cc fast_share $mode $fmt: RTRACE_STATS gives the zstd frames in binary only" $?
        done
    done

    # ---- fast_strings.c: char * and size_t parameters in call templates -------
    # Texts the fast path writes itself and every case it leaves to the general
    # path (escapes, non-ASCII, NULL, unreadable, cut by a page, too long, a
    # size_t above INT64_MAX, passed or returned): the same trace with and without RTRACE_NO_FAST=1,
    # also with RTRACE_MAX_STRING=8 (texts cut) and 1000 (longer than the fast
    # path holds); in calls mode nearly every event from the fast path.
    RTCC_CC=$cc "$bin/rtcc" -o "$d/fstr" "$src/fast_strings.c" 2>"$d/fstr.cc.log"
    check "$cc fast_strings: builds" $?
    for run in "calls json" "calls binary" "full json" "full binary" "calls json 8" "full binary 1000"; do
        set -- $run
        mode=$1 fmt=$2 ms=${3:-}
        t=$d/fstr-$mode-$fmt$ms
        (cd "$d" && env ${ms:+RTRACE_MAX_STRING=$ms} RTRACE_STATS=1 RTRACE_NO_FAST=0 RTRACE_MODE=$mode \
             RTRACE_FORMAT=$fmt RTRACE_DIR="$t.fast" $norand ./fstr >"$t.out" 2>"$t.err")
        (cd "$d" && env ${ms:+RTRACE_MAX_STRING=$ms} RTRACE_STATS=1 RTRACE_NO_FAST=1 RTRACE_MODE=$mode \
             RTRACE_FORMAT=$fmt RTRACE_DIR="$t.slow" $norand ./fstr >/dev/null 2>&1)
        if [ $fmt = json ]; then
            same_trace "$t.fast" "$t.slow"
        else
            "$bin/rtrace" convert --to=json "$t.fast" "$t.fast.json" >/dev/null 2>&1 &&
                "$bin/rtrace" convert --to=json "$t.slow" "$t.slow.json" >/dev/null 2>&1 &&
                same_trace "$t.fast.json" "$t.slow.json"
        fi
        same=$?
        grep -qx 'sum 200020713' "$t.out" && [ $same = 0 ] && "$bin/rtrace" validate "$t.fast" >/dev/null 2>&1
        check "$cc fast_strings $run: the fast path's trace is the general path's" $?
        pct=$(sed -n 's/.*; fast path: \([0-9]*\)\.[0-9]*% of the events.*/\1/p' "$t.err")
        [ -n "$pct" ] && [ "$pct" -ge 99 ]
        check "$cc fast_strings $run: the fast path wrote ${pct:-?}% of the events (at least 99%)" $?
    done
    grep -q '"text":"bravo-charlie"' "$d/fstr-calls-json.fast/trace.json" &&
        grep -q '"text":"quote\\"d"' "$d/fstr-calls-json.fast/trace.json" &&
        grep -q '"text":"bravo-ch"' "$d/fstr-calls-json8.fast/trace.json" &&
        grep -q '"text":"ab"' "$d/fstr-calls-json.fast/trace.json" &&
        grep -q '"return_value":{"kind":"BigInt"' "$d/fstr-calls-json.fast/trace.json"
    check "$cc fast_strings: texts whole, escaped, cut at RTRACE_MAX_STRING=8; a BigInt return" $?
done

echo "core e2e: $pass passed, $fail failed"
[ "$fail" = 0 ]
