"""Observes threading.Thread inside the learner's process, for probes: which threads were started (by
whom, daemon or not), which were joined (by whom, and whether they had finished when join returned), and
which were still running when the program's main code ended.

    threadwatch.install()            before the learner's code runs
    ...run it...
    threadwatch.report(extra={...})  sends {"threads": {...}} to the checker (Run.observations)
"""
from __future__ import annotations

import threading
import time
from typing import Any, Dict, List, Optional

from labkit import probe

_started: List[Dict[str, Any]] = []
_joins: List[Dict[str, Any]] = []
_threads: Dict[int, threading.Thread] = {}
_installed = False


def key(thread: threading.Thread) -> int:
    """A thread's identity for the whole run: OS thread ids are reused once a thread ends, objects are not
    (we keep a reference to each started thread, so its id() stays unique)."""
    return id(thread)


def _target_name(thread: threading.Thread) -> str:
    target = getattr(thread, "_target", None)  # private, but the only way to name what a Thread runs
    if target is not None:
        return getattr(target, "__qualname__", None) or repr(target)
    return f"{type(thread).__name__}.run"


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    start = threading.Thread.start
    join = threading.Thread.join

    def watched_start(self: threading.Thread) -> None:
        start(self)
        _threads[key(self)] = self
        # list.append is atomic: no lock of ours to change the program's timing.
        _started.append({"key": key(self), "name": self.name, "daemon": self.daemon, "target": _target_name(self),
                         "by": threading.current_thread().name, "t": time.perf_counter_ns()})

    def watched_join(self: threading.Thread, timeout: Optional[float] = None) -> None:
        began = time.perf_counter_ns()
        try:
            join(self, timeout)
        finally:
            _joins.append({"key": key(self), "name": self.name, "by": threading.current_thread().name,
                           "t": began, "returned": time.perf_counter_ns(), "timeout": timeout,
                           "aliveAfter": self.is_alive()})

    threading.Thread.start = watched_start  # type: ignore[method-assign]
    threading.Thread.join = watched_join  # type: ignore[method-assign]


def still_running() -> List[threading.Thread]:
    """Threads the learner's program started that are still alive now."""
    return [thread for thread in _threads.values() if thread.is_alive()]


def snapshot() -> Dict[str, Any]:
    alive = still_running()
    return {"started": list(_started), "joins": list(_joins),
            "alive": [{"key": key(t), "name": t.name, "daemon": t.daemon} for t in alive]}


def report(extra: Optional[Dict[str, Any]] = None) -> None:
    probe.report({"threads": {**snapshot(), **(extra or {})}})


# -- checker side -------------------------------------------------------------------------------------

def observed(observations: List[Any]) -> Dict[str, Any]:
    """What report() sent ({} when the run did not get to report)."""
    for item in observations:
        if isinstance(item, dict) and isinstance(item.get("threads"), dict):
            return item["threads"]
    return {}
