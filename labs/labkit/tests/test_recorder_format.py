"""The trace validator (it must accept the format and reject each way of breaking it) and the merging of
the flag server's requests into a trace."""
from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from typing import Any, Callable, Dict, List

from labkit import traceformat, tracemerge

LABS_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PID = 100


def good_trace() -> Dict[str, Any]:
    """A small trace using every phase the recorder writes."""
    trace = traceformat.new_trace({"version": 1, "truncated": False, "eventCap": 1000, "python": "3.11.7", "lab": "x"})
    trace["traceEvents"] = [
        traceformat.metadata(PID, None, "process_name", "MainProcess (pid 100)"),
        traceformat.metadata(PID, 1, "thread_name", "MainThread"),
        traceformat.metadata(PID, 2, "thread_name", "worker"),
        {"ph": "X", "cat": "process", "name": "MainProcess", "ts": 10.0, "dur": 100.0, "pid": PID, "tid": 1},
        {"ph": "s", "cat": "work", "name": "submit", "ts": 11.0, "pid": PID, "tid": 1, "id": 7},
        {"ph": "X", "cat": "thread", "name": "worker", "ts": 12.0, "dur": 50.0, "pid": PID, "tid": 2},
        {"ph": "X", "cat": "work", "name": "get", "ts": 13.0, "dur": 20.0, "pid": PID, "tid": 2,
         "args": {"file": "flags.py", "line": 3}},
        {"ph": "f", "cat": "work", "name": "submit", "ts": 13.0, "pid": PID, "tid": 2, "id": 7, "bp": "e"},
        {"ph": "X", "cat": "call", "name": "inner", "ts": 14.0, "dur": 5.0, "pid": PID, "tid": 2},
        {"ph": "b", "cat": "task", "name": "Task-1", "ts": 15.0, "pid": PID, "tid": 1, "id": 3},
        {"ph": "B", "cat": "call", "name": "legacy", "ts": 16.0, "pid": PID, "tid": 1},
        {"ph": "i", "cat": "marker", "name": "lost update", "ts": 17.0, "pid": PID, "tid": 2, "s": "t"},
        {"ph": "E", "cat": "call", "name": "legacy", "ts": 18.0, "pid": PID, "tid": 1},
        {"ph": "C", "cat": "request", "name": "in flight", "ts": 19.0, "pid": PID, "tid": 1, "args": {"requests": 2}},
        {"ph": "e", "cat": "task", "name": "Task-1", "ts": 40.0, "pid": PID, "tid": 1, "id": 3},
    ]
    return trace


def broken(change: Callable[[List[Dict[str, Any]]], None]) -> Dict[str, Any]:
    trace = good_trace()
    change(trace["traceEvents"])
    return trace


def find(events: List[Dict[str, Any]], ph: str, name: str = "") -> Dict[str, Any]:
    return next(e for e in events if e["ph"] == ph and (not name or e["name"] == name))


class ValidatorTest(unittest.TestCase):
    def assertRejected(self, trace: Any, words: str) -> None:
        problems = traceformat.validate_trace(trace)
        self.assertTrue(any(words in problem for problem in problems), f"expected {words!r} in {problems}")

    def test_accepts_a_trace_in_the_format(self) -> None:
        self.assertEqual(traceformat.validate_trace(good_trace()), [])

    def test_rejects_a_broken_header(self) -> None:
        self.assertRejected([], "JSON object")
        self.assertRejected({"traceEvents": {}}, "traceEvents must be a list")
        no_meta = good_trace()
        del no_meta["otherData"]
        self.assertRejected(no_meta, "otherData.concurrencyLabs is missing")
        wrong = good_trace()
        wrong["otherData"]["concurrencyLabs"].update(version=2, truncated="no")
        self.assertRejected(wrong, "version must be 1")
        self.assertRejected(wrong, "truncated must be true or false")

    def test_rejects_events_missing_what_their_phase_needs(self) -> None:
        self.assertRejected(broken(lambda ev: ev.append({"ph": "Q", "name": "x", "pid": PID, "tid": 1, "ts": 1})), "unknown ph")
        self.assertRejected(broken(lambda ev: find(ev, "X", "get").pop("dur")), "dur must be a number")
        self.assertRejected(broken(lambda ev: find(ev, "X", "get").update(ts=float("nan"))), "ts must be a finite number")
        self.assertRejected(broken(lambda ev: find(ev, "b").pop("id")), "needs an id")
        self.assertRejected(broken(lambda ev: find(ev, "f").pop("bp")), "bp: 'e'")
        self.assertRejected(broken(lambda ev: find(ev, "C").update(args={"requests": "two"})), "numeric series")
        self.assertRejected(broken(lambda ev: find(ev, "X", "get")["args"].pop("line")), "1-based integer args.line")
        self.assertRejected(broken(lambda ev: find(ev, "X", "get").update(tid="worker")), "tid must be an integer")
        self.assertRejected(broken(lambda ev: find(ev, "i").update(s="x")), "scope s")

    def test_rejects_unmatched_pairs(self) -> None:
        self.assertRejected(broken(lambda ev: ev.remove(find(ev, "e"))), "async begin without an end")
        self.assertRejected(broken(lambda ev: ev.remove(find(ev, "b"))), "async end without a begin")
        self.assertRejected(broken(lambda ev: ev.remove(find(ev, "f"))), "flow start without an end")
        self.assertRejected(broken(lambda ev: ev.remove(find(ev, "s"))), "flow end without a start")
        self.assertRejected(broken(lambda ev: ev.remove(find(ev, "E"))), "never ended")
        self.assertRejected(broken(lambda ev: find(ev, "E").update(name="other")), "closes B")

    def test_rejects_spans_that_partly_overlap_on_one_lane(self) -> None:
        self.assertRejected(broken(lambda ev: find(ev, "X", "inner").update(dur=30.0)), "starts inside 'get' but ends after it")

    def test_rejects_events_out_of_time_order_and_unnamed_lanes(self) -> None:
        def swap(ev: List[Dict[str, Any]]) -> None:
            ev[-1], ev[-2] = ev[-2], ev[-1]

        self.assertRejected(broken(swap), "out of time order")
        self.assertRejected(broken(lambda ev: ev.remove(find(ev, "M", "thread_name"))), "has no thread_name")
        self.assertRejected(broken(lambda ev: ev.remove(find(ev, "M", "process_name"))), "has no process_name")

    def test_drops_flows_that_lost_their_other_end(self) -> None:
        trace = broken(lambda ev: ev.remove(find(ev, "f")))
        self.assertEqual(traceformat.drop_unmatched_flows(trace["traceEvents"]), 1)
        self.assertEqual(traceformat.validate_trace(trace), [])

    def test_command_line(self) -> None:
        folder = tempfile.mkdtemp(prefix="labkit-trace-")
        self.addCleanup(shutil.rmtree, folder, True)
        good, bad = os.path.join(folder, "good.json"), os.path.join(folder, "bad.json")
        traceformat.write_json(good, good_trace())
        traceformat.write_json(bad, broken(lambda ev: ev.remove(find(ev, "e"))))
        env = dict(os.environ, PYTHONPATH=LABS_DIR)
        run = subprocess.run([sys.executable, "-m", "labkit.traceformat", good], env=env, capture_output=True, text=True)
        self.assertEqual((run.returncode, run.stdout.strip()), (0, f"{good}: ok"))
        run = subprocess.run([sys.executable, "-m", "labkit.traceformat", good, bad], env=env, capture_output=True, text=True)
        self.assertEqual(run.returncode, 1)
        self.assertIn("async begin without an end", run.stdout)


class ServerSpansTest(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="labkit-trace-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.path = os.path.join(self.dir, "trace.json")

    def requests(self) -> List[Dict[str, Any]]:
        # Three requests, at most two at once; the second ends exactly when the third starts.
        return [
            {"name": "GET /flags/BR/br.gif", "code": "BR", "status": 200, "start_ns": 20_000, "end_ns": 60_000},
            {"name": "GET /flags/CN/cn.gif", "code": "CN", "status": 200, "start_ns": 30_000, "end_ns": 70_000},
            {"name": "GET /flags/EG/eg.gif", "code": "EG", "status": 500, "start_ns": 70_000, "end_ns": 90_000},
        ]

    def test_adds_one_span_per_request_and_a_counter(self) -> None:
        traceformat.write_json(self.path, good_trace())
        tracemerge.add_server_spans(self.path, self.requests(), pid=4242)
        trace = traceformat.read_json(self.path)
        self.assertEqual(traceformat.validate_trace(trace), [])
        spans = [e for e in trace["traceEvents"] if e.get("cat") == "request" and e["ph"] == "b"]
        self.assertEqual([e["args"]["request"] for e in spans], [r["name"] for r in self.requests()])
        self.assertEqual({(e["pid"], e["tid"], e["name"]) for e in spans}, {(4242, 1, "flag server")})
        self.assertEqual(spans[2]["args"]["status"], 500)
        counts = [e["args"]["requests"] for e in trace["traceEvents"] if e["ph"] == "C" and e["pid"] == 4242]
        self.assertEqual(max(counts), 2, "back-to-back requests are not counted as overlapping")
        self.assertEqual(counts[-1], 0)
        self.assertEqual(traceformat.labkit_meta(trace)["server"], {"pid": 4242, "requests": 3})
        names = [e["args"]["name"] for e in trace["traceEvents"] if e["ph"] == "M" and e["pid"] == 4242 and "name" in e["args"]]
        self.assertIn("flag server", names)
        with self.assertRaisesRegex(ValueError, "add them once per trace"):
            tracemerge.add_server_spans(self.path, self.requests(), pid=4242)

    def test_accepts_the_flag_servers_request_records(self) -> None:
        from labkit.flagserver import RequestRecord

        records = [RequestRecord(path="/flags/BR/br.gif", code="BR", status=200, start_ns=5_000, end_ns=9_000)]
        tracemerge.add_server_spans(self.path, records)
        trace = traceformat.read_json(self.path)
        self.assertEqual(traceformat.validate_trace(trace), [], "a run that wrote no trace still gets the requests")
        (span,) = [e for e in trace["traceEvents"] if e["ph"] == "b"]
        self.assertEqual(span["args"]["request"], "GET /flags/BR/br.gif")

    def test_a_request_without_times_is_refused_with_a_reason(self) -> None:
        with self.assertRaisesRegex(ValueError, "integer start_ns and end_ns"):
            tracemerge.add_server_spans(self.path, [{"name": "GET /", "start_ns": 1.5, "end_ns": 2}])


class PartMergeTest(unittest.TestCase):
    def test_parts_are_merged_once_and_removed(self) -> None:
        folder = tempfile.mkdtemp(prefix="labkit-trace-")
        self.addCleanup(shutil.rmtree, folder, True)
        path = os.path.join(folder, "trace.json")
        part = good_trace()
        for event in part["traceEvents"]:
            event["pid"] = 200
            if "id" in event:
                event["id"] += 1000  # ids are unique across processes (the recorder bases them on the pid)
        traceformat.labkit_meta(part).update(truncated=True, processes=[{"pid": 200, "name": "SpawnProcess-1"}])
        traceformat.write_json(f"{path}.200.part", part)
        with open(f"{path}.300.part", "w", encoding="utf-8") as stream:
            stream.write('{"traceEvents": [')  # a child killed mid-write
        main = good_trace()
        traceformat.labkit_meta(main)["processes"] = [{"pid": PID}]
        target = copy.deepcopy(main)
        self.assertEqual(tracemerge.merge_parts(target, path), [200])
        tracemerge.finish(target)
        self.assertEqual(traceformat.validate_trace(target), [])
        self.assertTrue(traceformat.labkit_meta(target)["truncated"])
        self.assertEqual({e["pid"] for e in target["traceEvents"]}, {PID, 200})
        self.assertEqual(tracemerge.part_paths(path), [f"{path}.300.part"], "an unreadable part is left for a look")
        json.dumps(target)


if __name__ == "__main__":
    unittest.main()
