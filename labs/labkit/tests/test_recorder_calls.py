"""Call spans of the functions of interest, however the recorder sees calls: sys.monitoring on 3.12+; on
3.9-3.11 the profiler while the learner's code runs and the tracer while library code runs (switching),
or the profiler alone when another tool has the tracer. The spans must be the same either way, another
tool's tracer must keep working, and the race labs' Check, whose fuzzer brings a tracer of its own, must
still draw them."""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import textwrap
import threading
import unittest
from collections import Counter
from typing import Any, Dict, List, Optional, Tuple

from labkit.tests.support import LABS_ROOT, copy_work, run_runner
from labkit.tests.test_recorder import RecorderCase, Trace, events, lane_names, meta

SWITCHING = sys.version_info < (3, 12)

# The learner's program. Code compiled under the file name "<library>" is none of the learner's files: it
# stands in for a library that calls the learner's code back, and says which hooks are on while it runs.
PROGRAM = '''
import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

LIBRARY = """
import sys
import threading

def hooks():
    return [threading.current_thread().name, sys.gettrace() is not None, sys.getprofile() is not None]

def call_back(fn, *args):
    before = hooks()
    result = fn(*args)
    return before, result, hooks()

def generate(n):
    for i in range(n):
        yield hooks(), i

def drive(generator):
    return [item for item in generator]

def deep(fn, depth):
    return deep(fn, depth - 1) if depth else fn()
"""
library = {}
exec(compile(LIBRARY, "<library>", "exec"), library)
seen = {"learner": [], "library": []}


def hooks():
    return [threading.current_thread().name, sys.gettrace() is not None, sys.getprofile() is not None]


def leaf(x):
    seen["learner"].append(hooks())
    return x * 2


def numbers(n):
    for i in range(n):
        seen["learner"].append(hooks())
        yield i


def fails():
    raise ValueError("on purpose")


def outer():
    before, result, after = library["call_back"](leaf, 21)
    seen["library"] += [before, after]
    for state, _ in library["generate"](2):
        seen["library"].append(state)
        seen["learner"].append(hooks())
    library["drive"](numbers(3))
    try:
        library["deep"](fails, 3)
    except ValueError:
        seen["learner"].append(hooks())
    return result


def in_thread():
    return outer()


outer()
with ThreadPoolExecutor(2) as pool:
    list(pool.map(leaf, range(4)))
thread = threading.Thread(target=in_thread, name="own-thread")
thread.start()
thread.join()
print(json.dumps(seen))
'''
FUNCTIONS = "outer,leaf,numbers,fails,in_thread"

# A tool (here the learner's own code) that installs its tracer halfway through the run.
HANDOVER = '''
import json
import sys
import threading


def work(n):
    return sum(range(n))


spied = []


def spy(frame, event, arg):
    if frame.f_code.co_name == "work":
        spied.append(threading.current_thread().name)
    return None


work(10)
threading.settrace(spy)
sys.settrace(spy)
work(20)
thread = threading.Thread(target=work, args=(30,), name="traced")
thread.start()
thread.join()
sys.settrace(None)
threading.settrace(None)
work(40)
print(json.dumps(spied))
'''

# Runs the recorder's command line with a do-nothing tracer already installed, as under a debugger.
TRACER_FIRST = ("-c", "import sys; sys.settrace(lambda *args: None); from labkit import recorder; "
                "sys.exit(recorder.main())")

Span = Tuple[str, bool, str, Optional[str]]


def spans(trace: Trace) -> Counter:
    """Every call span as (name, resumed?, lane name, name of the span it sits in on its lane)."""
    names = lane_names(trace)
    calls = sorted(events(trace, "X", "call"), key=lambda e: (e["ts"], -e["dur"]))
    found: List[Span] = []
    for call in calls:
        lane = (call["pid"], call["tid"])
        around = [c for c in calls if c is not call and (c["pid"], c["tid"]) == lane and c["ts"] <= call["ts"]
                  and call["ts"] + call["dur"] <= c["ts"] + c["dur"]]
        parent = min(around, key=lambda c: c["dur"])["name"] if around else None
        lane_name = names[lane]
        found.append((call["name"], bool(call["args"].get("resumed")),
                      "pool" if lane_name.startswith("ThreadPoolExecutor") else lane_name, parent))
    return Counter(found)


class CallSpansTest(RecorderCase):
    def program(self, name: str, text: str) -> str:
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(textwrap.dedent(text))
        return path

    def test_calls_across_library_code_are_drawn_once_each_and_nested(self) -> None:
        trace, out = self.record(self.program("calls.py", PROGRAM), functions=FUNCTIONS)
        found = spans(trace)
        for lane in ("MainThread", "own-thread"):
            self.assertEqual(found[("outer", False, lane, None if lane == "MainThread" else "in_thread")], 1)
            self.assertEqual(found[("leaf", False, lane, "outer")], 1, "called back by library code")
            self.assertEqual(found[("numbers", False, lane, "outer")], 1, "a generator the library resumes")
            self.assertEqual(found[("numbers", True, lane, "outer")], 3, "its resumed segments")
            self.assertEqual(found[("fails", False, lane, "outer")], 1, "raised through library frames")
        self.assertEqual(found[("in_thread", False, "own-thread", None)], 1)
        self.assertEqual(found[("leaf", False, "pool", None)], 4)
        self.assertEqual(sum(found.values()), 19, found)
        self.assertEqual(meta(trace)["calls"], "switching" if SWITCHING else "monitoring")
        if SWITCHING:
            seen = json.loads(out.splitlines()[-1])
            # [thread, tracer on, profiler on]: the tracer in library code, the profiler in the learner's.
            self.assertEqual({tuple(state[1:]) for state in seen["library"]}, {(True, False)}, seen)
            self.assertEqual({tuple(state[1:]) for state in seen["learner"]}, {(False, True)}, seen)
            threads = {state[0] for state in seen["learner"]}
            self.assertTrue({"MainThread", "own-thread"} < threads, threads)
            self.assertTrue(any(name.startswith("ThreadPoolExecutor") for name in threads), threads)

    def test_with_a_tracer_already_there_the_profiler_draws_the_same_spans(self) -> None:
        path = self.program("calls.py", PROGRAM)
        switching, _ = self.record(path, functions=FUNCTIONS)
        beside, out = self.record(path, functions=FUNCTIONS, launcher=TRACER_FIRST)
        self.assertEqual(spans(beside), spans(switching))
        self.assertEqual(meta(beside)["calls"], "profile" if SWITCHING else "monitoring")
        if SWITCHING:
            seen = json.loads(out.splitlines()[-1])
            # The tracer that was there first stays, in the one thread it was installed in.
            self.assertEqual({(state[0] == "MainThread",) + tuple(state[1:]) for state in seen["library"] + seen["learner"]},
                             {(True, True, True), (False, False, True)}, seen)

    def test_a_tracer_installed_later_gets_its_events_and_spans_go_on(self) -> None:
        trace, out = self.record(self.program("handover.py", HANDOVER), functions="work")
        self.assertEqual(json.loads(out.splitlines()[-1]), ["MainThread", "traced"])
        found = spans(trace)
        self.assertEqual(found, Counter({("work", False, "MainThread", None): 3, ("work", False, "traced", None): 1}))
        self.assertEqual(meta(trace)["calls"], "profile" if SWITCHING else "monitoring")


class LineNumbersTest(unittest.TestCase):
    def test_library_frames_report_their_own_line_during_and_after_recording(self) -> None:
        """On 3.9 a frame with a local tracer reports the line that tracer last saw: the switching hooks put
        one on library frames (this test's own) and must take it off when recording stops."""
        from labkit import recorder

        folder = tempfile.mkdtemp(prefix="labkit-trace-")
        self.addCleanup(shutil.rmtree, folder, True)
        learner = os.path.join(folder, "learner.py")
        namespace: Dict[str, Any] = {}
        exec(compile("def work():\n    return 1\n", learner, "exec"), namespace)
        recorder.start(os.path.join(folder, "trace.json"), roots=[folder], functions=["work"])
        try:
            namespace["work"]()  # returns into this frame: it gets the hooks' local tracer
            first = sys._getframe().f_lineno
            second = sys._getframe().f_lineno
        finally:
            recorder.stop()
        third = sys._getframe().f_lineno
        fourth = sys._getframe().f_lineno
        self.assertEqual((second - first, third - second, fourth - third), (1, 3, 1))
        with open(os.path.join(folder, "trace.json"), encoding="utf-8") as stream:
            self.assertEqual([e["name"] for e in events(json.load(stream), "X", "call")], ["work"])


class ReportingLock:
    """A lock for threading.Condition that notes the thread's tracer as Condition.wait lets go and takes
    it back: what the waiting thread has installed while it waits."""

    def __init__(self) -> None:
        self.inner = threading.Lock()
        self.seen: List[Any] = []

    def acquire(self, *args: Any) -> bool:
        return self.inner.acquire(*args)

    def release(self) -> None:
        self.inner.release()

    def __enter__(self) -> bool:
        return self.inner.acquire()

    def __exit__(self, *exc: object) -> None:
        self.inner.release()

    def _is_owned(self) -> bool:
        return self.inner.locked()

    def _release_save(self) -> None:
        self.seen.append(sys.gettrace())
        self.inner.release()

    def _acquire_restore(self, state: None) -> None:
        self.inner.acquire()
        self.seen.append(sys.gettrace())


class WaitingTest(unittest.TestCase):
    @unittest.skipUnless(sys.version_info[:2] == (3, 9), "only 3.9 slows every thread while one has a tracer")
    def test_a_waiting_thread_drops_the_tracer_until_it_wakes(self) -> None:
        from labkit import recorder

        folder = tempfile.mkdtemp(prefix="labkit-trace-")
        self.addCleanup(shutil.rmtree, folder, True)
        lock = ReportingLock()
        condition = threading.Condition(lock)  # type: ignore[arg-type]
        recorder.start(os.path.join(folder, "trace.json"), roots=[folder], functions=["work"])
        try:
            tracer = sys.gettrace()
            with condition:
                condition.wait(0.01)
            after = sys.gettrace()
        finally:
            recorder.stop()
        self.assertIsNotNone(tracer, "this test's own code is library code: the tracer is on")
        self.assertEqual(lock.seen, [None, None])
        self.assertIs(after, tracer)


class ThreadEndTest(unittest.TestCase):
    def test_a_thread_ends_without_the_recorders_hooks(self) -> None:
        """On 3.9 a thread that ends with a tracer leaves every other thread's bytecode slower for good."""
        from labkit import recorder

        folder = tempfile.mkdtemp(prefix="labkit-trace-")
        self.addCleanup(shutil.rmtree, folder, True)
        namespace: Dict[str, Any] = {}
        exec(compile("def work():\n    return 1\n", os.path.join(folder, "learner.py"), "exec"), namespace)
        recorder.start(os.path.join(folder, "trace.json"), roots=[folder], functions=["work"])
        at_end: List[Any] = []
        try:
            session = recorder._session
            assert session is not None
            thread_ended = session.thread_ended

            def noting(lane: Any) -> None:
                at_end.append((sys.gettrace(), sys.getprofile()))
                thread_ended(lane)

            session.thread_ended = noting  # type: ignore[method-assign]
            thread = threading.Thread(target=namespace["work"])
            thread.start()
            thread.join()
        finally:
            recorder.stop()
        self.assertEqual(at_end, [(None, None)])


class RaceCheckTimelineTest(RecorderCase):
    def test_the_fuzzed_race_check_still_draws_the_calls_of_interest(self) -> None:
        lab = os.path.join(LABS_ROOT, "thread-race")
        work = copy_work(os.path.join(lab, "solution"), self.dir, "thread-race")
        trace_path = os.path.join(self.dir, "trace.json")
        code, records, output = run_runner(lab, work, "--trace", trace_path, "--only", "no-lost-updates")
        self.assertEqual(code, 0, output)
        with open(trace_path, encoding="utf-8") as stream:
            trace: Dict[str, Any] = json.load(stream)
        names = lane_names(trace)
        calls = events(trace, "X", "call")
        workers = [c for c in calls if c["name"] == "worker"]
        (main,) = [c for c in calls if c["name"] == "main"]
        self.assertEqual(len(workers), 10, "one span per worker thread, fuzzed or not")
        self.assertEqual(sorted(names[(c["pid"], c["tid"])] for c in workers), sorted(f"worker-{n}" for n in range(10)))
        self.assertEqual(names[(main["pid"], main["tid"])], "MainThread")
        for worker in workers:
            self.assertTrue(main["ts"] <= worker["ts"] and worker["ts"] + worker["dur"] <= main["ts"] + main["dur"],
                            "main joins every worker")
        self.assertEqual(meta(trace)["calls"], "profile" if SWITCHING else "monitoring",
                         "the fuzzer's tracer took over, the profiler went on")


if __name__ == "__main__":
    unittest.main()
