#!/bin/sh
# tests/random/csmith_test.sh - programs nobody wrote for this project: random C
# programs from csmith (fixed seeds: the same programs every run), each built
# untraced and with rtcc, run untraced and traced (full mode JSON, and calls-only
# binary). A program passes when the traced runs print the same (csmith programs
# print a checksum of all their globals) and exit the same, and both traces pass
# `rtrace validate`. A program whose untraced run takes over 10 s is skipped.
#
#   csmith_test.sh BIN WORK
set -u
BIN=$1
WORK=$2
SEEDS="31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 57 58 60 61 62 63 64 65 66 67 68 69 70"
CSMITH_INC=/usr/include/csmith
pass=0; fail=0; skip=0
rm -rf "$WORK"
mkdir -p "$WORK" || exit 1
command -v csmith > /dev/null && [ -f "$CSMITH_INC/csmith.h" ] ||
    { echo "random: csmith or its headers are missing (scripts/install-deps.sh installs them)"; exit 1; }

bad() { fail=$((fail + 1)); echo "  FAIL  $1: $2"; }

for s in $SEEDS; do
    # even seeds with gcc, odd with clang
    cc=gcc; [ $((s % 2)) = 1 ] && cc=clang
    name="seed$s-$cc"
    d="$WORK/$name"
    mkdir -p "$d"
    csmith --seed "$s" --max-funcs 8 --max-expr-complexity 5 -o "$d/p.c" > /dev/null 2>&1 ||
        { bad "$name" "csmith failed"; continue; }
    $cc -O0 -g -w -I"$CSMITH_INC" -o "$d/plain" "$d/p.c" 2> "$d/build.err" ||
        { bad "$name" "untraced build failed: $(head -3 "$d/build.err")"; continue; }
    RTCC_CC=$cc "$BIN/rtcc" -O0 -g -w -I"$CSMITH_INC" -o "$d/traced" "$d/p.c" 2> "$d/rtcc.err" ||
        { bad "$name" "rtcc build failed: $(head -3 "$d/rtcc.err")"; continue; }
    (cd "$d" && timeout 10 ./plain > plain.out 2>&1; echo $? > plain.status)
    if [ "$(cat "$d/plain.status")" = 124 ]; then
        skip=$((skip + 1)); echo "  skip  $name (untraced over 10 s)"; continue
    fi
    ok=1
    for mode in "RTRACE_FORMAT=json" "RTRACE_MODE=calls RTRACE_FORMAT=binary"; do
        rm -rf "$d/trace"
        # shellcheck disable=SC2086 # the mode is two assignments on purpose
        (cd "$d" && env $mode RTRACE_QUIET=1 RTRACE_DIR="$d/trace" timeout 300 ./traced > traced.out 2>&1
            echo $? > traced.status)
        if [ "$(cat "$d/traced.status")" != "$(cat "$d/plain.status")" ] || ! cmp -s "$d/plain.out" "$d/traced.out"; then
            bad "$name" "[$mode] status $(cat "$d/traced.status") (untraced $(cat "$d/plain.status")) or output differs: $(diff "$d/plain.out" "$d/traced.out" | head -3)"
            ok=0; break
        fi
        crashed=""; [ "$(cat "$d/plain.status")" = 0 ] || crashed=--crashed
        if ! "$BIN/rtrace" validate $crashed "$d/trace" > "$d/validate.log" 2>&1; then
            bad "$name" "[$mode] rtrace validate: $(head -3 "$d/validate.log")"
            ok=0; break
        fi
    done
    if [ $ok = 1 ]; then
        pass=$((pass + 1)); echo "  ok    $name"
        rm -rf "$d"
    fi
done
echo "random: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ] && [ $pass -gt 0 ]
