#!/bin/sh
# tests/diff/selftest/selftest.sh - tests the differential test itself, without rtcc or the
# runtime: (1) gdb_steps.py stepping tiny.c (built by gcc, then clang) must print exactly the
# hand-written tiny.<cc>.expected, stepping crash.c must end at its faulting line, and the stops
# of samples/signals.c, fault.c and longjmp.c must be the hand-worked sequences; (2) the
# comparator must accept `?` against any value and reject a changed value, a missing stop, an
# extra line and a truncated gdb listing.
#
#   selftest.sh OUT      (OUT: scratch folder)
set -u
here=$(cd "$(dirname "$0")" && pwd)
steps=$here/../gdb_steps.py
mkdir -p "$1" && out=$(cd "$1" && pwd) || exit 2
failed=0 passed=0
ok() { passed=$((passed + 1)); }
bad() { echo "FAIL diff-self: $*"; failed=$((failed + 1)); }

for cc in gcc clang; do
    "$cc" -g -O0 -fno-omit-frame-pointer -o "$out/tiny-$cc" "$here/tiny.c" || { bad "$cc build"; continue; }
    GDB_STEPS_OUT=$out/tiny-$cc.txt gdb -batch -nx -x "$steps" --args "$out/tiny-$cc" \
        </dev/null >"$out/gdb-$cc.log" 2>&1
    if python3 "$steps" --compare "$here/tiny.$cc.expected" "$out/tiny-$cc.txt" >"$out/cmp-$cc.log"; then
        ok
    else
        bad "gdb listing of tiny.c ($cc) is not tiny.$cc.expected:"; sed 's/^/  /' "$out/cmp-$cc.log"
    fi
done

# A crash: the faulting line is the last stop, shown once; the walk ends with the program.
gcc -g -O0 -fno-omit-frame-pointer -o "$out/crash" "$here/crash.c" || bad "crash.c build"
GDB_STEPS_OUT=$out/crash.txt gdb -batch -nx -x "$steps" --args "$out/crash" \
    </dev/null >"$out/gdb-crash.log" 2>&1
printf 'STOP main crash.c:7\n  a=?\n  p=?\nSTOP main crash.c:8\n  a=?\n  p=0x0\nSTOP main crash.c:9\n  a=1\n  p=0x0\n' \
    >"$out/crash.expected"
if cmp -s "$out/crash.expected" "$out/crash.txt"; then ok; else
    bad "gdb listing of crash.c:"; diff "$out/crash.expected" "$out/crash.txt" | head -10
fi

# Control leaving the stepped code: a signal handler and an atexit handler run from libc, a
# fault in own code recovered by its handler with siglongjmp, a longjmp out of a recursion. The stop sequences (gcc) are worked out by hand from the sources.
stops_of() {    # stops_of NAME LIST: gdb's STOP sequence of samples/NAME.c against LIST
    gcc -g -O0 -fno-omit-frame-pointer -o "$out/$1" "$here/../../../samples/$1.c" || { bad "$1 build"; return; }
    GDB_STEPS_OUT=$out/$1.txt gdb -batch -nx -x "$steps" --args "$out/$1" </dev/null >"$out/gdb-$1.log" 2>&1
    got=$(grep '^STOP' "$out/$1.txt" | sed "s/^STOP \([a-z_]*\) $1.c:/\1:/" | tr '\n' ' ')
    if [ "$got" = "$2 " ]; then ok; else bad "stops of $1.c: $got"; fi
}
stops_of signals "main:23 main:24 main:25 on_signal:12 on_signal:13 main:26 main:27 main:28 main:29 at_exit:17 at_exit:18 at_exit:19"
stops_of fault "main:22 main:23 main:24 main:25 main:26 divide:17 on_fpe:12 main:25 main:29 main:30 main:31"
stops_of longjmp "main:22 main:23 main:24 main:25 main:26 descend:10 descend:12 descend:10 descend:12 descend:10 descend:11 main:24 main:25 main:29 plus_one:17 plus_one:18 main:30 main:31 main:32"

# expect_cmp 0|1 WHAT TRACE_FILE: the comparator's verdict on tiny.gcc.expected vs TRACE_FILE.
ref=$here/tiny.gcc.expected
expect_cmp() {
    python3 "$steps" --compare "$ref" "$3" >"$out/cmp.log" 2>&1
    st=$?
    if [ $st = "$1" ]; then ok; else bad "comparator on $2: status $st, expected $1"; fi
}
sed 's/^\(  [a-z]*\)=?$/\1=12345/' "$ref" >"$out/t-anyvalue"
expect_cmp 0 "'?' replaced by values" "$out/t-anyvalue"
sed 's/^  calls=1$/  calls=2/' "$ref" >"$out/t-value"
expect_cmp 1 "a changed value" "$out/t-value"
awk '/^STOP/{skip = ($0 == "STOP twice tiny.c:21")} !skip' "$ref" >"$out/t-nostop"
expect_cmp 1 "a missing stop" "$out/t-nostop"
{ cat "$ref"; echo "STOP main tiny.c:47"; } >"$out/t-extra"
expect_cmp 1 "an extra stop" "$out/t-extra"
sed 's/^  n=?$/  m=1/' "$ref" >"$out/t-name"
expect_cmp 1 "another name where gdb says ?" "$out/t-name"

# A walk cut by GDB_STEPS_MAX must make the comparison fail, even against its own prefix.
GDB_STEPS_MAX=3 GDB_STEPS_OUT=$out/trunc.txt gdb -batch -nx -x "$steps" \
    --args "$out/tiny-gcc" </dev/null >/dev/null 2>&1
ref=$out/trunc.txt
grep -q '^TRUNCATED' "$out/trunc.txt" && [ "$(grep -c '^STOP' "$out/trunc.txt")" = 3 ] && ok ||
    bad "GDB_STEPS_MAX=3 did not stop the walk after 3 stops"
head -n -1 "$out/trunc.txt" >"$out/t-trunc"
expect_cmp 1 "a truncated gdb listing" "$out/t-trunc"

echo "diff-self: $passed passed, $failed failed"
[ $failed = 0 ]
