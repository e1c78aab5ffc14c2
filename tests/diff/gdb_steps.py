# tests/diff/gdb_steps.py - the reference side of the differential test, and its comparator.
#
# Two modes in one file, so that the canonical rules live in one place:
#
#   gdb -batch -nx -x gdb_steps.py --args ./prog args...
#       Steps the UNTRACED program with gdb's own `step` from main to exit and writes the
#       canonical step listing of tests/diff/CANONICAL.md (to $GDB_STEPS_OUT, default stdout).
#       Code outside the program's own sources (libc, ...) is left with `finish`; breakpoints on
#       every function of the program's sources catch callbacks made from such code (qsort,
#       atexit), which the recorder traces too. Bounded by $GDB_STEPS_MAX stops (default 3000).
#
#   python3 gdb_steps.py --compare GDB_LISTING TRACE_LISTING
#       Compares the two listings line by line (`?` on the gdb side matches any value); on the
#       first difference prints it with context and exits 1.
import os
import re
import sys

try:
    import gdb  # present only when gdb runs this file
except ImportError:
    gdb = None

MAX_ELEMS = 200   # CANONICAL.md: arrays and strings are cut at 200
CONTEXT = 4       # lines of context around a divergence


# ---------------------------------------------------------------------------------------------
# Compare mode (plain python3)
# ---------------------------------------------------------------------------------------------
def lines_match(g, t):
    """A gdb line matches a trace line when equal, or when gdb says `name=?` (maybe uninit)."""
    if g == t:
        return True
    if g.endswith("=?") and g.startswith("  "):
        return t.startswith(g[:-1])
    return False


def compare(gdb_path, trace_path):
    with open(gdb_path, encoding="utf-8", errors="replace") as f:
        g = f.read().splitlines()
    with open(trace_path, encoding="utf-8", errors="replace") as f:
        t = f.read().splitlines()
    if g and g[-1].startswith("TRUNCATED"):
        print("diff: the gdb listing was truncated (%s): make the program smaller" % g[-1])
        return 1
    n = min(len(g), len(t))
    i = 0
    while i < n and lines_match(g[i], t[i]):
        i += 1
    if i == n and len(g) == len(t):
        stops = sum(1 for x in g if x.startswith("STOP "))
        print("diff: listings match (%d stops, %d lines)" % (stops, len(g)))
        return 0
    # Report the stop the divergence belongs to and its number, then both sides around it.
    stop_no = sum(1 for x in g[:i + 1] if x.startswith("STOP "))
    stop = next((x for x in reversed(g[:i + 1]) if x.startswith("STOP ")), "(before any STOP)")
    print("diff: first divergence at line %d (stop #%d, %s)" % (i + 1, stop_no, stop))
    print("  gdb  : %s" % (g[i] if i < len(g) else "<end of listing>"))
    print("  trace: %s" % (t[i] if i < len(t) else "<end of listing>"))
    lo = max(0, i - CONTEXT)
    for name, lines in (("gdb", g), ("trace", t)):
        print("--- %s, lines %d-%d:" % (name, lo + 1, min(len(lines), i + CONTEXT + 1)))
        for k in range(lo, min(len(lines), i + CONTEXT + 1)):
            print("%s %5d| %s" % (">" if k == i else " ", k + 1, lines[k]))
    return 1


# ---------------------------------------------------------------------------------------------
# gdb mode: canonical values (CANONICAL.md, "Values")
# ---------------------------------------------------------------------------------------------
def fmt_float(x):
    if x != x:
        return "nan"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    return "%.17g" % x


def fmt_cstring(addr):
    """Bytes at addr up to the first NUL, at most 200, escaped as CANONICAL.md says."""
    inf = gdb.selected_inferior()
    try:
        data = bytes(inf.read_memory(addr, MAX_ELEMS))
    except gdb.MemoryError:
        # The 200 bytes may cross into an unmapped page: read byte by byte up to it.
        data = b""
        while len(data) < MAX_ELEMS:
            try:
                data += bytes(inf.read_memory(addr + len(data), 1))
            except gdb.MemoryError:
                break
            if data[-1:] == b"\0":
                break
        if not data:
            return "<error>"
    data = data.split(b"\0", 1)[0]
    out = []
    for b in data:
        if b in (0x22, 0x5C):
            out.append("\\" + chr(b))
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append("\\x%02x" % b)
    return '"' + "".join(out) + '"'


def is_plain_char(t):
    """`char` with any cv-qualifiers and typedefs stripped (not signed/unsigned char)."""
    t = t.strip_typedefs().unqualified()
    return t.code == gdb.TYPE_CODE_INT and t.name == "char"


def wide_int_text(v, t):
    """Decimal text of an integer wider than 8 bytes (__int128): gdb 13's int() refuses it
    ("not available on integers of more than 8 bytes"), so its 64-bit halves are read from
    memory (little-endian)."""
    addr = v.address
    if addr is None:
        raise gdb.error("wide integer without an address")
    p = addr.cast(gdb.lookup_type("unsigned long long").pointer())
    bits = 8 * t.sizeof
    x = 0
    for i in range(t.sizeof // 8):
        x |= int(p[i]) << (64 * i)
    if t.is_signed and x >> (bits - 1):
        x -= 1 << bits
    return str(x)


def fmt_value(v, derefs=0):
    """Canonical text of gdb.Value v; derefs = pointers already followed (one level only)."""
    try:
        t = v.type.strip_typedefs()
        c = t.code
        if c in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_CHAR):
            if t.sizeof > 8:
                return wide_int_text(v, t)
            return str(int(v))
        if c == gdb.TYPE_CODE_BOOL:
            return "true" if int(v) else "false"
        if c == gdb.TYPE_CODE_FLT:
            return fmt_float(float(v))
        if c == gdb.TYPE_CODE_ENUM:
            n = int(v)
            for f in t.fields():
                if f.enumval == n:
                    return f.name
            return str(n)
        if c == gdb.TYPE_CODE_PTR:
            return fmt_pointer(v, t, derefs)
        if c in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
            parts = []
            for f in t.fields():
                if f.artificial:
                    continue
                ft = f.type.strip_typedefs()
                if ft.code == gdb.TYPE_CODE_ARRAY and ft.sizeof == 0:
                    # a flexible array member (`int data[];`): gdb 13 gives it the range
                    # (0, 0) although it has no known element; the trace has none: []
                    fv = "[]"
                else:
                    fv = fmt_value(v[f], derefs)
                # Anonymous struct/union members have no name: shown as their value alone.
                parts.append(fv if not f.name else "%s=%s" % (f.name, fv))
            return "{" + ", ".join(parts) + "}"
        if c == gdb.TYPE_CODE_ARRAY:
            lo, hi = t.range()
            count = min(max(hi - lo + 1, 0), MAX_ELEMS)
            return "[" + ", ".join(fmt_value(v[lo + k], derefs) for k in range(count)) + "]"
        return "<error>"
    except gdb.MemoryError:
        return "<error>"


def fmt_pointer(v, t, derefs):
    addr = int(v)
    if addr == 0:
        return "0x0"
    target = t.target().strip_typedefs()
    if derefs > 0:
        return "<ptr>"          # a pointer inside a pointed-to value
    if target.code == gdb.TYPE_CODE_FUNC:
        blk = gdb.block_for_pc(addr)
        if blk is not None and blk.function is not None:
            return "<%s>" % blk.function.name
        sym = gdb.execute("info symbol %d" % addr, to_string=True).split()
        return "<%s>" % (sym[0] if sym and not sym[0].startswith("No") else hex(addr))
    if is_plain_char(target):
        return fmt_cstring(addr)
    if target.code == gdb.TYPE_CODE_VOID:
        return "<ptr>"
    try:
        inner = v.dereference()
        inner.fetch_lazy()
        return "&" + fmt_value(inner, derefs + 1)
    except gdb.MemoryError:
        return "<error>"


# ---------------------------------------------------------------------------------------------
# gdb mode: stepping
# ---------------------------------------------------------------------------------------------
class Stepper:
    def __init__(self, out):
        self.out = out
        self.exited = False
        self.stops = 0
        self.max_stops = int(os.environ.get("GDB_STEPS_MAX", "3000"))
        self.own = set()     # symtab file names of the program's own sources
        self.sources = {}    # full path -> its lines (in_declaration), None if unreadable
        self.last_line = {}  # frame_key -> (file, line) each own frame last stepped from
        self.stmt_cache = {} # source file -> addresses of its is_stmt rows
        self.signal = None   # a signal stopped the program: resume, delivering it
        gdb.events.exited.connect(self.on_exit)
        gdb.events.stop.connect(self.on_stop)

    def on_exit(self, _event):
        self.exited = True

    def on_stop(self, event):
        if isinstance(event, gdb.SignalEvent):
            self.signal = event.stop_signal

    def x(self, cmd):
        """Run a gdb command quietly; gdb.error (e.g. 'not being run') ends the walk."""
        try:
            gdb.execute(cmd, to_string=True)
        except gdb.error as e:
            if gdb.selected_inferior().pid == 0:
                self.exited = True
            else:
                raise e

    def find_own_sources(self):
        """Before `run` only the executable is loaded: every file with functions is ours.
        Returns (file, function) pairs to put breakpoints on."""
        text = gdb.execute("info functions", to_string=True)
        cur, funcs = None, []
        for line in text.splitlines():
            if line.startswith("File ") and line.endswith(":"):
                cur = line[5:-1]
                self.own.add(cur)
            elif line.startswith("Non-debugging symbols"):
                cur = None
            elif cur and ":" in line and "(" in line:
                # "12:\tstatic int add(int, int);" -> the first identifier followed by '('
                # (also right for "int (*getop(char))(int);")
                m = re.search(r"([A-Za-z_]\w*)\s*\(", line.split(":", 1)[1])
                if m:
                    funcs.append((cur, m.group(1)))
        return funcs

    def frame_is_own(self, frame):
        if frame is None or frame.function() is None:
            return False
        sal = frame.find_sal()
        return sal.symtab is not None and sal.line > 0 and sal.symtab.filename in self.own

    def any_own_caller(self, frame):
        f = frame.older() if frame else None
        while f is not None:
            if self.frame_is_own(f):
                return True
            f = f.older()
        return False

    def emit(self, frame):
        sal = frame.find_sal()
        line = sal.line
        lines = ["STOP %s %s:%d" % (frame.function().name,
                                     os.path.basename(sal.symtab.filename), line)]
        seen = {}
        try:
            block = frame.block()
        except RuntimeError:
            block = None
        # Innermost block first: the innermost declaration of a name wins.
        while block is not None:
            for sym in block:
                if sym.name in seen or not (sym.is_argument or sym.is_variable):
                    continue
                is_static = sym.addr_class == gdb.SYMBOL_LOC_STATIC
                # May not be initialised yet: declared on or after this line, or made by the
                # compiler with no declaration line at all (clang's __vla_expr0), or declared
                # above with an initialiser still running (`int s = f(x,` / `g(y));`).
                if not sym.is_argument and not is_static and (
                        sym.line >= line or sym.line == 0 or
                        self.in_declaration(sal.symtab, sym.line, line)):
                    seen[sym.name] = "?"
                    continue
                try:
                    seen[sym.name] = fmt_value(sym.value(frame))
                except (gdb.error, gdb.MemoryError):
                    seen[sym.name] = "<error>"
            if block.function is not None:
                break
            block = block.superblock
        for name in sorted(seen, key=lambda s: s.encode()):
            lines.append("  %s=%s" % (name, seen[name]))
        self.out.write("\n".join(lines) + "\n")
        self.stops += 1

    @staticmethod
    def frame_key(frame):
        """Identifies an own frame across stops: its function and its depth."""
        depth, f = 0, frame
        while f is not None:
            depth, f = depth + 1, f.older()
        return (frame.function().name, depth)

    def step_from(self, frame):
        """`step` from an own frame, remembering the line it leaves from."""
        sal = frame.find_sal()
        self.last_line[self.frame_key(frame)] = (sal.symtab.filename, sal.line)
        self.x("step")

    def in_declaration(self, symtab, decl_line, line):
        """Whether a stop at `line` is inside the declaration that starts at `decl_line` (a
        multi-line initialiser): no `;` in the source from the declaration to the stop. Then
        the variable holds whatever the stack held, which differs between runs."""
        name = symtab.fullname()
        if name not in self.sources:
            try:
                with open(name, encoding="utf-8", errors="replace") as f:
                    self.sources[name] = f.read().split("\n")
            except OSError:
                self.sources[name] = None
        src = self.sources[name]
        if src is None or decl_line >= line:
            return False
        return ";" not in "\n".join(src[decl_line - 1:line - 1])

    def stmt_rows(self, symtab):
        """Addresses of the is_stmt rows of symtab's line table (gdb 13's Python does not show
        is_stmt: read `maint info line-table`, once per file)."""
        name = symtab.fullname()
        if name not in self.stmt_cache:
            # The argument is a regexp matched against file names: the basename, escaped; the
            # sections are told apart by their "symtab: FULLNAME (" headers.
            base = re.sub(r"([.*\[\]^$\\])", r"\\\1", os.path.basename(name))
            text = gdb.execute("maint info line-table " + base, to_string=True)
            rows, mine = set(), False
            for line in text.splitlines():
                if line.startswith("symtab: "):
                    mine = line[8:].rsplit(" ((struct symtab", 1)[0] == name
                    continue
                m = re.match(r"\d+\s+\d+\s+(0x[0-9a-f]+)\s+Y", line)
                if mine and m:
                    rows.add(int(m.group(1), 16))
            self.stmt_cache[name] = rows
        return self.stmt_cache[name]

    def is_stop_after_finish(self, frame):
        """Where `finish` out of foreign code lands in an own frame, `step` (stepping over a
        function without line info) would stop only at the start of an is_stmt line-table row
        of a line other than the one that frame was stepping from."""
        sal = frame.find_sal()
        return (sal.pc == frame.pc() and frame.pc() in self.stmt_rows(sal.symtab) and
                self.last_line.get(self.frame_key(frame)) != (sal.symtab.filename, sal.line))

    @staticmethod
    def at_function_entry(frame):
        try:
            return frame.pc() == int(frame.function().value().address)
        except (gdb.error, RuntimeError):
            return False

    def stepi_to_own_code(self):
        for _ in range(100000):
            self.x("stepi")
            if self.exited or self.frame_is_own(gdb.selected_frame()):
                return

    def run(self):
        for fname, func in self.find_own_sources():
            try:
                gdb.Breakpoint("%s:%s" % (fname, func), internal=True)
            except gdb.error:
                pass
        main_bp = gdb.Breakpoint("main", internal=True)
        self.x("run")
        main_bp.delete()
        # libc is loaded now: catch longjmp, which a `step` over it would not follow.
        try:
            gdb.Breakpoint("longjmp", internal=True)
        except gdb.error:
            pass
        just_finished = False
        while not self.exited:
            frame = gdb.selected_frame()
            if self.signal is not None:
                # Not a stop of `step`: resuming delivers the signal (gdb passes it on), which
                # ends the program (crash, abort) or runs its handler (an own function: its
                # breakpoint stops there).
                self.signal = None
                self.x("step" if self.frame_is_own(frame) else "finish"
                       if self.any_own_caller(frame) else "continue")
                continue
            if self.frame_is_own(frame):
                if self.at_function_entry(frame):
                    # `step` delivering a signal stops at its handler's first instruction,
                    # before the prologue (parameters not yet in place): go on to the
                    # handler's first line, where a call is stopped at.
                    just_finished = False
                    self.x("step")
                    continue
                if just_finished and not self.is_stop_after_finish(frame):
                    just_finished = False
                    self.step_from(frame)
                    continue
                just_finished = False
                if self.stops >= self.max_stops:
                    self.out.write("TRUNCATED after %d stops\n" % self.stops)
                    break
                self.emit(frame)
                self.step_from(frame)
            elif "longjmp" in (frame.name() or ""):
                # `finish` never returns from a longjmp and `step` does not follow it: go
                # instruction by instruction to where it lands (a setjmp's return, mid-line).
                just_finished = True
                self.stepi_to_own_code()
            elif self.any_own_caller(frame):
                just_finished = True
                self.x("finish")
            else:
                # Foreign code with no own caller (after main returned): run to the end or
                # to the next own function (an atexit handler) hit by a breakpoint.
                just_finished = False
                self.x("continue")
        self.out.flush()


def gdb_main():
    for cmd in ("set pagination off", "set confirm off", "set width 0", "set height 0",
                "set debuginfod enabled off", "set disable-randomization on",
                "set startup-with-shell off"):
        try:
            gdb.execute(cmd, to_string=True)
        except gdb.error:
            pass
    path = os.environ.get("GDB_STEPS_OUT")
    out = open(path, "w", encoding="utf-8") if path else sys.stdout
    try:
        Stepper(out).run()
    finally:
        if path:
            out.close()
    # A still-running program (truncated walk) must not keep gdb from exiting.
    if gdb.selected_inferior().pid != 0:
        gdb.execute("kill", to_string=True)


if gdb is not None:
    gdb_main()
elif __name__ == "__main__":
    import signal
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # `| head` ends the output quietly
    if len(sys.argv) != 4 or sys.argv[1] != "--compare":
        sys.stderr.write("usage: python3 gdb_steps.py --compare GDB_LISTING TRACE_LISTING\n")
        sys.exit(2)
    sys.exit(compare(sys.argv[2], sys.argv[3]))
