#!/bin/sh
# tests/tools/man_test.sh - the man pages rtrace(1) and rtcc(1): generated
# from the same tables as --help, so this checks that they stay so: each
# page is what `--man` prints now, is valid roff (groff -ww and man -l say
# nothing, when installed), names every command, option and variable that
# --help names, and `make install PREFIX=dir` installs both.
#
# usage: man_test.sh RTRACE RTCC BUILD WORKDIR   (MAKE: the make to run)
set -u
RT=$1
RTCC=$2
BUILD=$3
W=$4
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAN1=$BUILD/share/man/man1
MAKE=${MAKE:-make}
rm -rf "$W"
mkdir -p "$W"
fails=0
n=0

ok() {
    n=$((n + 1))
    if ! eval "$1"; then echo "FAIL: $2"; fails=$((fails + 1)); fi
}
# deroff FILE: the page's text with roff escapes of names undone (\- \f? \& \e).
deroff() {
    sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' -e 's/\\e/\\/g' "$1"
}
# lint PAGE: groff and man render it without a warning (each skipped when absent).
lint() {
    if command -v groff > /dev/null 2>&1; then
        ok "groff -man -Tutf8 -ww -z '$1' > '$W/lint' 2>&1 && ! [ -s '$W/lint' ]" \
           "groff -ww warns about $(basename "$1")"
        [ -s "$W/lint" ] && sed 's/^/    /' "$W/lint" | head -5
    else
        echo "skip: groff not installed"
    fi
    if command -v man > /dev/null 2>&1; then
        ok "MANWIDTH=80 MANPAGER=cat man -l '$1' > '$W/rendered' 2> '$W/lint' && ! [ -s '$W/lint' ] && [ -s '$W/rendered' ]" \
           "man -l $(basename "$1") warns or renders nothing"
        [ -s "$W/lint" ] && sed 's/^/    /' "$W/lint" | head -5
    else
        echo "skip: man not installed"
    fi
}

# --- rtrace(1) ---
P=$MAN1/rtrace.1
ok "[ -s '$P' ]" "the build made $P"
"$RT" --man > "$W/rtrace.1"
ok "[ \$? = 0 ] && cmp -s '$W/rtrace.1' '$P'" "rtrace --man prints the page the build installed"
lint "$W/rtrace.1"
deroff "$W/rtrace.1" > "$W/rtrace.txt"
for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS 'EXIT STATUS' ENVIRONMENT 'SEE ALSO'; do
    ok "grep -q '^\\.SH $s\$' '$W/rtrace.1'" "rtrace.1 has a $s section"
done
ok "grep -q 'rtcc (1)' '$W/rtrace.1'" "rtrace.1 refers to rtcc(1)"
# Commands: the lines after "commands:" in rtrace --help, up to the blank line.
"$RT" --help > "$W/help"
cmds=$(sed -n '/^commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p' "$W/help")
ok "[ -n '$cmds' ]" "commands found in rtrace --help"
for c in $cmds; do
    # The command's subsection: from its .SS line to the next .SS or .SH.
    awk -v c="$c" '/^\.S[SH]/ { on = index($0, ".SS \"rtrace " c " ") == 1 } on' "$W/rtrace.txt" > "$W/sub"
    ok "[ -s '$W/sub' ]" "rtrace.1 has a subsection for command $c"
    "$RT" "$c" --help > "$W/chelp"
    for o in $(grep -oE -- '--[a-z][-a-z]*' "$W/chelp" | sort -u); do
        ok "grep -qF -- '$o' '$W/sub'" "rtrace.1 names $o under command $c (rtrace $c --help does)"
    done
done
for o in $(grep -oE -- '--[a-z][-a-z]*' "$W/help" | sort -u) $(grep -oE '\b[A-Z][A-Z_]{2,}\b' "$W/help" | grep -v -e COMMAND -e ARGS | sort -u); do
    ok "grep -qF -- '$o' '$W/rtrace.txt'" "rtrace.1 names $o (rtrace --help does)"
done

# --- rtcc(1) ---
P=$MAN1/rtcc.1
ok "[ -s '$P' ]" "the build made $P"
"$RTCC" --man > "$W/rtcc.1"
ok "[ \$? = 0 ] && cmp -s '$W/rtcc.1' '$P'" "rtcc --man prints the page the build installed"
lint "$W/rtcc.1"
deroff "$W/rtcc.1" > "$W/rtcc.txt"
for s in NAME SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT 'EXIT STATUS' EXAMPLES 'SEE ALSO'; do
    ok "grep -q '^\\.SH $s\$' '$W/rtcc.1'" "rtcc.1 has a $s section"
done
for e in 'make CC=rtcc' './configure CC=rtcc' 'cmake -DCMAKE_C_COMPILER=rtcc' 'rtrace (1)'; do
    ok "grep -qF -- '$e' '$W/rtcc.txt'" "rtcc.1 shows '$e'"
done
# Every option and variable rtcc --help names, as --help writes it (wrapped at blanks only).
"$RTCC" --help > "$W/help"
words=$(tr -s ' \t' '\n\n' < "$W/help" | sed -e 's/^[(`]*//' -e 's/[),;:`]*$//' |
        grep -E '^-|^RTCC_|^RTRACE_|^TMPDIR' | sort -u)
ok "[ \$(echo '$words' | wc -l) -gt 40 ]" "options and variables found in rtcc --help"
for w in $words; do
    ok "grep -qF -- '$w' '$W/rtcc.txt'" "rtcc.1 names $w (rtcc --help does)"
done
# The runtime's variables: those runtime/config.c reads, no more, no fewer.
sed -n 's/.*"\(RTRACE_[A-Z_]*\)".*/\1/p' "$ROOT/runtime/config.c" | sort -u > "$W/rt_vars"
grep -oE '^  RTRACE_[A-Z_]+' "$W/help" | tr -d ' ' | sort -u > "$W/help_vars"
ok "[ \$(wc -l < '$W/rt_vars') -ge 13 ] && cmp -s '$W/rt_vars' '$W/help_vars'" \
   "rtcc --help lists exactly the RTRACE_* variables of runtime/config.c: $(diff "$W/rt_vars" "$W/help_vars" | grep '^[<>]' | tr '\n' ' ')"
# Numeric defaults as runtime/config.c sets them.
for vf in MAX_DEPTH:max_depth MAX_ELEMS:max_elems MAX_STRING:max_string ZSTD_LEVEL:zstd_level; do
    v=${vf%%:*}; f=${vf#*:}
    d=$(sed -n "s/^ *c->$f = \(-*[0-9][0-9]*\);.*/\1/p" "$ROOT/runtime/config.c" | head -1)
    got=$(awk -v v="RTRACE_$v" 'index($0, v "=") == 1 { on = 1 } on && /^Default: / { print; exit }' "$W/rtcc.txt")
    ok "[ -n '$d' ] && [ '$got' = 'Default: $d.' ]" "RTRACE_$v default in rtcc.1 is config.c's ('$got' vs '$d')"
done

# --- make install ---
"$MAKE" -s -C "$ROOT" BUILD="$BUILD" PREFIX="$W/prefix" DESTDIR= install > "$W/install.log" 2>&1
ok "[ \$? = 0 ]" "make install PREFIX=dir: $(tail -3 "$W/install.log")"
for p in rtrace.1 rtcc.1; do
    ok "cmp -s '$MAN1/$p' '$W/prefix/share/man/man1/$p'" "make install installs share/man/man1/$p"
done

echo "man page tests: $((n - fails)) of $n checks passed"
[ $fails = 0 ]
