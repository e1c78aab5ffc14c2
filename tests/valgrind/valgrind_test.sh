#!/bin/sh
# tests/valgrind/valgrind_test.sh - the runtime and rtrace under Valgrind
# (memcheck), where AddressSanitizer cannot go: the runtime is a shared library
# inside the traced program, with its own signal handlers, alternate stacks, a
# fault-recovering copy routine and interposed libc functions.
#
#   valgrind_test.sh BIN WORK GOLDEN_DIR
#
# 1. Traced programs (built with $BIN/rtcc) run under memcheck: two samples
#    (structs, strings) in JSON and binary (RTRACE_FORMAT=binary: the zstd
#    compressor thread), the 4-thread program of the runtime's tests, and
#    progs/wild.c (NULL, wild, dangling and page-crossing pointers: the safe
#    copy's fault path, in two threads). --leak-check=no: what the traced
#    program and the runtime still hold when the process exits is not a
#    leak the runtime has to free (its buffers live as long as the process);
#    runtime.supp covers only rt_safe_copy's deliberate reads. Each traced
#    run must exit as untraced, with no memcheck error (--error-exitcode=99),
#    and its trace must validate.
# 2. rtrace validate/print/stats/convert/repair on the goldens and on the
#    recorded traces, with --leak-check=full --errors-for-leak-kinds=definite:
#    rtrace is an ordinary program, it must not lose memory.
# Prints "valgrind: N passed, M failed"; exits 1 if any failed.
set -u
BIN=$1
WORK=$2
GOLDEN=$3
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RT=$BIN/rtrace
VG="valgrind -q --error-exitcode=99 --track-origins=yes"
VG_RT="$VG --leak-check=no --suppressions=$HERE/runtime.supp"
VG_TOOL="$VG --leak-check=full --errors-for-leak-kinds=definite"
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "  ok    $1"; }
bad() { fail=$((fail + 1)); echo "  FAIL  $1: $2"; }

if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind: not installed (scripts/install-deps.sh installs it)"
    echo "valgrind: 0 passed, 1 failed"
    exit 1
fi
rm -rf "$WORK"
mkdir -p "$WORK" || exit 1

# prog NAME SOURCE [link flags]: $WORK/NAME (traced) and $WORK/NAME.plain
prog() {
    n=$1 src=$2
    shift 2
    if cc -std=gnu11 -g -O0 -w -o "$WORK/$n.plain" "$src" "$@" &&
        "$BIN/rtcc" -std=gnu11 -o "$WORK/$n" "$src" "$@" 2> "$WORK/$n.rtcc.err"; then
        return 0
    fi
    bad "build $n" "$(cat "$WORK/$n.rtcc.err")"
    return 1
}

# traced NAME FORMAT: runs $WORK/NAME under memcheck into $WORK/NAME.FORMAT.trace
traced() {
    n=$1 fmt=$2
    d=$WORK/$n.$fmt.trace
    "$WORK/$n.plain" > "$WORK/$n.plain.out" 2>/dev/null
    want=$?
    RTRACE_DIR=$d RTRACE_FORMAT=$fmt RTRACE_QUIET=1 timeout 120 $VG_RT "$WORK/$n" \
        > "$WORK/$n.$fmt.out" 2> "$WORK/$n.$fmt.err"
    st=$?
    if [ "$st" = 99 ]; then
        bad "$n ($fmt) under memcheck" "errors, see $WORK/$n.$fmt.err"; sed 's/^/        /' "$WORK/$n.$fmt.err" | head -40
    elif [ "$st" != "$want" ]; then
        bad "$n ($fmt) under memcheck" "exit status $st, untraced $want"; head -20 "$WORK/$n.$fmt.err"
    elif ! cmp -s "$WORK/$n.plain.out" "$WORK/$n.$fmt.out"; then
        bad "$n ($fmt) under memcheck" "stdout differs from the untraced run"
    elif ! "$RT" validate "$d" > "$WORK/$n.$fmt.validate" 2>&1; then
        bad "$n ($fmt) under memcheck" "trace not valid: $(cat "$WORK/$n.$fmt.validate")"
    else
        ok "$n ($fmt) under memcheck"
    fi
}

# tool NAME EXPECTED_STATUS ARGS...: rtrace ARGS under memcheck
tool() {
    n=$1 want=$2
    shift 2
    $VG_TOOL "$RT" "$@" > "$WORK/tool.out" 2> "$WORK/tool.err"
    st=$?
    if [ "$st" = 99 ]; then
        bad "rtrace $n" "memcheck errors:"; sed 's/^/        /' "$WORK/tool.err" | head -40
    elif [ "$st" != "$want" ]; then
        bad "rtrace $n" "exit status $st, expected $want: $(head -3 "$WORK/tool.err")"
    else
        ok "rtrace $n"
    fi
}

# --- 1. the runtime ---
prog structs "$ROOT/samples/structs.c" && { traced structs json; traced structs binary; }
prog strings "$ROOT/samples/strings.c" && { traced strings json; traced strings binary; }
prog threads "$ROOT/tests/runtime/progs/threads.c" -lpthread && traced threads json
prog wild "$HERE/progs/wild.c" -lpthread && { traced wild json; traced wild binary; }

# --- 2. rtrace ---
for g in good_json good_bin; do
    tool "validate $g" 0 validate "$GOLDEN/$g"
    tool "print $g" 0 print "$GOLDEN/$g"
    tool "stats $g" 0 stats "$GOLDEN/$g"
done
tool "validate --crashed crashed" 0 validate --crashed "$GOLDEN/crashed"
tool "print crashed" 0 print "$GOLDEN/crashed"
for b in bad_shape bad_semantics bad_bin_indef_map; do
    [ -d "$GOLDEN/$b" ] && tool "validate $b (invalid)" 1 validate "$GOLDEN/$b"
done
tool "convert good_json -> binary" 0 convert "$GOLDEN/good_json" "$WORK/c.bin" --to binary
tool "convert good_bin -> json" 0 convert "$GOLDEN/good_bin" "$WORK/c.json" --to json
tool "validate converted" 0 validate "$WORK/c.bin"
# Recorded traces: the binary one of the threads-free samples, the wild one.
if [ -d "$WORK/wild.binary.trace" ]; then
    tool "print recorded (binary)" 0 print "$WORK/wild.binary.trace"
    tool "stats recorded (binary)" 0 stats "$WORK/wild.binary.trace"
    tool "convert recorded binary -> json" 0 convert "$WORK/wild.binary.trace" "$WORK/w.json" --to json
fi
# Repair: a recorded JSON trace cut in the middle of an event.
if [ -f "$WORK/structs.json.trace/trace.json" ]; then
    cp -r "$WORK/structs.json.trace" "$WORK/cut"
    size=$(wc -c < "$WORK/cut/trace.json")
    head -c $((size / 2)) "$WORK/structs.json.trace/trace.json" > "$WORK/cut/trace.json"
    tool "repair recorded (cut json)" 0 repair "$WORK/cut"
    tool "validate --crashed repaired" 0 validate --crashed "$WORK/cut"
fi
if [ -f "$WORK/structs.binary.trace/trace.bin" ]; then
    cp -r "$WORK/structs.binary.trace" "$WORK/cutb"
    size=$(wc -c < "$WORK/cutb/trace.bin")
    head -c $((size / 2)) "$WORK/structs.binary.trace/trace.bin" > "$WORK/cutb/trace.bin"
    "$RT" repair "$WORK/cutb" > /dev/null 2>&1
    want=$?   # whatever rtrace does natively, it does the same under memcheck
    cp -r "$WORK/structs.binary.trace" "$WORK/cutb2"
    head -c $((size / 2)) "$WORK/structs.binary.trace/trace.bin" > "$WORK/cutb2/trace.bin"
    tool "repair recorded (cut binary)" "$want" repair "$WORK/cutb2"
fi

echo "valgrind: $pass passed, $fail failed"
[ "$fail" = 0 ]
