#!/bin/sh
# bench/run.sh - the runner of `make bench`: how fast recording is against the
# untraced program and against uftrace. Prints one aligned table; asserts nothing.
#
#   BIN=... LIBD=... BUILD=... [CC=cc] [BENCH_RUNS=7] sh bench/run.sh
#
# For each program of bench/progs/ it measures (bench_measure: median wall
# time of BENCH_RUNS runs, peak RSS of the children; the rtcc configurations
# of a program take turns, one run each per round):
#   untraced     the plain -O0 build, at the program's default size (~0.1 s)
#   rtcc-json    rtcc build, full recording, trace.json
#   rtcc-bin     the same, RTRACE_FORMAT=binary (trace.bin)
#   rtcc-calls   the same, RTRACE_MODE=calls (calls, args and returns only), trace.json
#   rtcc-callsb  RTRACE_MODE=calls, RTRACE_FORMAT=binary
#   uftrace      `uftrace record` of a -pg build
#   uftrace-a    `uftrace record -a` (arguments and return values too)
# Every traced configuration runs at a smaller size (a full recording of a
# 0.1 s -O0 run would be gigabytes; PROGS below) and at size 0 (start-up and
# exit only).
# Then a start-up case: a generated program of 2,000 functions run with size 0.
# Configurations whose tool is missing (rtcc and the runtime not built yet,
# uftrace not installed) print n/a. Everything goes under $BUILD/bench.
#
# Derived figures (see the footnote printed under the table):
#   u         = (T_untraced(N) - T_untraced(0)) / N, untraced cost per unit of size
#   slowdown  = (T(n) - T(0)) / (u * n): steady state, start-up excluded
#   ns/step   = (T(n) - T(0) - u * n) / steps: recording overhead per step
#               (full modes; ns/call likewise per call in calls-only and uftrace)
set -u

: "${BIN:?BIN not set}" "${LIBD:?LIBD not set}" "${BUILD:?BUILD not set}"
CC=${CC:-cc}
# Absolute paths: LD_LIBRARY_PATH and the traces must not depend on the cwd.
abs() { if [ -d "$1" ]; then (cd "$1" && pwd); else echo "$1"; fi; }
BIN=$(abs "$BIN"); LIBD=$(abs "$LIBD")
RUNS=${BENCH_RUNS:-7}
# Size-0 runs last milliseconds: more of them for a steadier start-up figure.
RUNS0=$((RUNS * 2 + 1))
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$BUILD/bench
mkdir -p "$OUT/bin" "$OUT/traces" "$OUT/tmp"
OUT=$(cd "$OUT" && pwd)        # absolute: traced programs run from other folders
LOG=$OUT/bench.log             # compiler and recorder chatter goes here, not to the table
RES=$OUT/results.tsv
CLEAN=                         # measure: the trace folder to remove before each run
: > "$LOG"
: > "$RES"
MEASURE=$BIN/bench_measure
[ -x "$MEASURE" ] || { echo "bench: $MEASURE is missing (make builds it)" >&2; exit 1; }

# program : default size (untraced, ~0.1 s at -O0) : rtcc size (~0.1-0.5 s of
#           full recording, 0.6M-2M steps; lines.c the most, so that fixed
#           costs such as compressing the last frame at exit weigh little) :
#           uftrace size (~0.1 s of uftrace's per-call cost, so that it stands
#           above the noise of start-up; lines makes 6 calls, so uftrace runs
#           it at the default size) : calls-only size (calls-only recordings
#           cost ~0.05 us a call: at the rtcc size fib's would last ~10 ms,
#           as long as start-up, and its ns/call would be mostly noise; so
#           0.3M-2M calls, ~0.1 s)
PROGS="fib:6000:24:60:240 structs:40000:300:1500:3000 strings:600000:6000:15000:60000 lines:100000000:500000:100000000:500000"

# ---- which tools are there -------------------------------------------------
RTCC=$BIN/rtcc
RTLIB=$LIBD/librtrace_rt.so
RTPROBE=$LIBD/rtrace_probe.o
RTRACE=$BIN/rtrace
have_rtcc=0
[ -x "$RTCC" ] && [ -f "$RTLIB" ] && [ -f "$RTPROBE" ] && have_rtcc=1
have_stats=0
[ -x "$RTRACE" ] && have_stats=1
stats_used=0; stats_failed=0   # whether `rtrace stats` gave the counts (footnote)
UFTRACE=$(command -v uftrace || true)
# The rtcc builds must find the runtime just built, wherever rtcc points them.
RTENV="LD_LIBRARY_PATH=$LIBD${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} RTRACE_QUIET=1"

echo "bench: $RUNS runs per figure; rtcc: $([ $have_rtcc = 1 ] && echo yes || echo 'n/a (no '"$RTCC"', '"$RTLIB"' or '"$RTPROBE"')');" \
     "rtrace: $([ $have_stats = 1 ] && echo yes || echo 'n/a (counting trace.json)');" \
     "uftrace: ${UFTRACE:-n/a}"

# ---- helpers -----------------------------------------------------------------
# build NAME CMD... : runs a compiler command, logging; returns its status.
build() {
    name=$1; shift
    echo "== build $name: $*" >> "$LOG"
    "$@" >> "$LOG" 2>&1 || { echo "bench: build of $name failed (see $LOG)" >&2; return 1; }
}

# measure ENVS CMD... : runs CMD BENCH_RUNS times (RUNS0 when its last
# argument, the size, is 0) with the assignments in ENVS (a space-separated
# list, may be empty); sets MS (median ms), RSS (KB), ST (status). With
# CLEAN=DIR, DIR (the trace folder) is removed before each run, untimed.
measure() {
    envs=$1; shift
    runs=$RUNS
    for last in "$@"; do :; done   # the size
    [ "$last" = 0 ] && runs=$RUNS0
    [ -n "${MRUNS:-}" ] && runs=$MRUNS
    echo "== run [$envs] $*" >> "$LOG"
    # shellcheck disable=SC2086
    line=$(env $envs "$MEASURE" -n "$runs" -q ${CLEAN:+-c "$CLEAN"} -- "$@" 2>> "$LOG")
    echo "$line" >> "$LOG"
    MS=$(echo "$line" | sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p')
    RSS=$(echo "$line" | sed -n 's/.*max_rss_kb=\([0-9]*\).*/\1/p')
    ST=$(echo "$line" | sed -n 's/.*status=\([0-9]*\).*/\1/p')
    [ -n "$MS" ] || { MS=0; RSS=0; ST=255; }
}

# agg FILE : from lines "ms rss status" (one per run), sets MS (median), RSS
# (largest) and ST (the first nonzero status, else 0).
agg() {
    MS=$(awk '{ print $1 }' "$1" | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }')
    RSS=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$1")
    ST=$(awk 'BEGIN { s = 0 } $3 != 0 && s == 0 { s = $3 } END { print s }' "$1")
}

# rtcc_cfg PROG CFG N CN : the environment (e), size (sz) and trace folder (d)
# of rtcc configuration CFG of PROG (full-mode size N, calls-only size CN).
rtcc_cfg() {
    case $2 in
    json) e="RTRACE_FORMAT=json RTRACE_MODE=full" ;;
    bin) e="RTRACE_FORMAT=binary RTRACE_MODE=full" ;;
    calls) e="RTRACE_FORMAT=json RTRACE_MODE=calls" ;;
    callsb) e="RTRACE_FORMAT=binary RTRACE_MODE=calls" ;;
    esac
    sz=$3
    case $2 in calls*) sz=$4 ;; esac
    d=$OUT/traces/$1.$2
}

# count DIR : sets STEPS CALLS EVENTS BYTES from a trace folder ("" when unknown).
# `rtrace stats` first (it reads trace.bin too); else trace.json has one event
# per line, so counting line starts is exact.
count() {
    dir=$1
    STEPS=""; CALLS=""; EVENTS=""; BYTES=""
    file=""
    [ -f "$dir/trace.json" ] && file=$dir/trace.json
    [ -f "$dir/trace.bin" ] && file=$dir/trace.bin
    [ -n "$file" ] || return 0
    BYTES=$(wc -c < "$file" | tr -d ' ')
    if [ $have_stats = 1 ]; then
        # shellcheck disable=SC2046 # three numbers, split on purpose
        set -- $("$RTRACE" stats "$dir" 2>> "$LOG" | awk -f "$HERE/stats.awk")
        if [ $# -eq 3 ]; then STEPS=$1; CALLS=$2; EVENTS=$3; stats_used=1; return 0; fi
        echo "bench: could not read the counts of 'rtrace stats $dir'" >> "$LOG"
        stats_failed=1
    fi
    case $file in
    *.json)
        # shellcheck disable=SC2046 # three numbers, split on purpose
        set -- $(awk '/^\{"Step"/ { s++ } /^\{"Call"/ { c++ } /^[{"]/ { e++ }
                      END { print s + 0, c + 0, e + 0 }' "$file")
        STEPS=$1; CALLS=$2; EVENTS=$3 ;;
    esac
}

# ucount DIR : uftrace's call count (report, scheduler pseudo-entries left out)
# and the bytes of its data files; an event is one entry or exit record.
ucount() {
    dir=$1
    CALLS=$(uftrace report -d "$dir" -f call 2>> "$LOG" |
            awk 'NR > 2 && $2 !~ /^linux:/ { s += $1 } END { print s + 0 }')
    STEPS=""
    EVENTS=$((CALLS * 2))
    BYTES=$(cat "$dir"/*.dat 2>/dev/null | wc -c | tr -d ' ')
}

# row PROG CONFIG SIZE MS MS0 RSS STATUS STEPS CALLS EVENTS BYTES BASE_U
row() {
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RES"
}
na_row() { row "$1" "$2" - - - - na - - - - -; }

# ---- the benchmark mix -------------------------------------------------------
for spec in $PROGS; do
    p=${spec%%:*}; rest=${spec#*:}; N=${rest%%:*}; rest=${rest#*:}; n=${rest%%:*}; rest=${rest#*:}
    un=${rest%%:*}; cn=${rest#*:}
    src=$HERE/progs/$p.c
    plain=$OUT/bin/$p; pg=$OUT/bin/$p.pg; rt=$OUT/bin/$p.rtcc
    echo "bench: $p ..." >&2

    if ! build "$p" "$CC" -O0 -g -o "$plain" "$src"; then na_row "$p" untraced; continue; fi
    # the baseline of every slowdown: cheap, so as many runs as size 0 gets
    MRUNS=$RUNS0; measure "" "$plain" "$N"; MRUNS=""; t_n=$MS; rss=$RSS; st=$ST
    measure "" "$plain" 0; t_0=$MS
    # untraced cost per unit of size, from the long run (ms)
    u=$(awk -v a="$t_n" -v b="$t_0" -v n="$N" 'BEGIN { printf "%.9g", (a - b) / n }')
    row "$p" untraced "$N" "$t_n" "$t_0" "$rss" "$st" - - - - "$u"

    if [ $have_rtcc = 1 ] && build "$p.rtcc" "$RTCC" -O0 -g -o "$rt" "$src"; then
        # The four configurations take turns, one run each per round (RUNS0
        # rounds at size 0, the first RUNS of them also at their size): a slow
        # spell of a shared machine then falls on all of them alike instead of
        # on the one measured meanwhile. Each run's figures go to a file per
        # configuration and size; the medians are taken at the end (agg).
        # A trace is removed as soon as its run is over (counted first, the
        # first time): left on disk, its dirty pages (a calls-only JSON trace
        # is ~130 MB) would be written back by the kernel during the next
        # configurations' runs, on the same two cores.
        rm -f "$OUT/tmp/$p".*.runs "$OUT/tmp/$p".*.count
        r=0
        while [ $r -lt $RUNS0 ]; do
            for cfg in json bin calls callsb; do
                rtcc_cfg "$p" "$cfg" "$n" "$cn"
                MRUNS=1
                CLEAN=$d.0; measure "$RTENV $e RTRACE_DIR=$d.0" "$rt" 0
                echo "$MS $RSS $ST" >> "$OUT/tmp/$p.$cfg.0.runs"
                rm -rf "$d.0"
                if [ $r -lt $RUNS ]; then
                    CLEAN=$d; measure "$RTENV $e RTRACE_DIR=$d" "$rt" "$sz"
                    echo "$MS $RSS $ST" >> "$OUT/tmp/$p.$cfg.n.runs"
                    if [ $r = 0 ]; then
                        count "$d"
                        echo "${STEPS:--} ${CALLS:--} ${EVENTS:--} ${BYTES:--}" > "$OUT/tmp/$p.$cfg.count"
                    fi
                    rm -rf "$d"
                fi
                CLEAN=; MRUNS=""
            done
            r=$((r + 1))
        done
        for cfg in json bin calls callsb; do
            rtcc_cfg "$p" "$cfg" "$n" "$cn"
            agg "$OUT/tmp/$p.$cfg.0.runs"; m0=$MS
            agg "$OUT/tmp/$p.$cfg.n.runs"
            # the first run's counts ("-": unknown)
            read -r STEPS CALLS EVENTS BYTES < "$OUT/tmp/$p.$cfg.count"
            [ "$STEPS" = - ] && STEPS=""
            [ "$CALLS" = - ] && CALLS=""
            [ "$EVENTS" = - ] && EVENTS=""
            [ "$BYTES" = - ] && BYTES=""
            # binary without `rtrace stats`: the same run's counts from JSON
            if [ -z "$STEPS" ] && [ $cfg = bin ]; then
                STEPS=$js; CALLS=$jc; EVENTS=$je
            fi
            [ $cfg = json ] && { js=$STEPS; jc=$CALLS; je=$EVENTS; }
            row "$p" "rtcc-$cfg" "$sz" "$MS" "$m0" "$RSS" "$ST" "$STEPS" "$CALLS" "$EVENTS" "$BYTES" "$u"
        done
    else
        for cfg in json bin calls callsb; do na_row "$p" "rtcc-$cfg"; done
    fi

    if [ -n "$UFTRACE" ] && build "$p.pg" "$CC" -O0 -g -pg -o "$pg" "$src"; then
        for cfg in plain args; do
            flags=""; name=uftrace
            [ $cfg = args ] && { flags=-a; name=uftrace-a; }
            d=$OUT/traces/$p.uftrace-$cfg
            rm -rf "$d" "$d.0"
            CLEAN=$d.0; measure "" "$UFTRACE" record $flags -d "$d.0" "$pg" 0; m0=$MS
            CLEAN=$d; measure "" "$UFTRACE" record $flags -d "$d" "$pg" "$un"; CLEAN=
            ucount "$d"
            row "$p" "$name" "$un" "$MS" "$m0" "$RSS" "$ST" "" "$CALLS" "$EVENTS" "$BYTES" "$u"
        done
    else
        na_row "$p" uftrace; na_row "$p" uftrace-a
    fi
done

# ---- start-up: 2,000 functions, size 0 ----------------------------------------
echo "bench: start-up (2,000 functions) ..." >&2
many=$OUT/bin/many2000.c
sh "$HERE/gen_many.sh" "$many" 2000
t0=$(date +%s%N)
if build many2000 "$CC" -O0 -g -o "$OUT/bin/many2000" "$many"; then
    t1=$(date +%s%N)
    BUILD_NOTE="$CC -O0 -g: $(( (t1 - t0) / 1000000 )) ms"
    measure "" "$OUT/bin/many2000" 0
    row many2000 untraced 0 "$MS" "$MS" "$RSS" "$ST" - - - - -
    base0=$MS
    t0=$(date +%s%N)
    if [ $have_rtcc = 1 ] && build many2000.rtcc "$RTCC" -O0 -g -o "$OUT/bin/many2000.rtcc" "$many"; then
        t1=$(date +%s%N)
        BUILD_NOTE="$BUILD_NOTE; rtcc: $(( (t1 - t0) / 1000000 )) ms"
        for cfg in json calls; do
            e="RTRACE_FORMAT=json RTRACE_MODE=full"
            [ $cfg = calls ] && e="RTRACE_FORMAT=json RTRACE_MODE=calls"
            d=$OUT/traces/many2000.$cfg
            rm -rf "$d"
            measure "$RTENV $e RTRACE_DIR=$d" "$OUT/bin/many2000.rtcc" 0
            count "$d"
            row many2000 "rtcc-$cfg" 0 "$MS" "$MS" "$RSS" "$ST" "$STEPS" "$CALLS" "$EVENTS" "$BYTES" "$base0"
        done
    else
        na_row many2000 rtcc-json; na_row many2000 rtcc-calls
    fi
    if [ -n "$UFTRACE" ] && build many2000.pg "$CC" -O0 -g -pg -o "$OUT/bin/many2000.pg" "$many"; then
        d=$OUT/traces/many2000.uftrace
        rm -rf "$d"
        measure "" "$UFTRACE" record -d "$d" "$OUT/bin/many2000.pg" 0
        ucount "$d"
        row many2000 uftrace 0 "$MS" "$MS" "$RSS" "$ST" "" "$CALLS" "$EVENTS" "$BYTES" "$base0"
    else
        na_row many2000 uftrace
    fi
else
    BUILD_NOTE="build failed"
fi

# ---- the table -----------------------------------------------------------------
echo
awk -F '\t' -f "$HERE/table.awk" "$RES"
echo "  wall = median of $RUNS runs at 'size' ($RUNS0 for untraced); start-up = median of $RUNS0 runs at size 0;"
echo "    a program's four rtcc configurations take turns, one run each per round;"
echo "  RSS = peak of the process tree."
echo "  u = (T_untraced(N) - T_untraced(0)) / N, the untraced cost per unit of size;"
echo "  slowdown = (T(n) - T(0)) / (u*n): steady state, start-up excluded;"
echo "  ns/step (full modes), ns/call (calls-only, uftrace; from 1,000 calls) = (T(n) - T(0) - u*n) / count:"
echo "    the recording overhead per step or per call;"
echo "  B/event (from 1,000 events) = bytes of trace.json / trace.bin (uftrace: its .dat files, an event = an"
echo "    entry or exit record);"
if [ $stats_used = 1 ] && [ $stats_failed = 0 ]; then counts="rtrace stats"
elif [ $stats_used = 1 ]; then counts="rtrace stats, else trace.json lines (see the log)"
else counts="trace.json lines (binary: the JSON run's)"; fi
echo "  counts: $counts; uftrace: uftrace report."
echo "  start-up case (many2000): 2,000 generated functions, size 0 ($BUILD_NOTE);"
echo "    its slowdown is T(0) / T_untraced(0)."
echo "  Medians of wall time on a machine others may be using: a slowdown under 1x is noise."
echo "  raw figures: $RES; log: $LOG"

# Traces are big and only the counts matter: keep them only on request.
[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$OUT/traces" "$OUT/tmp"
exit 0
