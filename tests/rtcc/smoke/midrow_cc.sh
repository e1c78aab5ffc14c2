#!/bin/sh
# tests/rtcc/smoke/midrow_cc.sh - a compiler for rtcc's smoke test: clang, but
# with -S the code of midrow.c lines 7-8 (g = 2; g = 3;) becomes
#
#     jmp .Lmidrow                # line 6 (g = 1) jumps ...
#     .loc 0 8 7 is_stmt 0        # a non-is_stmt row of line 8
#     movl $3, g(%rip)
#   .Lmidrow:                     # ... into its middle
#     movl $3, g(%rip)
#     .loc 0 6 7 is_stmt 1        # then a row of line 6 again
#     nop
#
# gdb 13 `step` from line 6: the jump lands inside the row of line 8, which
# becomes gdb's current line (is_stmt or not), so the next row, of line 6, is
# a new stop: 6 6 9 10.  Landing at the start of that row would not change
# the line (6 9 10).  rtcc must put a probe at .Lmidrow (a jump target with no
# row of its own) and the runtime must take line 8 there without stopping.
out=
prev=
asm=0
for a in "$@"; do
    [ "$prev" = "-o" ] && out=$a
    [ "$a" = "-S" ] && asm=1
    prev=$a
done
clang "$@" || exit
[ "$asm" = 1 ] || exit 0
awk '
/^[ \t]*\.loc[ \t]+0 7 / { skip = 1
    print "\tjmp\t.Lmidrow"
    print "\t.loc\t0 8 7 is_stmt 0"
    print "\tmovl\t$3, g(%rip)"
    print ".Lmidrow:"
    print "\tmovl\t$3, g(%rip)"
    print "\t.loc\t0 6 7 is_stmt 1"
    print "\tnop"
    next }
/^[ \t]*\.loc[ \t]+0 9 / { skip = 0 }
!skip { print }
' "$out" > "$out.midrow" && mv "$out.midrow" "$out"
grep -q '^\.Lmidrow:' "$out"
