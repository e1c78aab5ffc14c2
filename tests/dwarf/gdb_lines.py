# tests/dwarf/gdb_lines.py - prints gdb's own answer to "which line is this
# pc?" for every address of the line tables of the loaded program's sources,
# for the DWARF tests to compare with rt_module_row_at(). Run as
#     gdb -batch -nx -x tests/dwarf/gdb_lines.py PROGRAM
# Output: one "PC <hex addr> <line> <file basename>" per distinct address
# that gdb's line tables hold with a non-zero line (link-time addresses: the
# program is not started).
import gdb
import os

pcs = set()
# every source file gdb knows, then each one's line table
sources = gdb.execute("info sources", to_string=True).replace(",", "\n").split("\n")
for src in sources:
    src = src.strip()
    if not src.startswith("/") or not src.endswith(".c"):
        continue
    try:
        sals = gdb.decode_line(src + ":1")[1]
    except gdb.error:
        continue
    for sal in sals or []:
        if sal.symtab is None:
            continue
        for e in sal.symtab.linetable():
            if e.line != 0:
                pcs.add(e.pc)
for pc in sorted(pcs):
    sal = gdb.find_pc_line(pc)
    if sal.symtab is None or sal.line == 0:
        continue
    print("PC %x %d %s" % (pc, sal.line, os.path.basename(sal.symtab.filename)))
