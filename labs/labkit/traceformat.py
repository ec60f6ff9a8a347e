"""The run timeline's file format (docs/trace-format.md): turning recorded events into Chrome Trace Event
JSON, writing it, and checking a file against the format.

    python -m labkit.traceformat TRACE.json [...]     exit 0 when every file is valid, 1 otherwise
"""
from __future__ import annotations

import json
import math
import os
import sys
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

VERSION = 1
PHASES = frozenset("XBEbeisfCM")
METADATA_NAMES = frozenset({"process_name", "process_sort_index", "thread_name", "thread_sort_index", "process_labels"})
# A run longer than a day is not a lab run: such a spread means a foreign clock slipped in.
MAX_SPREAD_US = 86_400e6

# The recorder keeps events as tuples (cheap to build in hooks) and converts them only when writing:
# (ph, cat, name, ts_ns, tid, dur_ns, id, args) optionally followed by (tts_ns, tdur_ns) for CPU time.
Recorded = Tuple[Any, ...]


def _us(ns: int) -> float:
    return ns / 1000


def to_chrome(pid: int, event: Recorded) -> Dict[str, Any]:
    """One recorded tuple as a Chrome trace event of process `pid`."""
    ph, cat, name, ts, tid, dur, eid, args = event[:8]
    out: Dict[str, Any] = {"ph": ph, "cat": cat, "name": name, "ts": _us(ts), "pid": pid, "tid": tid}
    if dur is not None:
        out["dur"] = _us(dur)
    if eid is not None:
        out["id"] = eid
    if ph == "f":
        out["bp"] = "e"
    elif ph == "i":
        out["s"] = "t" if tid else "p"
    if len(event) > 8 and event[8] is not None:
        out["tts"] = _us(event[8])
        out["tdur"] = _us(event[9])
    if args:
        out["args"] = args
    return out


def metadata(pid: int, tid: Optional[int], name: str, value: Any) -> Dict[str, Any]:
    """An `M` event: `name` is process_name, thread_name or a *_sort_index."""
    key = "sort_index" if name.endswith("sort_index") else "name"
    event: Dict[str, Any] = {"ph": "M", "name": name, "pid": pid, "ts": 0, "args": {key: value}}
    if tid is not None:
        event["tid"] = tid
    return event


def _order(event: Dict[str, Any]) -> Tuple[int, float, float]:
    if event.get("ph") == "M":
        return (0, 0.0, 0.0)
    # At one instant the longer span first, so a parent precedes the child that starts with it.
    return (1, float(event.get("ts", 0)), -float(event.get("dur", 0)))


def sort_events(events: List[Dict[str, Any]]) -> None:
    events.sort(key=_order)


def drop_unmatched_flows(events: List[Dict[str, Any]]) -> int:
    """Removes flow starts whose end never came (a child killed before it wrote its part, a future
    cancelled in the queue) and ends without a start; returns how many were removed."""
    def key(event: Dict[str, Any]) -> Tuple[Any, Any]:
        return (event.get("cat"), event.get("id"))

    starts = {key(e) for e in events if e.get("ph") == "s"}
    ends = {key(e) for e in events if e.get("ph") == "f"}
    paired = starts & ends
    keep = [e for e in events if e.get("ph") not in ("s", "f") or key(e) in paired]
    removed = len(events) - len(keep)
    events[:] = keep
    return removed


def new_trace(meta: Dict[str, Any]) -> Dict[str, Any]:
    return {"traceEvents": [], "displayTimeUnit": "ms", "otherData": {"concurrencyLabs": meta}}


def labkit_meta(trace: Dict[str, Any]) -> Dict[str, Any]:
    other = trace.setdefault("otherData", {})
    return other.setdefault("concurrencyLabs", {"version": VERSION, "truncated": False, "eventCap": 0, "python": ""})


def write_json(path: str, trace: Dict[str, Any]) -> None:
    """Writes atomically, so a reader (the runner, or a parent merging parts) never sees half a file."""
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as stream:
        json.dump(trace, stream, separators=(",", ":"), allow_nan=False)
    os.replace(tmp, path)


def read_json(path: str) -> Dict[str, Any]:
    with open(path, encoding="utf-8") as stream:
        value = json.load(stream)
    if not isinstance(value, dict):
        raise ValueError(f"{path} holds a JSON {type(value).__name__}, not a trace object")
    return value


# ---------------------------------------------------------------------------------------------- validation


def _num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _ns(value: float) -> int:
    return int(round(value * 1000))


def _check_header(trace: Any, problems: List[str]) -> Optional[List[Any]]:
    if not isinstance(trace, dict):
        problems.append("the trace must be a JSON object with traceEvents")
        return None
    events = trace.get("traceEvents")
    if not isinstance(events, list):
        problems.append("traceEvents must be a list")
        return None
    if trace.get("displayTimeUnit") not in ("ms", "ns"):
        problems.append("displayTimeUnit must be 'ms' or 'ns'")
    ours = trace.get("otherData", {}).get("concurrencyLabs") if isinstance(trace.get("otherData"), dict) else None
    if not isinstance(ours, dict):
        problems.append("otherData.concurrencyLabs is missing")
    else:
        if ours.get("version") != VERSION:
            problems.append(f"otherData.concurrencyLabs.version must be {VERSION}")
        if not isinstance(ours.get("truncated"), bool):
            problems.append("otherData.concurrencyLabs.truncated must be true or false")
        if not isinstance(ours.get("eventCap"), int) or ours.get("eventCap") < 0:
            problems.append("otherData.concurrencyLabs.eventCap must be a whole number")
        if not isinstance(ours.get("python"), str):
            problems.append("otherData.concurrencyLabs.python must be a version string")
    return events


def _check_event(index: int, event: Any, problems: List[str]) -> bool:
    """Fields each phase needs; False when the event is too broken for the pairing checks."""
    where = f"event {index}"
    if not isinstance(event, dict):
        problems.append(f"{where}: not an object")
        return False
    ph = event.get("ph")
    if ph not in PHASES:
        problems.append(f"{where}: unknown ph {ph!r}")
        return False
    if not isinstance(event.get("name"), str):
        problems.append(f"{where} ({ph}): name must be a string")
    if not isinstance(event.get("pid"), int):
        problems.append(f"{where} ({ph}): pid must be an integer")
        return False
    if ph == "M":
        if event.get("name") not in METADATA_NAMES:
            problems.append(f"{where}: unknown metadata {event.get('name')!r}")
        elif event["name"].startswith("thread") and not isinstance(event.get("tid"), int):
            problems.append(f"{where}: {event['name']} needs a tid")
        args = event.get("args")
        if not isinstance(args, dict) or not ("name" in args or "sort_index" in args or "labels" in args):
            problems.append(f"{where}: metadata needs args.name or args.sort_index")
        return True
    ok = True
    if not isinstance(event.get("tid"), int):
        problems.append(f"{where} ({ph}): tid must be an integer lane id")
        ok = False
    if not _num(event.get("ts")) or event["ts"] < 0:
        problems.append(f"{where} ({ph}): ts must be a finite number of microseconds >= 0")
        ok = False
    if ph != "C" and not isinstance(event.get("cat"), str):
        problems.append(f"{where} ({ph}): cat must be a string")
    if ph == "X" and (not _num(event.get("dur")) or event["dur"] < 0):
        problems.append(f"{where} (X): dur must be a number >= 0")
        ok = False
    if ph in "besf" and not isinstance(event.get("id"), (int, str)):
        problems.append(f"{where} ({ph}): needs an id")
        ok = False
    if ph == "f" and event.get("bp") != "e":
        problems.append(f"{where} (f): flow ends must bind to their enclosing slice (bp: 'e')")
    if ph == "i" and event.get("s", "t") not in ("t", "p", "g"):
        problems.append(f"{where} (i): scope s must be 't', 'p' or 'g'")
    if ph == "C":
        args = event.get("args")
        if not isinstance(args, dict) or not args or not all(_num(v) for v in args.values()):
            problems.append(f"{where} (C): args must hold numeric series")
    args = event.get("args")
    if args is not None and not isinstance(args, dict):
        problems.append(f"{where} ({ph}): args must be an object")
    elif isinstance(args, dict) and "file" in args:
        if not isinstance(args["file"], str) or not (isinstance(args.get("line"), int) and args["line"] >= 1):
            problems.append(f"{where} ({ph}): args.file needs a 1-based integer args.line")
    return ok


def _check_pairs(events: Sequence[Dict[str, Any]], problems: List[str]) -> None:
    open_async: Dict[Tuple[Any, ...], List[float]] = {}
    flows: Dict[Tuple[Any, ...], float] = {}
    flow_ends: Dict[Tuple[Any, ...], float] = {}
    stacks: Dict[Tuple[int, int], List[Tuple[str, int]]] = {}
    for event in events:
        ph = event["ph"]
        if ph in "be":
            key = (event["pid"], event.get("cat"), event["id"])
            if ph == "b":
                open_async.setdefault(key, []).append(event["ts"])
            elif not open_async.get(key):
                problems.append(f"async end without a begin: pid {key[0]} cat {key[1]!r} id {key[2]!r}")
            elif open_async[key].pop() > event["ts"]:
                problems.append(f"async span ends before it begins: cat {key[1]!r} id {key[2]!r}")
        elif ph in "sf":
            key = (event.get("cat"), event["id"])
            table = flows if ph == "s" else flow_ends
            if key in table:
                problems.append(f"flow {'start' if ph == 's' else 'end'} repeated: cat {key[0]!r} id {key[1]!r}")
            table[key] = event["ts"]
        elif ph in "BE":
            stack = stacks.setdefault((event["pid"], event["tid"]), [])
            if ph == "B":
                stack.append((event["name"], _ns(event["ts"])))
            elif not stack:
                problems.append(f"E without B on pid {event['pid']} lane {event['tid']}")
            else:
                name, _ = stack.pop()
                if event.get("name") not in (None, "", name):
                    problems.append(f"E {event['name']!r} closes B {name!r} on pid {event['pid']} lane {event['tid']}")
    for key, opened in open_async.items():
        if opened:
            problems.append(f"async begin without an end: pid {key[0]} cat {key[1]!r} id {key[2]!r}")
    for key, ts in flows.items():
        if key not in flow_ends:
            problems.append(f"flow start without an end: cat {key[0]!r} id {key[1]!r}")
        elif flow_ends[key] < ts:
            problems.append(f"flow ends before it starts: cat {key[0]!r} id {key[1]!r}")
    for key in flow_ends:
        if key not in flows:
            problems.append(f"flow end without a start: cat {key[0]!r} id {key[1]!r}")
    for (pid, tid), stack in stacks.items():
        if stack:
            problems.append(f"B {stack[-1][0]!r} never ended on pid {pid} lane {tid}")


def _check_nesting(events: Sequence[Dict[str, Any]], problems: List[str]) -> None:
    """X spans of one lane must nest: a span that starts inside another ends inside it too."""
    lanes: Dict[Tuple[int, int], List[Tuple[int, int, str]]] = {}
    for event in events:
        if event["ph"] == "X":
            start = _ns(event["ts"])
            lanes.setdefault((event["pid"], event["tid"]), []).append((start, start + _ns(event["dur"]), event["name"]))
    for (pid, tid), spans in lanes.items():
        spans.sort(key=lambda span: (span[0], -span[1]))
        open_ends: List[Tuple[int, str]] = []
        for start, end, name in spans:
            while open_ends and open_ends[-1][0] <= start:
                open_ends.pop()
            if open_ends and end > open_ends[-1][0]:
                problems.append(f"span {name!r} on pid {pid} lane {tid} starts inside {open_ends[-1][1]!r} but ends after it")
                continue
            open_ends.append((end, name))


def _check_lanes_and_time(events: Sequence[Dict[str, Any]], problems: List[str]) -> None:
    named_threads = {(e["pid"], e.get("tid")) for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    named_processes = {e["pid"] for e in events if e["ph"] == "M" and e["name"] == "process_name"}
    last = -math.inf
    times = []
    seen_lanes = set()
    for event in events:
        if event["ph"] == "M":
            continue
        if event["ts"] < last:
            problems.append(f"events out of time order: {event['ph']} {event.get('name')!r} at {event['ts']} after {last}")
            break
        last = event["ts"]
        times.append(event["ts"])
        seen_lanes.add((event["pid"], event["tid"]))
    if times and times[-1] - times[0] > MAX_SPREAD_US:
        problems.append("events span more than a day: timestamps from different clocks were mixed")
    for pid, tid in sorted(seen_lanes):
        if (pid, tid) not in named_threads:
            problems.append(f"lane {tid} of pid {pid} has no thread_name metadata")
        if pid not in named_processes:
            problems.append(f"pid {pid} has no process_name metadata")
            named_processes.add(pid)


def validate_trace(trace: Any, limit: int = 50) -> List[str]:
    """Problems with a trace object, worded for whoever wrote it; empty when it follows the format."""
    problems: List[str] = []
    events = _check_header(trace, problems)
    if events is None:
        return problems
    good = [event for index, event in enumerate(events) if _check_event(index, event, problems)]
    _check_pairs(good, problems)
    _check_nesting(good, problems)
    _check_lanes_and_time(good, problems)
    if len(problems) > limit:
        problems[limit:] = [f"... and {len(problems) - limit} more problems"]
    return problems


def validate_file(path: str) -> List[str]:
    try:
        trace = read_json(path)
    except OSError as error:
        return [f"cannot read {path}: {error.strerror or error}"]
    except ValueError as error:
        return [f"{path} is not valid trace JSON: {error}"]
    return validate_trace(trace)


def main(argv: Optional[Iterable[str]] = None) -> int:
    paths = list(sys.argv[1:] if argv is None else argv)
    if not paths:
        print("usage: python -m labkit.traceformat TRACE.json [...]", file=sys.stderr)
        return 2
    status = 0
    for path in paths:
        problems = validate_file(path)
        if problems:
            status = 1
            print(f"{path}: {len(problems)} problem(s)")
            for problem in problems:
                print(f"  - {problem}")
        else:
            print(f"{path}: ok")
    return status


if __name__ == "__main__":
    sys.exit(main())
