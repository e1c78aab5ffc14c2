# tests/dwarf/gdb_lines.py - prints gdb's own view of the loaded program at
# every address of its line tables, for the DWARF tests to compare with
# rt_module_row_at() and rt_module_visible_vars(). Run as
#     gdb -batch -nx -x tests/dwarf/gdb_lines.py PROGRAM
# Output, per distinct address gdb's line tables hold with a non-zero line
# (link-time addresses: the program is not started):
#     PC <hex addr> <line> <file basename>
#     STMT <hex addr> <Y|N>                 (is_stmt of the entry gdb's pc lookup
#                                            picks: the last one at the address,
#                                            or the last statement one before it)
#     VARS <hex addr> <p:name|l:name> ...   (what `info args` and `info locals`
#                                            list there, sorted, each name once:
#                                            the innermost declaration)
import gdb
import os

pcs = set()
# every source file gdb knows, then each one's line table
sources = gdb.execute("info sources", to_string=True).replace(",", "\n").split("\n")
for src in sources:
    src = src.strip()
    if not src.startswith("/"):
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


def visible(pc):
    """The names `info args` + `info locals` show at pc, each name once: the
    blocks from the innermost one up to the function's block, the innermost
    declaration of a name winning (as tests/diff/gdb_steps.py reads them)."""
    try:
        block = gdb.block_for_pc(pc)
    except RuntimeError:
        return None
    names = {}
    while block is not None:
        for sym in block:
            if sym.name in names:
                continue
            if sym.is_argument:
                names[sym.name] = "p:"
            elif sym.is_variable and sym.addr_class != gdb.SYMBOL_LOC_TYPEDEF:
                names[sym.name] = "l:"
            elif (sym.addr_class == gdb.SYMBOL_LOC_CONST
                  and sym.type.code != gdb.TYPE_CODE_ENUM):
                # a local folded to DW_AT_const_value (gdb shows its value;
                # enumerators of a local enum are LOC_CONST too: left out)
                names[sym.name] = "l:"
        if block.function is not None:
            break
        block = block.superblock
    return sorted(kind + name for name, kind in names.items())


# is_stmt is not in the Python line-table API of gdb 13: read it from
# `maint info line-table` (INDEX LINE ADDRESS IS-STMT ...), per symtab
stmt = {}
group = []


def flush(group):
    # entries at one address, in table order: gdb's choice
    if not group:
        return
    pick = group[-1]
    if not pick[1]:
        for e in reversed(group):
            if e[1]:
                pick = e
                break
    stmt.setdefault(pick[0], pick[1])


for row in gdb.execute("maint info line-table", to_string=True).split("\n"):
    f = row.split()
    if row.startswith("symtab:"):
        flush(group)
        group = []
        continue
    if len(f) < 3 or not f[0].isdigit() or not f[2].startswith("0x"):
        continue
    if f[1] == "END" or f[1] == "0":
        flush(group)
        group = []
        continue
    addr = int(f[2], 16)
    if group and group[-1][0] != addr:
        flush(group)
        group = []
    group.append((addr, len(f) > 3 and f[3] == "Y"))
flush(group)

for pc in sorted(pcs):
    sal = gdb.find_pc_line(pc)
    if sal.symtab is None or sal.line == 0:
        continue
    print("PC %x %d %s" % (pc, sal.line, os.path.basename(sal.symtab.filename)))
    if pc in stmt:
        print("STMT %x %s" % (pc, "Y" if stmt[pc] else "N"))
    v = visible(pc)
    if v is not None:
        print("VARS %x %s" % (pc, " ".join(v)))
