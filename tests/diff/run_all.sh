#!/bin/sh
# tests/diff/run_all.sh - runs the differential test (run_diff.sh) on every sample with every
# compiler and prints "diff: N passed, M failed"; exits 1 if any failed.
#
#   run_all.sh BIN OUT "CC..." SAMPLE...
# A SAMPLE is a .c file (one program) or a folder (one program made of all its .c files).
set -u
[ $# -ge 4 ] || { echo "usage: run_all.sh BIN OUT \"CC...\" SAMPLE..." >&2; exit 2; }
here=$(dirname "$0")
bin=$1 out=$2 ccs=$3
shift 3
passed=0 failed=0 failures=""
for cc in $ccs; do
    for s in "$@"; do
        if [ -d "$s" ]; then
            name=$(basename "$s") srcs=$(ls "$s"/*.c)
        else
            name=$(basename "$s" .c) srcs=$s
        fi
        # shellcheck disable=SC2086 # srcs: sample paths without spaces
        if "$here/run_diff.sh" --cc "$cc" --bin "$bin" --out "$out/$name-$cc" --name "$name" $srcs; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1)) failures="$failures $name-$cc"
        fi
    done
done
echo "diff: $passed passed, $failed failed${failures:+ (failed:$failures)}"
[ $failed = 0 ]
