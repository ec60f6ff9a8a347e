"""Records what the learner's program did, for the run timeline (docs/trace-format.md), without the
learner editing a line: thread lifetimes, executor work items, asyncio tasks and their steps, locks made
in the learner's files, child processes, and calls of the lab's functions of interest.

    start(trace_path, roots, functions=(), max_events=200_000)   before the learner's module runs
    stop()                                                        after it, also on exceptions and SystemExit
    mark(name, args)                                              a marker on the calling thread's lane

How, and why this way (every mechanism works unchanged on Python 3.9 to 3.13):
- Threads: Thread.start (the parent lane, for the flow arrow) and Thread._bootstrap_inner (runs in the new
  thread around run(), so subclasses that override run() are covered too).
- asyncio: the C Task has no Python-level __step to wrap, but every step is a loop callback, and
  asyncio.events.Handle._run is pure Python on every version: a callback whose __self__ is a task we saw
  being created is that task's step. Tasks are seen in BaseEventLoop.create_task; names are read when the
  task ends, because asyncio.create_task sets the name after the loop's create_task returns (3.9-3.12).
- Executors: the thread pool's _WorkItem (made on the submitting thread, run on the worker) and the
  process pool's submit, whose function is wrapped in a picklable _TracedCall that records in the child.
- Processes: BaseProcess.start / _bootstrap plus os.register_at_fork. A spawned child learns it should
  record when it unpickles its Process object, which carries a _ChildBoot. Each child writes
  <trace>.<pid>.part and the main process merges the parts (labkit.tracemerge).
- Locks: threading.Lock/RLock become factories that wrap only locks made from a learner's file. The
  wrapper adds no Python call to the learner's critical section (see _TracedLock).
- Calls: sys.monitoring on 3.12+ (code outside the functions of interest is DISABLEd after its first
  event; returns are watched in the functions of interest only); on 3.9-3.11 sys.setprofile while the
  learner's code runs and sys.settrace while library code runs, each thread switching between them (see
  _make_switching); only when the lab names functions of interest. There is one tracer per thread: when
  another tool installs its own (labkit.fuzz in the race labs' Check, a probe, pdb), the patched
  sys.settrace notices, and the recorder keeps to sys.setprofile alone for the rest of the run, as it
  does when a tracer is already there as it starts.
What the recorder costs the learner's program is what its hooks cost: on 3.9-3.11 a new thread's hooks
go on only as its run() begins (threading's own setting up runs without them), threading's Thread(),
start() and join() run without them (_unhooked), and the recorder's own bookkeeping in a lock operation
turns the profiler off rather than feeding it (_paused). Files are resolved a folder at a time.
The asyncio, executor and multiprocessing modules are patched when the learner's program imports them
(importing asyncio just to patch it would add ~25 ms to every run).
"""
from __future__ import annotations

import atexit
import functools
import itertools
import json
import os
import platform
import sys
import threading
import time
import weakref
from types import CodeType, FrameType, FunctionType, ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from labkit import traceformat, tracemerge

if TYPE_CHECKING:
    import argparse

_now = time.perf_counter_ns
_cpu = time.thread_time_ns
_ident = threading.get_ident
_getprofile = sys.getprofile
_setprofile = sys.setprofile
_gettrace = sys.gettrace
_getframe = sys._getframe
# Calls are recorded by sys.setprofile / sys.settrace hooks (3.9-3.11), not by sys.monitoring.
_HOOKED_CALLS = sys.version_info < (3, 12)
_LABKIT_DIR = os.path.dirname(os.path.realpath(__file__))
# This module's co_filename: its code is seen by the hooks more than any other file's.
_OWN_FILE = (lambda: None).__code__.co_filename
_GENERATOR_FLAGS = 0x20 | 0x80 | 0x200  # CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR
# How long the last write waits for child processes that are still running, so their parts get in.
_CHILD_GRACE_S = 5.0
_REPR_LIMIT = 200

_session: Optional["_Session"] = None

# (name, args, args of a resumed segment, offset of a generator's first instruction or None)
CallInfo = Tuple[str, Dict[str, Any], Dict[str, Any], Optional[int]]


class _Lane:
    """One thread's row in the timeline of this process."""

    __slots__ = ("id", "thread", "name", "t0", "cpu0", "calls", "parent", "target", "args", "ended", "hook_at_run")

    def __init__(self, lane_id: int, thread: threading.Thread) -> None:
        self.id = lane_id
        self.thread = thread
        self.name = thread.name
        self.t0 = _now()
        self.cpu0 = _cpu()
        self.calls: List[Tuple[CodeType, int, Dict[str, Any]]] = []
        self.parent: Optional[int] = None
        self.target: Any = None  # the thread's target, for its args (made as the trace is written)
        self.args: Optional[Dict[str, Any]] = {}  # None: a started thread's, still to be made (lane_args)
        self.ended = False
        self.hook_at_run = False  # the thread's hooks go on as Thread.run begins (see _thread_run)


class _TaskRecord:
    __slots__ = ("id", "t0", "tid", "args", "step_args", "ended")

    def __init__(self, task_id: int, t0: int, tid: int, args: Dict[str, Any]) -> None:
        self.id = task_id
        self.t0 = t0
        self.tid = tid
        self.args = args
        self.step_args = {"task": task_id}
        self.ended = False


class _Session:
    """The recording of one process: its events (tuples, see traceformat.Recorded), lanes and ids."""

    def __init__(self, trace_path: str, roots: Sequence[str], functions: Iterable[str], max_events: int,
                 lab: Optional[str]) -> None:
        self.trace_path = os.path.abspath(trace_path)
        self.roots = tuple(os.path.realpath(root) for root in roots)
        self.root = self.roots[0] if self.roots else os.getcwd()
        names = {name.strip() for name in functions if name and name.strip()}
        self.all_functions = "*" in names
        self.functions = frozenset(names - {"*"})
        self.cap = max(0, int(max_events))
        self.lab = lab if lab is not None else (os.path.basename(self.root) if self.roots else None)
        self.events: List[Tuple[Any, ...]] = []
        self.lanes: Dict[int, _Lane] = {}
        self.all_lanes: List[_Lane] = []
        self.files: Dict[str, Optional[str]] = {_OWN_FILE: None}  # labkit's own never counts (see rel)
        # os.path.realpath of each folder _realpath has seen; the roots were resolved just above.
        self.folders: Dict[str, str] = dict(zip((os.path.abspath(root) for root in roots), self.roots))
        self.codes: Dict[CodeType, Any] = {}
        self.tasks: "weakref.WeakValueDictionary[int, Any]" = weakref.WeakValueDictionary()
        self.locks: "weakref.WeakSet[_TracedLock]" = weakref.WeakSet()
        self.lock_labels: Dict[str, int] = {}
        self.children: List[Any] = []
        self.parts = traceformat.new_trace({"processes": []})
        self.merged_pids: List[int] = []
        self.calls_mode = "off"
        self.monitoring_tool: Optional[int] = None
        self.monitored: List[CodeType] = []  # code objects with the monitoring tool's local events
        self.profile: Optional[Callable[..., Any]] = None
        self.tracer: Optional[Callable[..., Any]] = None
        # Every profile function this session installs (a thread's run() takes its own off, see _thread_run).
        self.profiles: Tuple[Callable[..., Any], ...] = ()
        # (tracer, profiler, forget) of _make_switching, kept after a hand-over: threads may still hold them.
        self.switching: Optional[Tuple[Callable[..., Any], Callable[..., Any], Callable[[Any], None]]] = None
        self.draining = False
        self.finished = False
        self.starting_process: Optional[int] = None
        self.fork_flow: Optional[int] = None
        self.exitcode: Optional[int] = None
        self._begin_process(parent_pid=None, name=None, method=None, order=0)

    def _begin_process(self, parent_pid: Optional[int], name: Optional[str], method: Optional[str], order: int) -> None:
        self.pid = os.getpid()
        self.parent_pid = parent_pid
        self.process_name = name
        self.start_method = method
        self.sort_index = order
        self.capped = False
        self.cap_hit_at: Optional[int] = None
        self.events.clear()
        self.lanes.clear()
        self.all_lanes.clear()
        self.children.clear()
        self._lane_ids = itertools.count(1)
        # Ids must not collide with those of other processes merged into the same file.
        self._ids = itertools.count(self.pid * 10_000_000 + 1)
        self.t0 = _now()
        self.process_cpu0 = time.process_time_ns()
        self.main_lane = self._new_lane(threading.current_thread())

    @property
    def is_child(self) -> bool:
        return self.parent_pid is not None

    # -------------------------------------------------------------------------------------------- lanes

    def _new_lane(self, thread: threading.Thread) -> _Lane:
        lane = _Lane(next(self._lane_ids), thread)
        self.lanes[_ident()] = lane
        self.all_lanes.append(lane)
        return lane

    def lane(self) -> _Lane:
        lane = self.lanes.get(_ident())
        # A thread not started through threading.Thread (or before start()) gets a lane when first seen.
        return lane if lane is not None else self._new_lane(threading.current_thread())

    def lane_of(self, thread: threading.Thread) -> _Lane:
        for lane in reversed(self.all_lanes):
            if lane.thread is thread:
                return lane
        return self.lane()

    def new_id(self) -> int:
        return next(self._ids)

    def room(self) -> bool:
        """Whether a new thing may begin; the first refusal marks the trace truncated."""
        if len(self.events) < self.cap:
            return True
        if not self.capped:
            self._hit_cap()
        return False

    def _hit_cap(self) -> None:
        self.capped = True
        self.cap_hit_at = _now()
        self.events.append(("i", "marker", "event cap reached", self.cap_hit_at, self.lane().id, None, None,
                            {"eventCap": self.cap}))
        self.stop_calls()

    # ------------------------------------------------------------------------------------ learner's files

    def rel(self, filename: str) -> Optional[str]:
        """The file as the trace names it when it is one of the learner's, else None (cached)."""
        try:
            return self.files[filename]
        except KeyError:
            pass
        result: Optional[str] = None
        if filename and not filename.startswith("<"):
            real = self._realpath(filename)
            inside = any(real == root or real.startswith(root + os.sep) for root in self.roots)
            # labkit's own modules never count, even when a learner folder holds them (tests do).
            if inside and os.path.dirname(real) != _LABKIT_DIR:
                if real.startswith(self.root + os.sep):
                    result = os.path.relpath(real, self.root).replace(os.sep, "/")
                else:
                    result = real
        self.files[filename] = result
        return result

    def _realpath(self, filename: str) -> str:
        """os.path.realpath(filename), resolving each folder once: the program's files come from a few
        folders that share most of their path, and os.path.realpath costs a system call per part of the
        path (~25 µs a file). A part is resolved again only when it is a symlink."""
        folder, name = os.path.split(filename)
        if not name or name in (".", ".."):
            return os.path.realpath(filename)
        return self._resolved(self._real_folder(folder), name)

    def _real_folder(self, folder: str) -> str:
        real = self.folders.get(folder)
        if real is None:
            parent, name = os.path.split(folder)
            if not name or name in (".", ".."):
                real = os.path.realpath(folder)
            else:
                real = self._resolved(self._real_folder(parent), name)
            self.folders[folder] = real
        return real

    @staticmethod
    def _resolved(real_folder: str, name: str) -> str:
        path = os.path.join(real_folder, name)
        return os.path.realpath(path) if os.path.islink(path) else path

    def where(self, frame: Optional[FrameType]) -> Tuple[Optional[str], int]:
        """The innermost learner frame at or above `frame`: (file, line), or (None, 0)."""
        depth = 0
        while frame is not None and depth < 50:
            rel = self.rel(frame.f_code.co_filename)
            if rel is not None:
                return rel, frame.f_lineno
            frame = frame.f_back
            depth += 1
        return None, 0

    def located(self, args: Dict[str, Any], frame: Optional[FrameType]) -> Dict[str, Any]:
        file, line = self.where(frame)
        if file is not None:
            args["file"] = file
            args["line"] = line
        return args

    def error_args(self, error: BaseException) -> Dict[str, Any]:
        """repr, type, and the learner's innermost line the exception passed through."""
        args: Dict[str, Any] = {"error": _short(repr(error)), "type": type(error).__name__}
        tb: Optional[TracebackType] = error.__traceback__
        while tb is not None:
            rel = self.rel(tb.tb_frame.f_code.co_filename)
            if rel is not None:
                args["file"] = rel
                args["line"] = tb.tb_lineno
            tb = tb.tb_next
        return args

    def marker(self, name: str, lane: _Lane, ts: int, args: Dict[str, Any]) -> None:
        # Markers close out something that already began, so they are written even past the cap.
        self.events.append(("i", "marker", name, ts, lane.id, None, None, args))

    # ------------------------------------------------------------------------------------------ threads

    def thread_started(self, thread: threading.Thread) -> None:
        """On the parent's lane, as start() is called: the tail of the arrow to the new lane."""
        if not self.room():
            return
        flow = self.new_id()
        lane = self.lane()
        self.events.append(("s", "thread", "start", _now(), lane.id, None, flow, None))
        thread._labkit_start = (flow, lane.id)  # type: ignore[attr-defined]

    def thread_began(self, thread: threading.Thread) -> _Lane:
        lane = self._new_lane(thread)
        start = thread.__dict__.pop("_labkit_start", None)
        if start is not None:
            self.events.append(("f", "thread", "start", lane.t0, lane.id, None, start[0], None))
            lane.parent = start[1]
        lane.target = thread.__dict__.get("_target")  # run() deletes it
        lane.args = None
        return lane

    def lane_args(self, lane: _Lane) -> Dict[str, Any]:
        """A thread lane's args, made when first written: none of it is timing, and a thread's start is on
        the learner's time (its starter waits for it)."""
        if lane.args is None:
            lane.args = self._thread_args(lane.thread, lane.parent, lane.target)
        return lane.args

    def _thread_args(self, thread: threading.Thread, parent: Optional[int], target: Any) -> Dict[str, Any]:
        args: Dict[str, Any] = {"parent": parent, "daemon": thread.daemon}
        if target is None and type(thread).run is not threading.Thread.run:
            target = type(thread).run
        if target is not None:
            args["target"] = _qualname(target)
            if type(target) is FunctionType:
                code = target.__code__
            else:
                code = getattr(getattr(target, "__func__", target), "__code__", None)
            rel = self.rel(code.co_filename) if code is not None else None
            if rel is not None:
                args["file"] = rel
                args["line"] = code.co_firstlineno
        return args

    def thread_ended(self, lane: _Lane) -> None:
        t1 = _now()
        cpu = _cpu() - lane.cpu0
        lane.name = lane.thread.name
        lane.ended = True
        self.lanes.pop(_ident(), None)
        # The lane in place of its args: lane_args makes them as the trace is written (see snapshot).
        self.events.append(("X", "thread", lane.name, lane.t0, lane.id, t1 - lane.t0, None, lane, lane.cpu0, cpu))

    # ---------------------------------------------------------------------------------------- executors

    def work_submitted(self, frame: Optional[FrameType]) -> Optional[Dict[str, Any]]:
        """On the submitting lane: the flow's tail, and what the worker needs to draw the work item."""
        if not self.room():
            return None
        flow = self.new_id()
        lane = self.lane()
        t = _now()
        self.events.append(("s", "work", "submit", t, lane.id, None, flow, None))
        args = self.located({"future": flow, "submittedBy": lane.id, "submitPid": self.pid}, frame)
        return {"flow": flow, "t": t, "args": args}

    def run_work(self, name: str, info: Dict[str, Any], body: Callable[[], Any],
                 outcome: Optional[Callable[[], Tuple[bool, Optional[BaseException]]]] = None) -> Any:
        """Runs one work item on this lane and draws it; `outcome` says (ran, error) for a thread pool's
        item, whose exceptions the executor catches before they reach us."""
        lane = self.lane()
        t0 = _now()
        c0 = _cpu()
        self.events.append(("f", "work", "submit", t0, lane.id, None, info["flow"], None))
        ran, error = True, None
        try:
            return body()
        except BaseException as exc:
            error = exc
            raise
        finally:
            c1 = _cpu()
            t1 = _now()
            if outcome is not None:
                ran, error = outcome()
            if not ran:
                self.marker("cancelled", lane, t1, {"future": info["flow"]})
            else:
                args = dict(info["args"], queuedUs=(t0 - info["t"]) / 1000, cpuUs=(c1 - c0) / 1000)
                if error is not None:
                    args["error"] = _short(repr(error))
                    self.marker("exception", lane, t1, dict(self.error_args(error), future=info["flow"]))
                self.events.append(("X", "work", name, t0, lane.id, t1 - t0, None, args, c0, c1 - c0))

    # ------------------------------------------------------------------------------------------ asyncio

    def task_created(self, loop: Any, task: Any, coro: Any, t0: int, frame: Optional[FrameType]) -> None:
        import asyncio

        parent = asyncio.current_task(loop)
        parent_record = getattr(parent, "_labkit_task", None)
        task_id = self.new_id()
        args = self.located({"task": task_id, "parentTask": parent_record.id if parent_record else None,
                             "coro": _qualname(coro)}, frame)
        record = _TaskRecord(task_id, t0, self.lane().id, args)
        task._labkit_task = record
        self.tasks[task_id] = task
        if task.done():  # an eager task (3.12+) can finish inside create_task
            self.task_ended(task, record, _now())

    def task_ended(self, task: Any, record: _TaskRecord, t: int) -> None:
        if record.ended:
            return
        record.ended = True
        self.tasks.pop(record.id, None)
        end: Dict[str, Any] = {"status": "done"}
        lane = self.lane()
        if task.cancelled():
            end["status"] = "cancelled"
            self.marker("cancelled", lane, t, {"task": record.id})
        else:
            # _exception, not exception(): reading it must not mark the error as retrieved, or asyncio
            # would no longer warn the learner about an exception nobody looked at.
            error = getattr(task, "_exception", None)
            if error is not None:
                end["status"] = "error"
                end["error"] = _short(repr(error))
                self.marker("exception", lane, t, dict(self.error_args(error), task=record.id))
        self._task_span(task, record, t, end)

    def _task_span(self, task: Any, record: _TaskRecord, t: int, end: Dict[str, Any]) -> None:
        name = task.get_name()
        self.events.append(("b", "task", name, record.t0, record.tid, None, record.id, record.args))
        self.events.append(("e", "task", name, t, record.tid, None, record.id, end))

    # -------------------------------------------------------------------------------------------- locks

    def traced_lock(self, factory: type, inner: Any, kind: str, file: str, line: int) -> "_TracedLock":
        label = f"{kind} {file}:{line}"
        count = self.lock_labels.get(label, 0) + 1
        self.lock_labels[label] = count
        name = label if count == 1 else f"{label} #{count}"
        lock = factory(inner, self.new_id(), name, f"{file}:{line}")
        self.locks.add(lock)
        return lock

    # ---------------------------------------------------------------------------------------- processes

    def process_starting(self, process: Any) -> "_ChildBoot":
        flow = self.new_id()
        lane = self.lane()
        self.events.append(("s", "process", "start process", _now(), lane.id, None, flow, None))
        self.children.append(process)
        return _ChildBoot({
            "trace": self.trace_path, "roots": list(self.roots), "functions": self._function_names(),
            "cap": self.cap, "lab": self.lab, "flow": flow, "parentPid": self.pid, "parentLane": lane.id,
            "method": _start_method(process), "order": self.sort_index * 100 + len(self.children),
        })

    def _function_names(self) -> List[str]:
        return sorted(self.functions) + (["*"] if self.all_functions else [])

    def become_forked_child(self, parent_pid: int) -> None:
        """In a fork's child: a fresh recording in this new process, same file and settings."""
        flow = self.fork_flow
        self.fork_flow = None
        for lock in list(self.locks):
            lock._hold = None  # held by a parent thread that does not exist here
        self.tasks = weakref.WeakValueDictionary()
        self.parts = traceformat.new_trace({"processes": []})
        self.merged_pids = []
        self.draining = False
        self._begin_process(parent_pid, None, "fork", self.sort_index * 100 + 99)
        if flow is not None:
            self.events.append(("f", "process", "start process", self.t0, self.main_lane.id, None, flow, None))

    def entered_child(self, process: Any, config: Mapping[str, Any]) -> None:
        """In a multiprocessing child, as its bootstrap begins."""
        self.process_name = process.name
        self.start_method = config.get("method")
        self.sort_index = int(config.get("order", 1))
        self.t0 = _now()
        self.events.append(("f", "process", "start process", self.t0, self.main_lane.id, None, config["flow"], None))

    # -------------------------------------------------------------------------------------------- calls

    def classify(self, code: CodeType) -> Any:
        """CallInfo for a function of interest in the learner's files, else False (cached either way)."""
        info: Any = False
        name = code.co_name
        if not name.startswith("<"):
            qualname = getattr(code, "co_qualname", name)
            # The name first: most code is not named like a function of interest, and its file then need
            # not be looked at (the first look at a file costs system calls).
            if self.all_functions or name in self.functions or qualname in self.functions:
                rel = self.rel(code.co_filename)
                if rel is not None:
                    args = {"file": rel, "line": code.co_firstlineno}
                    info = (qualname, args, dict(args, resumed=True), _first_offset(code))
        self.codes[code] = info
        return info

    def call_began(self, code: CodeType, args: Dict[str, Any]) -> None:
        if len(self.events) >= self.cap:
            self.room()
            return
        lane = self.lanes.get(_ident()) or self.lane()
        lane.calls.append((code, _now(), args))

    def call_ended(self, code: CodeType, name: str) -> None:
        t = _now()
        lane = self.lanes.get(_ident())
        if lane is None or not lane.calls:
            return
        stack = lane.calls
        if stack[-1][0] is not code:
            # Events were missed (recording began inside the call): drop what cannot be matched.
            for index in range(len(stack) - 1, -1, -1):
                if stack[index][0] is code:
                    del stack[index + 1:]
                    break
            else:
                return
        _, t0, args = stack.pop()
        self.events.append(("X", "call", name, t0, lane.id, t - t0, None, args))

    def start_calls(self) -> None:
        if not (self.functions or self.all_functions) or self.capped:
            return
        if sys.version_info >= (3, 12):
            self.monitoring_tool = _start_monitoring(self)
            self.calls_mode = "monitoring" if self.monitoring_tool is not None else "off"
        elif sys.gettrace() is None:
            self.switching = _make_switching(self)
            self.tracer, self.profile, _ = self.switching
            self.profiles += (self.profile,)
            _wrap(sys, "settrace", _settrace_watch)
            if sys.version_info < (3, 10):
                # 3.9 runs every thread's bytecode the slow way while any thread has a tracer: a thread that
                # waits (Condition.wait, under Event, Future.result, Queue.get...; Thread.join) drops its
                # hook until it wakes, so that CPU-bound threads run at full speed meanwhile.
                _wrap(threading.Condition, "wait", _unhooked)
                _wrap(threading.Thread, "_wait_for_tstate_lock", _unhooked)
            _settrace(self.tracer)
            self.calls_mode = "switching"
        else:
            # A debugger or coverage traces this thread already; the profiler records calls beside it.
            self.start_profile()

    def start_profile(self) -> None:
        self.profile = _make_profiler(self)
        self.profiles += (self.profile,)
        sys.setprofile(self.profile)
        self.calls_mode = "profile"

    def hand_over(self) -> None:
        """Another tracer is being installed (labkit.fuzz, a probe, pdb): it gets sys.settrace to itself and
        calls are recorded by the profiler from now on. Its own tracers (still installed in other threads,
        and on open frames) see that `tracer` changed and step aside."""
        self.tracer = None
        self.start_profile()
        if self.switching is not None:
            self.switching[2](sys._getframe(1))

    def hook_thread(self) -> None:
        """In a thread that is starting: record its calls as the other threads' are recorded."""
        if self.tracer is not None:
            _settrace(self.tracer)
        elif self.profile is not None:
            sys.setprofile(self.profile)

    def hook_run(self) -> None:
        """As Thread.run begins in a new thread (see _thread_run): the next frame is its target's, so the
        profiler goes on (switching counts Thread.run as the learner's, so it does not switch for it).
        A profiler that another tool installed in this thread (threading.setprofile) stays."""
        if sys.getprofile() is not None:
            return
        if self.tracer is not None and self.switching is not None:
            sys.setprofile(self.switching[1])
        elif self.profile is not None:
            sys.setprofile(self.profile)

    def unhook_thread(self) -> None:
        """This thread's learner code is over; recording the writing of the file would only slow it down.
        A thread must also end without the tracer: on 3.9 one that ends with it leaves the interpreter's
        count of tracing threads above zero, and every thread then runs its bytecode ~1.2x slower."""
        if self.switching is not None:
            tracer, profile, forget = self.switching
            if sys.gettrace() is tracer:
                _settrace(None)
            if sys.getprofile() is profile:
                sys.setprofile(None)
            forget(sys._getframe(1))
        if self.profile is not None and sys.getprofile() is self.profile:
            sys.setprofile(None)

    def stop_calls(self) -> None:
        if self.monitoring_tool is not None:
            _stop_monitoring(self.monitoring_tool, self.monitored)
            self.monitoring_tool = None
        # Other threads drop their tracer or profiler at their next call of interest (it sees it was
        # taken away here).
        self.unhook_thread()
        self.tracer = None
        self.profile = None

    # ----------------------------------------------------------------------------------------- writing

    def _process_span(self, now: int) -> Tuple[Any, ...]:
        args: Dict[str, Any] = {"pid": self.pid, "parentPid": self.parent_pid, "startMethod": self.start_method,
                                "cpuUs": (time.process_time_ns() - self.process_cpu0) / 1000}
        if self.is_child and self.exitcode is not None:
            args["exitcode"] = self.exitcode
        lane = self.main_lane
        cpu = _thread_cpu(lane)
        return ("X", "process", self._process_name(), self.t0, lane.id, now - self.t0, None, args,
                lane.cpu0 if cpu is not None else None, cpu)

    def _process_name(self) -> str:
        if self.process_name:
            return self.process_name
        if self.is_child:
            return f"fork of {self.parent_pid}"
        return "MainProcess"

    def _closing_events(self, now: int) -> List[Tuple[Any, ...]]:
        """What is still open, closed at `now` for this write (the live state is left as it is)."""
        closing = [self._process_span(now)]
        for lane in list(self.all_lanes):
            if lane is self.main_lane or lane.ended or lane.t0 > now:
                continue
            cpu = _thread_cpu(lane)
            args = dict(self.lane_args(lane), unfinished=True)
            if cpu is not None:
                args["cpuUs"] = cpu / 1000
            closing.append(("X", "thread", lane.thread.name, lane.t0, lane.id, now - lane.t0, None, args,
                            lane.cpu0 if cpu is not None else None, cpu))
        for task_id, task in list(self.tasks.items()):
            record = getattr(task, "_labkit_task", None)
            if record is not None and not record.ended and record.t0 <= now:
                name = task.get_name()
                closing.append(("b", "task", name, record.t0, record.tid, None, record.id, record.args))
                closing.append(("e", "task", name, now, record.tid, None, record.id, {"status": "pending", "unfinished": True}))
        for lock in list(self.locks):
            hold = lock._hold
            if hold is not None and hold[0] <= now:
                closing.extend(lock.hold_events(hold, now, hold[1], unfinished=True))
        return closing

    def _metadata(self) -> List[Dict[str, Any]]:
        pid = self.pid
        events = [traceformat.metadata(pid, None, "process_name", f"{self._process_name()} (pid {pid})"),
                  traceformat.metadata(pid, None, "process_sort_index", self.sort_index)]
        for lane in list(self.all_lanes):
            name = lane.name if lane.ended else lane.thread.name
            events.append(traceformat.metadata(pid, lane.id, "thread_name", name))
            events.append(traceformat.metadata(pid, lane.id, "thread_sort_index", lane.id))
        return events

    def _written(self, event: Tuple[Any, ...]) -> Tuple[Any, ...]:
        """A recorded event as written: a thread's span carries its lane in place of its args."""
        lane = event[7]
        if type(lane) is not _Lane:
            return event
        return event[:7] + (dict(self.lane_args(lane), cpuUs=event[9] / 1000),) + event[8:]

    def snapshot(self) -> Dict[str, Any]:
        """This process's trace as of now, as a complete file (a part, or the main trace before merging)."""
        recorded = list(self.events)
        # Taken after the copy, so every copied span ends no later than the spans closed here.
        now = _now()
        events = self._metadata()
        events.extend(traceformat.to_chrome(self.pid, self._written(event)) for event in recorded)
        events.extend(traceformat.to_chrome(self.pid, event) for event in self._closing_events(now))
        trace = traceformat.new_trace({
            "version": traceformat.VERSION, "truncated": self.capped, "eventCap": self.cap,
            "python": platform.python_version(), "lab": self.lab, "root": self.root, "clock": "perf_counter",
            "startUs": self.t0 / 1000, "stopUs": now / 1000, "calls": self.calls_mode,
            "processes": [{"pid": self.pid, "name": self._process_name(), "parentPid": self.parent_pid,
                           "events": len(recorded), "truncated": self.capped}],
        })
        trace["traceEvents"] = events
        return trace

    def write_part(self) -> str:
        path = f"{self.trace_path}.{self.pid}.part"
        traceformat.write_json(path, self.snapshot())
        self.finished = True
        return path

    def write_main(self) -> str:
        trace = self.snapshot()
        self.merged_pids += tracemerge.merge_parts(self.parts, self.trace_path)
        meta = traceformat.labkit_meta(trace)
        trace["traceEvents"].extend(self.parts["traceEvents"])
        part_meta = traceformat.labkit_meta(self.parts)
        meta["processes"].extend(part_meta.get("processes", []))
        meta["truncated"] = meta["truncated"] or bool(part_meta.get("truncated"))
        meta["missingProcesses"] = self._missing_processes()
        tracemerge.finish(trace)
        traceformat.write_json(self.trace_path, trace)
        return self.trace_path

    def _missing_processes(self) -> List[Dict[str, Any]]:
        missing = []
        for process in self.children:
            pid = getattr(process, "pid", None)
            if pid is None or pid in self.merged_pids:
                continue
            alive = _alive(process)
            missing.append({"pid": pid, "name": process.name, "reason": "still running" if alive else "ended without writing its timeline"})
        return missing

    def still_busy(self) -> bool:
        """Threads or child processes the interpreter will still wait for after the learner's module."""
        current = threading.current_thread()
        for lane in list(self.all_lanes):
            if not lane.ended and lane is not self.main_lane and lane.thread is not current \
                    and not lane.thread.daemon and lane.thread.is_alive():
                return True
        return any(not process.daemon and _alive(process) for process in self.children)

    def join_children(self) -> None:
        deadline = time.monotonic() + _CHILD_GRACE_S
        for process in self.children:
            remaining = deadline - time.monotonic()
            if remaining > 0 and not process.daemon and _alive(process):
                process.join(remaining)


# ------------------------------------------------------------------------------------------------ helpers


def _short(text: str) -> str:
    return text if len(text) <= _REPR_LIMIT else text[:_REPR_LIMIT - 3] + "..."


def _qualname(thing: Any) -> str:
    if type(thing) is FunctionType:  # the usual thread target: no attribute lookups that fail
        return thing.__qualname__
    if isinstance(thing, functools.partial):
        return _qualname(thing.func)
    code = getattr(thing, "cr_code", None) or getattr(thing, "gi_code", None)
    if code is not None:
        return getattr(code, "co_qualname", code.co_name)
    return getattr(thing, "__qualname__", None) or getattr(thing, "__name__", None) or type(thing).__name__


def _first_offset(code: CodeType) -> Optional[int]:
    """Where f_lasti stands on a generator's first entry, as sys.setprofile and sys.settrace see it; later
    entries are resumes."""
    if not code.co_flags & _GENERATOR_FLAGS:
        return None
    if sys.version_info < (3, 11):
        return -1
    import dis

    for instruction in dis.get_instructions(code):
        if instruction.opname == "RESUME":
            return instruction.offset
    return 0


def _thread_cpu(lane: _Lane) -> Optional[int]:
    """CPU time the lane's thread used so far, also when asked from another thread (where the OS can)."""
    if lane.thread is threading.current_thread():
        return _cpu() - lane.cpu0
    ident = lane.thread.ident
    clock = getattr(time, "pthread_getcpuclockid", None)
    if ident is None or clock is None or not lane.thread.is_alive():
        return None
    try:
        return time.clock_gettime_ns(clock(ident)) - lane.cpu0
    except (OSError, OverflowError):
        return None


def _alive(process: Any) -> bool:
    try:
        return bool(process.is_alive())
    except (AssertionError, ValueError):  # not our child any more, or already closed
        return False


def _start_method(process: Any) -> Optional[str]:
    method = getattr(process, "_start_method", None)
    if method:
        return str(method)
    try:
        from multiprocessing import context

        return context._default_context.get_start_method(allow_none=True) or context._default_context._default_context._name
    except Exception:  # a private detail; the name is only a label
        return None


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else repr(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return _short(repr(value))


# ------------------------------------------------------------------------------------------------- calls


def _make_profiler(session: _Session) -> Callable[[FrameType, str, Any], None]:
    codes = session.codes
    classify = session.classify
    codes.update(dict.fromkeys(_PAUSE_CODES, _PAUSE))

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call":
            code = frame.f_code
            info = codes.get(code)
            if info is None:
                info = classify(code)
            if info:
                if info is _PAUSE:
                    sys.setprofile(None)
                    _paused.profile = profile
                    return
                if _session is not session or session.capped:
                    sys.setprofile(None)
                    return
                first = info[3]
                session.call_began(code, info[2] if first is not None and frame.f_lasti > first else info[1])
        elif event == "return":
            code = frame.f_code
            info = codes.get(code)
            if info and info is not _PAUSE:
                session.call_ended(code, info[0])

    return profile


# The real one: the recorder's own calls must not look like another tool taking over (see _settrace_watch).
_settrace = sys.settrace
_CALLED_BACK = "called back"


def _make_switching(session: _Session) -> Tuple[Callable[..., Any], Callable[..., Any], Callable[[Any], None]]:
    """(tracer, profiler, forget) for 3.9-3.11. Each thread has the tracer or the profiler installed: the
    profiler while the learner's code runs, the tracer while any other code runs. forget(frame) takes the
    local tracers off the frames from there up, for a thread that stops switching.

    Why two: sys.setprofile calls back on every call, return and C call, which is cheap enough in the
    learner's few functions but several times the cost of library code that makes many small calls
    (urllib, threading, asyncio). sys.settrace calls back once per Python call and never for a C call,
    but puts a line check before every bytecode instruction, which doubles the time of a CPU-bound loop
    (the learner's is_prime). So a thread switches to the tracer when the learner's code calls into a
    library, or returns into one, and back to the profiler when control comes back to the learner's code:
    a call into a learner file (the tracer sees it) or the return of the outermost library frame (it gets
    a local tracer, `boundary`, for that). A library frame that calls the learner's code gets `boundary`
    too: the profiler sees it there when the learner's frame returns, and switches back to the tracer.
    Learner frames never get a local tracer: on 3.9 that would freeze their f_lineno, which the recorder
    and the lock factory read. Calls of interest are all in the learner's files, so the profiler records
    them all. A missed switch costs only speed: the next call puts it right."""
    codes = session.codes
    classify = session.classify
    learner: Dict[str, bool] = {}  # by co_filename, whose hash is cached: the tracer's one question
    # By code object: False for library code, True for the learner's, CallInfo for a function of interest,
    # and _CALLED_BACK for learner code that library code has called (only its returns can go back there).
    kinds: Dict[CodeType, Any] = dict.fromkeys(_PAUSE_CODES, _PAUSE)
    kinds[_THREAD_RUN_CODE] = True  # it only calls its target (see _thread_run)

    def is_learner(filename: str) -> bool:
        found = learner[filename] = session.rel(filename) is not None
        return found

    def kind_of(code: CodeType) -> Any:
        info = codes.get(code)
        if info is None:
            info = classify(code)
        found = kinds[code] = info or learner.get(code.co_filename) or is_learner(code.co_filename)
        return found

    def to_trace(frame: FrameType) -> None:
        sys.setprofile(None)
        _settrace(trace)
        frame.f_trace_lines = False
        frame.f_trace = boundary

    def side_of(frame: FrameType) -> bool:
        filename = frame.f_code.co_filename
        side = learner.get(filename)
        return is_learner(filename) if side is None else side

    def superseded(frame: FrameType) -> Optional[Callable[..., Any]]:
        """Recording is over, capped, or handed to the plain profiler (see _Session.hand_over): this
        thread's hooks follow at their first chance. Returns the plain profiler, if any."""
        replacement = session.profile if session.profile is not profile else None
        if sys.gettrace() is trace:
            _settrace(None)
        if sys.getprofile() in (profile, None):
            sys.setprofile(replacement)
        forget(frame)
        return replacement

    def forget(frame: Optional[FrameType]) -> None:
        """Takes `boundary` off the thread's open frames: on 3.9 a frame with a local tracer reports the line
        its tracer last saw as f_lineno, and without the tracer nothing moves that on."""
        while frame is not None:
            if frame.f_trace is boundary:
                frame.f_trace = None
            frame = frame.f_back

    def trace(frame: FrameType, event: str, arg: Any) -> None:
        filename = frame.f_code.co_filename
        side = learner.get(filename)
        if side is None:
            side = is_learner(filename)
        if side:
            if session.tracer is trace:
                # The profiler, installed now, is called for this same call right after this returns.
                _settrace(None)
                sys.setprofile(profile)
                back = frame.f_back
                if back is not None and not side_of(back):
                    back.f_trace_lines = False
                    back.f_trace = boundary
                    code = frame.f_code
                    if (kinds.get(code) or kind_of(code)) is True:
                        kinds[code] = _CALLED_BACK
            else:
                superseded(frame)
        return None

    def boundary(frame: FrameType, event: str, arg: Any) -> Any:
        if event != "return":
            return boundary
        if session.tracer is not trace:
            superseded(frame)
            return None
        back = frame.f_back
        if back is not None:
            if side_of(back):
                _settrace(None)
                sys.setprofile(profile)
            else:
                back.f_trace_lines = False
                back.f_trace = boundary
        return None

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call":
            code = frame.f_code
            kind = kinds.get(code)
            if kind is None:
                kind = kind_of(code)
            if kind is True or kind is _CALLED_BACK:
                return
            if kind is _PAUSE:
                sys.setprofile(None)
                _paused.profile = profile
                return
            if session.tracer is not trace:
                replacement = superseded(frame)
                if replacement is not None:
                    replacement(frame, event, arg)  # installed too late to be called for this event
            elif kind is False:
                to_trace(frame)
            else:
                first = kind[3]
                session.call_began(code, kind[2] if first is not None and frame.f_lasti > first else kind[1])
        elif event == "return":
            code = frame.f_code
            kind = kinds.get(code)
            if kind is None:
                kind = kind_of(code)
            if kind is True or kind is False or kind is _PAUSE:
                # Learner code returning into learner code, a library frame's return right after its local
                # tracer switched back here, or one that turned the profiler off and back on.
                return
            back = frame.f_back
            into_library = back is not None and back.f_trace is boundary
            if kind is _CALLED_BACK and not into_library:
                return
            if session.tracer is not trace:
                replacement = superseded(frame)
                if replacement is not None:
                    replacement(frame, event, arg)
                return
            if kind is not _CALLED_BACK:
                session.call_ended(code, kind[0])
            if into_library:
                sys.setprofile(None)
                _settrace(trace)

    return trace, profile, forget


def _settrace_watch(original: Callable[..., Any]) -> Callable[..., Any]:
    def settrace(function: Any) -> None:
        session = _session
        if session is not None and session.tracer is not None and session.pid == os.getpid():
            session.hand_over()
        return original(function)

    return settrace


def _start_monitoring(session: _Session) -> Optional[int]:
    """Calls through sys.monitoring (3.12+). PY_START and PY_RESUME are global events: each code object
    reports its first one, and code outside the functions of interest is then DISABLEd. The returns and
    yields are local events, turned on only in the functions of interest as they are first seen, so that
    no other code pays for them (as global events, every return of every function would call back once
    before it is disabled: half of all callbacks). PY_THROW and PY_UNWIND cannot be local or disabled."""
    monitoring = sys.monitoring  # type: ignore[attr-defined]
    tool = next((t for t in (monitoring.PROFILER_ID, 3, 4) if monitoring.get_tool(t) is None), None)
    if tool is None:
        return None  # a debugger, coverage and a profiler are all attached: leave them be
    monitoring.use_tool_id(tool, "concurrency-labs timeline")
    events = monitoring.events
    disable = monitoring.DISABLE
    set_local_events = monitoring.set_local_events
    local_events = events.PY_RETURN | events.PY_YIELD
    codes = session.codes
    classify = session.classify
    call_began = session.call_began
    call_ended = session.call_ended
    watched = session.monitored
    names = session.functions
    every = session.all_functions

    def first_seen(code: CodeType) -> Any:
        if not every and code.co_name not in names and getattr(code, "co_qualname", None) not in names:
            codes[code] = False  # as classify would say, without a call (most code is seen once, here)
            return False
        info = classify(code)
        if info:
            set_local_events(tool, code, local_events)
            watched.append(code)
        return info

    def on_start(code: CodeType, offset: int) -> Any:
        info = codes.get(code)
        if info is None:
            info = first_seen(code)
        if not info:
            return disable
        call_began(code, info[1])
        return None

    def on_resume(code: CodeType, offset: int) -> Any:
        info = codes.get(code)
        if info is None:
            info = first_seen(code)
        if not info:
            return disable
        call_began(code, info[2])
        return None

    def on_throw(code: CodeType, offset: int, exc: BaseException) -> None:
        info = codes.get(code)
        if info is None:
            info = first_seen(code)
        if info:
            call_began(code, info[2])

    def on_return(code: CodeType, offset: int, value: Any) -> None:
        info = codes.get(code)
        if info:  # only functions of interest have these events
            call_ended(code, info[0])

    def on_unwind(code: CodeType, offset: int, exc: BaseException) -> None:
        info = codes.get(code)
        if info is None:
            info = first_seen(code)
        if info:
            call_ended(code, info[0])

    for event, callback in ((events.PY_START, on_start), (events.PY_RESUME, on_resume), (events.PY_THROW, on_throw),
                            (events.PY_RETURN, on_return), (events.PY_YIELD, on_return), (events.PY_UNWIND, on_unwind)):
        monitoring.register_callback(tool, event, callback)
    monitoring.set_events(tool, events.PY_START | events.PY_RESUME | events.PY_THROW | events.PY_UNWIND)
    return tool


def _stop_monitoring(tool: int, watched: List[CodeType]) -> None:
    monitoring = sys.monitoring  # type: ignore[attr-defined]
    monitoring.set_events(tool, 0)
    for code in watched:
        monitoring.set_local_events(tool, code, 0)
    watched.clear()
    for event in (monitoring.events.PY_START, monitoring.events.PY_RESUME, monitoring.events.PY_THROW,
                  monitoring.events.PY_RETURN, monitoring.events.PY_YIELD, monitoring.events.PY_UNWIND):
        monitoring.register_callback(tool, event, None)
    monitoring.free_tool_id(tool)


# ------------------------------------------------------------------------------------------------- locks


# (since, holder lane, args, hold id)
_Hold = Tuple[int, int, Dict[str, Any], int]


class _TracedLock:
    """A threading.Lock made in the learner's code: waits are X spans, holds are b/e spans.

    Only the lock's owner changes `_depth` and `_hold` (after acquiring, before releasing), so they need no
    lock of their own.

    The learner's critical section must not grow: everything that needs no timing (who, where) is looked
    up before the lock is taken, the hold's events are made after it is let go, and in between there is
    no Python call: the interpreter hands the GIL to another thread at calls, and a thread that gets it
    while this one holds the lock only blocks on it (two thread switches, a wait drawn that the program
    without recording would not have).

    On 3.9-3.11 the learner's `with lock:` runs while this thread has the recorder's profiler, which would
    be called back for every call and C call of the bookkeeping below, and would hand the thread to the
    tracer and back for it (~20 callbacks, 5-10 µs an operation, inside the critical section). So the
    profiler turns itself off as one of the public methods is called (see _paused), and the method turns
    it back on as it returns: two callbacks in all, the call and the return."""

    __slots__ = ("_inner", "_lock_id", "_name", "_created", "_hold", "_depth", "__weakref__")
    _reentrant = False

    def __init__(self, inner: Any, lock_id: int, name: str, created: str) -> None:
        self._inner = inner
        self._lock_id = lock_id
        self._name = name
        self._created = created
        self._hold: Optional[_Hold] = None
        self._depth = 0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        profile = _paused.profile
        if profile is None:
            return self._acquire(blocking, timeout, _getframe(1))
        _paused.profile = None
        try:
            return self._acquire(blocking, timeout, _getframe(1))
        finally:
            _setprofile(profile)

    def __enter__(self) -> bool:
        profile = _paused.profile
        if profile is None:
            return self._acquire(True, -1, _getframe(1))
        _paused.profile = None
        try:
            return self._acquire(True, -1, _getframe(1))
        finally:
            _setprofile(profile)

    def _acquire(self, blocking: bool, timeout: float, frame: FrameType) -> bool:
        session = _session
        lane = None
        file: Optional[str] = None
        line = 0
        if session is not None:
            lane = session.lanes.get(_ident())
            file = session.files.get(frame.f_code.co_filename)
            if file is not None:
                line = frame.f_lineno
            else:  # the first look at this file, or a caller outside the learner's files
                file, line = session.where(frame)
        inner = self._inner
        if not blocking:
            if not inner.acquire(False, timeout):  # the lock's own error for a timeout without blocking
                return False
            since = _now()
        elif inner.acquire(False):
            since = _now()
        else:
            t0 = _now()
            got = inner.acquire(True, timeout)
            since = _now()
            self._waited(t0, since, bool(got), frame)
            if not got:
                return False
        # The lock is held: no Python call from here on (but in a thread that threading did not start).
        depth = self._depth = self._depth + 1
        if depth > 1:
            return True  # re-entering an RLock: the outermost hold covers it
        if _session is not session:  # recording began or ended while this thread waited
            session = _session
            if session is not None and session.room():
                self._held_at(since, frame, session)
            return True
        if session is None or (len(session.events) >= session.cap and not session.room()):
            return True
        if lane is None:
            self._held_at(since, frame, session)
        else:
            holder = lane.id
            args = {"lock": self._lock_id, "holder": holder, "created": self._created}
            if file is not None:
                args["file"] = file
                args["line"] = line
            self._hold = (since, holder, args, next(session._ids))
        return True

    def _waited(self, t0: int, t1: int, got: bool, frame: FrameType) -> None:
        session = _session
        if session is not None and session.room():
            args = session.located({"lock": self._lock_id}, frame)
            if not got:
                args["gotIt"] = False
            session.events.append(("X", "lock-wait", self._name, t0, session.lane().id, t1 - t0, None, args))

    def _held(self, since: int, frame: FrameType) -> None:
        depth = self._depth = self._depth + 1
        session = _session
        if depth == 1 and session is not None and session.room():
            self._held_at(since, frame, session)

    def _held_at(self, since: int, frame: FrameType, session: _Session) -> None:
        holder = session.lane().id
        args = session.located({"lock": self._lock_id, "holder": holder, "created": self._created}, frame)
        self._hold = (since, holder, args, session.new_id())

    # release and __exit__ are one body twice: a call before the inner lock is let go would lengthen the
    # critical section (see the class's docstring).
    def release(self) -> None:
        profile = _paused.profile
        if profile is not None:
            _paused.profile = None
        try:
            if self._reentrant and not self._inner._is_owned():
                self._inner.release()  # raises the usual "cannot release un-acquired lock"
            depth, hold = self._depth, self._hold
            if depth <= 1:
                self._hold = None
            self._depth = depth - 1 if depth > 1 else 0
            try:
                self._inner.release()
            except BaseException:
                self._depth, self._hold = depth, hold
                raise
            if depth == 1 and hold is not None:
                self._record_release(hold)
        finally:
            if profile is not None:
                _setprofile(profile)

    def __exit__(self, *exc: object) -> None:
        profile = _paused.profile
        if profile is not None:
            _paused.profile = None
        try:
            if self._reentrant and not self._inner._is_owned():
                self._inner.release()  # raises the usual "cannot release un-acquired lock"
            depth, hold = self._depth, self._hold
            if depth <= 1:
                self._hold = None
            self._depth = depth - 1 if depth > 1 else 0
            try:
                self._inner.release()
            except BaseException:
                self._depth, self._hold = depth, hold
                raise
            if depth == 1 and hold is not None:
                self._record_release(hold)
        finally:
            if profile is not None:
                _setprofile(profile)

    def _record_release(self, hold: _Hold) -> None:
        t = _now()
        session = _session
        if session is not None:
            released_by = (session.lanes.get(_ident()) or session.lane()).id
            name, holder, hold_id = self._name, hold[1], hold[3]
            session.events.extend((("b", "lock-hold", name, hold[0], holder, None, hold_id, hold[2]),
                                   ("e", "lock-hold", name, t, holder, None, hold_id,
                                    None if released_by == holder else {"releasedBy": released_by})))

    def hold_events(self, hold: _Hold, t: int, released_by: int,
                    unfinished: bool = False) -> List[Tuple[Any, ...]]:
        end: Dict[str, Any] = {}
        if released_by != hold[1]:
            end["releasedBy"] = released_by
        if unfinished:
            end["unfinished"] = True
        return [("b", "lock-hold", self._name, hold[0], hold[1], None, hold[3], hold[2]),
                ("e", "lock-hold", self._name, t, hold[1], None, hold[3], end or None)]

    def locked(self) -> bool:
        return bool(self._inner.locked())

    def _is_owned(self) -> bool:
        # threading.Condition's own test, on the inner lock so that it draws no hold.
        if self._inner.acquire(False):
            self._inner.release()
            return False
        return True

    def _at_fork_reinit(self) -> None:
        self._inner._at_fork_reinit()
        self._hold = None
        self._depth = 0

    def __repr__(self) -> str:
        return repr(self._inner)


class _TracedRLock(_TracedLock):
    __slots__ = ()
    _reentrant = True

    def _is_owned(self) -> bool:
        return bool(self._inner._is_owned())

    def _release_save(self) -> Tuple[Any, int, Any]:
        """Condition.wait lets go of every level at once: that ends the hold."""
        depth, hold = self._depth, self._hold
        self._depth, self._hold = 0, None
        state = self._inner._release_save()
        if hold is not None:
            self._record_release(hold)
        return (state, depth, hold)

    def _acquire_restore(self, saved: Tuple[Any, int, Any]) -> None:
        state, depth, _ = saved
        t0 = _now()
        self._inner._acquire_restore(state)
        t1 = _now()
        frame = sys._getframe(1)
        self._waited(t0, t1, True, frame)
        self._held(t1, frame)
        self._depth = depth


# ----------------------------------------------------------------------------------------------- patches


def _wrap(owner: Any, attr: str, make: Callable[[Any], Callable[..., Any]]) -> None:
    """Replaces owner.attr with make(original), once; the wrapper is a no-op while nothing records."""
    original = owner.__dict__.get(attr) if isinstance(owner, type) else getattr(owner, attr, None)
    if original is None or getattr(original, "_labkit_original", None) is not None:
        return
    wrapper = make(original)
    functools.update_wrapper(wrapper, original, updated=())
    wrapper._labkit_original = original  # type: ignore[attr-defined]
    setattr(owner, attr, wrapper)


def _unhooked(original: Callable[..., Any]) -> Callable[..., Any]:
    """Runs `original` with none of the recorder's hooks on this thread, for library work that runs none
    of the learner's code on the calling thread (threading's Thread.__init__, start and join; runpy's
    run_path but for the script itself, see _rehooked; the waits of 3.9, see start_calls): on 3.9-3.11 the
    thread's tracer or profiler would be called back for each of its calls and, under the tracer, pay for
    each line (20-50 calls a thread; ~200 for the import of pkgutil in run_path on 3.11), for nothing.
    Called from the learner's code, the profiler has turned itself off already (see _paused); called from
    library code, the tracer is taken off here. Either goes back on after, the tracer unless recording
    ended or was handed over meanwhile."""

    def call(*args: Any, **kwargs: Any) -> Any:
        outer = _paused.removed
        profile = _paused.profile
        if profile is not None:
            _paused.profile = None
            _paused.removed = (None, profile)
            try:
                return original(*args, **kwargs)
            finally:
                _paused.removed = outer
                _setprofile(profile)
        session = _session
        tracer = session.tracer if session is not None else None
        if tracer is None or _gettrace() is not tracer:
            return original(*args, **kwargs)
        _settrace(None)
        _paused.removed = (tracer, None)
        try:
            return original(*args, **kwargs)
        finally:
            _paused.removed = outer
            if session.tracer is tracer:  # type: ignore[union-attr]
                _settrace(tracer)

    return call


def _rehooked(original: Callable[..., Any], learner_files_only: bool = False) -> Callable[..., Any]:
    """Inside an _unhooked call, the part that may run the learner's code: runpy._run_code (the script's
    exec, inside runpy.run_path) and, with learner_files_only, a module's exec_module (inside an import)
    when the module is one of the learner's files. The hook that _unhooked took off goes back on for it,
    and off again after."""

    def call(*args: Any, **kwargs: Any) -> Any:
        removed = _paused.removed
        session = _session
        if removed is None or session is None:
            return original(*args, **kwargs)
        if learner_files_only and session.rel(getattr(args[0], "path", None) or "") is None:
            return original(*args, **kwargs)
        _paused.removed = None
        tracer, profile = removed
        if tracer is None:
            _setprofile(profile)
        elif session.tracer is tracer:
            _settrace(tracer)
        try:
            return original(*args, **kwargs)
        finally:
            session.unhook_thread()
            _paused.removed = removed

    return call


class _Paused(threading.local):
    """The recorder's profiler, while its callback has turned it off on this thread for the call of one of
    _PAUSE_CODES; that function's body takes it from here (so the next one cannot) and turns it back on
    as it returns. Its own calls and C calls then cost no callback each."""

    profile: Optional[Callable[..., Any]] = None
    # (tracer, profiler): what the innermost _unhooked call took off this thread, for _rehooked.
    removed: Optional[Tuple[Optional[Callable[..., Any]], Optional[Callable[..., Any]]]] = None


_paused = _Paused()
_PAUSE = ("pause",)  # a kind of code for the profilers: truthy, and no CallInfo
_PAUSE_CODES = (_unhooked(len).__code__,) + tuple(
    method.__code__ for method in (_TracedLock.acquire, _TracedLock.__enter__, _TracedLock.release, _TracedLock.__exit__))


def _thread_start(original: Callable[..., Any]) -> Callable[..., Any]:
    def start(self: threading.Thread) -> None:
        session = _session
        if session is not None:
            session.thread_started(self)
        return original(self)

    return start


def _thread_bootstrap_inner(original: Callable[..., Any]) -> Callable[..., Any]:
    def _bootstrap_inner(self: threading.Thread) -> None:
        session = _session
        if session is None or session.pid != os.getpid():
            return original(self)
        lane = session.thread_began(self)
        if getattr(type(self).run, "_labkit_original", None) is not None:
            lane.hook_at_run = True  # Thread.run, not overridden: see _thread_run
        else:
            session.hook_thread()
        try:
            return original(self)
        finally:
            session.unhook_thread()
            session.thread_ended(lane)

    return _bootstrap_inner


def _thread_run(original: Callable[..., Any]) -> Callable[..., Any]:
    """A thread's calls are recorded from here rather than from the start of its bootstrap, when its class
    does not override run(): none of the learner's code runs before its target, and threading's own
    setting up and tearing down (20 calls a thread) would otherwise run under the tracer on 3.9-3.11."""

    def run(self: threading.Thread) -> None:
        session = _session
        lane = session.lanes.get(_ident()) if session is not None else None
        if lane is None or not lane.hook_at_run:
            return original(self)
        lane.hook_at_run = False
        session.hook_run()  # type: ignore[union-attr]
        try:
            return original(self)
        finally:
            if _getprofile() in session.profiles:  # type: ignore[union-attr]
                _setprofile(None)
            session.unhook_thread()  # type: ignore[union-attr]

    return run


_THREAD_RUN_CODE = getattr(threading.Thread.run, "_labkit_original", threading.Thread.run).__code__


def _thread_excepthook(original: Callable[..., Any]) -> Callable[..., Any]:
    def excepthook(args: Any) -> Any:
        session = _session
        error = args.exc_value
        if session is not None and error is not None and not isinstance(error, SystemExit):
            session.marker("exception", session.lane(), _now(), session.error_args(error))
        return original(args)

    return excepthook


def _lock_factory(kind: str, traced: type) -> Callable[[Any], Callable[..., Any]]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def factory(*args: Any, **kwargs: Any) -> Any:
            inner = original(*args, **kwargs)
            session = _session
            if session is None:
                return inner
            frame = sys._getframe(1)
            rel = session.rel(frame.f_code.co_filename)
            if rel is None:
                return inner
            return session.traced_lock(traced, inner, kind, rel, frame.f_lineno)

        return factory

    return make


def _handle_run(original: Callable[..., Any]) -> Callable[..., Any]:
    def _run(self: Any) -> None:
        task = getattr(self._callback, "__self__", None)
        record = getattr(task, "_labkit_task", None)
        session = _session
        if record is None or session is None:
            return original(self)
        if session.capped:
            original(self)
        else:
            # No CPU time per step: thread_time is a system call, and steps can be a few µs long. A step
            # that blocks the loop shows anyway, as a long step.
            lane = session.lane()
            t0 = _now()
            try:
                original(self)
            finally:
                session.events.append(("X", "step", task.get_name(), t0, lane.id, _now() - t0, None, record.step_args))
        if task.done():
            session.task_ended(task, record, _now())
        return None

    return _run


def _create_task(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_task(self: Any, coro: Any, *args: Any, **kwargs: Any) -> Any:
        t0 = _now()
        task = original(self, coro, *args, **kwargs)
        session = _session
        if session is not None and not _loop_housekeeping(self, coro) and session.room():
            session.task_created(self, task, coro, t0, sys._getframe(1))
        return task

    return create_task


def _loop_housekeeping(loop: Any, coro: Any) -> bool:
    """asyncio.run's own clean-up coroutines (shutdown_asyncgens...) are methods of the loop: not the
    learner's tasks."""
    frame = getattr(coro, "cr_frame", None)
    try:
        return frame is not None and frame.f_locals.get("self") is loop
    except Exception:  # noqa: BLE001 — an odd awaitable; draw it rather than fail the run
        return False


def _work_item_init(original: Callable[..., Any]) -> Callable[..., Any]:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        session = _session
        if session is not None:
            self._labkit_work = session.work_submitted(sys._getframe(1))

    return __init__


def _work_item_run(original: Callable[..., Any]) -> Callable[..., Any]:
    def run(self: Any) -> None:
        info = self.__dict__.get("_labkit_work")
        session = _session
        if info is None or session is None:
            return original(self)
        future = self.future

        def outcome() -> Tuple[bool, Optional[BaseException]]:
            if future.cancelled():
                return False, None
            return True, getattr(future, "_exception", None)

        return session.run_work(_qualname(self.fn), info, lambda: original(self), outcome)

    return run


class _TracedCall:
    """A process pool's function, wrapped where it is submitted so the worker process can draw it."""

    def __init__(self, fn: Callable[..., Any], name: str, info: Dict[str, Any]) -> None:
        self.fn = fn
        self.name = name
        self.info = info

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        session = _session
        if session is None or session.pid == self.info["args"]["submitPid"]:
            return self.fn(*args, **kwargs)
        return session.run_work(self.name, self.info, lambda: self.fn(*args, **kwargs))


def _process_submit(original: Callable[..., Any]) -> Callable[..., Any]:
    def submit(self: Any, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        session = _session
        info = session.work_submitted(sys._getframe(1)) if session is not None else None
        if info is None:
            return original(self, fn, *args, **kwargs)
        name = _qualname(fn)
        if isinstance(fn, functools.partial) and getattr(fn.func, "__name__", "") == "_process_chunk" and fn.args:
            name = f"{_qualname(fn.args[0])} (map chunk)"
        return original(self, _TracedCall(fn, name, info), *args, **kwargs)

    return submit


class _ChildBoot:
    """Rides on a Process object to its child. Unpickling it (spawn, forkserver) is the child's first
    chance to prepare recording: it installs the patches before the child's bootstrap runs."""

    def __init__(self, config: Dict[str, Any]) -> None:
        self.config = config

    def __getstate__(self) -> Dict[str, Any]:
        return self.config

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.config = state
        _install_patches()


def _process_start(original: Callable[..., Any]) -> Callable[..., Any]:
    def start(self: Any) -> None:
        session = _session
        if session is None or session.pid != os.getpid() or not session.room():
            return original(self)
        self._labkit_boot = session.process_starting(self)
        session.starting_process = _ident()
        try:
            return original(self)
        finally:
            session.starting_process = None

    return start


def _process_bootstrap(original: Callable[..., Any]) -> Callable[..., Any]:
    def _bootstrap(self: Any, *args: Any, **kwargs: Any) -> Any:
        boot = self.__dict__.get("_labkit_boot")
        if boot is None:
            return original(self, *args, **kwargs)
        session = _enter_child(self, boot.config)
        exitcode: Any = None
        try:
            exitcode = original(self, *args, **kwargs)
            return exitcode
        finally:
            if session is not None and not session.finished:
                session.exitcode = exitcode
                _finish_child(session)

    return _bootstrap


def _enter_child(process: Any, config: Mapping[str, Any]) -> Optional[_Session]:
    global _session
    session = _session
    if session is None or session.pid != os.getpid():
        # spawn / forkserver: a new interpreter, nothing recorded yet
        session = _Session(config["trace"], config["roots"], config["functions"], config["cap"], config["lab"])
        session._begin_process(int(config["parentPid"]), None, config.get("method"), 1)
        _session = session
        session.start_calls()
        atexit.register(_at_exit)
    session.entered_child(process, config)
    session.parent_pid = int(config["parentPid"])
    return session


def _finish_child(session: _Session) -> None:
    global _session
    session.unhook_thread()
    try:
        session.write_part()
    except OSError as error:
        print(f"[labkit] timeline of process {session.pid} not written: {error}", file=sys.stderr)
    session.stop_calls()
    if _session is session:
        _session = None


def _before_fork() -> None:
    session = _session
    if session is not None and session.pid == os.getpid() and session.starting_process != _ident() and session.room():
        # A bare os.fork(): multiprocessing's Process.start draws its own arrow.
        session.fork_flow = session.new_id()
        session.events.append(("s", "process", "start process", _now(), session.lane().id, None, session.fork_flow, None))


def _after_fork_in_parent() -> None:
    session = _session
    if session is not None:
        session.fork_flow = None


def _after_fork_in_child() -> None:
    session = _session
    if session is not None and not session.finished:
        session.become_forked_child(session.pid)


_LAZY_PATCHES: Dict[str, Callable[[ModuleType], None]] = {
    "asyncio.events": lambda m: _wrap(m.Handle, "_run", _handle_run),
    "asyncio.base_events": lambda m: _wrap(m.BaseEventLoop, "create_task", _create_task),
    "concurrent.futures.thread": lambda m: (_wrap(m._WorkItem, "__init__", _work_item_init),
                                            _wrap(m._WorkItem, "run", _work_item_run)),
    "concurrent.futures.process": lambda m: _wrap(m.ProcessPoolExecutor, "submit", _process_submit),
    "multiprocessing.process": lambda m: (_wrap(m.BaseProcess, "start", _process_start),
                                          _wrap(m.BaseProcess, "_bootstrap", _process_bootstrap)),
}
if _HOOKED_CALLS:  # the script's loading by runpy.run_path (the recorder's command line, labkit.launch)
    _LAZY_PATCHES["runpy"] = lambda m: (_wrap(m, "run_path", _unhooked), _wrap(m, "_run_code", _rehooked))


def _patch_imports() -> None:
    """3.9-3.11: an import that loads a module runs without the hooks (the import system and the bodies of
    library modules run none of the learner's code, and under the tracer `import urllib.request` alone
    costs ~15 ms), but for the body of a module from the learner's files. The import system calls
    _find_and_load by name on its own module, so the patched one is the one it calls."""
    bootstrap = sys.modules.get("_frozen_importlib")
    external = sys.modules.get("_frozen_importlib_external")
    if bootstrap is None or external is None or not hasattr(external, "_LoaderBasics"):
        return  # another import system: imports are recorded as any library code is
    _wrap(bootstrap, "_find_and_load", _unhooked)
    _wrap(external._LoaderBasics, "exec_module", lambda original: _rehooked(original, learner_files_only=True))


class _PatchingLoader:
    """Runs the real loader, then patches the fresh module before anyone else can use it."""

    def __init__(self, loader: Any, patch: Callable[[ModuleType], None]) -> None:
        self._loader = loader
        self._patch = patch

    def create_module(self, spec: Any) -> Optional[ModuleType]:
        create = getattr(self._loader, "create_module", None)
        return create(spec) if create is not None else None

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        self._patch(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class _PatchOnImport:
    """A meta path finder that only steps in for the few modules the recorder patches."""

    def __init__(self) -> None:
        self._finding: set = set()

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        patch = _LAZY_PATCHES.get(name)
        if patch is None or name in self._finding:
            return None
        import importlib.util

        self._finding.add(name)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            self._finding.discard(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _PatchingLoader(spec.loader, patch)
        return spec

    def invalidate_caches(self) -> None:
        return None


_patched = False


def _install_patches() -> None:
    global _patched
    if _patched:
        return
    _patched = True
    if _HOOKED_CALLS:
        _wrap(threading.Thread, "__init__", _unhooked)
        _wrap(threading.Thread, "start", lambda original: _unhooked(_thread_start(original)))
        _wrap(threading.Thread, "join", _unhooked)
        _wrap(threading.Thread, "run", _thread_run)
    else:
        _wrap(threading.Thread, "start", _thread_start)
    _wrap(threading.Thread, "_bootstrap_inner", _thread_bootstrap_inner)
    _wrap(threading, "excepthook", _thread_excepthook)
    _wrap(threading, "Lock", _lock_factory("Lock", _TracedLock))
    _wrap(threading, "RLock", _lock_factory("RLock", _TracedRLock))
    if _HOOKED_CALLS:
        _patch_imports()
    for name, patch in _LAZY_PATCHES.items():
        if name in sys.modules:
            patch(sys.modules[name])
    sys.meta_path.insert(0, _PatchOnImport())  # type: ignore[arg-type]
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child)


# -------------------------------------------------------------------------------------------- public API

_atexit_registered = False


def start(trace_path: str, roots: Sequence[str], functions: Iterable[str] = (), max_events: int = 200_000,
          lab: Optional[str] = None) -> None:
    """Begins recording this process (and the processes it starts) into `trace_path`.

    roots: the learner's folders (or files); locks and calls are traced only in code from there, and
    `file` in the trace is relative to the first. functions: names (or qualified names) of functions
    whose calls to draw; "*" draws every function in the learner's files. max_events: cap per process."""
    global _session, _atexit_registered
    if _session is not None and _session.pid == os.getpid():
        raise RuntimeError("the recorder is already running in this process; call recorder.stop() first")
    if max_events < 1:
        raise ValueError(f"max_events must be at least 1, got {max_events}")
    directory = os.path.dirname(os.path.abspath(trace_path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"the timeline cannot be written: folder {directory} does not exist")
    _install_patches()
    for stale in tracemerge.part_paths(os.path.abspath(trace_path)):
        os.remove(stale)  # left by an earlier run that was killed; it would draw processes that never ran here
    session = _Session(trace_path, list(roots), functions, max_events, lab)
    _session = session
    session.start_calls()
    if not _atexit_registered:
        atexit.register(_at_exit)
        _atexit_registered = True


def stop() -> Optional[str]:
    """Writes the timeline and returns its path (a child process writes its part). Threads and child
    processes still running keep recording; the file is rewritten once more when Python exits, after
    it has waited for them."""
    global _session
    session = _session
    if session is None or session.pid != os.getpid() or session.finished:
        return None
    session.unhook_thread()
    try:
        path = session.write_part() if session.is_child else session.write_main()
    except OSError as error:
        # The timeline is extra: a full disk or a removed folder must not change the run's own result.
        print(f"[labkit] the timeline could not be written to {session.trace_path}: {error}", file=sys.stderr)
        path = None
    if not session.is_child and path is not None and session.still_busy():
        session.draining = True
    else:
        session.stop_calls()
        _session = None
    return path


def _at_exit() -> None:
    global _session
    session = _session
    if session is None or session.pid != os.getpid() or session.finished:
        return
    session.unhook_thread()
    try:
        if session.is_child:
            session.write_part()
        elif session.draining:
            session.join_children()
            session.write_main()
    except OSError as error:
        print(f"[labkit] the timeline could not be written to {session.trace_path}: {error}", file=sys.stderr)
    finally:
        session.stop_calls()
        _session = None


def mark(name: str, args: Optional[Mapping[str, Any]] = None, thread: Optional[threading.Thread] = None) -> bool:
    """Puts an `i` marker named `name` on the lane of `thread` (default: the calling thread), e.g.
    mark("lost update", {"read": 41, "wrote": 42}). args must be JSON-friendly; anything else is
    written as its repr. Returns False when nothing is recording or the event cap was reached."""
    session = _session
    if session is None or session.pid != os.getpid() or not session.room():
        return False
    data = _jsonable(dict(args or {}))
    if "file" not in data:
        session.located(data, sys._getframe(1))
    lane = session.lane_of(thread) if thread is not None else session.lane()
    session.events.append(("i", "marker", str(name), _now(), lane.id, None, None, data))
    return True


def is_recording() -> bool:
    session = _session
    return session is not None and session.pid == os.getpid() and not session.finished


# -------------------------------------------------------------------------------------------------- CLI


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    import argparse  # only the command line needs it; every recording child process imports this module

    parser = argparse.ArgumentParser(prog="python -m labkit.recorder",
                                     description="Run a Python script and record its timeline (Chrome trace JSON).")
    parser.add_argument("--trace", required=True, help="where to write the timeline")
    parser.add_argument("--root", action="append", default=[], help="the learner's folder (default: the script's)")
    parser.add_argument("--functions", default="", help="comma-separated functions whose calls to draw; * for all")
    parser.add_argument("--max-events", type=int, default=200_000)
    parser.add_argument("--no-record", action="store_true", help="run without recording (for measuring overhead)")
    parser.add_argument("--timing", default=None, help="write {runS, startS, stopS} of this run as JSON here")
    parser.add_argument("script")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    return parser.parse_args(list(argv))


def main(argv: Optional[Sequence[str]] = None) -> int:
    import runpy
    import traceback

    options = _parse(sys.argv[1:] if argv is None else argv)
    script = os.path.abspath(options.script)
    if not os.path.isfile(script):
        print(f"No such script: {options.script}. Give the path of a .py file to run.", file=sys.stderr)
        return 2
    labs_dir = os.path.dirname(_LABKIT_DIR)
    # As `python script.py` would see it, while labkit stays importable here and in spawned children.
    sys.path[0] = os.path.dirname(script)
    if labs_dir not in sys.path:
        sys.path.append(labs_dir)
    sys.argv = [options.script, *options.args]
    starting = time.perf_counter()
    if not options.no_record:
        start(options.trace, options.root or [os.path.dirname(script)],
              [name for name in options.functions.split(",") if name], options.max_events)
    code = 0
    began = time.perf_counter()
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:  # noqa: B036 — the script's own failure is reported, then recording still ends
        traceback.print_exc()
        code = 1
    ran = time.perf_counter() - began
    stop()
    stopped = time.perf_counter() - began - ran
    if options.timing:
        with open(options.timing, "w", encoding="utf-8") as stream:
            json.dump({"runS": ran, "startS": began - starting, "stopS": stopped, "recorded": not options.no_record},
                      stream)
    return code


if __name__ == "__main__":
    # Run through the imported module, so that what child processes unpickle (labkit.recorder._ChildBoot)
    # is the same module that records here, not a second copy named __main__.
    from labkit import recorder as _recorder

    sys.exit(_recorder.main())
