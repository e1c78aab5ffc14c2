#!/bin/sh
# tests/runtime/core_e2e.sh - end-to-end checks of the runtime core on the
# programs of tests/runtime/core_progs/, compiled with rtcc under gcc and
# clang: what the gdb differential test (tests/diff) does not cover or cannot
# compare: the crash event, frames abandoned by longjmp, VLAs, long double
# returns, a dlopen'ed plugin sharing types with the program, RTRACE_FILTER and
# RTRACE_MODE=calls. Every expected value below was worked out by hand from
# the program's source.
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
done

echo "core e2e: $pass passed, $fail failed"
[ "$fail" = 0 ]
