"""Observes concurrent.futures inside the learner's process, for probes: which executors were made and
how big, when each future was submitted, finished and read, and what as_completed handed out.

A lab's probe (checks/observe.py) is one call, which runs the learner's program under observation:

    from labkit import futureswatch
    futureswatch.observe_entry()
"""
from __future__ import annotations

import concurrent.futures
import concurrent.futures._base as futures_base
import concurrent.futures.thread as futures_thread
import itertools
import threading
import time
from typing import Any, Dict, Iterator, List

from labkit import probe

_events: List[Dict[str, Any]] = []
_ids = itertools.count(1)
_installed = False


def _record(event: str, **fields: Any) -> None:
    # list.append is atomic, so worker threads can record without a lock of ours changing their timing.
    _events.append({"event": event, "t": time.perf_counter_ns(), "thread": threading.current_thread().name, **fields})


def _label(args: Any) -> Any:
    first = args[0] if args else None
    return first if isinstance(first, (str, int, float)) else repr(first)[:40]


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    executor_init = futures_thread.ThreadPoolExecutor.__init__
    submit = futures_thread.ThreadPoolExecutor.submit
    result = futures_base.Future.result
    as_completed = futures_base.as_completed

    def watched_init(self: Any, *args: Any, **kwargs: Any) -> None:
        executor_init(self, *args, **kwargs)
        _record("executor", max_workers=self._max_workers)

    def watched_submit(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        future = submit(self, fn, *args, **kwargs)
        future_id = next(_ids)
        future._labkit_id = future_id
        _record("submit", future=future_id, fn=getattr(fn, "__name__", repr(fn)), arg=_label(args))
        future.add_done_callback(lambda f: _record("done", future=future_id))
        return future

    def watched_result(self: Any, timeout: Any = None) -> Any:
        _record("result", future=getattr(self, "_labkit_id", None), was_done=self.done())
        return result(self, timeout)

    def watched_as_completed(fs: Any, timeout: Any = None) -> Iterator[Any]:
        futures = list(fs)
        _record("as_completed", count=len(futures))
        for future in as_completed(futures, timeout):
            _record("yield", future=getattr(future, "_labkit_id", None))
            yield future

    futures_thread.ThreadPoolExecutor.__init__ = watched_init  # type: ignore[method-assign]
    futures_thread.ThreadPoolExecutor.submit = watched_submit  # type: ignore[method-assign]
    futures_base.Future.result = watched_result  # type: ignore[method-assign]
    futures_base.as_completed = watched_as_completed
    concurrent.futures.as_completed = watched_as_completed  # type: ignore[assignment]


def events() -> List[Dict[str, Any]]:
    return list(_events)


def report() -> None:
    probe.report({"futures": events()})


def observe_entry() -> None:
    """Installs the observers, runs the learner's program as __main__, and reports what it saw, even
    when the program raises or exits."""
    install()
    try:
        probe.run_entry()
    finally:
        report()


# -- checker side -------------------------------------------------------------------------------------

def observed(observations: List[Any]) -> List[Dict[str, Any]]:
    """The events a probe reported (Run.observations), or [] when the run reported none."""
    for item in observations:
        if isinstance(item, dict) and isinstance(item.get("futures"), list):
            return item["futures"]
    return []
