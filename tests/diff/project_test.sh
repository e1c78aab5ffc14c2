#!/bin/sh
# tests/diff/project_test.sh - real builds through rtcc: the word-frequency project of
# samples/project built out of tree with `make CC=rtcc` (objects, a static library with $(AR))
# and with `cmake -DCMAKE_C_COMPILER=rtcc`, each with RTCC_CC=gcc and clang. Each traced build
# must print what the untraced build prints (and what samples/project/expected.txt, counted by
# hand, says), leave a trace that `rtrace validate` accepts, and whose steps reach the
# library's code (a STOP in wf_add, compiled into libwordfreq.a).
#
#   project_test.sh BIN OUT      (BIN: folder of rtcc and rtrace; OUT: scratch folder)
set -u
# A parent make's command-line variables (BUILD=, CFLAGS=) must not leak into the project's build.
unset MAKEFLAGS MFLAGS MAKELEVEL
[ $# = 2 ] || { echo "usage: project_test.sh BIN OUT" >&2; exit 2; }
src=$(cd "$(dirname "$0")/../../samples/project" && pwd)
bin=$(cd "$1" && pwd) || exit 2
mkdir -p "$2" && out=$(cd "$2" && pwd) || exit 2
rtcc=$bin/rtcc
failed=0 passed=0

fail() { echo "FAIL project $1: $2"; failed=$((failed + 1)); }

# The reference: the untraced build must count as expected.txt says.
rm -rf "$out/plain" && mkdir -p "$out/plain"
if ! make -s -f "$src/Makefile" -C "$out/plain" CC=gcc >"$out/plain.log" 2>&1; then
    echo "FAIL project: untraced build failed (see $out/plain.log)"; exit 1
fi
"$out/plain/wordfreq" "$src/input.txt" >"$out/plain.stdout" 2>&1 </dev/null
if ! cmp -s "$out/plain.stdout" "$src/expected.txt"; then
    echo "FAIL project: the untraced build does not print expected.txt"; exit 1
fi

# check NAME DIR: run DIR/wordfreq traced, compare, validate, look for the library's steps.
check() {
    name=$1 dir=$2
    rm -rf "$dir/trace"
    RTRACE_QUIET=1 RTRACE_DIR="$dir/trace" "$dir/wordfreq" "$src/input.txt" \
        >"$dir/run.stdout" 2>&1 </dev/null
    st=$?
    [ $st = 0 ] || { fail "$name" "exit status $st"; return; }
    cmp -s "$dir/run.stdout" "$out/plain.stdout" ||
        { fail "$name" "output differs: $(diff "$out/plain.stdout" "$dir/run.stdout" | head -4)"; return; }
    "$bin/rtrace" validate "$dir/trace" >"$dir/validate.log" 2>&1 ||
        { fail "$name" "rtrace validate: $(head -3 "$dir/validate.log")"; return; }
    "$bin/rtrace" print --format=gdb "$dir/trace" >"$dir/steps.txt" 2>"$dir/print.log" ||
        { fail "$name" "rtrace print failed: $(head -3 "$dir/print.log")"; return; }
    grep -q '^STOP wf_add table.c:' "$dir/steps.txt" ||
        { fail "$name" "no step in wf_add (library code not traced?)"; return; }
    echo "ok   project $name"
    passed=$((passed + 1))
}

for cc in gcc clang; do
    d=$out/make-$cc
    rm -rf "$d" && mkdir -p "$d"
    if RTCC_CC=$cc make -s -f "$src/Makefile" -C "$d" CC="$rtcc" >"$d/build.log" 2>&1; then
        check "make $cc" "$d"
    else
        fail "make $cc" "build failed: $(tail -3 "$d/build.log")"
    fi

    d=$out/cmake-$cc
    rm -rf "$d"
    if RTCC_CC=$cc cmake -S "$src" -B "$d" -DCMAKE_C_COMPILER="$rtcc" \
            -DCMAKE_BUILD_TYPE=Debug >"$d.log" 2>&1 &&
       RTCC_CC=$cc make -s -C "$d" >>"$d.log" 2>&1; then
        check "cmake $cc" "$d"
    else
        fail "cmake $cc" "build failed: $(tail -3 "$d.log")"
    fi
done
echo "project: $passed passed, $failed failed"
[ $failed = 0 ]
