"""Watches asyncio inside the learner's process, for probes: every event loop made (and where), every
stretch of time a running loop was blocked (and at which of the learner's lines), every task (its
coroutine, whether it was cancelled, how it ended) and every coroutine that was never awaited.

A lab's probe installs it before the learner's code runs and reports at the end:

    from labkit import asyncwatch
    asyncwatch.install()
    try:
        ...                      # run the learner's program, or call its coroutines
    finally:
        asyncwatch.report()

How, on every Python from 3.9 to 3.13:
- Loops: BaseEventLoop.__init__ (pure Python on every version, whatever the loop class).
- Blocking: a heartbeat callback in each running loop stamps the time every few milliseconds, and a
  watchdog thread notices when the stamp goes stale: the loop's thread is stuck in something that is not
  awaiting. The watchdog takes that thread's stack at that moment, so the report names the learner's line
  that blocked (a time.sleep, a urlopen, a CPU-bound loop), which reading the code could only guess.
- Tasks: a task factory on each loop makes a subclass of asyncio.Task that notes cancel() calls; a done
  callback notes how the task ended.
- Locks and semaphores: asyncio.Lock and asyncio.Semaphore (BoundedSemaphore too) count how many were
  made at each of the learner's lines, so one made per download (which never makes anyone wait) is named,
  and how many of those were made with no event loop running (on 3.9 such a one belongs to another loop
  than the one asyncio.run() starts, and waiting on it fails with "attached to a different loop").
- Never-awaited coroutines: coroutine origin tracking plus a warnings.showwarning hook, so the
  "coroutine ... was never awaited" RuntimeWarning comes with the line where the coroutine was made.
"""
from __future__ import annotations

import asyncio
import _thread
import asyncio.base_events as base_events
import gc
import inspect
import itertools
import os
import re
import sys
import threading
import time
import warnings
from typing import Any, Dict, List, Optional

from labkit import probe
from labkit.stacks import is_inside

# How often a running loop stamps its heartbeat, and how long a stale stamp counts as a blocked loop.
BEAT_SECONDS = 0.005
STALL_SECONDS = 0.05
_WATCH_SECONDS = 0.01
_ORIGIN_DEPTH = 32
_UNAWAITED = re.compile(r"coroutine '([^']+)' was never awaited")
_OWN_CALLBACK = re.compile(r"_task_ended\(\) at [^,\]]*(, )?")
_NO_CALLBACKS = re.compile(r" cb=\[\]")
_ORIGIN_FRAME = re.compile(r'File "(.*)", line (\d+), in (.+)')

_now = time.perf_counter
_task_ids = itertools.count(1)
_lock = threading.Lock()
_installed = False
_learner_dir = ""
_loops: List[Dict[str, Any]] = []
_stalls: List[Dict[str, Any]] = []
_tasks: List[Dict[str, Any]] = []
_unawaited: List[Dict[str, Any]] = []
_marks: List[Dict[str, Any]] = []
# (kind, file, line, function) -> how many were made there, and how many of those with no loop running.
_primitives: Dict[Any, int] = {}
_primitives_outside: Dict[Any, int] = {}


# -- where in the learner's code ----------------------------------------------------------------------

def _relative(path: str) -> str:
    return os.path.relpath(os.path.realpath(path), os.path.realpath(_learner_dir))


def _is_learners(filename: str) -> bool:
    # "<frozen runpy>", "<string>": not files, and a relative name would resolve into the current folder.
    return not filename.startswith("<") and is_inside(filename, _learner_dir)


def _learner_frames(frame: Any) -> List[Dict[str, Any]]:
    """The learner's frames on a stack, innermost first."""
    found = []
    while frame is not None:
        code = frame.f_code
        if _is_learners(code.co_filename):
            found.append({"file": _relative(code.co_filename), "line": frame.f_lineno, "function": code.co_name})
        frame = frame.f_back
    return found


def _caller_site() -> Optional[Dict[str, Any]]:
    frames = _learner_frames(sys._getframe(2))
    return frames[0] if frames else None


# -- blocked loops --------------------------------------------------------------------------------------

class _LoopState:
    """One loop's heartbeat. The loop thread writes `beat`; the watchdog reads it and fills `stall`."""

    def __init__(self, loop: asyncio.AbstractEventLoop, number: int) -> None:
        self.loop = loop
        self.number = number
        self.thread: Optional[int] = None
        self.running = False
        self.beat = _now()
        self.stall: Optional[Dict[str, Any]] = None
        self.scheduled = False

    def on_beat(self) -> None:
        now = _now()
        with _lock:
            self._close_stall(now)
            self.beat = now
        if self.running:
            self.loop.call_later(BEAT_SECONDS, self.on_beat)
        else:
            self.scheduled = False

    def _close_stall(self, now: float) -> None:
        if self.stall is not None:
            self.stall["seconds"] = now - self.stall["start"]
            _stalls.append(self.stall)
            self.stall = None

    def start(self) -> None:
        with _lock:
            self.thread = threading.get_ident()
            self.running = True
            self.beat = _now()
        if not self.scheduled:
            self.scheduled = True
            self.loop.call_soon(self.on_beat)
        _Watchdog.ensure_running()

    def stop(self) -> None:
        with _lock:
            self.running = False
            # A loop stopped in the middle of a stall (run_until_complete returning) ends that stall here.
            self._close_stall(_now())

    def look(self, now: float) -> None:
        """Called by the watchdog: opens a stall, with the loop thread's stack, when the beat is stale."""
        with _lock:
            if not self.running or self.stall is not None or now - self.beat < STALL_SECONDS:
                return
            frame = sys._current_frames().get(self.thread or 0)
            where = _learner_frames(frame)
            self.stall = {"loop": self.number, "start": self.beat, "seconds": now - self.beat, "where": where}


_states: List[_LoopState] = []


class _Watchdog:
    """Polls every loop's heartbeat from its own thread. A bare _thread, not a threading.Thread: it is
    the checks' machinery, so it stays off the learner's timeline and out of threading.enumerate()."""

    _started = False

    @classmethod
    def ensure_running(cls) -> None:
        with _lock:
            if not cls._started:
                cls._started = True
                _thread.start_new_thread(cls._watch, ())

    @staticmethod
    def _watch() -> None:
        while True:
            time.sleep(_WATCH_SECONDS)
            now = _now()
            for state in list(_states):
                state.look(now)


def _state_of(loop: Any) -> Optional[_LoopState]:
    return getattr(loop, "_labkit_watch", None)


# -- tasks ----------------------------------------------------------------------------------------------

def _coroutine_name(coro: Any) -> str:
    code = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
    return getattr(coro, "__qualname__", None) or (code.co_name if code else type(coro).__name__)


class _WatchedTask(asyncio.Task):  # type: ignore[misc, type-arg]
    """A Task that notes who cancels it; everything else is asyncio's own (the C Task where there is one)."""

    _labkit_record: Dict[str, Any]

    def cancel(self, *args: Any, **kwargs: Any) -> bool:
        record = getattr(self, "_labkit_record", None)
        if record is not None and record["cancelAt"] is None:
            record["cancelAt"] = _now()
            record["cancelSite"] = _caller_site()
        return super().cancel(*args, **kwargs)

    def set_name(self, value: object) -> None:
        # 3.13.0's create_task calls set_name(None) after a task factory, which would name every task
        # "None"; without a factory, and on other versions, no name leaves the default "Task-<n>".
        if value is not None:
            super().set_name(value)

    def __repr__(self) -> str:
        # The checks' own done callback is no part of the learner's task.
        return _NO_CALLBACKS.sub("", _OWN_CALLBACK.sub("", super().__repr__()))


# A learner who prints a task should see <Task pending ...>, as without the checks.
_WatchedTask.__name__ = _WatchedTask.__qualname__ = "Task"


def _task_ended(task: "asyncio.Task[Any]") -> None:
    record = task._labkit_record  # type: ignore[attr-defined]
    record["doneAt"] = _now()
    record["name"] = task.get_name()
    # _exception, not exception(): reading it that way would mark the error as retrieved, and asyncio
    # would no longer tell the learner about a task whose exception nobody looked at.
    error = None if task.cancelled() else getattr(task, "_exception", None)
    if task.cancelled():
        record["outcome"] = "cancelled"
    elif error is not None:
        record["outcome"] = "exception"
        record["exception"] = f"{type(error).__name__}: {error}"
    else:
        record["outcome"] = "result"


def _task_factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> "asyncio.Task[Any]":
    task = _WatchedTask(coro, loop=loop, **kwargs)
    try:
        parent = asyncio.current_task(loop)
    except RuntimeError:
        parent = None
    record = {"id": next(_task_ids), "coroutine": _coroutine_name(coro), "createdAt": _now(),
              "site": _caller_site(), "parent": getattr(parent, "_labkit_record", {}).get("id"),
              "cancelAt": None, "cancelSite": None, "doneAt": None, "outcome": None, "name": None}
    task._labkit_record = record
    _tasks.append(record)
    task.add_done_callback(_task_ended)
    return task


# -- locks and semaphores ------------------------------------------------------------------------------

def _count_made(cls: Any, kind: str) -> None:
    made = cls.__init__

    def watched_init(self: Any, *args: Any, **kwargs: Any) -> None:
        made(self, *args, **kwargs)
        # A BoundedSemaphore's __init__ calls Semaphore's: count it once, under its own class.
        if getattr(self, "_labkit_counted", False):
            return
        self._labkit_counted = True
        site = _caller_site()
        if site is not None:
            key = (type(self).__name__ if kind == "Semaphore" else kind, site["file"], site["line"], site["function"])
            outside = asyncio.events._get_running_loop() is None
            with _lock:
                _primitives[key] = _primitives.get(key, 0) + 1
                if outside:
                    _primitives_outside[key] = _primitives_outside.get(key, 0) + 1

    cls.__init__ = watched_init  # type: ignore[method-assign]


def _watch_primitives() -> None:
    _count_made(asyncio.locks.Semaphore, "Semaphore")
    _count_made(asyncio.locks.Lock, "Lock")


# -- installing -----------------------------------------------------------------------------------------

def _watch_loops() -> None:
    loop_init = base_events.BaseEventLoop.__init__
    run_forever = base_events.BaseEventLoop.run_forever

    def watched_init(self: Any, *args: Any, **kwargs: Any) -> None:
        loop_init(self, *args, **kwargs)
        number = len(_loops) + 1
        _loops.append({"number": number, "createdAt": _now(), "site": _caller_site()})
        state = _LoopState(self, number)
        self._labkit_watch = state
        _states.append(state)
        self.set_task_factory(_task_factory)

    def watched_run_forever(self: Any) -> None:
        state = _state_of(self)
        if state is None:
            return run_forever(self)
        state.start()
        try:
            return run_forever(self)
        finally:
            state.stop()

    base_events.BaseEventLoop.__init__ = watched_init  # type: ignore[method-assign]
    base_events.BaseEventLoop.run_forever = watched_run_forever  # type: ignore[method-assign]


def _watch_warnings() -> None:
    sys.set_coroutine_origin_tracking_depth(_ORIGIN_DEPTH)
    shown = warnings.showwarning

    def watched_showwarning(message: Any, category: Any, filename: str, lineno: int, file: Any = None,
                            line: Optional[str] = None) -> None:
        text = str(message)
        found = _UNAWAITED.search(text)
        if found and issubclass(category, RuntimeWarning):
            origin = [{"file": _relative(f), "line": int(n), "function": fn.strip()} for f, n, fn in _ORIGIN_FRAME.findall(text)
                      if _is_learners(f)]
            _unawaited.append({"coroutine": found.group(1), "site": origin[-1] if origin else None})
            # What the learner sees stays short: the origin is in the check's message, at their line.
            message = f"coroutine '{found.group(1)}' was never awaited"
        shown(message, category, filename, lineno, file, line)

    warnings.showwarning = watched_showwarning
    # The default filter shows a warning once per place; every never-awaited coroutine should count.
    warnings.filterwarnings("always", message=r"coroutine '.*' was never awaited", category=RuntimeWarning)


def install(learner_dir: Optional[str] = None) -> None:
    """Starts watching; call before the learner's code makes its first event loop."""
    global _installed, _learner_dir
    if _installed:
        return
    _installed = True
    _learner_dir = learner_dir or probe.learner_dir()
    _watch_loops()
    _watch_warnings()
    _watch_primitives()


def not_coroutine_function(module: Any, names: List[str]) -> Optional[str]:
    """The first of `names` that the learner's module lacks, or has as something other than an async def."""
    return next((name for name in names if not inspect.iscoroutinefunction(getattr(module, name, None))), None)


def mark(name: str, **fields: Any) -> float:
    """Notes a moment (a probe's own 'supervisor started'); returns the time, on the same clock as the rest."""
    at = _now()
    _marks.append({"name": name, "at": at, **fields})
    return at


def snapshot() -> Dict[str, Any]:
    """Everything seen so far, as JSON-ready data (open stalls are closed as they stand)."""
    gc.collect()  # coroutines that were never awaited warn when they are collected
    now = _now()
    with _lock:
        open_stalls = [dict(s.stall, seconds=now - s.stall["start"]) for s in _states if s.stall is not None]
        return {"loops": [dict(x) for x in _loops], "stalls": [dict(x) for x in _stalls] + open_stalls,
                "tasks": [dict(x) for x in _tasks], "unawaited": [dict(x) for x in _unawaited],
                "marks": [dict(x) for x in _marks],
                "primitives": [{"kind": kind, "file": file, "line": line, "function": function, "made": made,
                                "outsideLoop": _primitives_outside.get((kind, file, line, function), 0)}
                               for (kind, file, line, function), made in _primitives.items()]}


def report(**extra: Any) -> None:
    """Sends what was seen to the checker, with the probe's own observations in `extra`."""
    probe.report({"asyncwatch": snapshot(), **extra})
