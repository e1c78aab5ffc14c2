#!/bin/sh
# tests/diff/run_diff.sh - the differential test of one program: is the trace what gdb shows?
#
#   run_diff.sh [--cc CC] [--bin DIR] [--out DIR] [--name NAME] [--arg ARG]... [--gdb-only] PROG.c...
#
# Builds PROG untraced (CC -g -O0 -fno-omit-frame-pointer) and with BIN/rtcc (RTCC_CC=CC),
# runs both (same args, stdin /dev/null), requires identical stdout, stderr and exit status,
# validates the trace (BIN/rtrace validate; --crashed when the program's status is not 0: it
# died or exited from inside calls, which stay open), then compares the canonical step listing of gdb
# stepping the untraced build (gdb_steps.py) with `rtrace print --format=gdb` of the trace
# (tests/diff/CANONICAL.md); also records it in binary, whose listing must match gdb's too, and
# in calls-only mode, whose Call and Return events must be the full trace's. Exit 0 when all agree; 1 with the first divergence otherwise;
# 2 on bad usage. --gdb-only writes just the gdb listing (to try the gdb side by hand).
# Defaults: CC=$CC or gcc, BIN=$BIN or build/bin, OUT a fresh temporary folder (removed
# on success).
set -u

here=$(cd "$(dirname "$0")" && pwd)
cc=${CC:-gcc}
bin=${BIN:-build/bin}
out=""
name=""
gdb_only=0
nargs=0
while [ $# -gt 0 ]; do
    case $1 in
    --cc) cc=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --arg) nargs=$((nargs + 1)); eval "arg_$nargs=\$2"; shift 2 ;;
    --gdb-only) gdb_only=1; shift ;;
    --) shift; break ;;
    -*) echo "run_diff: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "usage: run_diff.sh [--cc CC] [--bin DIR] [--out DIR] [--name N] [--arg A]... [--gdb-only] PROG.c..." >&2; exit 2; }

[ -n "$name" ] || name=$(basename "$1" .c)    # the program's name: the first source's
tmp_out=0
if [ -z "$out" ]; then
    out=$(mktemp -d "${TMPDIR:-/tmp}/run_diff.$name.XXXXXX") || exit 2
    tmp_out=1
fi
if [ $gdb_only = 0 ]; then
    absbin=$(cd "$bin" 2>/dev/null && pwd) || { echo "run_diff: no bin folder $bin" >&2; exit 2; }
    bin=$absbin
fi
rm -rf "$out/plain" "$out/traced" "$out/trace"
mkdir -p "$out/plain" "$out/traced" || exit 2
out=$(cd "$out" && pwd)
tag="$name ($(basename "$cc"))"

fail() { echo "FAIL $tag: $*"; echo "  (files in $out)"; exit 1; }

# The program's arguments, rebuilt as "$@" after the sources are consumed.
srcs=""
for s in "$@"; do srcs="$srcs $(cd "$(dirname "$s")" && pwd)/$(basename "$s")"; done
set --
i=1
while [ $i -le $nargs ]; do eval "set -- \"\$@\" \"\$arg_$i\""; i=$((i + 1)); done

flags="-g -O0 -fno-omit-frame-pointer"
# shellcheck disable=SC2086 # $srcs: absolute paths without spaces
"$cc" $flags -o "$out/plain/$name" $srcs -lm >"$out/build-plain.log" 2>&1 ||
    fail "untraced build failed: $(head -5 "$out/build-plain.log")"

# gdb runs the program in the folder the untraced run uses (files it writes stay there).
(cd "$out/plain" && GDB_STEPS_OUT="$out/gdb.txt" gdb -batch -nx -x "$here/gdb_steps.py" \
    --args "$out/plain/$name" "$@" </dev/null >"$out/gdb.log" 2>&1) ||
    fail "gdb failed: $(tail -5 "$out/gdb.log")"
[ -s "$out/gdb.txt" ] || fail "gdb wrote no listing: $(tail -5 "$out/gdb.log")"
if [ $gdb_only = 1 ]; then
    echo "gdb listing: $out/gdb.txt ($(grep -c '^STOP ' "$out/gdb.txt") stops)"
    exit 0
fi

RTCC_CC=$cc "$bin/rtcc" $flags -o "$out/traced/$name" $srcs -lm >"$out/build-traced.log" 2>&1 ||
    fail "rtcc build failed: $(head -5 "$out/build-traced.log")"

# Same program name (argv[0] basename) and same cwd for both runs. CANONICAL.md shows up to
# 200 elements of an array: the trace must hold as many (the runtime's default is 32).
# (`; exit $?`: the subshell, not this script, waits for the program and writes the shell's
# "Aborted"-style note about a killed program, to the /dev/null it was given.)
(exec 2>/dev/null; cd "$out/plain" && "./$name" "$@" </dev/null >../plain.stdout 2>../plain.stderr; exit $?)
st_plain=$?
(exec 2>/dev/null; cd "$out/traced" && RTRACE_QUIET=1 RTRACE_DIR="$out/trace" RTRACE_MAX_ELEMS=200 \
    "./$name" "$@" </dev/null >../traced.stdout 2>../traced.stderr; exit $?)
st_traced=$?
[ $st_plain = $st_traced ] || fail "exit status differs: untraced $st_plain, traced $st_traced"
cmp -s "$out/plain.stdout" "$out/traced.stdout" ||
    fail "stdout differs: $(diff "$out/plain.stdout" "$out/traced.stdout" | head -6)"
cmp -s "$out/plain.stderr" "$out/traced.stderr" ||
    fail "stderr differs: $(diff "$out/plain.stderr" "$out/traced.stderr" | head -6)"

# A program that died or exited from inside calls leaves them open: fine then (--crashed).
crashed=""
[ $st_plain = 0 ] || crashed=--crashed
"$bin/rtrace" validate $crashed "$out/trace" >"$out/validate.log" 2>&1 ||
    fail "rtrace validate rejects the trace: $(head -5 "$out/validate.log")"
# Calls-only mode must record the calls of the full trace: the same Call and Return events
# (arguments, return values), addresses aside (ASLR). Its fast hooks write them from templates
# where the full trace's may take the general path, so this pits one against the other.
(exec 2>/dev/null; cd "$out/traced" && RTRACE_QUIET=1 RTRACE_MODE=calls RTRACE_DIR="$out/trace-calls" \
    RTRACE_MAX_ELEMS=200 "./$name" "$@" </dev/null >../calls.stdout 2>../calls.stderr; exit $?)
[ $? = $st_plain ] || fail "calls mode: exit status differs from untraced"
calls_of() {
    grep -E '^\{"(Call|Return)"' "$1/trace.json" | sed -E 's/"address":[0-9]+/"address":N/g; s/0x[0-9a-f]+ </0xH </g'
}
calls_of "$out/trace" >"$out/calls-full.txt"
calls_of "$out/trace-calls" >"$out/calls-calls.txt"
cmp -s "$out/calls-full.txt" "$out/calls-calls.txt" ||
    fail "calls mode records other Call/Return events than the full trace: $(diff "$out/calls-full.txt" "$out/calls-calls.txt" | head -4 | cut -c1-400)"

"$bin/rtrace" print --format=gdb "$out/trace" >"$out/trace.txt" 2>"$out/print.log" ||
    fail "rtrace print --format=gdb failed: $(head -5 "$out/print.log")"

# The binary format (trace.bin: its own encoder and templates, the CBOR halves of the JSON
# ones) must show gdb the same: recorded again, compared by the same rules.
(exec 2>/dev/null; cd "$out/traced" && RTRACE_QUIET=1 RTRACE_FORMAT=binary RTRACE_DIR="$out/trace-bin" \
    RTRACE_MAX_ELEMS=200 "./$name" "$@" </dev/null >../bin.stdout 2>../bin.stderr; exit $?)
[ $? = $st_plain ] || fail "binary format: exit status differs from untraced"
"$bin/rtrace" print --format=gdb "$out/trace-bin" >"$out/trace-bin.txt" 2>"$out/print-bin.log" ||
    fail "rtrace print --format=gdb of the binary trace failed: $(head -5 "$out/print-bin.log")"
python3 "$here/gdb_steps.py" --compare "$out/gdb.txt" "$out/trace-bin.txt" >"$out/compare-bin.log" ||
    fail "the binary trace differs from gdb: $(head -8 "$out/compare-bin.log")"

if python3 "$here/gdb_steps.py" --compare "$out/gdb.txt" "$out/trace.txt" >"$out/compare.log"; then
    echo "ok   $tag: $(sed 's/^diff: //' "$out/compare.log")"
    [ $tmp_out = 1 ] && rm -rf "$out"
    exit 0
fi
echo "FAIL $tag: the trace differs from gdb"
sed 's/^/  /' "$out/compare.log"
echo "  (files in $out)"
exit 1
