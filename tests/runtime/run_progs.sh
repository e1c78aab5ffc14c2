#!/bin/sh
# tests/runtime/run_progs.sh - the runtime's lifecycle tests on real programs.
#
#   run_progs.sh BIN WORK [UNIT]
#
# Each program of tests/runtime/progs/ is built twice, with ${RTCC_CC:-cc} (untraced) and
# with $BIN/rtcc (traced), under the same basename in two folders of WORK, and
# run in each. A test passes when: the exit status is the one written in the
# table below AND the same as untraced; stdout is byte for byte the same;
# stderr is the same once the runtime's own "rtrace: " lines are removed; the
# trace folder passes `$BIN/rtrace validate` (with --crashed where calls are
# legitimately left open by a crash; an exit from a nested call or an exec is
# noted by an exit Event, after which open calls are valid); and the
# program's own checks below (last event, output events, thread events...).
# UNIT, if given, is the CUnit runner: it is run first and its counts join
# the summary line "runtime: N passed, M failed".
set -u
BIN=$1
WORK=$2
UNIT=${3:-}
SRC=$(cd "$(dirname "$0")" && pwd)/progs
RTRACE=$BIN/rtrace
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "  ok    $1"; }
bad() { fail=$((fail + 1)); echo "  FAIL  $1: $2"; }

rm -rf "$WORK"
mkdir -p "$WORK" || exit 1

# build NAME [extra source] -> $WORK/NAME/{plain,traced}/NAME
build() {
    name=$1
    mkdir -p "$WORK/$name/plain" "$WORK/$name/traced"
    ${RTCC_CC:-cc} -std=gnu11 -g -O0 -w -o "$WORK/$name/plain/$name" "$SRC/$name.c" -lpthread &&
        "$BIN/rtcc" -std=gnu11 -o "$WORK/$name/traced/$name" "$SRC/$name.c" -lpthread \
            2> "$WORK/$name/rtcc.err"
}

# run NAME VARIANT [args...]: runs in $WORK/NAME/VARIANT with a 60 s limit
# (environment: RUN_ENV, e.g. "RTRACE_RING=40"), keeps out, err, status.
run() {
    name=$1
    v=$2
    shift 2
    d="$WORK/$name/$v"
    (cd "$d" && env ${RUN_ENV:-} timeout 60 "./$name" "$@" > out 2> err; echo $? > status)
}

# compare NAME EXPECTED_STATUS: traced vs untraced, and the status expected.
compare() {
    name=$1
    want=$2
    p="$WORK/$name/plain"
    t="$WORK/$name/traced"
    sp=$(cat "$p/status")
    st=$(cat "$t/status")
    grep -v '^rtrace: ' "$t/err" > "$t/err.program"
    if [ "$sp" != "$want" ] || [ "$st" != "$want" ]; then
        bad "$name" "exit status untraced $sp, traced $st, expected $want"
        return 1
    fi
    if ! cmp -s "$p/out" "$t/out"; then
        bad "$name" "stdout differs from untraced (see $t/out)"
        return 1
    fi
    if ! cmp -s "$p/err" "$t/err.program"; then
        bad "$name" "stderr differs from untraced (see $t/err)"
        return 1
    fi
    return 0
}

# validate NAME DIR [--crashed]
validate() {
    if ! "$RTRACE" validate $3 "$2" > "$2.validate" 2>&1; then
        bad "$1" "rtrace validate $3 $2: $(tail -n 3 "$2.validate" | tr '\n' ' ')"
        return 1
    fi
    return 0
}

# the last event of a JSON trace (the line before the closing bracket)
last_event() { tail -n 2 "$1/trace.json" | head -n 1; }

has() { grep -q -- "$2" "$1/trace.json"; }

# number of events that are not definitions (Step, Value, Call, Return, Event)
count_events() { grep -c -E '^\{"(Step|Value|Call|Return|Event)"' "$1/trace.json"; }

# summary_is_stats ERR DIR: the summary line in ERR counts the events DIR's
# trace holds, as `rtrace stats` does
summary_is_stats() {
    n=$(sed -n 's/^rtrace: \([0-9]*\) events (.* MiB) written to .*/\1/p' "$1")
    [ -n "$n" ] && [ "$n" = "$("$RTRACE" stats "$2" | awk '/^events:/ { print $2 }')" ]
}

# Function id of NAME in a JSON trace (order of Function events).
func_id() {
    grep -o '^{"Function":{[^}]*}' "$1/trace.json" | awk -v n="\"name\":\"$2\"" \
        'index($0, n) { print NR - 1; exit }'
}

# simple NAME STATUS MODE CHECK...: build, run both, compare, validate, then
# each CHECK is a shell command that must succeed (run in the traced folder).
simple() {
    name=$1
    want=$2
    mode=$3
    shift 3
    if ! build "$name"; then
        bad "$name" "build failed: $(head -n 3 "$WORK/$name/rtcc.err" | tr '\n' ' ')"
        return
    fi
    run "$name" plain
    run "$name" traced
    compare "$name" "$want" || return
    tr="$WORK/$name/traced/$name.trace"
    validate "$name" "$tr" "$mode" || return
    for check in "$@"; do
        if ! (cd "$WORK/$name/traced" && T="$name.trace" && eval "$check") > /dev/null 2>&1; then
            bad "$name" "check failed: $check"
            return
        fi
    done
    ok "$name"
}

echo "runtime lifecycle tests (programs built with $BIN/rtcc)"

if [ -n "$UNIT" ]; then
    RT_UNIT_COUNTS="$WORK/unit.counts" "$UNIT" > "$WORK/unit.log" 2>&1
    ustatus=$?
    if [ -s "$WORK/unit.counts" ]; then
        read up uf < "$WORK/unit.counts"
        pass=$((pass + up))
        fail=$((fail + uf))
        echo "  unit: $up passed, $uf failed (log: $WORK/unit.log)"
    else
        fail=$((fail + 1))
        echo "  FAIL  unit runner did not finish (status $ustatus, log: $WORK/unit.log)"
    fi
fi

# crashes: the trace ends with the Error event naming the signal and place
simple segv 139 --crashed \
    'last_event $T | grep -q "\"kind\":11,.*SIGSEGV.*read_it"'
simple abort 134 --crashed \
    'last_event $T | grep -q "\"kind\":11,.*SIGABRT.*give_up"' \
    'has $T "giving up: 42"'
simple assert 134 --crashed \
    'last_event $T | grep -q "\"kind\":11,.*SIGABRT"' \
    'grep -q "Assertion .x == 2. failed" err'
# abort() with SIGABRT handled (handler returns) or ignored: abort() kills the
# process without any handler; the trace is closed all the same
simple abort_handled 134 --crashed \
    'last_event $T | grep -q "\"kind\":11,.*SIGABRT.*abort_handled.c:21 in check()"' \
    'grep -q "handler saw signal 6" err' \
    'test "$(grep -c "\"Call\":{\"function_id\":$(func_id $T on_abrt)," $T/trace.json)" = 1'
simple abort_ignored 134 --crashed \
    'last_event $T | grep -q "\"kind\":11,.*SIGABRT.*give_up"' \
    'has $T "giving up: 7"'
# a handler that siglongjmps out of abort(): the program goes on, so does the trace
simple abort_longjmp 0 "" \
    'has $T "survived abort: signal 6, after 42"' \
    '! has $T "\"kind\":11"' \
    'test "$(grep -c "\"Call\":{\"function_id\":$(func_id $T after)," $T/trace.json)" = 1'
simple divzero 136 --crashed \
    'last_event $T | grep -q "\"kind\":11,.*SIGFPE.*divide"'

# every signal blocked, then a crash: the kernel would kill without running
# any handler (unclosed trace); the program still sees its own mask
simple sigblock_all 139 --crashed \
    'last_event $T | grep -q "\"kind\":11,.*SIGSEGV.*read_it"' \
    'grep -q "blocked: SIGSEGV 1 SIGBUS 1 SIGUSR1 1" out' \
    'grep -q "sent SIGSEGV while blocked: handled 0" out' \
    'grep -q "pending: SIGSEGV 1 SIGUSR1 0" out' \
    'grep -q "after unblocking: handled 11" out'
simple overflow 139 --crashed \
    'last_event $T | grep -q "\"kind\":11,.*SIGSEGV.*down"' \
    'grep -q "alternate stack: none" out'
simple sigterm 143 --crashed \
    'last_event $T | grep -q "\"kind\":11,.*SIGTERM"' \
    'has $T "sending SIGTERM 1"' '! grep -q "not reached" out'
# every other signal whose default action ends the process (these were left
# to the kernel: a trace with its start events only, even after rtrace repair)
if build termsig; then
    d="$WORK/termsig/traced"
    for case in "PROF 155 SIGPROF (Profiling timer expired)" "VTALRM 154 SIGVTALRM (Virtual" \
        "IO 157 SIGIO (I/O possible)" "PWR 158 SIGPWR (Power failure)" "STKFLT 144 SIGSTKFLT (Stack" \
        "USR2 140 SIGUSR2 (User defined signal 2)" "RTMIN 162 SIGRTMIN (Real-time signal 0)" \
        "RTMIN+1 163 SIGRTMIN+1 (Real-time signal 1)" "RTMAX 192 SIGRTMAX (Real-time signal 30)"; do
        set -- $case
        arg=$1
        want=$2
        shift 2
        text="$*"
        for f in json binary; do
            [ $f = binary ] && case $arg in PROF|RTMIN) ;; *) continue ;; esac
            label="termsig-$arg-$f"
            rm -rf "$d/termsig.trace"
            run termsig plain "$arg"
            RUN_ENV=RTRACE_FORMAT=$f
            run termsig traced "$arg"
            RUN_ENV=
            compare termsig "$want" || continue
            validate "$label" "$d/termsig.trace" --crashed || continue
            if ! "$RTRACE" print --no-color "$d/termsig.trace" > "$d/print" 2>&1 ||
                ! grep -q "error\] $text.* at .*termsig.c:[0-9]* in terminate_me()" "$d/print" ||
                ! grep -q "sending $((want - 128)) after 100" "$d/print"; then
                bad "$label" "no Error event naming $text in terminate_me(), or output missing"
            else
                ok "$label"
            fi
        done
    done
else
    bad termsig "build failed"
fi

# normal ends
simple return_main 0 "" \
    'last_event $T | grep -q "^{\"Return\""' \
    'has $T "\"content\":\"total 14\\\\n\""' \
    'test -f $T/files'"$SRC"'/return_main.c' \
    'grep -q "return_main.c" $T/trace_paths.json' \
    'grep -q "\"args\":\[\]" $T/trace_metadata.json' \
    'grep -q "^rtrace: [0-9]* events (.* MiB) written to .*return_main.trace in .* s$" err' \
    'summary_is_stats err $T'
# exits from inside calls: the trace notes how (an exit Event), which makes
# the calls left open valid without --crashed
simple exit_nested 3 "" \
    'has $T "leaving with 3"' \
    'has $T "{\"Event\":{\"kind\":12,\"metadata\":\"exit\",\"content\":\"exit(3)\"}}"' \
    '! has $T "\"kind\":11"'
simple underscore_exit 5 "" \
    'has $T "\"content\":\"raw write\\\\n\""' \
    'has $T "{\"Event\":{\"kind\":12,\"metadata\":\"exit\",\"content\":\"_exit(5)\"}}"' \
    '! has $T "\"kind\":11"'
simple quick_exit 7 "" \
    'has $T "\"kind\":2,\"metadata\":\"\",\"content\":\"quick exit handler: 42"' \
    'has $T "{\"Event\":{\"kind\":12,\"metadata\":\"exit\",\"content\":\"quick_exit\"}}"'
simple atexit 4 "" \
    'has $T "handler one: 3"' 'has $T "handler two: 7"' \
    'test "$(grep -c "\"Call\":{\"function_id\":$(func_id $T add)," $T/trace.json)" = 2'

# sources that are not there at run time: the trace keeps their paths (the
# steps need them), files/ gets a placeholder for each, and the runtime says
# so once per file (not again in a fork child, which writes its own trace)
simple line_missing 0 "" \
    'test "$(grep -c "^rtrace: cannot read the source file " err)" = 1' \
    'grep -q "^rtrace: cannot read the source file /.*/grammar.y (no such file): the trace holds a placeholder" err' \
    'p=$(grep -o "\"/[^\"]*/grammar.y\"" $T/trace_paths.json | tr -d "\"") &&
        grep -q "could not be read" "$T/files$p" &&
        c=$(ls -d $T.[0-9]*) && "$RTRACE" validate "$c" && grep -q "could not be read" "$c/files$p"'
# the same with a .c removed after the build (as autoconf's conftest.c is)
name=gone_source
mkdir -p "$WORK/$name/plain" "$WORK/$name/traced" "$WORK/$name/src"
cp "$SRC/$name.c" "$WORK/$name/src/"
if ${RTCC_CC:-cc} -std=gnu11 -g -O0 -w -o "$WORK/$name/plain/$name" "$WORK/$name/src/$name.c" &&
    "$BIN/rtcc" -std=gnu11 -o "$WORK/$name/traced/$name" "$WORK/$name/src/$name.c" 2> "$WORK/$name/rtcc.err"; then
    rm -rf "$WORK/$name/src"
    run $name plain
    run $name traced
    d="$WORK/$name/traced"
    if compare $name 0 && validate $name "$d/$name.trace" ""; then
        if [ "$(grep -c "^rtrace: cannot read the source file " "$d/err")" = 1 ] &&
            grep -q "^rtrace: cannot read the source file $WORK/$name/src/$name.c (no such file)" "$d/err" &&
            grep -q "could not be read" "$d/$name.trace/files$WORK/$name/src/$name.c"; then
            ok $name
        else
            bad $name "no single warning naming the source, or no placeholder: $(head -c 300 "$d/err")"
        fi
    fi
else
    bad $name "build failed"
fi

# signals the program handles itself
simple sigsegv_recover 0 "" \
    'grep -q "caught 2, old action is ours: yes" out'
simple sighandler 0 "" \
    'test "$(grep -c "\"Call\":{\"function_id\":$(func_id $T on_usr1)," $T/trace.json)" = 3' \
    'has $T "handler ran 3 times"'
simple sigprof_nested 0 "" \
    'test "$(grep -c "\"Call\":{\"function_id\":$(func_id $T count_tick)," $T/trace.json)" = "$(cat ticks.txt)"'
simple sigaltstack 9 --crashed \
    'grep -q "stack overflow caught on the alternate stack" out'
# handlers, sigqueue, sigwaitinfo, signalfd, timers and old actions of the
# signals that end the process by default: exactly as untraced (stdout)
simple sigterm_own 0 "" \
    'grep -q "^sigwaitinfo: SIGRTMIN+1 value 30$" out' 'grep -q "^SIGPWR handled 1$" out'
# a SIGSEGV whose handling overflows the alternate signal stack: the process
# dies of it as untraced (the runtime's handler was started again and again at
# the top of that stack, forever); with room on it, the trace is closed
RUN_ENV=RTRACE_MAX_BYTES=8M
simple altstack_overflow 139 --crashed \
    'last_event $T | grep -q "\"kind\":11,.*SIGSEGV.*down"'
RUN_ENV=

# a pthread key destructor runs in traced code at the worker's end: its call
# (and its callee's) and its output are recorded on that thread, before its
# ThreadExit
simple tsd_destructor 0 "" \
    'has $T "destructor of 42"' \
    'grep -q "\"Call\":{\"function_id\":$(func_id $T on_thread_end)," $T/trace.json' \
    'grep -q "\"Call\":{\"function_id\":$(func_id $T twice)," $T/trace.json' \
    'grep -A100000 "destructor of 42" $T/trace.json | grep -q "ThreadExit"'

# threads
simple threads 0 "" \
    'test "$(grep -c "^{\"ThreadStart\"" $T/trace.json)" = 5' \
    'test "$(grep -c "^{\"ThreadExit\"" $T/trace.json)" = 4' \
    'test "$(grep -c "\"Call\":{\"function_id\":$(func_id $T leaf)," $T/trace.json)" = 200'
# 4 threads recording ~1M line stops at once, binary (~60 frames): the
# sink's ring and the writer's help (lib/sink.c) with several writers taking
# turns under the runtime's lock; every step of every thread is there
RUN_ENV=RTRACE_FORMAT=binary
simple threads_heavy 0 "" \
    'test -f $T/trace.bin' \
    '"$RTRACE" stats $T | grep -q "^steps: *960063$"' \
    '"$RTRACE" stats $T | grep -q "^threads: *5$"' \
    '"$RTRACE" stats $T | grep -c "steps 240009," | grep -qx 4'
RUN_ENV=
simple exit_threads 0 --crashed \
    'has $T "main exits"' 'test "$(grep -c "^{\"ThreadStart\"" $T/trace.json)" = 5'
# four threads fault at the same moment: one closes the trace, the others wait
# for it before dying (they did not: 40% of runs ended cut mid-event, with no
# Error event). 20 runs in JSON and in binary
if build crash_together; then
    run crash_together plain
    d="$WORK/crash_together/traced"
    for f in json binary; do
        problem=""
        i=0
        while [ $i -lt 20 ] && [ -z "$problem" ]; do
            i=$((i + 1))
            rm -rf "$d/crash_together.trace"
            RUN_ENV=RTRACE_FORMAT=$f
            run crash_together traced
            RUN_ENV=
            sp=$(cat "$WORK/crash_together/plain/status")
            st=$(cat "$d/status")
            if [ "$sp" != 139 ] || [ "$st" != 139 ]; then
                problem="run $i: exit status untraced $sp, traced $st, expected 139"
            elif ! "$RTRACE" validate --crashed "$d/crash_together.trace" > "$d/validate" 2>&1; then
                problem="run $i: rtrace validate --crashed: $(tail -n 2 "$d/validate" | tr '\n' ' ')"
            elif ! "$RTRACE" print --no-color "$d/crash_together.trace" 2> /dev/null |
                grep -q "error\] SIGSEGV (Segmentation fault) at .*crash_together.c:[0-9]* in read_it()"; then
                problem="run $i: no Error event"
            elif [ "$(grep -c "^rtrace: [0-9]* events (.* MiB) written to" "$d/err")" != 1 ]; then
                problem="run $i: not one summary line: $(head -c 300 "$d/err")"
            fi
        done
        if [ -z "$problem" ]; then
            ok "crash-together-$f"
        else
            bad "crash-together-$f" "$problem"
        fi
    done
else
    bad crash_together "build failed"
fi
# threads reach RTRACE_MAX_EVENTS (and close the trace) as main returns: the
# exit waits for that close (about one run in ten ended with trace.json cut,
# without its ']' or the summary). 30 runs
if build budget_exit_race; then
    d="$WORK/budget_exit_race/traced"
    problem=""
    i=0
    while [ $i -lt 30 ] && [ -z "$problem" ]; do
        i=$((i + 1))
        rm -rf "$d/budget_exit_race.trace"
        RUN_ENV=RTRACE_MAX_EVENTS=3000
        run budget_exit_race traced 250
        RUN_ENV=
        if [ "$(cat "$d/status")" != 0 ]; then
            problem="run $i: exit status $(cat "$d/status")"
        elif ! "$RTRACE" validate --crashed "$d/budget_exit_race.trace" > "$d/validate" 2>&1; then
            problem="run $i: rtrace validate --crashed: $(tail -n 2 "$d/validate" | tr '\n' ' ')"
        elif [ "$(grep -c "^rtrace: [0-9]* events (.* MiB) written to" "$d/err")" != 1 ]; then
            problem="run $i: not one summary line: $(head -c 300 "$d/err")"
        fi
    done
    if [ -z "$problem" ]; then ok budget_exit_race; else bad budget_exit_race "$problem"; fi
else
    bad budget_exit_race "build failed"
fi
# main returns while a detached thread is inside calls: an exit Event on
# main's last step says why that thread's calls stay open (valid without
# --crashed), and only one
simple main_return_threads 0 "" \
    'test "$(grep -c "\"metadata\":\"exit\",\"content\":\"exit (main returned)\"" $T/trace.json)" = 1'
simple pthread_exit 0 --crashed \
    'test "$(grep -c "^{\"ThreadExit\"" $T/trace.json)" = 2' \
    'has $T "sleeper cancelled: yes"'

# descriptors: a daemon-style program closes every fd above 2 and dup2()s onto
# the runtime's high numbers; it sees them as free (same output as untraced),
# and the trace is complete (it used to lose the trace file: EBADF)
simple daemon_fds 0 "" \
    'grep -q "dup2 onto 500..700: 201 of 201" out' \
    'grep -q "F_DUPFD 600: 600, F_DUPFD_CLOEXEC 512: 512 (cloexec 1)" out' \
    'has $T "work 21253400"' \
    'last_event $T | grep -q "^{\"Return\""'

# stderr closed and its number reused by the program's log file: the
# runtime's summary must not land in it (it used to)
simple stderr_reuse 0 "" \
    'test "$(cat log.txt)" = "log on fd 2: 90"' 'cmp log.txt ../plain/log.txt'
# the same, started with stderr closed (`prog 2>&-`)
if [ -x "$WORK/stderr_reuse/traced/stderr_reuse" ]; then
    d="$WORK/stderr_reuse/traced"
    rm -rf "$d/stderr_reuse.trace" "$d/log.txt"
    (cd "$d" && timeout 60 ./stderr_reuse started-closed > out2 2>&-; echo $? > status2)
    if [ "$(cat "$d/status2")" != 0 ] || [ "$(cat "$d/log.txt")" != "log on fd 2: 90" ]; then
        bad stderr-closed-at-start "status $(cat "$d/status2"), log.txt: $(head -c 200 "$d/log.txt")"
    elif validate stderr-closed-at-start "$d/stderr_reuse.trace" ""; then
        ok stderr-closed-at-start
    fi
fi

# a file size limit: the trace must stop at it, not kill the program with
# SIGXFSZ (it did: status 153). It keeps the events that fit under the limit
# of 64 KiB (it kept those before the chunk that did not fit: 42 events, 5
# KB), and the summary says how many it holds and why the rest were dropped
# (it said every event recorded was written)
simple fsize_limit 0 --crashed \
    'cmp own.txt ../plain/own.txt' \
    'grep -q "^rtrace: cannot write the trace: file size limit reached (EFBIG, RLIMIT_FSIZE) writing .*/fsize_limit.trace/trace.json; recording stopped" err' \
    'test "$(wc -c < $T/trace.json)" -gt 60000' \
    'grep -q "^rtrace: [0-9]* events (.* MiB) written to .*; [1-9][0-9]* dropped: file size limit reached" err' \
    'summary_is_stats err $T'

# address-space limits (ulimit -v) from too low for the runtime's start-up to
# enough for all of it: at each the program behaves as untraced, and a trace
# without the program's steps comes with a message saying why (out of
# memory); a thread whose 4 MiB event buffer could not be mapped was once
# dropped silently (0 events, no word)
if build addr_limit; then
    why=""
    for v in $(seq 12000 1000 44000); do
        for d in plain traced; do
            (ulimit -v $v && cd "$WORK/addr_limit/$d" && rm -rf addr_limit.trace &&
                timeout 60 ./addr_limit > out 2> err; echo $? > status)
        done
        p="$WORK/addr_limit/plain"
        t="$WORK/addr_limit/traced"
        if [ "$(cat "$p/status")" != 0 ] || [ "$(cat "$t/status")" != 0 ] || ! cmp -s "$p/out" "$t/out"; then
            why="at ulimit -v $v: status $(cat "$t/status") (untraced $(cat "$p/status")), output differs or fails"
            break
        fi
        steps=$("$RTRACE" stats "$t/addr_limit.trace" 2>/dev/null | awk '$1 == "steps:" { print $2 }')
        if [ "${steps:-0}" -lt 2000 ] && ! grep -q "^rtrace: .*out of memory" "$t/err"; then
            why="at ulimit -v $v: ${steps:-no} steps recorded and no word of it: $(head -c 300 "$t/err")"
            break
        fi
    done
    if [ -z "$why" ]; then ok addr_limit; else bad addr_limit "$why"; fi
else
    bad addr_limit "build failed"
fi

# a program built with -fsanitize=address (if the compiler has it): same
# output and exit status (5) as untraced, no leak reported, a valid trace
if ${RTCC_CC:-cc} -fsanitize=address -o "$WORK/asan_probe" "$SRC/asan.c" -lpthread 2> /dev/null; then
    mkdir -p "$WORK/asan/plain" "$WORK/asan/traced"
    ${RTCC_CC:-cc} -std=gnu11 -g -O0 -fsanitize=address -o "$WORK/asan/plain/asan" "$SRC/asan.c" -lpthread
    if "$BIN/rtcc" -std=gnu11 -fsanitize=address -o "$WORK/asan/traced/asan" "$SRC/asan.c" -lpthread \
            2> "$WORK/asan/rtcc.err"; then
        run asan plain
        run asan traced
        if compare asan 5 && validate asan "$WORK/asan/traced/asan.trace" ""; then
            if grep -q "LeakSanitizer\|cannot write" "$WORK/asan/traced/err"; then
                bad asan "$(head -c 300 "$WORK/asan/traced/err")"
            else
                ok asan
            fi
        fi
    else
        bad asan "rtcc -fsanitize=address failed: $(head -c 300 "$WORK/asan/rtcc.err")"
    fi
else
    echo "  skip  asan (no -fsanitize=address in ${RTCC_CC:-cc})"
fi

# a descriptor limit below the runtime's usual numbers (600, 512), the hard
# one too: the program still gets 3, 4, 5 (it got 5, 6, 7)
if build fd_numbers; then
    for v in plain traced; do
        (ulimit -n 20 && cd "$WORK/fd_numbers/$v" && timeout 60 ./fd_numbers > out 2> err
            echo $? > status)
    done
    if compare fd_numbers 0 && validate fd_numbers "$WORK/fd_numbers/traced/fd_numbers.trace" ""; then
        if grep -q "^fds 3 4 5, 2$" "$WORK/fd_numbers/traced/out"; then
            ok fd_numbers
        else
            bad fd_numbers "descriptors: $(cat "$WORK/fd_numbers/traced/out")"
        fi
    fi
else
    bad fd_numbers "build failed"
fi

# a descriptor limit at or below the runtime's numbers: the program sees its
# own limit, gets the numbers it would untraced, meets EMFILE at the same open
# and finds the numbers above its limit closed; the trace is complete. With
# room under the hard limit the runtime's descriptors go above the program's
# (nothing to say); without, the trace file is opened only while it is
# written and the folder is not locked, which a message naming RLIMIT_NOFILE
# says once. (It kept them at 3 and 4: under `ulimit -n 8` the program opened
# 5 6 7, then met EMFILE, untraced 3 4 5 6 7.)
if build fd_limit; then
    for run in "json:ulimit -n 8" "binary:ulimit -n 8" "json:ulimit -n 6" "binary:ulimit -n 6" \
        "json:ulimit -Sn 8" "json:ulimit -Sn 8; ulimit -Hn 10" "binary:ulimit -Sn 8; ulimit -Hn 9"; do
        fmt=${run%%:*}
        lim=${run#*:}
        label="fd-limit $fmt ($lim)"
        for v in plain traced; do
            d="$WORK/fd_limit/$v"
            rm -rf "$d/fd_limit.trace"
            # (the limit after the redirections: sh saves descriptors at 10+)
            (cd "$d" && exec > out 2> err && eval "$lim" && RTRACE_FORMAT=$fmt exec timeout 60 ./fd_limit)
            echo $? > "$d/status"
        done
        case $lim in
        *-Hn\ 10 | *-Sn\ 8) said=0 ;;
        *) said=1 ;;
        esac
        t="$WORK/fd_limit/traced"
        if compare fd_limit 0 && validate "$label" "$t/fd_limit.trace" ""; then
            if [ "$(grep -c "^rtrace: RLIMIT_NOFILE is [0-9]* and its hard limit" "$t/err")" != "$said" ]; then
                bad "$label" "expected $said message(s) about RLIMIT_NOFILE: $(cat "$t/err")"
            elif ! summary_is_stats "$t/err" "$t/fd_limit.trace"; then
                bad "$label" "summary: $(cat "$t/err")"
            else
                ok "$label"
            fi
        fi
    done
else
    bad fd_limit "build failed"
fi

# processes
simple system_popen 0 "" \
    'has $T "system status 3"' 'has $T "popen read 11 chars"'
simple recursion 0 "" \
    'test "$(grep -c "\"Call\":{\"function_id\":$(func_id $T depth)," $T/trace.json)" = 100001'

# 200,000 small frames within 8 MiB (calls mode: the same frames, a smaller trace)
RUN_ENV=RTRACE_MODE=calls
simple deep_small 0 "" \
    'grep -q "^stack limit 8192 KiB$" out' 'grep -q "^depth 200000$" out' \
    'test "$(grep -c "\"Call\":{\"function_id\":$(func_id $T depth)," $T/trace.json)" = 200001'
simple thread_deep 0 "" \
    'grep -q "^thread sees SIGSEGV blocked 1$" out' 'grep -q "^thread depth 200000$" out' \
    'test "$(grep -c "\"Call\":{\"function_id\":$(func_id $T depth)," $T/trace.json)" = 200001'
RUN_ENV=

# small stacks: the trace is closed at exit on what is left of them (a 64 KiB
# buffer on the stack used to kill the program there, its stdout lost)
simple thread_small_exit 0 "" \
    'grep -q "^total 300$" out' 'has $T "\"content\":\"exit(0)\""'
if build small_stack_exit; then
    for v in plain traced; do
        (ulimit -s 64 && cd "$WORK/small_stack_exit/$v" && timeout 60 ./small_stack_exit > out 2> err
            echo $? > status)
    done
    if compare small_stack_exit 0 &&
        validate small_stack_exit "$WORK/small_stack_exit/traced/small_stack_exit.trace" ""; then
        ok small_stack_exit
    fi
else
    bad small_stack_exit "build failed"
fi

# fork: the parent's trace and the child's own <dir>.<pid>, both valid
name=fork
if build fork; then
    run fork plain
    run fork traced
    if compare fork 0; then
        d="$WORK/fork/traced"
        child=$(ls -d "$d"/fork.trace.* 2> /dev/null | head -n 1)
        if [ -z "$child" ]; then
            bad fork "no child trace folder fork.trace.<pid>"
        elif validate fork "$d/fork.trace" "" && validate fork "$child" --crashed; then
            if grep -q "child fib 55" "$child/trace.json" && ! grep -q "child fib" "$d/fork.trace/trace.json" &&
                grep -q "parent: child exited 3, fib 21" "$d/fork.trace/trace.json"; then
                ok fork
            else
                bad fork "child/parent output events not in their own traces"
            fi
        fi
    fi
fi

# daemon(3): the parent's trace is closed (it was left invalid), the child's is its own
if build daemonize; then
    run daemonize plain
    run daemonize traced
    d="$WORK/daemonize/traced"
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        [ -f "$d/daemon.txt" ] && [ -f "$WORK/daemonize/plain/daemon.txt" ] && break
        sleep 0.25
    done
    sleep 0.5   # the child closes its trace right after
    child=$(ls -d "$d"/daemonize.trace.* 2> /dev/null | head -n 1)
    if compare daemonize 0 && validate daemonize "$d/daemonize.trace" --crashed; then
        if [ -z "$child" ]; then
            bad daemonize "no child trace folder"
        elif ! cmp -s "$d/daemon.txt" "$WORK/daemonize/plain/daemon.txt"; then
            bad daemonize "the daemon's file differs from untraced"
        elif validate daemonize "$child" "" && grep -q "before daemon" "$d/daemonize.trace/trace.json"; then
            ok daemonize
        fi
    fi
else
    bad daemonize "build failed"
fi

# exec: the trace is closed before exec; the exec'd rtcc program records its own
if build exec && build exec_target; then
    cp "$WORK/exec_target/plain/exec_target" "$WORK/exec/plain/"
    cp "$WORK/exec_target/traced/exec_target" "$WORK/exec/traced/"
    run exec plain ./exec_target
    run exec traced ./exec_target
    d="$WORK/exec/traced"
    if compare exec 6 && validate exec "$d/exec.trace" "" &&
        validate exec "$d/exec_target.trace" ""; then
        # the same RTRACE_DIR for both: the exec'd program must not write over
        # the first trace, it takes <dir>.<pid>
        (cd "$d" && RTRACE_DIR="$d/shared.trace" ./exec ./exec_target > /dev/null 2>&1)
        other=$(ls -d "$d"/shared.trace.* 2> /dev/null | head -n 1)
        if ! grep -q '"args":\["from-exec"\]' "$d/exec_target.trace/trace_metadata.json" ||
            ! grep -q "before exec 42" "$d/exec.trace/trace.json"; then
            bad exec "metadata or output event missing"
        elif ! has "$d/exec.trace" "\"metadata\":\"exit\",\"content\":\"exec ./exec_target\""; then
            bad exec "no exit Event naming the exec"
        elif [ -z "$other" ]; then
            bad exec "with one RTRACE_DIR the exec'd program did not take <dir>.<pid>"
        elif validate exec "$d/shared.trace" --crashed && validate exec "$other" "" &&
            grep -q "before exec 42" "$d/shared.trace/trace.json" &&
            grep -q "exec target got from-exec" "$other/trace.json"; then
            ok exec
        else
            bad exec "shared RTRACE_DIR: traces mixed up"
        fi
    fi
else
    bad exec "build failed"
fi

# dlopen: a plugin built with rtcc -shared is added when it is loaded
if build dlopen &&
    ${RTCC_CC:-cc} -std=gnu11 -g -O0 -w -shared -fPIC -o "$WORK/dlopen/plain/libplugin.so" "$SRC/plugin.c" &&
    "$BIN/rtcc" -std=gnu11 -shared -fPIC -o "$WORK/dlopen/traced/libplugin.so" "$SRC/plugin.c" \
        2> "$WORK/dlopen/rtcc-plugin.err"; then
    run dlopen plain ./libplugin.so
    run dlopen traced ./libplugin.so
    d="$WORK/dlopen/traced/dlopen.trace"
    if compare dlopen 0 && validate dlopen "$d" ""; then
        fid=$(func_id "$d" plugin_add)
        sid=$(func_id "$d" plugin_setup)
        if [ -n "$fid" ] && grep -q "\"Call\":{\"function_id\":$fid," "$d/trace.json" &&
            grep -q 'plugin.c"' "$d/trace_paths.json" && test -f "$d/files$SRC/plugin.c"; then
            ok dlopen
        else
            bad dlopen "no Call of plugin_add, or plugin.c missing from the side files"
        fi
        # the plugin's constructor runs inside dlopen: recorded too, with its output
        if [ -n "$sid" ] && grep -q "\"Call\":{\"function_id\":$sid,\"args\":\[{\"variable_id\":[0-9]*,\"value\":{\"kind\":\"Int\",\"i\":21," "$d/trace.json" &&
            grep -q "plugin constructor: ready 42" "$d/trace.json"; then
            ok dlopen-constructor
        else
            bad dlopen-constructor "no Call of plugin_setup(21) from the constructor, or its output"
        fi
    fi
else
    bad dlopen "build failed"
fi

# SIGKILL: the trace is cut (invalid), rtrace repair makes it valid again
if build sigkill; then
    run sigkill plain
    run sigkill traced
    d="$WORK/sigkill/traced/sigkill.trace"
    if compare sigkill 137; then
        if "$RTRACE" validate --crashed "$d" > /dev/null 2>&1; then
            bad sigkill "a killed trace validated before repair"
        elif ! "$RTRACE" repair "$d" > "$d.repair" 2>&1; then
            bad sigkill "rtrace repair failed: $(cat "$d.repair")"
        elif validate sigkill "$d" --crashed; then
            # everything before the sleep reached the file: all 3000 calls and
            # the output event right before it
            if [ "$(grep -c '"Call"' "$d/trace.json")" -ge 3000 ] &&
                grep -q '"content":"sum 13498500\\n"' "$d/trace.json"; then
                ok sigkill
            else
                bad sigkill "events before the sleep did not survive the kill"
            fi
        fi
    fi
fi

# configuration and budgets, on programs built above
variant() {   # variant LABEL NAME STATUS MODE ENV CHECK...
    label=$1
    name=$2
    want=$3
    mode=$4
    RUN_ENV=$5
    shift 5
    rm -rf "$WORK/$name/traced/$name.trace"*
    run "$name" traced
    RUN_ENV=
    st=$(cat "$WORK/$name/traced/status")
    grep -v '^rtrace: ' "$WORK/$name/traced/err" > "$WORK/$name/traced/err.program"
    if [ "$st" != "$want" ] || ! cmp -s "$WORK/$name/plain/out" "$WORK/$name/traced/out" ||
        ! cmp -s "$WORK/$name/plain/err" "$WORK/$name/traced/err.program"; then
        bad "$label" "status $st (expected $want) or output differs from untraced"
        return
    fi
    if [ "$mode" != none ]; then
        validate "$label" "$WORK/$name/traced/$name.trace" "$mode" || return
    fi
    for check in "$@"; do
        if ! (cd "$WORK/$name/traced" && T="$name.trace" && eval "$check") > /dev/null 2>&1; then
            bad "$label" "check failed: $check"
            return
        fi
    done
    ok "$label"
}

variant unwritable-dir return_main 0 none "RTRACE_DIR=/proc/self/no/such/dir" \
    'test "$(grep -c "^rtrace: " err)" = 1' \
    'grep -q "^rtrace: cannot write a trace in /proc/self/no/such/dir" err'
variant bad-config-value return_main 0 "" "RTRACE_FORMAT=xml RTRACE_MAX_EVENTS=12abc" \
    'grep -q "^rtrace: RTRACE_FORMAT=\"xml\" is not valid: expected json or binary" err' \
    'grep -q "^rtrace: RTRACE_MAX_EVENTS=\"12abc\" is not valid" err' \
    'test -f $T/trace.json'
variant binary-format return_main 0 "" "RTRACE_FORMAT=binary" \
    'test -f $T/trace.bin' '! test -f $T/trace.json'
variant binary-crash segv 139 --crashed "RTRACE_FORMAT=binary" \
    'test -f $T/trace.bin' '! test -f $T/trace.json'
variant binary-daemon-fds daemon_fds 0 "" "RTRACE_FORMAT=binary" \
    'test -f $T/trace.bin' '! grep -q "^rtrace: cannot write" err'
variant binary-sigblock-all sigblock_all 139 --crashed "RTRACE_FORMAT=binary" \
    'test -f $T/trace.bin'
# binary: a frame may end inside an event; the cut at the limit must not
variant binary-fsize-limit fsize_limit 0 --crashed "RTRACE_FORMAT=binary" \
    'test -f $T/trace.bin' 'test "$(wc -c < $T/trace.bin)" -gt 50000' 'summary_is_stats err $T'
variant quiet return_main 0 "" "RTRACE_QUIET=1" \
    '! grep -q "^rtrace: " err'
variant quiet-missing-source gone_source 0 "" "RTRACE_QUIET=1" \
    '! grep -q "^rtrace: " err' 'test -n "$(find $T/files -name gone_source.c)"'
# an alternate stack hardly bigger than the kernel's signal frame: no room to
# close the trace, the process dies as untraced
variant altstack-minimal altstack_overflow 139 none "ALT_MODE=minimal"

variant max-events recursion 0 --crashed "RTRACE_MAX_EVENTS=50" \
    'grep -q "RTRACE_MAX_EVENTS=50 reached" err' \
    'test "$(count_events $T)" -le 52'
variant max-bytes recursion 0 --crashed "RTRACE_MAX_BYTES=64K" \
    'test "$(wc -c < $T/trace.json)" -lt 200000'
variant ring recursion 0 --crashed "RTRACE_RING=40" \
    'test "$(count_events $T)" -le 40' \
    'has $T "depth 100000"'
variant fork-after-budget fork 0 --crashed "RTRACE_MAX_EVENTS=5" \
    'test "$(grep -c "events (.* MiB) written to" err)" = 1' \
    '! ls -d $T.[0-9]* > /dev/null 2>&1'
variant threads-main threads 0 "" "RTRACE_THREADS=main" \
    '! grep -q "Thread" $T/trace.json'
variant ring-threads threads 0 --crashed "RTRACE_RING=30"

# disk full (a 64 KiB tmpfs, where this user may mount one): the program runs
# on unchanged, the trace keeps the events that fit, to the last whole one
# (json and binary, threads and the background compressor)
mnt="$WORK/tmpfs"
mkdir -p "$mnt"
if mount -t tmpfs -o size=64k tmpfs "$mnt" 2> /dev/null; then
    # (binary threads fits in 64 KiB compressed: recursion only)
    for run in json:threads json:recursion binary:recursion; do
        f=${run%%:*}
        name=${run#*:}
        ext=$([ "$f" = json ] && echo json || echo bin)
        {
            label="disk-full-$f-$name"
            d="$WORK/$name/traced"
            rm -rf "$mnt"/*
            (cd "$d" && RTRACE_FORMAT=$f RTRACE_DIR="$mnt/t" timeout 60 "./$name" > out.df 2> err.df
                echo $? > status.df)
            grep -v '^rtrace: ' "$d/err.df" > "$d/err.df.program"
            if [ "$(cat "$d/status.df")" != "$(cat "$WORK/$name/plain/status")" ] ||
                ! cmp -s "$d/out.df" "$WORK/$name/plain/out" ||
                ! cmp -s "$d/err.df.program" "$WORK/$name/plain/err"; then
                bad "$label" "status $(cat "$d/status.df") or output differs from untraced"
            elif ! grep -q "^rtrace: cannot write the trace: disk full (ENOSPC) writing $mnt/t/trace.$ext;" "$d/err.df"; then
                bad "$label" "the disk did not fill (or no message): $(head -c 300 "$d/err.df")"
            elif validate "$label" "$mnt/t" --crashed; then
                # what fits is kept (the side files take ~16 KiB); the
                # summary counts what the file holds
                if [ "$(wc -c < "$mnt/t/trace.$ext")" -lt 30000 ]; then
                    bad "$label" "only $(wc -c < "$mnt/t/trace.$ext") bytes kept"
                elif ! summary_is_stats "$d/err.df" "$mnt/t"; then
                    bad "$label" "the summary's count is not the file's: $(grep events "$d/err.df")"
                else
                    ok "$label"
                fi
            fi
        }
    done
    umount "$mnt"
else
    echo "  skip  disk-full (cannot mount a tmpfs here)"
fi

echo "runtime: $pass passed, $fail failed"
if [ "$fail" -eq 0 ]; then
    # the traces are large (recursion: ~60 MB); kept only when something failed
    find "$WORK" -name '*.trace*' -prune -exec rm -rf {} +
    exit 0
fi
exit 1
