"""Makes races show up on nearly every run instead of once in a while, without the learner editing a line.

    fuzzer = Fuzzer(roots=[learner_dir], seed=1)
    with fuzzer:
        ...run the learner's program...
    fuzzer.lost_updates        # who read what, what they found, what they wrote

Why opcode tracing: `counter += 1` is one line but several bytecode instructions (read, add, write back),
and a thread switch between the read and the write loses an update. CPython 3.10+ rarely switches right
there, so the race hides. With frame.f_trace_opcodes the tracer runs before every instruction of the
learner's own files, and it sleeps a random moment before the instructions that read or write shared
state: the GIL goes to another thread exactly where the `dis` view says it can (Hettinger's "fuzzing").
The pauses are long (milliseconds) where a switch does harm, between an update's read and its write and
before a read that reports a shared value, and tiny elsewhere; the interpreter's switch interval is made
tiny too. A correct program only gets slower: under a lock, the pauses happen while the lock is held.

Locks taken one inside another are where a lock-order deadlock hides: thread 1 holds A and wants B while
thread 2 holds B and wants A. Only a thread switch between taking the first lock and the second brings it
out, so the tracer also pauses (long) right before a `with` or an `acquire()` that runs while another lock
of the same function may be held (a `with` nested in a `with`, the second item of `with a, b:`, an
`acquire()` after another one). A program with one lock, or locks never nested, is not slowed there.

Shared state means: a store to a global, a closure cell, an attribute or an item (STORE_GLOBAL, STORE_NAME,
STORE_DEREF, STORE_ATTR, STORE_SUBSCR), and a load of a name or attribute that some function of the learner
stores to. Local variables are private to their thread, so they are left alone.

For stores to a name (global or closure cell) the tracer also notices lost updates: it remembers the value
this frame read, and if another thread changed the name before this frame writes, the write throws that
change away. Each one is kept in `lost_updates`, handed to `on_lost_update`, and marked on the timeline when
labkit.recorder is recording.

Works on 3.9 to 3.13: 3.12 turns on opcode events only if some frame asked for them before sys.settrace is
called (later requests wait for the next settrace), so install() asks first; and every traced frame gets
its local tracer set explicitly, which 3.13 needs for a frame's first call.
"""
from __future__ import annotations

import ast
import dis
import os
import random
import sys
import threading
import time
import types
from dataclasses import asdict, dataclass
from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional, Sequence, Set, TextIO, Tuple

_STORES_TO_NAMES = {"STORE_GLOBAL", "STORE_NAME", "STORE_DEREF"}
_STORES_ELSEWHERE = {"STORE_ATTR", "STORE_SUBSCR"}
_NAME_LOADS = {"LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF", "LOAD_CLASSDEREF", "LOAD_FROM_DICT_OR_GLOBALS",
               "LOAD_FROM_DICT_OR_DEREF"}
_ATTR_LOADS = {"LOAD_ATTR"}
_MISSING = object()

# A step of a code object's plan: what the instruction at that offset does to shared state.
# LOAD: a read that reports or uses a shared value (`print(counter)`); UPDATE: the read that starts a
# read-modify-write (a store of the same name follows on its line: `counter += 1`); STORE: a write.
# HOLD: the taking of a lock while another may already be held (see nested_lock_lines).
LOAD, UPDATE, STORE, HOLD = "load", "update", "store", "hold"
Step = Tuple[str, str, str, int]  # (LOAD, UPDATE, STORE or HOLD, opname, name or "", line)
_WITH_ENTERS = {"SETUP_WITH", "BEFORE_WITH"}  # 3.9-3.10, 3.11-3.13: calls the context manager's __enter__
_METHOD_LOADS = {"LOAD_METHOD", "LOAD_ATTR"}  # `lock.acquire` before its call


@dataclass(frozen=True)
class LostUpdate:
    """One write that threw away another thread's change: this thread read `read`, another thread then
    made it `found`, and this thread wrote `wrote`, computed from its stale read."""

    name: str
    read: Any
    found: Any
    wrote: Any
    thread: str
    file: str
    line: int
    function: str

    def as_dict(self) -> Dict[str, Any]:
        return {key: _plain(value) for key, value in asdict(self).items()}


def _plain(value: Any) -> Any:
    """A JSON-friendly stand-in, so reports and timeline markers never hold the learner's objects."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def instructions_by_line(code: types.CodeType) -> List[Tuple[dis.Instruction, int]]:
    """Every instruction of a code object with its source line (Instruction.starts_line is the line number
    up to 3.12 and a bool from 3.13, which has line_number instead)."""
    found = []
    line = code.co_firstlineno
    for instruction in dis.get_instructions(code):
        number = getattr(instruction, "line_number", None)
        if number is None and not isinstance(instruction.starts_line, bool) and instruction.starts_line is not None:
            number = instruction.starts_line
        if number is not None:
            line = number
        found.append((instruction, line))
    return found


def nested_codes(code: types.CodeType) -> Iterable[types.CodeType]:
    """The code object and every function, class body and comprehension defined inside it."""
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from nested_codes(const)


def shared_names(module_code: types.CodeType) -> Tuple[Set[str], Set[str]]:
    """(names, attributes) that some function in this module writes: what threads may share. Module-level
    assignments are left out: they run once, in the main thread, before any other thread exists."""
    names: Set[str] = set()
    attributes: Set[str] = set()
    for code in nested_codes(module_code):
        if code is module_code:
            continue
        for instruction in dis.get_instructions(code):
            if instruction.opname in ("STORE_GLOBAL", "STORE_DEREF"):
                names.add(str(instruction.argval))
            elif instruction.opname == "STORE_ATTR":
                attributes.add(str(instruction.argval))
    return names, attributes


class LockTake(NamedTuple):
    """One place where a function takes a lock (a `with` item, or a call of `.acquire()`), with the locks that
    the same function may hold at that moment, each named by its source text (`total_lock`, `self.lock`)."""

    lines: Tuple[int, ...]  # the line of the `with` or the call, and of the expression when it spans more
    function: str
    lock: str
    held: Tuple[str, ...]


def lock_takes(tree: ast.AST) -> List[LockTake]:
    """Every `with` item and every `.acquire()` call in the learner's code, each with what its function may
    already hold there: the items of enclosing `with` blocks and of earlier items of the same `with`, and
    locks acquire()d earlier and not yet release()d. Functions nested inside are their own scope: they run
    when called, not while the enclosing lock is held."""
    found: List[LockTake] = []

    def span(node: ast.AST, *more: int) -> Tuple[int, ...]:
        first = getattr(node, "lineno", 0)
        last = getattr(node, "end_lineno", None) or first
        return tuple(sorted(set(range(first, last + 1)) | set(more)))

    def visit(node: ast.AST, function: str, held: Tuple[str, ...], acquired: List[str]) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            name = getattr(node, "name", "<lambda>")
            fresh: List[str] = []
            for child in ast.iter_child_nodes(node):
                visit(child, name, (), fresh)
            return
        if isinstance(node, ast.With):
            taken = held
            for item in node.items:
                visit(item, function, taken, acquired)
                found.append(LockTake(span(item.context_expr, node.lineno), function, ast.unparse(item.context_expr),
                                      taken + tuple(acquired)))
                taken = taken + (ast.unparse(item.context_expr),)
            for statement in node.body:
                visit(statement, function, taken, acquired)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, function, held, acquired)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = ast.unparse(node.func.value)
            if node.func.attr == "acquire":
                found.append(LockTake(span(node), function, target, held + tuple(acquired)))
                acquired.append(target)
            elif node.func.attr == "release" and target in acquired:
                acquired.remove(target)

    visit(tree, "<module>", (), [])
    return found


def nested_lock_lines(tree: ast.AST) -> Set[int]:
    """Lines that take a lock while another lock taken by the same function may still be held: a thread that
    pauses there holds one lock and not yet the next, the moment a thread that takes them in the other order
    deadlocks it."""
    return {line for take in lock_takes(tree) if take.held for line in take.lines}


def plan_for(code: types.CodeType, names: Set[str], attributes: Set[str],
             lock_lines: Optional[Set[int]] = None) -> Dict[int, Step]:
    """Offsets of the instructions to fuzz in one code object, and what each one does."""
    plan: Dict[int, Step] = {}
    stores_after: Dict[Tuple[str, int], int] = {}  # (name, line) -> offset of the last store there
    listed = instructions_by_line(code)
    for instruction, line in listed:
        if instruction.opname in _STORES_TO_NAMES or instruction.opname == "STORE_ATTR":
            stores_after[(str(instruction.argval), line)] = instruction.offset
    for instruction, line in listed:
        opname = instruction.opname
        name = instruction.argval if isinstance(instruction.argval, str) else ""
        if opname in _STORES_TO_NAMES or opname in _STORES_ELSEWHERE:
            plan[instruction.offset] = (STORE, opname, name, line)
        elif (opname in _NAME_LOADS and name in names) or (opname in _ATTR_LOADS and name in attributes):
            updates = stores_after.get((name, line), -1) > instruction.offset
            plan[instruction.offset] = (UPDATE if updates else LOAD, opname, name, line)
        elif lock_lines and line in lock_lines and (
                opname in _WITH_ENTERS or (opname in _METHOD_LOADS and name == "acquire")):
            plan[instruction.offset] = (HOLD, opname, name, line)
    return plan


class Fuzzer:
    """Injects tiny random sleeps before the learner's reads and writes of shared state, in every thread,
    and makes the interpreter switch threads far more often than usual."""

    def __init__(self, roots: Sequence[str], *, seed: int = 0, max_sleep: float = 0.0003, max_long_sleep: float = 0.005,
                 switch_interval: float = 1e-5, on_lost_update: Optional[Callable[[LostUpdate], None]] = None) -> None:
        self.roots = tuple(os.path.realpath(root) for root in roots)
        self.max_sleep = max_sleep
        self.max_long_sleep = max_long_sleep
        self.switch_interval = switch_interval
        self.on_lost_update = on_lost_update
        self.lost_updates: List[LostUpdate] = []
        self.sleeps = 0
        # `sleeps += 1` from many threads would lose counts: the very race this module exists to show.
        self._count_lock = threading.Lock()
        self._random = random.Random(seed)
        self._files: Dict[str, Optional[Tuple[Set[str], Set[str], Set[int]]]] = {}
        self._plans: Dict[types.CodeType, Optional[Dict[int, Step]]] = {}
        self._saved_interval: Optional[float] = None
        self._installed = False
        # The live globals of each learner module that ran, by real path: runpy hands back only a copy,
        # taken before the threads the module started have finished.
        self.module_globals: Dict[str, Dict[str, Any]] = {}

    @property
    def active(self) -> bool:
        return self._installed

    # -- switching it on and off ---------------------------------------------------------------------
    def install(self) -> None:
        if self._installed:
            return
        self._installed = True
        self._saved_interval = sys.getswitchinterval()
        sys.setswitchinterval(self.switch_interval)
        sys._getframe().f_trace_opcodes = True  # see the module docstring: 3.12 needs this before settrace
        threading.settrace(self._on_call)
        sys.settrace(self._on_call)

    def uninstall(self) -> None:
        if not self._installed:
            return
        self._installed = False
        sys.settrace(None)
        threading.settrace(None)  # type: ignore[arg-type]  # None is what switches it off
        if self._saved_interval is not None:
            sys.setswitchinterval(self._saved_interval)

    def __enter__(self) -> "Fuzzer":
        self.install()
        return self

    def __exit__(self, *exc: object) -> None:
        self.uninstall()

    # -- deciding what to trace ----------------------------------------------------------------------
    def _shared_in_file(self, filename: str) -> Optional[Tuple[Set[str], Set[str], Set[int]]]:
        if filename not in self._files:
            self._files[filename] = self._read_shared(filename)
        return self._files[filename]

    def _read_shared(self, filename: str) -> Optional[Tuple[Set[str], Set[str], Set[int]]]:
        """(shared names, shared attributes, nested lock lines) of a learner's file; None for other files."""
        real = os.path.realpath(filename)
        if not any(real == root or real.startswith(root + os.sep) for root in self.roots):
            return None
        try:
            # Bytes, so compile() reads the file as Python does: a BOM or a coding line is honoured.
            with open(real, "rb") as handle:
                source = handle.read()
            tree = compile(source, real, "exec", ast.PyCF_ONLY_AST)
            return (*shared_names(compile(tree, real, "exec")), nested_lock_lines(tree))
        except (OSError, SyntaxError, ValueError):
            return None

    def plan(self, code: types.CodeType) -> Optional[Dict[int, Step]]:
        found = self._plans.get(code, _MISSING)
        if found is _MISSING:
            shared = self._shared_in_file(code.co_filename)
            found = plan_for(code, *shared) if shared is not None else None
            self._plans[code] = found or None
        return found  # type: ignore[return-value]

    def _on_call(self, frame: types.FrameType, event: str, arg: Any) -> Any:
        if event != "call":
            return None
        code = frame.f_code
        plan = self.plan(code)
        if plan is None:
            return None
        if code.co_name == "<module>":
            self.module_globals[os.path.realpath(code.co_filename)] = frame.f_globals
        tracer = _FrameTracer(self, plan).trace
        frame.f_trace_lines = False
        frame.f_trace_opcodes = True
        frame.f_trace = tracer
        return tracer

    # -- what the tracer does --------------------------------------------------------------------------
    def pause(self, long: bool = False) -> None:
        """Sleeps a random moment. A `long` pause is never near zero: threads that finish their work a few
        milliseconds apart, like a pool's downloads, must still overlap there for the race to show."""
        with self._count_lock:
            self.sleeps += 1
        if long:
            time.sleep(self._random.uniform(0.4 * self.max_long_sleep, self.max_long_sleep))
        else:
            time.sleep(self._random.uniform(0.0, self.max_sleep))

    def lost(self, update: LostUpdate) -> None:
        self.lost_updates.append(update)
        _mark_on_timeline(update, self.roots)
        if self.on_lost_update is not None:
            self.on_lost_update(update)


class _FrameTracer:
    """The tracer of one running frame: remembers what it read, so a later write can tell it was stale."""

    __slots__ = ("fuzzer", "plan", "reads", "pending")

    def __init__(self, fuzzer: Fuzzer, plan: Dict[int, Step]) -> None:
        self.fuzzer = fuzzer
        self.plan = plan
        self.reads: Dict[str, Any] = {}
        self.pending: Optional[Tuple[str, str, Any, Any, int]] = None

    def trace(self, frame: types.FrameType, event: str, arg: Any) -> Any:
        if event != "opcode":
            return self.trace
        if self.pending is not None:
            self._finish_store(frame)
        step = self.plan.get(frame.f_lasti)
        if step is None:
            return self.trace
        kind, opname, name, line = step
        # Long pauses where a switch does harm: between an update's read and its write, before a read
        # that reports a shared value (another thread's update can land first, so the report is of the
        # wrong value), and before taking a lock while another may be held (another thread can take that
        # one first, in the other order). The read that starts an update gets a short one.
        self.fuzzer.pause(long=(kind == STORE and (opname in _STORES_ELSEWHERE or name in self.reads))
                          or kind == LOAD or kind == HOLD)
        if kind == HOLD:
            return self.trace
        # Read values after the pause, right before the instruction runs, so they are what it will see.
        if kind != STORE:
            self.reads[name] = _value_of(frame, opname, name) if opname in _NAME_LOADS else _MISSING
        elif kind == STORE and name in self.reads:
            read = self.reads.pop(name)
            found = _value_of(frame, opname, name) if opname in _STORES_TO_NAMES else _MISSING
            if found is not _MISSING and read is not _MISSING and not _same(found, read):
                self.pending = (opname, name, read, found, line)
        return self.trace

    def _finish_store(self, frame: types.FrameType) -> None:
        opname, name, read, found, line = self.pending  # type: ignore[misc]
        self.pending = None
        code = frame.f_code
        self.fuzzer.lost(LostUpdate(name=name, read=_plain(read), found=_plain(found),
                                    wrote=_plain(_value_of(frame, opname, name)), thread=threading.current_thread().name,
                                    file=code.co_filename, line=line, function=code.co_name))


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a is b or a == b)
    except Exception:  # noqa: BLE001 — a learner's __eq__ may raise; then it is not "the same"
        return False


def _value_of(frame: types.FrameType, opname: str, name: str) -> Any:
    if opname.endswith("GLOBAL") or opname == "LOAD_FROM_DICT_OR_GLOBALS":
        return frame.f_globals.get(name, _MISSING)
    found = frame.f_locals.get(name, _MISSING)
    if found is _MISSING and opname.endswith("NAME"):
        found = frame.f_globals.get(name, _MISSING)
    return found


def _trace_file(path: str, roots: Sequence[str]) -> str:
    """The file as the trace names it (docs/trace-format.md): relative to the learner's folder, with '/'."""
    real = os.path.realpath(path)
    for root in roots:
        if real.startswith(root + os.sep):
            return os.path.relpath(real, root).replace(os.sep, "/")
    return real


def _mark_on_timeline(update: LostUpdate, roots: Sequence[str]) -> None:
    # Only when the timeline is being recorded: importing the recorder otherwise would cost every run.
    recorder = sys.modules.get("labkit.recorder")
    if recorder is None or not recorder.is_recording():
        return
    recorder.mark("lost update", {"name": update.name, "read": update.read, "found": update.found,
                                  "wrote": update.wrote, "function": update.function,
                                  "file": _trace_file(update.file, roots), "line": update.line})


class FuzzedStream:
    """Stands in for sys.stdout: sleeps a tiny random time before each write, so the two writes of one
    print() (the text, then the newline) can be split by another thread's output, as they can on any
    machine, just far more often. Every write is also logged with its thread and time."""

    def __init__(self, wrapped: TextIO, fuzzer: Optional[Fuzzer]) -> None:
        self.wrapped = wrapped
        self.fuzzer = fuzzer
        self.writes: List[Tuple[int, str, str]] = []  # (perf_counter_ns, thread name, text)

    def write(self, text: str) -> int:
        if self.fuzzer is not None and self.fuzzer.active:
            self.fuzzer.pause()
        # list.append is atomic, so logging needs no lock that would itself change the interleaving.
        self.writes.append((time.perf_counter_ns(), threading.current_thread().name, text))
        return self.wrapped.write(text)

    def text(self) -> str:
        return "".join(text for _, _, text in self.writes)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.wrapped, attribute)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """`python -m labkit.fuzz program.py [args]`: runs a program with its schedule fuzzed, as Check does,
    and says on stderr how many lost updates were caught."""
    import runpy
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] in ("-h", "--help"):
        print("usage: python -m labkit.fuzz program.py [arguments...]\n"
              "Runs program.py with tiny random pauses before every read and write of shared state, so races "
              "show up on every run.", file=sys.stderr)
        return 2
    path = arguments[0]
    if not os.path.isfile(path):
        print(f"No such file: {path}. Run this in your lab's folder, e.g. python -m labkit.fuzz counter.py",
              file=sys.stderr)
        return 2
    sys.argv = arguments
    sys.path[0] = os.path.dirname(os.path.abspath(path))
    fuzzer = Fuzzer([sys.path[0]], seed=random.SystemRandom().randrange(1 << 30))
    stream = FuzzedStream(sys.stdout, fuzzer)
    sys.stdout = stream  # type: ignore[assignment]
    try:
        with fuzzer:
            runpy.run_path(path, run_name="__main__")
            # Threads the program left running still belong to this run: wait for them, still fuzzed.
            for thread in threading.enumerate():
                if thread is not threading.current_thread() and not thread.daemon:
                    thread.join()
    finally:
        sys.stdout = stream.wrapped
        caught = fuzzer.lost_updates
        summary = f"[labkit.fuzz] {len(caught)} lost update(s) caught"
        if caught:
            first = caught[0]
            summary += (f"; the first: {first.thread} read {first.name} = {first.read}, another thread made it "
                        f"{first.found}, and {first.thread} wrote {first.wrote} over that "
                        f"({os.path.basename(first.file)} line {first.line})")
        print(summary, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
