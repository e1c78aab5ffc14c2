#!/bin/sh
# tests/tools/real_traces.sh - `rtrace` on traces the runtime really writes:
# a program killed with SIGKILL mid-run (binary and JSON: validate names the
# cut only, repair keeps the complete events, stats/print work after it), a
# 4-thread program cut per thread by `convert --thread`, a SIGSEGV crash in
# `print`, and a trace folder with files/, trace_paths.json or the metadata
# broken.
#
# usage: real_traces.sh RTCC RTRACE WORKDIR
set -u
CC=$1
RT=$2
W=$3
fails=0
n=0
check() {   # check DESCRIPTION -- command...: the command must succeed
    what=$1; shift 2
    n=$((n + 1))
    if ! "$@" >"$W/out" 2>"$W/err"; then
        echo "FAIL: $what"; sed 's/^/    /' "$W/out" "$W/err" | head -10; fails=$((fails + 1))
    fi
}
has() {     # has FILE TEXT DESCRIPTION
    n=$((n + 1))
    if ! grep -qF -- "$2" "$W/$1"; then
        echo "FAIL: $3: '$2' not in std$1"; sed 's/^/    /' "$W/$1" | head -10; fails=$((fails + 1))
    fi
}
hasnt() {   # hasnt FILE TEXT DESCRIPTION
    n=$((n + 1))
    if grep -qF -- "$2" "$W/$1"; then
        echo "FAIL: $3: '$2' in std$1"; sed 's/^/    /' "$W/$1" | head -10; fails=$((fails + 1))
    fi
}
rm -rf "$W" && mkdir -p "$W"
cat >"$W/slow.c" <<'C'
#include <time.h>
static long step(long x) { return x * 3 + 1; }
int main(void) {
    struct timespec d = {0, 200000};
    long acc = 0;
    for (long i = 0; i < 100000; i++) { acc = step(acc) % 1000003; nanosleep(&d, 0); }
    return (int)(acc & 1);
}
C
cat >"$W/thr.c" <<'C'
#include <pthread.h>
static int work(int n) { int s = 0; for (int i = 0; i < n; i++) s += i; return s; }
static void *run(void *a) { return (void *)(long)work((int)(long)a); }
int main(void) {
    pthread_t t[4];
    for (long i = 0; i < 4; i++) pthread_create(&t[i], 0, run, (void *)(i * 10 + 5));
    for (int i = 0; i < 4; i++) pthread_join(t[i], 0);
    return 0;
}
C
cat >"$W/crash.c" <<'C'
static int g(int *p) { return *p; }
int main(void) { int *p = 0; return g(p); }
C
for p in slow thr crash; do
    check "rtcc $p.c" -- "$CC" -g -O0 -o "$W/$p" "$W/$p.c" -lpthread
done
export RTRACE_QUIET=1

# --- SIGKILL mid-run ---
for fmt in binary json; do
    d=$W/killed_$fmt
    RTRACE_FORMAT=$fmt RTRACE_DIR=$d "$W/slow" & pid=$!
    sleep 0.5; kill -9 $pid; wait $pid 2>/dev/null
    "$RT" validate "$d" >"$W/out" 2>"$W/err"; rc=$?
    n=$((n + 1)); [ $rc -ne 0 ] || { echo "FAIL: $fmt killed trace valid before repair"; fails=$((fails + 1)); }
    # the cut is the only problem: no false mismatch with trace_paths.json
    hasnt err "Path events" "$fmt killed: validate before repair"
    check "$fmt killed: repair" -- "$RT" repair "$d"
    check "$fmt killed: validate --crashed after repair" -- "$RT" validate --crashed "$d"
    check "$fmt killed: stats after repair" -- "$RT" stats "$d"
    has out "calls:" "$fmt killed: stats"
    check "$fmt killed: print after repair" -- "$RT" print --no-color "$d"
    has out "step(" "$fmt killed: print shows the calls"
done

# --- 4 threads, one trace per thread ---
for fmt in json binary; do
    d=$W/thr_$fmt
    check "$fmt threads: run" -- env RTRACE_FORMAT=$fmt RTRACE_DIR=$d "$W/thr"
    check "$fmt threads: validate" -- "$RT" validate "$d"
    # the thread ids (OS tids) from the ThreadStart events of a JSON copy
    rm -rf "$d.json"
    check "$fmt threads: convert to json" -- "$RT" convert "$d" "$d.json" --to json
    ids=$(grep -o '"ThreadStart":[0-9]*' "$d.json/trace.json" | sed 's/.*://')
    n=$((n + 1))
    [ "$(echo $ids | wc -w)" = 5 ] || { echo "FAIL: $fmt threads: ThreadStart ids '$ids'"; fails=$((fails + 1)); }
    check "$fmt threads: stats" -- "$RT" stats "$d"
    cp "$W/out" "$W/stats.out"
    has stats.out "threads:          5" "$fmt threads: stats counts 5 threads"
    for id in $ids; do
        rm -rf "$d.$id"
        check "$fmt threads: convert --thread $id" -- "$RT" convert "$d" "$d.$id" --to json --thread $id
        check "$fmt threads: thread $id valid" -- "$RT" validate "$d.$id"
        n=$((n + 1))
        grep -q '"Call"' "$d.$id/trace.json" || { echo "FAIL: $fmt threads: no Call in thread $id"; fails=$((fails + 1)); }
        # stats' per-thread line agrees with the thread's own trace (one event per line)
        st=$(grep -c '^{"Step"' "$d.$id/trace.json"); ca=$(grep -c '^{"Call"' "$d.$id/trace.json")
        has stats.out "thread $(printf '%-12s' "$id") steps $st, calls $ca," "$fmt threads: stats line of thread $id"
    done
done
# a thread the trace does not have is an error, not a trace of definitions only
n=$((n + 1))
if "$RT" convert "$W/thr_json" "$W/nothread" --to json --thread 999999999 >"$W/out" 2>"$W/err"; then
    echo "FAIL: convert --thread of a missing thread succeeds"; fails=$((fails + 1))
fi
has err "has no thread 999999999" "convert --thread of a missing thread"

# --- a SIGSEGV crash ---
for fmt in json binary; do
    d=$W/crash_$fmt
    RTRACE_FORMAT=$fmt RTRACE_DIR=$d "$W/crash" 2>/dev/null
    check "$fmt crash: validate --crashed" -- "$RT" validate --crashed "$d"
    check "$fmt crash: print" -- "$RT" print --no-color "$d"
    has out "SIGSEGV" "$fmt crash: print shows the Error event"
done

# --- broken side files ---
for what in files paths meta; do
    d=$W/broken_$what
    cp -r "$W/thr_json" "$d"
    case $what in
    files) rm -rf "$d/files" ;;
    paths) rm -f "$d/trace_paths.json" ;;
    meta) echo 'garb{' >"$d/trace_metadata.json" ;;
    esac
    n=$((n + 1))
    if "$RT" validate "$d" >"$W/out" 2>"$W/err"; then echo "FAIL: validate passes with broken $what"; fails=$((fails + 1)); fi
done
cat "$W/out" "$W/err" >"$W/all"
has all "trace_metadata.json: JSON syntax error" "garbage metadata named"

echo "real_traces: $n checks, $fails failed"
[ "$fails" -eq 0 ]
