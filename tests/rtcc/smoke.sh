#!/bin/sh
# tests/rtcc/smoke.sh - rtcc used the ways cc is used, under gcc and clang.
#
# usage: smoke.sh BIN LIBD WORKDIR
#   BIN      folder of rtcc;  LIBD  folder of rtrace_probe.o (and, once the
#   runtime part has built it, librtrace_rt.so);  WORKDIR  scratch (emptied).
#
# Each check builds the test program in tests/rtcc/smoke/ with rtcc in one
# form of command line and compares what the program prints with the
# hand-checked prog.expected (and with the untraced build), that the probes
# ran (a stub runtime counts them), and what rtcc must say.  Programs link
# against a stub librtrace_rt.so (RTCC_LIBDIR); the real runtime is used in
# a last round when it exists (with BIN/rtrace and clang: also midrow.c, a
# jump into the middle of a row, must stop where gdb stops).  At the end
# TMPDIR must be empty.
set -u
BIN=$1
LIBD=$2
W=$3
SRC=$(cd "$(dirname "$0")/smoke" && pwd)
RTCC=$(cd "$BIN" && pwd)/rtcc
LIBD=$(cd "$LIBD" && pwd)
rm -rf "$W"
mkdir -p "$W"
W=$(cd "$W" && pwd)
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "  ok    $1"; }
ko() { fail=$((fail + 1)); echo "  FAIL  $1"; }
# check NAME CMD...: CMD's success is the verdict.
check() { name=$1; shift; if "$@"; then ok "$name"; else ko "$name"; fi; }

# The stub runtime: counts probes into $RTCC_STUB_OUT.
STUB=$W/stub
mkdir -p "$STUB"
cc -shared -fPIC -O2 "$SRC/stub_rt.c" -o "$STUB/librtrace_rt.so" || { echo "cannot build the stub runtime"; exit 1; }
cp "$LIBD/rtrace_probe.o" "$STUB/"
export RTCC_LIBDIR="$STUB"
export TMPDIR="$W/tmp"
mkdir -p "$TMPDIR"
unset RTCC_KEEP_OPT RTCC_VERBOSE

# runs_right PROG [ARGS]: prints prog.expected, and the probes ran.
runs_right() {
    rm -f stub.out
    RTCC_STUB_OUT=$PWD/stub.out "$@" > run.out 2> run.err || { cat run.err; return 1; }
    cmp -s run.out "$SRC/prog.expected" || { diff run.out "$SRC/prog.expected"; return 1; }
    cmp -s run.out ref.out || return 1
    grep -q 'lines=[1-9]' stub.out && grep -q 'rets=[1-9]' stub.out
}
# has_probes FILE: the object / shared object holds .rtrace_probes records.
has_probes() { readelf -S "$1" 2>/dev/null | grep -q '\.rtrace_probes'; }
# full_dwarf FILE: .debug_info has a variable or parameter with a location
# (what the runtime records; -g1 gives lines only, -g0 nothing).
full_dwarf() {
    readelf --debug-dump=info "$1" 2> /dev/null | awk '/DW_TAG_(variable|formal_parameter)/ { v = 1; next }
        /DW_TAG/ { v = 0 } v && /DW_AT_location/ { n++ } END { exit n == 0 }'
}
# g_case warn|quiet OPTIONS...: rtcc -Werror OPTIONS -c util.c gives an object
# with full DWARF in it (no .dwo beside), and rtcc warns about the last option
# (warn) or says nothing (quiet).
g_case() {
    want=$1; shift
    for last; do :; done
    rm -f g.o g.dwo
    "$RTCC" -Werror "$@" -c util.c -o g.o 2> g.err || { sed 's/^/    | /' g.err; return 1; }
    full_dwarf g.o && ! test -e g.dwo || { echo "    no variable with a location in g.o"; return 1; }
    if [ "$want" = warn ]; then
        test "$(grep -c "^rtcc: warning: $last " g.err)" -eq 1 || { sed 's/^/    | /' g.err; return 1; }
    else
        test ! -s g.err || { sed 's/^/    | /' g.err; return 1; }
    fi
}
# stderr_has FILE TEXT
stderr_has() { grep -q -- "$2" "$1" || { echo "    (missing '$2' in:)"; sed 's/^/    | /' "$1"; return 1; }; }

for CCN in gcc clang; do
    echo "rtcc smoke tests with RTCC_CC=$CCN"
    export RTCC_CC=$CCN
    D=$W/$CCN
    mkdir -p "$D"
    cd "$D" || exit 1
    cp -r "$SRC"/* .
    $CCN -O0 prog.c util.c asm_add.s asm_mul.S -o ref && ./ref > ref.out || { ko "reference build"; continue; }

    # One step, several sources, .s and .S inputs assembled untouched.
    check "one-step build of .c .c .s .S runs like the untraced build" \
        sh -c '"$0" prog.c util.c asm_add.s asm_mul.S -o p1 && runs_right=1' "$RTCC"
    check "  ... and prints what it must, with probes running" runs_right ./p1

    # -c then link, with -o and without.
    check "-c with -o and without, then link" sh -c '
        "$0" -c prog.c -o prog.o && "$0" -c util.c && "$0" -c asm_add.s asm_mul.S &&
        test -f util.o && test -f asm_add.o && test -f asm_mul.o &&
        "$0" prog.o util.o asm_add.o asm_mul.o -o p2' "$RTCC"
    check "  ... objects of C sources carry probe records" sh -c 'readelf -S prog.o | grep -q rtrace_probes && readelf -S util.o | grep -q rtrace_probes'
    check "  ... the .s object has none (untouched)" sh -c '! readelf -S asm_add.o | grep -q rtrace_probes'
    check "  ... the program runs right" runs_right ./p2
    check "  ... the executable links the probes (local, not exported) and needs librtrace_rt.so" sh -c '
        readelf -d p2 | grep -q "librtrace_rt.so" && readelf -S p2 | grep -q rtrace_probes &&
        readelf -s p2 | grep " __rt_line_probe\$" | grep -q LOCAL &&
        ! readelf --dyn-syms p2 | grep -q __rt_'

    # -S gives the instrumented assembly, which then assembles as is.
    check "-S writes instrumented assembly" sh -c '
        "$0" -S prog.c && grep -q "call	__rt_line_probe" prog.s && grep -q "call	__rt_ret_probe" prog.s &&
        "$0" -S util.c -o util_inst.s && grep -q __rt_ret_probe util_inst.s' "$RTCC"
    check "  ... and that assembly links into a program that runs right" sh -c '
        "$0" prog.s util_inst.s asm_add.s asm_mul.S -o p3' "$RTCC"
    check "  ... (run)" runs_right ./p3

    check "-S: no probe in a no_instrument_function function, probes in the others" sh -c '
        "$0" -S util.c -o uh.s &&
        sed -n "/^untraced_helper:/,/\.cfi_endproc/p" uh.s > uh_fn.s && test -s uh_fn.s &&
        ! grep -q __rt_ uh_fn.s && sed -n "/^fib:/,/\.cfi_endproc/p" uh.s | grep -q __rt_line_probe' "$RTCC"

    # -E and -M/-MM are passed through.
    check "-E output is the compiler's" sh -c '"$0" -E prog.c > e1 && $1 -E prog.c > e2 && cmp -s e1 e2 && test -s e1' "$RTCC" "$CCN"
    check "-M and -MM output is the compiler's" sh -c '
        "$0" -M prog.c > m1 && $1 -M prog.c > m2 && cmp -s m1 m2 &&
        "$0" -MM prog.c util.c > m3 && $1 -MM prog.c util.c > m4 && cmp -s m3 m4 && grep -q "^prog.o:" m3' "$RTCC" "$CCN"

    # Dependency files on the real compile step, named as cc names them.
    mkdir -p o1 o2
    check "-MD -c -o: o/x.d names target o/x.o, same content as cc's" sh -c '
        "$0" -MD -c prog.c -o o1/prog.o && $1 -MD -c prog.c -o o2/prog.o &&
        sed s,o2/,o1/, o2/prog.d | cmp -s - o1/prog.d && grep -q "^o1/prog.o:" o1/prog.d' "$RTCC" "$CCN"
    check "-MMD -MP -MF -MT kept as given" sh -c '
        "$0" -MMD -MP -MF custom.d -MT mytarget -c util.c -o u.o &&
        $1 -MMD -MP -MF custom2.d -MT mytarget -c util.c -o u2.o && cmp -s custom.d custom2.d &&
        grep -q "^mytarget: util.c util.h" custom.d && grep -q "^util.h:" custom.d' "$RTCC" "$CCN"
    check "-MD without -o: util.d in the current folder" sh -c '
        rm -f util.d && "$0" -MD -c util.c && grep -q "^util.o: util.c" util.d' "$RTCC"
    check "-MD when linking in one step: <output>.d names the output, as cc does" sh -c '
        "$0" -MD prog.c util.c asm_add.s asm_mul.S -o pmd && $1 -MD prog.c util.c asm_add.s asm_mul.S -o pmd2 &&
        sed s/pmd2/pmd/ pmd2.d | cmp -s - pmd.d && grep -q "^pmd:" pmd.d' "$RTCC" "$CCN"
    check "-MQ kept" sh -c '"$0" -MMD -MQ "a\$b" -c util.c -o u3.o && grep -q "^a\\\$\\\$b:" u3.d' "$RTCC"

    # Several sources with -c.
    check "-c of several sources gives one object each" sh -c '
        rm -f prog.o util.o && "$0" -c prog.c util.c && has() { readelf -S "$1" | grep -q rtrace_probes; } &&
        has prog.o && has util.o' "$RTCC"

    # -shared -fPIC: the shared object is traced too.
    check "-shared -fPIC builds a traced shared object" sh -c '
        "$0" -shared -fPIC lib.c -o libtw.so && readelf -S libtw.so | grep -q rtrace_probes &&
        readelf -d libtw.so | grep -q librtrace_rt.so && readelf -s libtw.so | grep " __rt_ret_probe\$" | grep -q LOCAL &&
        ! readelf --dyn-syms libtw.so | grep -q __rt_line_probe' "$RTCC"
    check "  ... and a program using it runs" sh -c '
        "$0" main_so.c -L. -ltw -Wl,-rpath,"$PWD" -o pso && RTCC_STUB_OUT=$PWD/so.out ./pso > so.txt &&
        test "$(cat so.txt)" = "twice=42" && grep -q "lines=[1-9]" so.out' "$RTCC"

    # Response file, -x, stdin.
    printf '%s\n' 'prog.c "util.c"' "asm_add.s asm_mul.S -o 'p rsp'" > args.rsp
    check "response file @args.rsp" sh -c '"$0" @args.rsp && test -x "p rsp"' "$RTCC"
    check "  ... (run)" runs_right "./p rsp"
    cp prog.c prog.txt
    check "-x c file.txt -x none util.c" sh -c '"$0" -x c prog.txt -x none util.c asm_add.s asm_mul.S -o p4' "$RTCC"
    check "  ... (run)" runs_right ./p4
    check "- (stdin) with -x c" sh -c '
        printf "#include <stdio.h>\nint main(void){puts(\"stdin ok\");return 0;}\n" |
        "$0" -x c - -o pstdin && RTCC_STUB_OUT=$PWD/stdin.out ./pstdin | grep -q "stdin ok" && grep -q "lines=[1-9]" stdin.out' "$RTCC"

    # -I -D -U -include -std=, and the -O policy.
    check "-I -D -U -include -std= reach the compile; -O2 becomes -O0" sh -c '
        "$0" -O2 -std=c99 -Iinc -DFOO=3 -DBAR -UBAR -include pre.h opt.c -o popt &&
        test "$(RTCC_STUB_OUT=/dev/null ./popt)" = "O0
FOO=3 PRE=5 CONFIG=7 std=199901"' "$RTCC"
    check "RTCC_KEEP_OPT=1 keeps -O2" sh -c '
        RTCC_KEEP_OPT=1 "$0" -O2 -Iinc -DFOO=1 -include pre.h opt.c -o popt2 &&
        RTCC_STUB_OUT=/dev/null ./popt2 | head -1 | grep -qx optimised' "$RTCC"
    check "RTCC_KEEP_OPT=1 -O2 program still runs right" sh -c '
        RTCC_KEEP_OPT=1 "$0" -O2 prog.c util.c asm_add.s asm_mul.S -o p5' "$RTCC"
    check "  ... (run)" runs_right ./p5

    # The DWARF version asked for is the one of the line table too.
    check "-gdwarf-4: line table and .debug_info both version 4" sh -c '
        "$0" -gdwarf-4 -c util.c -o u4.o &&
        readelf --debug-dump=rawline u4.o | grep -m1 "DWARF Version" | grep -q "4\$" &&
        readelf --debug-dump=info u4.o | grep -m1 " Version:" | grep -q "4\$"' "$RTCC"
    # Whatever -g options the user gives, the object has full DWARF: levels
    # below 2 and other formats are replaced by -g, -gsplit-dwarf, -gtoggle and
    # -gno-as-loc-support dropped, each with a warning; the rest is kept
    # (-Werror: clang would call a modifier unused on the assembler step).
    for o in -g0 -g1 -ggdb0 -ggdb1 -gline-tables-only -gmlt -gline-directives-only \
        -gstabs -gstabs+ -gxcoff -gvms -gcoff -gcodeview -gsplit-dwarf -gsplit-dwarf=single \
        -gtoggle -gno-as-loc-support "-g3 -g1" "-g -gsplit-dwarf" "-gdwarf-4 -ggdb1"; do
        check "$o: full DWARF in the object, a warning names $(echo "$o" | sed 's/.* //')" g_case warn $o
    done
    gkept="-g -g2 -g3 -ggdb -ggdb3 -gdwarf -gdwarf-4 -gdwarf64 -gz -grecord-gcc-switches \
        -gno-record-gcc-switches -gstrict-dwarf -gno-strict-dwarf -gcolumn-info -gno-column-info \
        -gpubnames -ggnu-pubnames -gno-split-dwarf"
    if [ "$CCN" = gcc ]; then
        gkept="$gkept -gdescribe-dies -gas-loc-support -gvariable-location-views -gbtf -gctf"
    else
        gkept="$gkept -gembed-source -gdwarf-aranges -gno-inline-line-tables -glldb -gsce -gmodules"
    fi
    for o in $gkept; do
        check "$o: kept, full DWARF in the object, no warning" g_case quiet $o
    done
    check "-S -o - writes the instrumented assembly to stdout" sh -c '
        "$0" -S util.c -o - | grep -q "call	__rt_ret_probe"' "$RTCC"
    check "-Werror -Wa,--noexecstack: no unused-argument error" sh -c '
        "$0" -Werror -Wa,--noexecstack -c util.c -o uwa.o' "$RTCC"
    check "-masm=intel: probes still assemble; the program runs right" sh -c '
        "$0" -masm=intel -c util.c -o uintel.o && "$0" prog.c uintel.o asm_add.s asm_mul.S -o p9' "$RTCC"
    check "  ... (run)" runs_right ./p9
    check "-static is refused with a clear error" sh -c '
        ! "$0" -static util.c prog.c asm_add.s asm_mul.S -o pstatic 2> static.err &&
        grep -q "librtrace_rt.so" static.err && ! test -e pstatic' "$RTCC"
    check "-Werror -fsanitize=address -pthread -std= -mtune= with .c and .s inputs: no unused-argument error" sh -c '
        "$0" -Werror -fsanitize=address -pthread -std=gnu99 -DX=1 -mtune=generic -mno-red-zone \
            prog.c util.c asm_add.s asm_mul.S -o pasan &&
        RTCC_STUB_OUT=/dev/null ./pasan | cmp -s - prog.expected' "$RTCC"
    check "-m32 is refused with a clear error" sh -c '
        ! "$0" -m32 -c util.c -o u32.o 2> m32.err && grep -q "x86-64" m32.err' "$RTCC"

    # ymm values live across probes keep their upper halves.
    if grep -qw avx /proc/cpuinfo; then
        check "-mavx: a ymm value live across probes survives (vzeroupper in the hook)" sh -c '
            "$0" -mavx avx.c -o pavx && RTCC_STUB_OUT=/dev/null ./pavx > avx.out &&
            cmp -s avx.out avx.expected || { cat avx.out; exit 1; }' "$RTCC"
    fi

    # gdb unwinds through a probe (.cfi wrapping before ret and in the body).
    if command -v gdb > /dev/null 2>&1; then
        check "gdb backtrace from inside a return probe and a line probe reaches main" sh -c '
            gdb -q -batch -ex "break rt_on_return" -ex run -ex bt -ex "delete" \
                -ex "break rt_on_line" -ex "continue" -ex "bt" ./p2 > gdb.out 2>&1 &&
            test "$(grep -c " in main " gdb.out)" -eq 2 && grep -q " in make_pair " gdb.out &&
            ! grep -qi "backtrace stopped\|corrupt" gdb.out || { cat gdb.out; exit 1; }'
    fi

    check "a source given with a folder compiles without any message" sh -c '
        mkdir -p sub && cp util.c util.h sub/ && "$0" -c sub/util.c -o usub.o 2> sub.err &&
        test ! -s sub.err || { cat sub.err; exit 1; }' "$RTCC"

    if command -v gdb > /dev/null 2>&1; then
        check "gdb step walks the program's lines, never into a probe" sh -c '
            gdb -q -batch -ex "break main" -ex run -ex step -ex step -ex step ./p2 > gdbstep.out 2>&1 &&
            grep -q "make_pair (a=.*, b=.*) at util.c" gdbstep.out && ! grep -q "rt_\|trampoline" gdbstep.out ||
            { cat gdbstep.out; exit 1; }'
    fi

    # Warnings.
    check "-flto is dropped with a warning" sh -c '
        "$0" -flto prog.c util.c asm_add.s asm_mul.S -o p6 2> lto.err && grep -q -- "-flto" lto.err' "$RTCC"
    check "  ... (run)" runs_right ./p6
    check "a .cpp source is compiled untraced with a warning" sh -c '
        "$0" -c hello.cpp -o hello.o 2> cpp.err && grep -q "hello.cpp is not C" cpp.err &&
        ! readelf -S hello.o | grep -q rtrace_probes' "$RTCC"
    check "an object not built by rtcc gets an 'untraced' warning at link" sh -c '
        $1 -c util.c -o plain_util.o && "$0" prog.c plain_util.o asm_add.s asm_mul.S -o p7 2> un.err &&
        grep -q "plain_util.o was not compiled from C by rtcc" un.err && ! grep -q "prog" un.err' "$RTCC" "$CCN"

    # Errors keep the compiler's diagnostics and exit status.
    check "a syntax error: same diagnostics and exit status as cc" sh -c '
        "$0" -c bad.c -o bad.o 2> bad1.err; s1=$?; $1 -c bad.c -o bad2.o 2> bad2.err; s2=$?;
        test $s1 -ne 0 && test $s1 -eq $s2 && cmp -s bad1.err bad2.err && ! test -e bad.o' "$RTCC" "$CCN"
    check "a missing source: the compiler says so, status non-zero" sh -c '
        "$0" -c nothere.c 2> miss.err; s=$?; test $s -ne 0 && grep -q "nothere.c" miss.err' "$RTCC"
    check "RTCC_CC naming no compiler: a clear error" sh -c '
        RTCC_CC=nonexistent-cc-xyz "$0" -c util.c 2> nocc.err; s=$?;
        test $s -ne 0 && grep -q "nonexistent-cc-xyz" nocc.err && grep -q "not found" nocc.err' "$RTCC"

    # What build systems ask.
    check "-v, --version, -dumpversion answered by the compiler" sh -c '
        "$0" -v 2> v.err && grep -qi "version" v.err &&
        "$0" --version > ver.out && head -1 ver.out | grep -q "^rtcc" && grep -qi "$1\|clang\|gcc" ver.out &&
        test "$("$0" -dumpversion)" = "$($1 -dumpversion)"' "$RTCC" "$CCN"
    check "-V and -qversion fail exactly as the compiler does" sh -c '
        "$0" -V > /dev/null 2>&1; a=$?; $1 -V > /dev/null 2>&1; b=$?; test $a -eq $b &&
        "$0" -qversion > /dev/null 2>&1; a=$?; $1 -qversion > /dev/null 2>&1; b=$?; test $a -eq $b' "$RTCC" "$CCN"
    check "autoconf-style probes: conftest compile, link, object suffix, -E" sh -c '
        printf "int main(void){return 0;}\n" > conftest.c &&
        "$0" -o conftest -g -O2 conftest.c && ./conftest &&
        "$0" -c -g -O2 conftest.c && test -f conftest.o &&
        "$0" -E conftest.c > /dev/null && rm -f conftest conftest.o' "$RTCC"
    check "make CC=rtcc with the built-in rules" sh -c '
        printf "p8: prog.o util.o asm_add.o asm_mul.o\n\t\$(CC) \$^ -o \$@\n" > Makefile.smoke &&
        rm -f prog.o util.o asm_add.o asm_mul.o && make -s -f Makefile.smoke CC="$0" p8 > /dev/null' "$RTCC"
    check "  ... (run)" runs_right ./p8
    if command -v cmake > /dev/null 2>&1; then
        mkdir -p cm/src cm/b
        cp prog.c util.c util.h asm_add.s asm_mul.S cm/src/
        printf '%s\n' 'cmake_minimum_required(VERSION 3.10)' 'project(smoke C ASM)' \
            'add_executable(pcm prog.c util.c asm_add.s asm_mul.S)' > cm/src/CMakeLists.txt
        check "CMake with CMAKE_C_COMPILER=rtcc configures and builds" sh -c '
            cd cm/b && cmake -DCMAKE_C_COMPILER="$0" -DCMAKE_ASM_COMPILER="$0" ../src > cmake.log 2>&1 &&
            make > make.log 2>&1 || { tail -20 cmake.log make.log; exit 1; }' "$RTCC"
        check "  ... (run)" runs_right ./cm/b/pcm
    fi
    cd "$W" || exit 1
done

# The real runtime, when the runtime part has built it (default libdir).
if [ -f "$LIBD/librtrace_rt.so" ]; then
    echo "rtcc smoke tests with the real runtime ($LIBD)"
    unset RTCC_LIBDIR
    export RTCC_CC=gcc
    mkdir -p "$W/real" && cd "$W/real" && cp -r "$SRC"/* .
    gcc -O0 prog.c util.c asm_add.s asm_mul.S -o ref && ./ref > ref.out
    check "default libdir (bin/../lib) is found; program links" sh -c '
        "$0" prog.c util.c asm_add.s asm_mul.S -o preal' "$RTCC"
    check "  ... and prints exactly what the untraced build prints" sh -c '
        RTRACE_DIR=$PWD/trace RTRACE_QUIET=1 ./preal > real.out && cmp -s real.out ref.out' "$RTCC"
    # -g options that left no variables, no DWARF in the program or no steps.
    RTRACE=$(cd "$BIN" && pwd)/rtrace
    if [ -x "$RTRACE" ]; then
        for c in gcc clang; do
            for o in -g1 -ggdb0 -grecord-gcc-switches -gstrict-dwarf -gsplit-dwarf \
                -gno-as-loc-support; do
                check "RTCC_CC=$c $o: the traced program records its steps and locals" sh -c '
                    rm -rf gtrace && RTCC_CC=$3 "$0" $2 prog.c util.c asm_add.s asm_mul.S -o pg 2> /dev/null &&
                    RTRACE_DIR=$PWD/gtrace RTRACE_QUIET=1 ./pg > /dev/null &&
                    "$1" print gtrace | grep -q "^ *p = {a=42, b=2.5}\$"' "$RTCC" "$RTRACE" "$o" "$c"
            done
        done
    fi
    # A jump into the middle of a row (smoke/midrow_cc.sh): a probe at the
    # label, where the runtime takes the row's line without stopping, as gdb.
    if command -v clang >/dev/null 2>&1 && [ -x "$RTRACE" ]; then
        check "jump into the middle of a non-is_stmt row: the trace stops at 6 6 9 10" sh -c '
            RTCC_CC="sh $PWD/midrow_cc.sh" "$0" midrow.c -o midrow &&
            RTRACE_DIR=$PWD/midrow.trace RTRACE_QUIET=1 ./midrow &&
            "$1" print --format=gdb midrow.trace > midrow.txt &&
            test "$(sed -n "s/^STOP main midrow.c:\([0-9]*\)\$/\1/p" midrow.txt | tr "\n" " ")" = "6 6 9 10 "' \
            "$RTCC" "$RTRACE"
        if command -v gdb >/dev/null 2>&1; then
            check "  ... where gdb stops stepping the untraced build" sh -c '
                sh midrow_cc.sh -g -O0 -fno-omit-frame-pointer -S midrow.c -o midrow_plain.s &&
                clang -g midrow_plain.s -o midrow_plain &&
                gdb -batch -nx -ex "break main" -ex run -ex step -ex step -ex step ./midrow_plain \
                    > midrow_gdb.txt 2>&1 &&
                test "$(sed -n "s/^\([0-9][0-9]*\)[[:space:]].*/\1/p" midrow_gdb.txt | tr "\n" " ")" = "6 6 9 10 "'
        fi
    else
        echo "  (no clang or no $RTRACE: mid-row jump check skipped)"
    fi
    cd "$W" || exit 1
else
    echo "(no $LIBD/librtrace_rt.so yet: real-runtime round skipped)"
fi

# An installed layout PREFIX/bin/rtcc + PREFIX/lib: found without RTCC_LIBDIR,
# also when rtcc is called through a symbolic link elsewhere.
mkdir -p "$W/inst/bin" "$W/inst/lib" "$W/inst/elsewhere"
cp "$RTCC" "$W/inst/bin/" && cp "$STUB"/* "$W/inst/lib/"
ln -sf "$W/inst/bin/rtcc" "$W/inst/elsewhere/tcc-link"
check "install layout PREFIX/bin + PREFIX/lib: libdir found, rpath set" sh -c '
    cd "$0/gcc" && env -u RTCC_LIBDIR RTCC_CC=gcc "$0/inst/elsewhere/tcc-link" prog.c util.c asm_add.s asm_mul.S -o pinst &&
    readelf -d pinst | grep -q "$0/inst/lib" && RTCC_STUB_OUT=$PWD/inst.out ./pinst > inst.txt &&
    cmp -s inst.txt prog.expected && grep -q "lines=[1-9]" inst.out' "$W"

# Killed while compiling: the temporary files go, the signal is reported.
printf '#!/bin/sh\nexec sleep 5\n' > "$W/slowcc.sh"
check "rtcc killed by SIGTERM mid-compile leaves no temporary file" sh -c '
    cd "$0" && RTCC_CC="sh $0/slowcc.sh" "$1" -c gcc/util.c -o killed.o & pid=$!
    sleep 1; kill -TERM $pid; wait $pid 2> /dev/null; s=$?
    test $s -eq 143 && test -z "$(ls -A "$TMPDIR")"' "$W" "$RTCC"

# --help names every RTRACE_* variable the runtime reads and what rtcc changes.
check "rtcc --help lists the options it changes and every RTRACE_* variable" sh -c '
    "$0" --help > help.txt && for w in -O0 -finstrument-functions -fno-omit-frame-pointer \
        RTCC_KEEP_OPT RTCC_CC RTCC_LIBDIR -flto -g1 -gsplit-dwarf RTRACE_DIR RTRACE_FORMAT RTRACE_MODE \
        RTRACE_FILTER RTRACE_QUIET RTRACE_THREADS RTRACE_MAX_DEPTH RTRACE_MAX_ELEMS \
        RTRACE_MAX_STRING RTRACE_MAX_EVENTS RTRACE_MAX_BYTES RTRACE_RING; do
        grep -q -- "$w" help.txt || { echo "missing $w"; exit 1; }; done' "$RTCC"

# Nothing left behind.
check "no temporary file left in TMPDIR" sh -c 'test -z "$(ls -A "$0")"' "$TMPDIR"

echo "rtcc smoke: $pass passed, $fail failed"
test "$fail" -eq 0
