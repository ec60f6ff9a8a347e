"""The recorder over real programs (tests/trace_fixtures), each run in its own interpreter as a learner's
run would be: the structure of what it recorded, and that every trace passes the format validator."""
from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from collections import defaultdict
from typing import Any, Dict, List, Optional, Sequence, Tuple

from labkit import traceformat

LABS_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(LABS_DIR, "labkit", "tests", "trace_fixtures")
Trace = Dict[str, Any]
Event = Dict[str, Any]


def child_env() -> Dict[str, str]:
    env = dict(os.environ, PYTHONPATH=LABS_DIR, PYTHONDONTWRITEBYTECODE="1", PYTHONUTF8="1")
    env.pop("PYTHONSTARTUP", None)
    return env


class RecorderCase(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="labkit-trace-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def record(self, fixture: str, *args: str, functions: str = "", max_events: Optional[int] = None,
               launcher: Sequence[str] = ("-m", "labkit.recorder")) -> Tuple[Trace, str]:
        """Runs a fixture with recording; returns the validated trace and what the program printed."""
        trace_path = os.path.join(self.dir, "trace.json")
        command = [sys.executable, *launcher, "--trace", trace_path]
        if functions:
            command += ["--functions", functions]
        if max_events is not None:
            command += ["--max-events", str(max_events)]
        command += [os.path.join(FIXTURES, fixture), *args]
        done = subprocess.run(command, cwd=self.dir, env=child_env(), capture_output=True, text=True, timeout=120)
        self.assertEqual(done.returncode, 0, f"{fixture} failed:\n{done.stdout}\n{done.stderr}")
        with open(trace_path, encoding="utf-8") as stream:
            trace = json.load(stream)
        self.assertEqual(traceformat.validate_trace(trace), [], f"{fixture}: the trace breaks the format")
        self.assertEqual(glob.glob(os.path.join(self.dir, "*.part")), [], "child parts must be merged and removed")
        return trace, done.stdout


def line_of(fixture: str, text: str) -> int:
    """The 1-based line of a fixture that holds `text`, so tests survive edits to the fixtures."""
    with open(os.path.join(FIXTURES, fixture), encoding="utf-8") as stream:
        return next(number for number, line in enumerate(stream, 1) if text in line)


def events(trace: Trace, ph: str, cat: Optional[str] = None, pid: Optional[int] = None) -> List[Event]:
    return [e for e in trace["traceEvents"]
            if e["ph"] == ph and (cat is None or e.get("cat") == cat) and (pid is None or e["pid"] == pid)]


def lane_names(trace: Trace) -> Dict[Tuple[int, int], str]:
    return {(e["pid"], e["tid"]): e["args"]["name"] for e in events(trace, "M") if e["name"] == "thread_name"}


def meta(trace: Trace) -> Dict[str, Any]:
    return trace["otherData"]["concurrencyLabs"]


def overlap(spans: Sequence[Tuple[float, float]]) -> int:
    """Most spans open at one instant."""
    points = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    best = current = 0
    for _, step in points:
        current += step
        best = max(best, current)
    return best


def async_spans(trace: Trace, cat: str) -> Dict[Any, Tuple[Event, Event]]:
    begins = {e["id"]: e for e in events(trace, "b", cat)}
    return {e["id"]: (begins[e["id"]], e) for e in events(trace, "e", cat)}


class ThreadsTest(RecorderCase):
    def test_each_thread_has_its_lane_named_as_the_program_named_it(self) -> None:
        trace, _ = self.record("threads_basic.py")
        names = lane_names(trace)
        pid = meta(trace)["processes"][0]["pid"]
        self.assertEqual(names[(pid, 1)], "MainThread")
        self.assertEqual(sorted(names.values()),
                         sorted(["MainThread", "spinner", "worker", "renamed-late", "failing", "parent", "grandchild"]))
        spans = {e["name"]: e for e in events(trace, "X", "thread")}
        self.assertEqual(set(spans), set(names.values()) - {"MainThread"})
        self.assertEqual(spans["worker"]["args"]["target"], "Worker.run")
        self.assertEqual(spans["spinner"]["args"]["file"], "threads_basic.py")
        self.assertEqual(spans["spinner"]["args"]["line"], line_of("threads_basic.py", "def spin("))
        for span in spans.values():
            self.assertGreaterEqual(span["args"]["cpuUs"], 0)
            self.assertIn("tdur", span)
        # The thread a thread started points back at its parent's lane, not at the main thread's.
        parent_lane = spans["parent"]["tid"]
        self.assertEqual(spans["grandchild"]["args"]["parent"], parent_lane)
        self.assertEqual(spans["spinner"]["args"]["parent"], 1)

    def test_start_arrows_go_from_the_starting_lane_to_the_new_thread(self) -> None:
        trace, _ = self.record("threads_basic.py")
        starts = {e["id"]: e for e in events(trace, "s", "thread")}
        ends = {e["id"]: e for e in events(trace, "f", "thread")}
        self.assertEqual(set(starts), set(ends))
        self.assertEqual(len(starts), 6)
        spans = {(e["pid"], e["tid"]): e for e in events(trace, "X", "thread")}
        for flow_id, end in ends.items():
            self.assertEqual(end["ts"], spans[(end["pid"], end["tid"])]["ts"], "the arrow lands where the thread starts")
            self.assertLessEqual(starts[flow_id]["ts"], end["ts"])

    def test_a_thread_that_raises_gets_an_exception_marker_at_the_learners_line(self) -> None:
        trace, _ = self.record("threads_basic.py")
        (marker,) = [e for e in events(trace, "i", "marker") if e["name"] == "exception"]
        self.assertEqual(lane_names(trace)[(marker["pid"], marker["tid"])], "failing")
        self.assertEqual(marker["args"]["type"], "RuntimeError")
        self.assertEqual((marker["args"]["file"], marker["args"]["line"]),
                         ("threads_basic.py", line_of("threads_basic.py", "raise RuntimeError")))

    def test_threads_still_running_when_the_module_ends(self) -> None:
        trace, out = self.record("leftovers.py")
        self.assertIn("module done", out)
        spans = {e["name"]: e for e in events(trace, "X", "thread")}
        # Python waited for the non-daemon thread, so the trace was written again once it had finished.
        self.assertNotIn("unfinished", spans["late"]["args"])
        self.assertGreater(spans["late"]["dur"], 0)
        self.assertTrue(spans["forever"]["args"]["unfinished"])
        (work,) = events(trace, "X", "work")
        self.assertEqual(work["name"], "late")


class ExecutorTest(RecorderCase):
    def test_thread_pool_downloads_overlap_and_arrows_join_submit_to_work(self) -> None:
        trace, out = self.record("pool_download.py", "12", "0.03", "4", functions="get_flag,save_flag")
        self.assertIn("12 flags", out)
        works = events(trace, "X", "work")
        self.assertEqual(len(works), 12)
        names = lane_names(trace)
        self.assertTrue(all(names[(w["pid"], w["tid"])].startswith("ThreadPoolExecutor") for w in works))
        self.assertEqual({w["name"] for w in works}, {"download"})
        # Four workers each waiting on the server: the work items ran at the same time.
        self.assertGreaterEqual(overlap([(w["ts"], w["ts"] + w["dur"]) for w in works]), 2)
        submits = {e["id"]: e for e in events(trace, "s", "work")}
        starts = {e["id"]: e for e in events(trace, "f", "work")}
        self.assertEqual(set(submits), set(starts))
        for work in works:
            flow = work["args"]["future"]
            self.assertEqual(submits[flow]["tid"], 1, "submitted from the main thread")
            self.assertEqual((starts[flow]["tid"], starts[flow]["ts"]), (work["tid"], work["ts"]))
            self.assertEqual(work["args"]["file"], "pool_download.py")
            self.assertGreaterEqual(work["args"]["queuedUs"], 0)
        lines = {w["args"]["line"] for w in works}
        self.assertEqual(len(lines), 2, "map and submit are two different call sites")

    def test_calls_of_interest_nest_inside_their_work_item(self) -> None:
        trace, _ = self.record("pool_download.py", "6", "0.01", "3", functions="get_flag,save_flag")
        calls = events(trace, "X", "call")
        self.assertEqual(sorted({c["name"] for c in calls}), ["get_flag", "save_flag"])
        self.assertEqual(len(calls), 12)
        self.assertEqual(meta(trace)["calls"], "monitoring" if sys.version_info >= (3, 12) else "switching")
        works = events(trace, "X", "work")
        for call in calls:
            self.assertEqual(call["args"]["file"], "pool_download.py")
            inside = [w for w in works if w["tid"] == call["tid"] and w["ts"] <= call["ts"]
                      and call["ts"] + call["dur"] <= w["ts"] + w["dur"]]
            self.assertEqual(len(inside), 1, f"{call['name']} should run inside one work item")

    def test_without_functions_no_call_is_recorded(self) -> None:
        trace, _ = self.record("pool_download.py", "4", "0.0", "2")
        self.assertEqual(events(trace, "X", "call"), [])
        self.assertEqual(meta(trace)["calls"], "off")


class AsyncioTest(RecorderCase):
    def test_tasks_have_late_names_overlapping_lifetimes_and_steps(self) -> None:
        trace, out = self.record("async_gather.py", "20", functions="fetch")
        self.assertIn("20 fetched", out)
        tasks = async_spans(trace, "task")
        by_name = {b["name"]: (b, e) for b, e in tasks.values()}
        fetches = [by_name[f"fetch-{i}"] for i in range(20)]
        self.assertGreaterEqual(overlap([(b["ts"], e["ts"]) for b, e in fetches]), 5)
        main_task = by_name["Task-1"][0]
        self.assertEqual(main_task["args"]["coro"], "main")
        for begin, end in fetches:
            self.assertEqual(begin["args"]["parentTask"], main_task["id"])
            self.assertEqual(begin["args"]["coro"], "fetch")
            self.assertEqual(begin["args"]["file"], "async_gather.py")
            self.assertEqual(end["args"]["status"], "done")
        self.assertEqual(by_name["made-by-spawner"][0]["args"]["parentTask"], by_name["spawner"][0]["id"])
        self.assertFalse([name for name in by_name if "shutdown" in by_name[name][0]["args"]["coro"]],
                         "asyncio.run's own clean-up tasks are not the learner's")
        steps = events(trace, "X", "step")
        step_tasks = defaultdict(list)
        for step in steps:
            step_tasks[step["args"]["task"]].append(step)
            self.assertEqual(step["tid"], 1, "every step runs on the event loop's thread")
        for begin, end in fetches:
            mine = step_tasks[begin["id"]]
            # fetch awaits the semaphore (maybe), then sleeps twice: at least three steps.
            self.assertGreaterEqual(len(mine), 3)
            self.assertTrue(all(begin["ts"] <= s["ts"] and s["ts"] + s["dur"] <= end["ts"] for s in mine))
            self.assertEqual({s["name"] for s in mine}, {begin["name"]})

    def test_exceptions_and_cancellations_are_marked(self) -> None:
        trace, _ = self.record("async_gather.py", "3")
        by_name = {b["name"]: (b, e) for b, e in async_spans(trace, "task").values()}
        self.assertEqual(by_name["explode"][1]["args"]["status"], "error")
        self.assertEqual(by_name["doomed"][1]["args"]["status"], "cancelled")
        markers = {(e["name"], e["args"].get("task")): e for e in events(trace, "i", "marker")}
        error = markers[("exception", by_name["explode"][0]["id"])]
        self.assertEqual((error["args"]["file"], error["args"]["line"]),
                         ("async_gather.py", line_of("async_gather.py", "raise ValueError")))
        self.assertIn(("cancelled", by_name["doomed"][0]["id"]), markers)

    def test_coroutine_calls_are_drawn_per_segment_between_awaits(self) -> None:
        trace, _ = self.record("async_gather.py", "4", functions="fetch")
        calls = [c for c in events(trace, "X", "call") if c["name"] == "fetch"]
        resumed = [c for c in calls if c["args"].get("resumed")]
        self.assertGreaterEqual(len(calls), 12)
        self.assertEqual(len(calls) - len(resumed), 4, "one first segment per fetch, the rest are resumes")


class LockTest(RecorderCase):
    def test_waits_and_holds_of_the_learners_locks(self) -> None:
        trace, out = self.record("lock_contention.py", functions="bump")
        self.assertIn("counter 20", out)
        holds = async_spans(trace, "lock-hold")
        per_lock: Dict[str, List[Tuple[float, float]]] = defaultdict(list)
        for begin, end in holds.values():
            per_lock[begin["name"]].append((begin["ts"], end["ts"]))
        self.assertEqual(set(per_lock), {"Lock lock_contention.py:7", "RLock lock_contention.py:8", "RLock lock_contention.py:9"})
        for name, spans in per_lock.items():
            self.assertEqual(overlap(spans), 1, f"{name}: a lock is held by one thread at a time")
        # 20 bumps + the main thread's hold; the RLock re-entered inside nested() is one hold, not two.
        self.assertEqual(len(per_lock["Lock lock_contention.py:7"]), 21)
        self.assertEqual(len(per_lock["RLock lock_contention.py:8"]), 1)
        waits = [w for w in events(trace, "X", "lock-wait") if w["name"] == "Lock lock_contention.py:7"]
        self.assertGreaterEqual(len(waits), 3, "four threads contend for one lock")
        self.assertTrue(all(w["args"]["file"] == "lock_contention.py" for w in waits))
        timed_out = [w for w in waits if w["args"].get("gotIt") is False]
        self.assertEqual(len(timed_out), 1)
        self.assertEqual(lane_names(trace)[(timed_out[0]["pid"], timed_out[0]["tid"])], "impatient")
        # Condition.wait gives the RLock up and takes it back: two holds on the waiter's lane at least.
        waiter_holds = [b for b, _ in holds.values() if b["name"] == "RLock lock_contention.py:9"
                        and lane_names(trace)[(b["pid"], b["tid"])] == "waiter"]
        self.assertGreaterEqual(len(waiter_holds), 1)

    def test_only_locks_made_in_the_learners_files_are_drawn(self) -> None:
        trace, _ = self.record("lock_contention.py")
        names = {e["name"] for e in events(trace, "b", "lock-hold")} | {e["name"] for e in events(trace, "X", "lock-wait")}
        self.assertTrue(all("lock_contention.py" in name for name in names), names)


class ProcessTest(RecorderCase):
    def check_processes(self, method: str) -> None:
        trace, out = self.record("process_pool.py", method, functions="count_primes")
        self.assertIn("worker failed: on purpose", out)
        self.assertIn("primes below 10000 1229", out)
        info = meta(trace)
        main_pid = info["processes"][0]["pid"]
        children = [p for p in info["processes"] if p["pid"] != main_pid]
        self.assertEqual(len(children), 3, "two pool workers and one Process")
        self.assertTrue(all(p["parentPid"] == main_pid for p in children))
        self.assertEqual(info["missingProcesses"], [])
        names = {e["pid"]: e["args"]["name"] for e in events(trace, "M") if e["name"] == "process_name"}
        self.assertIn(f"reporter (pid", " ".join(names.values()))
        spans = {e["pid"]: e for e in events(trace, "X", "process")}
        self.assertEqual(set(spans), {main_pid} | {p["pid"] for p in children})
        for child in children:
            self.assertEqual(spans[child["pid"]]["args"]["startMethod"], method)
            self.assertEqual(spans[child["pid"]]["args"]["exitcode"], 0)
        works = events(trace, "X", "work")
        self.assertEqual(len(works), 7, "four submits, two map chunks, one failure")
        self.assertTrue(all(w["pid"] != main_pid for w in works))
        self.assertGreaterEqual(len({w["pid"] for w in works}), 1)
        self.assertEqual(sum(1 for w in works if w["name"] == "count_primes (map chunk)"), 2)
        submits = {e["id"]: e for e in events(trace, "s", "work")}
        for work in works:
            self.assertEqual(submits[work["args"]["future"]]["pid"], main_pid)
        (failed,) = [w for w in works if w["name"] == "fail"]
        self.assertIn("on purpose", failed["args"]["error"])
        starts = {e["id"]: e for e in events(trace, "s", "process")}
        arrivals = events(trace, "f", "process")
        self.assertEqual(len(arrivals), 3)
        self.assertTrue(all(starts[f["id"]]["pid"] == main_pid for f in arrivals))
        calls = events(trace, "X", "call")
        self.assertTrue(calls and all(c["pid"] != main_pid for c in calls))

    def test_spawn(self) -> None:
        self.check_processes("spawn")

    @unittest.skipUnless(hasattr(os, "fork"), "fork needs a POSIX system")
    def test_fork(self) -> None:
        self.check_processes("fork")

    @unittest.skipUnless(hasattr(os, "fork"), "fork needs a POSIX system")
    def test_a_bare_fork_child_records_its_own_lanes(self) -> None:
        trace, out = self.record("raw_fork.py")
        self.assertIn("parent done", out)
        pids = {e["pid"] for e in events(trace, "X", "process")}
        self.assertEqual(len(pids), 2)
        names = set(lane_names(trace).values())
        self.assertTrue({"in-child", "in-parent"} <= names)
        (arrival,) = events(trace, "f", "process")
        (start,) = events(trace, "s", "process")
        self.assertNotEqual(arrival["pid"], start["pid"])


class CapTest(RecorderCase):
    def test_the_cap_stops_recording_and_says_so(self) -> None:
        trace, out = self.record("fib_cap.py", functions="fib", max_events=300)
        self.assertIn("987", out, "the program itself still runs to the end")
        info = meta(trace)
        self.assertTrue(info["truncated"])
        self.assertEqual(info["eventCap"], 300)
        calls = events(trace, "X", "call")
        # Calls already open when the cap hit may still close: at most fib's recursion depth more.
        self.assertLessEqual(len(calls), 300 + 17)
        self.assertGreater(len(calls), 200)
        (marker,) = [e for e in events(trace, "i", "marker") if e["name"] == "event cap reached"]
        self.assertTrue(all(c["ts"] <= marker["ts"] for c in calls))

    def test_under_the_cap_nothing_is_truncated(self) -> None:
        trace, _ = self.record("fib_cap.py", functions="fib")
        self.assertFalse(meta(trace)["truncated"])
        self.assertEqual(len(events(trace, "X", "call")), 3193)


class MarkTest(RecorderCase):
    def test_marks_land_on_the_calling_or_named_threads_lane(self) -> None:
        trace, _ = self.record("marks.py")
        names = lane_names(trace)
        marks = [e for e in events(trace, "i", "marker")]
        lost = sorted((names[(e["pid"], e["tid"])], e["args"]["read"]) for e in marks if e["name"] == "lost update")
        self.assertEqual(lost, [("racer-0", 0), ("racer-1", 1)])
        self.assertTrue(all(e["args"]["object"].startswith("<object object") for e in marks if e["name"] == "lost update"))
        (summary,) = [e for e in marks if e["name"] == "summary"]
        self.assertEqual(names[(summary["pid"], summary["tid"])], "racer-0")
        self.assertEqual((summary["args"]["file"], summary["args"]["line"]), ("marks.py", line_of("marks.py", '"summary"')))


class LaunchTest(RecorderCase):
    def test_labkit_launch_records_a_valid_timeline(self) -> None:
        trace, _ = self.record("threads_basic.py", functions="crunch", launcher=("-m", "labkit.launch"))
        self.assertEqual(meta(trace)["lab"], "trace_fixtures")
        self.assertTrue(any(e["name"] == "crunch" for e in events(trace, "X", "call")))


class InProcessApiTest(unittest.TestCase):
    def test_mistakes_in_starting_say_what_to_do(self) -> None:
        from labkit import recorder

        with self.assertRaisesRegex(FileNotFoundError, "does not exist"):
            recorder.start("/no/such/folder/trace.json", roots=[FIXTURES])
        with self.assertRaisesRegex(ValueError, "max_events must be at least 1"):
            recorder.start(os.path.join(tempfile.gettempdir(), "t.json"), roots=[FIXTURES], max_events=0)
        self.assertFalse(recorder.mark("nothing records"))
        self.assertIsNone(recorder.stop())

    def test_a_trace_that_cannot_be_written_does_not_fail_the_run(self) -> None:
        import contextlib
        import io

        from labkit import recorder

        folder = tempfile.mkdtemp(prefix="labkit-trace-")
        self.addCleanup(shutil.rmtree, folder, True)
        gone = os.path.join(folder, "gone")
        os.mkdir(gone)
        recorder.start(os.path.join(gone, "trace.json"), roots=[folder])
        os.rmdir(gone)
        said = io.StringIO()
        with contextlib.redirect_stderr(said):
            self.assertIsNone(recorder.stop())
        self.assertIn("the timeline could not be written", said.getvalue())
        self.assertFalse(recorder.is_recording())

    def test_start_stop_in_this_process(self) -> None:
        from labkit import recorder

        folder = tempfile.mkdtemp(prefix="labkit-trace-")
        self.addCleanup(shutil.rmtree, folder, True)
        path = os.path.join(folder, "trace.json")
        recorder.start(path, roots=[folder])
        try:
            with self.assertRaisesRegex(RuntimeError, "already running"):
                recorder.start(path, roots=[folder])
            self.assertTrue(recorder.is_recording())
            self.assertTrue(recorder.mark("hello", {"n": 1}))
        finally:
            self.assertEqual(recorder.stop(), path)
        self.assertFalse(recorder.is_recording())
        self.assertEqual(traceformat.validate_file(path), [])
        with open(path, encoding="utf-8") as stream:
            names = [e["name"] for e in json.load(stream)["traceEvents"] if e["ph"] == "i"]
        self.assertEqual(names, ["hello"])


if __name__ == "__main__":
    unittest.main()
