"""Where a timed-out program was: a snapshot the learner's process takes of itself just before its
deadline (thread names, which threads were using the CPU, where each asyncio task was suspended), or
faulthandler's dump when the snapshot could not be taken, mapped to the learner's own lines."""
from __future__ import annotations

import os
import re
import sys
import threading
import time
import types
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Set

_THREAD = re.compile(r"^(Current thread|Thread) (0x[0-9a-fA-F]+)")
_FRAME = re.compile(r'^\s+File "(.*)", line (\d+) in (.+)$')
_LABKIT_DIR = os.path.dirname(os.path.abspath(__file__))

# What a thread or task was doing: on the CPU (a busy loop), blocked (a lock, a join, a sleep, I/O),
# or an asyncio task parked at an await.
RUNNING, WAITING, SUSPENDED = "running", "waiting", "suspended"


@dataclass(frozen=True)
class Frame:
    file: str
    line: int
    function: str


@dataclass(frozen=True)
class ThreadStack:
    thread: str
    frames: List[Frame]  # outermost first, like a Python traceback
    state: Optional[str] = None
    main: Optional[bool] = None  # None: not known (a faulthandler dump), so guessed from the frames
    task: bool = False
    awaiting: Optional[str] = None
    coroutine: Optional[str] = None


# -- in the learner's process ----------------------------------------------------------------------

def _frames_of(frame: Optional[types.FrameType]) -> List[Dict[str, Any]]:
    found = []
    while frame is not None:
        found.append({"file": frame.f_code.co_filename, "line": frame.f_lineno, "function": frame.f_code.co_name})
        frame = frame.f_back
    return list(reversed(found))


def _cpu_seconds_by_native_id() -> Dict[int, float]:
    """Each thread's CPU time so far, where the system tells it (Linux); empty elsewhere."""
    folder = "/proc/self/task"
    try:
        ticks = float(os.sysconf("SC_CLK_TCK"))
        names = os.listdir(folder)
    except (OSError, ValueError, AttributeError):
        return {}
    result: Dict[int, float] = {}
    for name in names:
        try:
            with open(os.path.join(folder, name, "stat"), encoding="ascii") as handle:
                text = handle.read()
            fields = text[text.rindex(")") + 2:].split()
            result[int(name)] = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
        except (OSError, ValueError, IndexError):
            continue
    return result


def _state(before: Dict[int, float], after: Dict[int, float], native_id: Optional[int], window: float) -> Optional[str]:
    if native_id is None or native_id not in before or native_id not in after:
        return None
    # A blocked thread uses no CPU at all; a busy one uses a share of a core even when ten of them take
    # turns holding the GIL, so a low bar (two clock ticks) tells them apart.
    used = after[native_id] - before[native_id]
    return RUNNING if used >= max(0.02, 0.04 * window) else WAITING


def _event_loops(frames: Iterable[types.FrameType]) -> Dict[int, Any]:
    """Loops running on some thread, each with the future its run_until_complete waits for (asyncio.run's
    main task), found in the loop's own frames: another thread cannot ask asyncio for its running loop."""
    asyncio = sys.modules.get("asyncio")
    loops: Dict[int, Any] = {}
    if asyncio is None:
        return loops
    for frame in frames:
        walk: Optional[types.FrameType] = frame
        while walk is not None:
            if walk.f_code.co_name in ("run_forever", "run_until_complete") and "asyncio" in walk.f_code.co_filename:
                owner = walk.f_locals.get("self")
                if isinstance(owner, asyncio.AbstractEventLoop):
                    entry = loops.setdefault(id(owner), {"loop": owner, "main": None})
                    if walk.f_code.co_name == "run_until_complete":
                        entry["main"] = walk.f_locals.get("future")
            walk = walk.f_back
    return loops


def _coroutine_name(task: Any) -> str:
    coro = task.get_coro()
    return str(getattr(coro, "__qualname__", None) or getattr(coro, "__name__", "?"))


def _task_label(task: Any) -> str:
    return f"task '{task.get_name()}' ({_coroutine_name(task)})"


def _task_stacks(frames: Dict[int, types.FrameType]) -> List[Dict[str, Any]]:
    """Where each unfinished asyncio task is suspended: its coroutine and every coroutine it awaits in
    turn (Task.get_stack() stops at the outermost one)."""
    asyncio = sys.modules.get("asyncio")
    if asyncio is None:
        return []
    on_threads: Set[int] = set()
    for frame in frames.values():
        walk: Optional[types.FrameType] = frame
        while walk is not None:
            on_threads.add(id(walk))
            walk = walk.f_back
    result = []
    for entry in _event_loops(frames.values()).values():
        for task in sorted(asyncio.all_tasks(entry["loop"]), key=lambda t: t.get_name()):
            chain: List[Dict[str, Any]] = []
            awaited: Any = task.get_coro()
            outermost = getattr(awaited, "cr_frame", None)
            if outermost is not None and id(outermost) in on_threads:
                continue  # running right now: its thread's stack already shows it
            while awaited is not None and len(chain) < 50:
                step: Any = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
                if step is None:
                    break
                chain.append({"file": step.f_code.co_filename, "line": step.f_lineno, "function": step.f_code.co_name})
                awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
            # `await other_task` leaves an iterator in cr_await that does not say which task; the
            # waiting task's _fut_waiter does (the C and the Python Task both have it, 3.9 to 3.13).
            waiter = getattr(task, "_fut_waiter", None)
            waits_for = _task_label(waiter) if isinstance(waiter, asyncio.Task) else None
            result.append({"thread": f"task '{task.get_name()}'", "coroutine": _coroutine_name(task), "task": True,
                           "main": task is entry["main"], "state": SUSPENDED, "awaiting": waits_for, "frames": chain})
    return result


def snapshot(skip: Set[int], window: float) -> Dict[str, Any]:
    """Every thread's name, stack and whether it used the CPU over the last `window` seconds, and every
    asyncio task's stack. Runs on a watchdog thread of the learner's process shortly before its deadline."""
    before = _cpu_seconds_by_native_id()
    time.sleep(window)
    after = _cpu_seconds_by_native_id()
    frames = {ident: frame for ident, frame in sys._current_frames().items() if ident not in skip}
    by_ident = {thread.ident: thread for thread in threading.enumerate()}
    main_ident = threading.main_thread().ident
    threads = []
    for ident, frame in frames.items():
        thread = by_ident.get(ident)
        name = "main thread" if ident == main_ident else f"thread '{thread.name}'" if thread else f"thread {ident:#x}"
        native = getattr(thread, "native_id", None)
        threads.append({"thread": name, "main": ident == main_ident, "frames": _frames_of(frame),
                        "state": _state(before, after, native, window)})
    try:
        tasks = _task_stacks(frames)
    except Exception:  # noqa: BLE001 — a loop changing under us; the threads' stacks still say enough
        tasks = []
    return {"threads": threads, "tasks": tasks}


# -- in the checker --------------------------------------------------------------------------------

def from_snapshot(data: Dict[str, Any]) -> List[ThreadStack]:
    stacks = []
    for item in list(data.get("tasks", [])) + list(data.get("threads", [])):
        frames = [Frame(str(f["file"]), int(f["line"]), str(f["function"])) for f in item.get("frames", [])]
        stacks.append(ThreadStack(str(item.get("thread")), frames, item.get("state"), bool(item.get("main")),
                                  bool(item.get("task")), item.get("awaiting"), item.get("coroutine")))
    return stacks


def parse_faulthandler(text: str) -> List[ThreadStack]:
    stacks: List[ThreadStack] = []
    name: Optional[str] = None
    frames: List[Frame] = []
    for raw in text.splitlines():
        header = _THREAD.match(raw)
        if header:
            if name is not None:
                stacks.append(ThreadStack(name, list(reversed(frames))))
            name, frames = f"thread {header.group(2)}", []
            continue
        frame = _FRAME.match(raw)
        if frame and name is not None:
            frames.append(Frame(frame.group(1), int(frame.group(2)), frame.group(3).strip()))
    if name is not None:
        stacks.append(ThreadStack(name, list(reversed(frames))))
    return stacks


def is_inside(path: str, folder: str) -> bool:
    try:
        real, root = os.path.realpath(path), os.path.realpath(folder)
        return os.path.commonpath([real, root]) == root
    except ValueError:  # different drives on Windows
        return False


def _is_main(stack: ThreadStack) -> bool:
    if stack.main is not None:
        return stack.main and not stack.task
    outermost = stack.frames[0].function if stack.frames else ""
    return outermost == "_run_module_as_main" or any(f.function == "<module>" for f in stack.frames[:3])


def _label(stack: ThreadStack, learner: List[Frame]) -> str:
    if _is_main(stack):
        return "main thread"
    if stack.task:  # named by the learner's coroutine, not a wrapper the checks ran it in
        return f"{stack.thread} ({learner[0].function if learner else stack.coroutine})"
    if stack.main is None and learner:  # a faulthandler dump has no names, only idents
        return f"{stack.thread} running {learner[0].function}()"
    return stack.thread


def _is_machinery(stack: ThreadStack) -> bool:
    """A thread of the checks' own (an asyncio watchdog) that only ever runs labkit code."""
    return bool(stack.frames) and all(is_inside(f.file, _LABKIT_DIR) for f in stack.frames)


def _record(stack: ThreadStack, frames: List[Frame], learner: List[Frame]) -> Dict[str, object]:
    record: Dict[str, object] = {"thread": _label(stack, learner), "frames": [f.__dict__ for f in frames]}
    if stack.state:
        record["state"] = stack.state
    if stack.awaiting:
        record["awaiting"] = stack.awaiting
    if stack.task:
        record["task"] = True
        record["mainTask"] = bool(stack.main)
    return record


def _order(record: Dict[str, object]) -> int:
    """The main task first (its await is usually the one that never returns), then the main thread,
    then other tasks, then other threads."""
    if record.get("mainTask"):
        return 0
    if record["thread"] == "main thread":
        return 1
    return 2 if record.get("task") else 3


def learner_stacks(stacks: List[ThreadStack], learner_dir: str) -> List[Dict[str, object]]:
    """Protocol `stacks`: only the learner's frames (file relative to the learner folder) for threads
    and tasks that are in learner code; those only in library code (idle pool workers) are left out,
    unless none is in learner code at all: then each is kept whole, except frames in things that are
    no file (<frozen runpy>), which nobody can open."""
    result: List[Dict[str, object]] = []
    for stack in stacks:
        learner = [Frame(os.path.relpath(os.path.realpath(f.file), os.path.realpath(learner_dir)), f.line, f.function)
                   for f in stack.frames if is_inside(f.file, learner_dir)]
        if learner:
            result.append(_record(stack, learner, learner))
    if not result:
        for stack in stacks:
            if _is_machinery(stack):
                continue
            real = [f for f in stack.frames if not f.file.startswith("<")]
            if real:
                result.append(_record(stack, real, []))
    result.sort(key=_order)
    return result


def _doing(stack: Dict[str, object]) -> str:
    state = stack.get("state")
    if state == RUNNING:
        return "was running (busy on the CPU)"
    if state == WAITING:
        return "was waiting (blocked, using no CPU)"
    if state == SUSPENDED:
        return "was suspended"
    return "was"


def _natural(text: str) -> List[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def describe(stacks: List[Dict[str, object]]) -> str:
    """One line per thread or task: what it was doing and where when time ran out. Threads doing the
    same thing at the same line (ten workers at one acquire()) share a line."""
    groups: Dict[tuple, List[str]] = {}
    for stack in stacks:
        frames = stack["frames"]
        if isinstance(frames, list) and frames:
            top = frames[-1]
            key = (_doing(stack), top["file"], top["line"], top["function"], stack.get("awaiting"), stack.get("task", False))
            groups.setdefault(key, []).append(str(stack["thread"]))
    lines = []
    for (doing, file, line, function, awaiting, task), names in groups.items():
        if len(names) == 1 or task:
            who = ", ".join(names)
        else:
            names.sort(key=_natural)
            who = f"{len(names)} threads ({', '.join(n.replace('thread ', '', 1) for n in names)})"
            doing = doing.replace("was ", "were ", 1)
        text = f"  {who} {doing} at {file} line {line} in {function}"
        lines.append(text + (f", awaiting {awaiting}" if awaiting else ""))
    return "\n".join(lines)
