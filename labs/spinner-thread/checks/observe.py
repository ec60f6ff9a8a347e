"""Probe: runs the learner's spinner program and watches the calls of slow() and spin() (thread, start,
end, result), every write to stdout (thread, time, made inside spin() or not) and the program's threads."""
import os
import sys
import threading
import time
from typing import Any, Dict, List, Optional

from labkit import probe, threadwatch

WATCHED = ("slow", "spin")
MAX_WRITES = 3000
ENTRY = os.path.realpath(probe.entry_path())

calls: List[Dict[str, Any]] = []
spin_depth: Dict[int, int] = {}
events: List[threading.Event] = []
writes: List[List[Any]] = []
_is_entry: Dict[str, bool] = {}


def plain(value: Any) -> Any:
    return value if value is None or isinstance(value, (bool, int, float, str)) else repr(value)[:80]


class LoggedStdout:
    """Passes writes to the real stdout and logs them; the lock keeps the log in the order of the output."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.lock = threading.Lock()

    def write(self, text: str) -> int:
        thread = threading.current_thread()
        inside = spin_depth.get(threadwatch.key(thread), 0) > 0
        with self.lock:
            if len(writes) < MAX_WRITES:
                writes.append([time.perf_counter_ns(), threadwatch.key(thread), thread.name, inside, text])
            return self.wrapped.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


def on_call(frame: Any, event: str, arg: Any) -> Optional[Any]:
    code = frame.f_code
    if event != "call" or code.co_name not in WATCHED:
        return None
    if code.co_filename not in _is_entry:
        _is_entry[code.co_filename] = os.path.realpath(code.co_filename) == ENTRY
    if not _is_entry[code.co_filename]:
        return None
    thread = threading.current_thread()
    record: Dict[str, Any] = {"fn": code.co_name, "key": threadwatch.key(thread), "thread": thread.name,
                              "main": thread is threading.main_thread(), "start": time.perf_counter_ns(), "end": None}
    if code.co_name == "spin":
        spin_depth[record["key"]] = spin_depth.get(record["key"], 0) + 1
        given = [value for value in frame.f_locals.values() if isinstance(value, threading.Event)]
        events.extend(given)
        record["events"] = [id(event_) for event_ in given]
    calls.append(record)

    def on_return(frame: Any, event: str, arg: Any) -> Any:
        if event == "return":
            record["end"] = time.perf_counter_ns()
            record["result"] = plain(arg)
            if code.co_name == "spin":
                spin_depth[record["key"]] -= 1
        return on_return

    frame.f_trace_lines = False
    return on_return


stdout = LoggedStdout(sys.stdout)
threadwatch.install()
sys.stdout = stdout  # type: ignore[assignment]
threading.settrace(on_call)
sys.settrace(on_call)
try:
    probe.run_entry()
finally:
    returned = time.perf_counter_ns()
    sys.settrace(None)
    threading.settrace(None)  # type: ignore[arg-type]
    threadwatch.report({
        "returned": returned,
        "calls": calls,
        "writes": writes,
        "eventsSet": [{"id": id(event_), "set": event_.is_set()} for event_ in events],
    })
    sys.stdout = stdout.wrapped
    # A spinner nobody stopped would keep the process alive forever; what the checks need is reported,
    # so stop it by setting the event it was given.
    for event_ in events:
        event_.set()
