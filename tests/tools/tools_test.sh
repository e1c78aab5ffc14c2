#!/bin/sh
# tests/tools/tools_test.sh - tests of the `rtrace` command: exit codes and
# messages, --help/--version, validate on the goldens, the json -> binary ->
# json round trip, repair of traces cut here at many offsets, and
# `print --format=gdb` against a listing derived by hand from
# tests/diff/CANONICAL.md (data/gdb_case.expected).
#
# usage: tools_test.sh RTRACE GOLDEN_DIR WORKDIR
set -u
RT=$1
G=$2
W=$3
HERE=$(dirname "$0")
fails=0
n=0

# expect CODE DESCRIPTION -- command...: runs the command, checks its exit code.
expect() {
    want=$1; what=$2; shift 3
    n=$((n + 1))
    "$@" >"$W/out" 2>"$W/err"
    got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL: $what: exit $got, expected $want"; sed 's/^/    /' "$W/out" "$W/err" | head -10
        fails=$((fails + 1))
    fi
}
# has FILE TEXT DESCRIPTION: checks that the last output contains TEXT.
has() {
    n=$((n + 1))
    if ! grep -qF -- "$2" "$W/$1"; then
        echo "FAIL: $3: '$2' not in std$1"; sed 's/^/    /' "$W/$1" | head -10
        fails=$((fails + 1))
    fi
}
ok() {
    n=$((n + 1))
    if ! eval "$1"; then echo "FAIL: $2"; fails=$((fails + 1)); fi
}

rm -rf "$W" && mkdir -p "$W"

# --- usage, help, version ---
expect 2 "no command" -- "$RT"
expect 2 "unknown command" -- "$RT" frobnicate
has err "unknown command" "unknown command message"
expect 0 "--version" -- "$RT" --version
has out "rtrace 0." "version text"
expect 0 "--help" -- "$RT" --help
for c in validate print stats convert repair; do
    expect 0 "$c --help" -- "$RT" $c --help
    has out "usage: rtrace $c" "$c --help usage line"
done
expect 0 "validate --help lists its options" -- "$RT" validate --help
has out "--max-errors=N" "validate options from the table"
has out "--crashed" "validate options from the table"
expect 2 "option of another command" -- "$RT" validate --to json "$G/good_json"
expect 2 "missing DIR" -- "$RT" validate
has err "missing DIR" "missing argument message"
expect 2 "bad --max-errors" -- "$RT" validate --max-errors x "$G/good_json"
expect 2 "bad --format" -- "$RT" print --format=xml "$G/good_json"
expect 2 "convert without --to" -- "$RT" convert "$G/good_json" "$W/x"

# --- missing, empty, unreadable folders ---
expect 1 "missing folder" -- "$RT" validate "$W/nope"
has err "No such file or directory" "missing folder message"
mkdir -p "$W/empty"
expect 1 "empty folder" -- "$RT" print "$W/empty"
has err "no trace.json or trace.bin" "empty folder message"
expect 1 "a file, not a folder" -- "$RT" stats "$G/every-event.jsonl"
has err "not a folder" "file message"

# --- validate on the goldens ---
expect 0 "good_json valid" -- "$RT" validate "$G/good_json"
expect 0 "good_bin valid" -- "$RT" validate "$G/good_bin"
expect 1 "bad_shape invalid" -- "$RT" validate "$G/bad_shape"
ok "[ \$(grep -c '^error: ' '$W/out') = 4 ]" "bad_shape: 4 error lines"
has out "event 11" "bad_shape names event 11"
expect 1 "bad_semantics invalid" -- "$RT" validate "$G/bad_semantics"
ok "[ \$(grep -c '^error: ' '$W/out') = 13 ]" "bad_semantics: 13 error lines"
expect 1 "bad_semantics --max-errors 2" -- "$RT" validate --max-errors 2 "$G/bad_semantics"
ok "[ \$(grep -c '^error: ' '$W/out') = 2 ]" "--max-errors 2 shows 2"
has out "13 problems" "--max-errors still counts all"
expect 1 "crashed invalid" -- "$RT" validate "$G/crashed"
expect 0 "crashed --crashed valid" -- "$RT" validate --crashed "$G/crashed"
for d in bad_float_number bad_bin_noseek bad_bin_indef_map bad_bin_float_number; do
    expect 1 "$d invalid" -- "$RT" validate "$G/$d"
done

# --- print and stats ---
expect 0 "print tree" -- "$RT" print --no-color "$G/good_json"
has out "-> add(a=1, b=2)" "tree shows the call with args"
has out "<- add = 3" "tree shows the return value"
has out "[write] 3" "tree shows program output"
has out "example.c:4" "tree shows file:line"
ok "! grep -q \"\$(printf '\\033')\" '$W/out'" "no colour when not a terminal"
expect 0 "hand-written gdb case is valid" -- "$RT" validate "$HERE/data/gdb_case"
expect 0 "print gdb on the hand-written case" -- "$RT" print --format=gdb "$HERE/data/gdb_case"
ok "diff -u '$HERE/data/gdb_case.expected' '$W/out'" "gdb listing equals the hand-derived one"
expect 0 "stats" -- "$RT" stats "$G/good_bin"
has out "events:           39" "stats event count"
has out "max call depth:   3" "stats depth"
has out "Step                 9" "stats per kind"

# --- convert round trip ---
expect 0 "convert json -> json" -- "$RT" convert "$G/good_json" "$W/j0" --to json
expect 0 "convert json -> binary" -- "$RT" convert "$G/good_json" "$W/b1" --to binary
expect 0 "convert binary -> json" -- "$RT" convert "$W/b1" "$W/j2" --to json
ok "[ -f '$W/b1/trace.bin' ] && [ ! -f '$W/b1/trace.json' ]" "binary output is trace.bin only"
ok "cmp -s '$W/j0/trace.json' '$W/j2/trace.json'" "json -> binary -> json gives the same events"
expect 0 "converted binary valid" -- "$RT" validate "$W/b1"
expect 0 "converted json valid" -- "$RT" validate "$W/j2"
expect 0 "good_bin -> json" -- "$RT" convert "$G/good_bin" "$W/j3" --to json
ok "cmp -s '$W/j0/trace.json' '$W/j3/trace.json'" "the two goldens hold the same events"
expect 2 "convert into itself" -- "$RT" convert "$W/j0" "$W/j0" --to json

# --thread: a two-thread trace (hand-written, as the runtime writes it: no thread events until a
# second thread starts; then the first ThreadStart names the thread that started the trace).
mkdir -p "$W/thr/files/t"
cp "$HERE/data/gdb_case/files/t/m.c" "$W/thr/files/t/m.c"
printf '{"workdir":"/t","program":"/t/m","args":[]}' > "$W/thr/trace_metadata.json"
printf '["/t/m.c"]' > "$W/thr/trace_paths.json"
cat > "$W/thr/trace.json" <<'J'
[
{"Path":"/t/m.c"},
{"Function":{"path_id":0,"line":1,"name":"<toplevel>"}},
{"Call":{"function_id":0,"args":[]}},
{"Type":{"kind":30,"lang_type":"None","specific_info":{"kind":"None"}}},
{"Function":{"path_id":0,"line":3,"name":"add"}},
{"ThreadStart":1},
{"ThreadStart":5},
{"ThreadSwitch":5},
{"Call":{"function_id":1,"args":[]}},
{"Step":{"path_id":0,"line":4}},
{"ThreadSwitch":1},
{"Step":{"path_id":0,"line":11}},
{"ThreadSwitch":5},
{"Return":{"return_value":{"kind":"None","type_id":0}}},
{"ThreadExit":5},
{"ThreadSwitch":1},
{"Step":{"path_id":0,"line":12}}
]
J
expect 0 "two-thread trace valid" -- "$RT" validate "$W/thr"
expect 0 "convert --thread 1" -- "$RT" convert "$W/thr" "$W/thr0" --to json --thread 1
has out "7 of 17 events" "thread 1 keeps definitions, its call and its steps"
expect 0 "thread-1 trace valid" -- "$RT" validate "$W/thr0"
ok "! grep -q Thread '$W/thr0/trace.json'" "no Thread events left"
expect 0 "convert --thread 5" -- "$RT" convert "$W/thr" "$W/thr5" --to binary --thread 5
has out "7 of 17 events" "thread 5 keeps the 4 definitions and its call, step and return"

# --- repair of traces cut here ---
size=$(wc -c < "$G/good_json/trace.json")
for cut in 1 60 500 1000 1500 2000 2500 $((size - 3)) $((size - 1)); do
    rm -rf "$W/r"; cp -r "$G/good_json" "$W/r"; chmod -R u+w "$W/r"
    head -c $cut "$G/good_json/trace.json" > "$W/r/trace.json"
    expect 0 "repair json cut at $cut" -- "$RT" repair "$W/r"
    expect 0 "repaired json (cut $cut) valid as crashed" -- "$RT" validate --crashed "$W/r"
    # Complete events are kept byte for byte: the repaired file minus its "]" is a prefix of the original.
    keep=$(($(wc -c < "$W/r/trace.json") - 3))
    [ $keep -gt 1 ] && ok "head -c $keep '$W/r/trace.json' | cmp -s - '$G/good_json/trace.json' -n $keep" \
        "repair (cut $cut) keeps the complete events as they were"
done
rm -rf "$W/r"; cp -r "$G/good_json" "$W/r"; chmod -R u+w "$W/r"; rm "$W/r/trace_paths.json"
expect 0 "repair rewrites a missing trace_paths.json" -- "$RT" repair "$W/r"
has out "trace_paths.json" "repair says it wrote trace_paths.json"
expect 0 "then valid" -- "$RT" validate "$W/r"
expect 0 "repair of a sound trace" -- "$RT" repair "$W/r"
has out "nothing to repair" "sound trace left alone"
bsize=$(wc -c < "$G/good_bin/trace.bin")
prev=0
for cut in 300 600 800 1000 $((bsize - 20)) $((bsize - 1)); do
    rm -rf "$W/rb"; cp -r "$G/good_bin" "$W/rb"; chmod -R u+w "$W/rb"
    head -c $cut "$G/good_bin/trace.bin" > "$W/rb/trace.bin"
    expect 1 "cut bin ($cut) invalid" -- "$RT" validate "$W/rb"
    expect 0 "repair bin cut at $cut" -- "$RT" repair "$W/rb"
    has out "new seek table" "repair says what it did"
    expect 0 "repaired bin (cut $cut) valid as crashed" -- "$RT" validate --crashed "$W/rb"
    expect 0 "stats of repaired bin" -- "$RT" stats "$W/rb"
    ev=$(sed -n 's/^events: *\([0-9]*\).*/\1/p' "$W/out")
    ok "[ '$ev' -ge '$prev' ]" "longer cuts keep at least as many events ($ev >= $prev)"
    prev=$ev
done
ok "[ '$prev' = 39 ]" "a cut inside the seek table keeps all 39 events"
# A process killed right after creating its trace file.
rm -rf "$W/e"; cp -r "$G/good_json" "$W/e"; chmod -R u+w "$W/e"; : > "$W/e/trace.json"
expect 0 "repair an empty trace.json" -- "$RT" repair "$W/e"
expect 0 "empty trace.json repaired" -- "$RT" validate "$W/e"
rm "$W/e/trace.json"; head -c 5 "$G/good_bin/trace.bin" > "$W/e/trace.bin"
expect 1 "a trace.bin cut in its header is invalid" -- "$RT" validate "$W/e"
has out "cut inside its 8-byte header" "says where it is cut"
expect 0 "repair a trace.bin cut in its header" -- "$RT" repair "$W/e"
expect 0 "trace.bin cut in its header repaired" -- "$RT" validate "$W/e"
printf 'garbage!garbage' > "$W/e/trace.bin"
expect 1 "garbage trace.bin is not repaired" -- "$RT" repair "$W/e"
has err "unknown header" "garbage header named"

echo "tools tests: $((n - fails)) of $n checks passed"
[ $fails = 0 ]
