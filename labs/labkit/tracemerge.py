"""Combining timeline pieces into one trace file (docs/trace-format.md): the parts that child processes
write (`<trace>.<pid>.part`), and the flag server's request spans that the runner adds after a run.
"""
from __future__ import annotations

import glob
import os
import platform
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from labkit import traceformat

SERVER_LANE = 1
SERVER_NAME = "flag server"
# After every learner process in the timeline's process order.
SERVER_SORT_INDEX = 10_000


def part_paths(trace_path: str) -> List[str]:
    return sorted(glob.glob(f"{glob.escape(trace_path)}.*.part"))


def merge_parts(trace: Dict[str, Any], trace_path: str) -> List[int]:
    """Moves every child's part into `trace` and deletes the part files; returns the pids merged.
    A part that cannot be read (a child killed while writing) is skipped and its file left for a look."""
    meta = traceformat.labkit_meta(trace)
    merged: List[int] = []
    for path in part_paths(trace_path):
        try:
            part = traceformat.read_json(path)
        except (OSError, ValueError):
            continue
        trace["traceEvents"].extend(part.get("traceEvents", []))
        part_meta = traceformat.labkit_meta(part)
        meta["truncated"] = bool(meta.get("truncated")) or bool(part_meta.get("truncated"))
        meta.setdefault("processes", []).extend(part_meta.get("processes", []))
        merged.extend(entry["pid"] for entry in part_meta.get("processes", []) if isinstance(entry, dict))
        os.remove(path)
    return merged


def finish(trace: Dict[str, Any]) -> None:
    """Leaves only matched flows and puts events in the order the format promises."""
    traceformat.drop_unmatched_flows(trace["traceEvents"])
    traceformat.sort_events(trace["traceEvents"])


def _field(request: Any, *names: str) -> Any:
    for name in names:
        value = request.get(name) if isinstance(request, Mapping) else getattr(request, name, None)
        if value is not None:
            return value
    return None


def _request_span(request: Any) -> Tuple[int, int, Dict[str, Any]]:
    """(start_ns, end_ns, args) from a flagserver.RequestRecord or one of FlagServer.spans()'s dicts."""
    start, end = _field(request, "start_ns", "startNs"), _field(request, "end_ns", "endNs")
    if not isinstance(start, int) or not isinstance(end, int):
        raise ValueError(f"a request needs integer start_ns and end_ns from time.perf_counter_ns(), got {request!r}")
    path = _field(request, "path")
    label = _field(request, "name") or (f"GET {path}" if path else "request")
    args: Dict[str, Any] = {"request": label}
    for key in ("status", "code"):
        value = _field(request, key)
        if value is not None:
            args[key] = value
    return start, max(start, end), args


def _server_events(pid: int, spans: List[Tuple[int, int, Dict[str, Any]]]) -> List[Dict[str, Any]]:
    events = [
        traceformat.metadata(pid, None, "process_name", f"{SERVER_NAME} (pid {pid})"),
        traceformat.metadata(pid, None, "process_sort_index", SERVER_SORT_INDEX),
        traceformat.metadata(pid, SERVER_LANE, "thread_name", SERVER_NAME),
        traceformat.metadata(pid, SERVER_LANE, "thread_sort_index", SERVER_LANE),
    ]
    changes: List[Tuple[int, int]] = []
    for number, (start, end, args) in enumerate(spans, 1):
        for ph, ts in (("b", start), ("e", end)):
            events.append(traceformat.to_chrome(pid, (ph, "request", SERVER_NAME, ts, SERVER_LANE, None, number, args if ph == "b" else None)))
        changes += [(start, 1), (end, -1)]
    # Ends before starts at one instant, so back-to-back requests do not show a false peak.
    changes.sort(key=lambda change: (change[0], change[1]))
    in_flight = 0
    for ts, step in changes:
        in_flight += step
        events.append(traceformat.to_chrome(pid, ("C", "request", "in flight", ts, SERVER_LANE, None, None, {"requests": in_flight})))
    return events


def add_server_spans(trace_path: str, requests: Iterable[Any], pid: Optional[int] = None) -> None:
    """Adds the flag server's requests to the trace at `trace_path` (the runner calls this after the
    learner's program ended): one async span per request and an `in flight` counter, on a `flag server`
    lane of the runner's process. Creates the trace when the program wrote none (it crashed early)."""
    spans = sorted((_request_span(request) for request in requests), key=lambda span: span[0])
    pid = os.getpid() if pid is None else pid
    try:
        trace = traceformat.read_json(trace_path)
    except FileNotFoundError:
        trace = traceformat.new_trace({"version": traceformat.VERSION, "truncated": False, "eventCap": 0,
                                       "python": platform.python_version(), "lab": None})
    meta = traceformat.labkit_meta(trace)
    if meta.get("server"):
        raise ValueError(f"{trace_path} already has the flag server's requests; add them once per trace")
    trace["traceEvents"].extend(_server_events(pid, spans))
    meta["server"] = {"pid": pid, "requests": len(spans)}
    finish(trace)
    traceformat.write_json(trace_path, trace)
