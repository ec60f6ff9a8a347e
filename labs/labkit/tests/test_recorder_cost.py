"""What keeps the recorder cheap, tested as behaviour: the learner's critical sections hold no recorder call,
threading's own work runs without the recorder's hooks, files are resolved exactly as os.path.realpath
would, and code that is not of interest costs no look at its file. (The figures are bench_recorder's.)"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import unittest
from typing import Any, Callable, Dict, List, Optional, Tuple

from labkit import recorder

SWITCHING = sys.version_info < (3, 12)
RECORDER_FILE = recorder._TracedLock.acquire.__code__.co_filename


class InProcess(unittest.TestCase):
    """Records in this process, with a learner file made in a temporary folder."""

    def setUp(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="labkit-cost-")
        self.addCleanup(shutil.rmtree, self.folder, True)

    def learner(self, source: str, functions: List[str]) -> Dict[str, Any]:
        """Starts recording, then runs `source` as the learner's file learner.py; returns its namespace."""
        path = os.path.join(self.folder, "learner.py")
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(source)
        recorder.start(os.path.join(self.folder, "trace.json"), roots=[self.folder], functions=functions)
        self.addCleanup(recorder.stop)
        namespace: Dict[str, Any] = {"__name__": "learner"}
        with open(path, encoding="utf-8") as stream:
            exec(compile(stream.read(), path, "exec"), namespace)
        return namespace

    def trace(self) -> Dict[str, Any]:
        recorder.stop()
        with open(os.path.join(self.folder, "trace.json"), encoding="utf-8") as stream:
            return dict(json.load(stream))


class SpyLock:
    """The inner lock of a traced lock, which notes every Python call made on this thread from the moment
    it is taken to the moment it is let go (a profiler of its own, installed only then)."""

    def __init__(self) -> None:
        self.inner = threading.Lock()
        self.calls: List[Tuple[str, str]] = []
        self.hooks: List[Tuple[Any, Any]] = []

    def _note(self, frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            self.calls.append((frame.f_code.co_filename, frame.f_code.co_name))

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        self.hooks.append((sys.gettrace(), sys.getprofile()))
        got = self.inner.acquire(blocking, timeout)
        if got:
            sys.setprofile(self._note)
        return got

    def release(self) -> None:
        self.hooks.append((sys.gettrace(), sys.getprofile()))
        sys.setprofile(None)
        self.inner.release()

    def locked(self) -> bool:
        return self.inner.locked()


class CriticalSectionTest(InProcess):
    SOURCE = "import threading\n\ndef work(lock, out):\n    with lock:\n        out.append(1)\n    lock.acquire()\n    out.append(2)\n    lock.release()\n"

    def traced(self, functions: List[str]) -> Tuple[Any, SpyLock, Callable[..., None]]:
        namespace = self.learner(self.SOURCE, functions)
        session = recorder._session
        assert session is not None
        spy = SpyLock()
        lock = session.traced_lock(recorder._TracedLock, spy, "Lock", "learner.py", 1)
        return lock, spy, namespace["work"]

    def test_no_recorder_call_between_taking_the_lock_and_letting_it_go(self) -> None:
        """The interpreter switches threads at calls: a recorder call inside the learner's critical section
        makes other threads block on the lock more often than without recording."""
        for functions in ([], ["work"]):
            with self.subTest(functions=functions):
                lock, spy, work = self.traced(functions)
                out: List[int] = []
                try:
                    work(lock, out)
                finally:
                    recorder.stop()
                self.assertEqual(out, [1, 2])
                # The learner calls __exit__ and release() while holding the lock, as it would a plain lock's.
                ours = [name for file, name in spy.calls if file == RECORDER_FILE and name not in ("__exit__", "release")]
                self.assertEqual(ours, [], "the recorder's own Python calls inside the critical section")
                holds = [e for e in self.trace()["traceEvents"] if e.get("cat") == "lock-hold"]
                self.assertEqual([(e["ph"], e["args"].get("line")) for e in holds if e["ph"] == "b"],
                                 [("b", 4), ("b", 6)])
                self.assertEqual(len(holds), 4)

    @unittest.skipUnless(SWITCHING, "3.12+ records calls with sys.monitoring, not with a profiler")
    def test_the_profiler_is_off_for_the_locks_own_work_and_back_on_after(self) -> None:
        lock, spy, work = self.traced(["work"])
        session = recorder._session
        assert session is not None
        seen: List[Any] = []
        work(lock, seen)
        self.assertEqual(spy.hooks, [(None, None)] * 4, "neither hook while the traced lock does its work")
        self.assertIsNone(recorder._paused.profile, "nothing left for the next lock operation to turn back on")
        calls = [e for e in self.trace()["traceEvents"] if e.get("cat") == "call"]
        self.assertEqual([e["name"] for e in calls], ["work"])


@unittest.skipUnless(SWITCHING, "the hooks are sys.settrace / sys.setprofile on 3.9-3.11 only")
class ThreadingWithoutHooksTest(InProcess):
    SOURCE = "import threading\n\ndef work():\n    return 1\n\ndef main():\n    t = threading.Thread(target=work, name='worker')\n    t.start()\n    t.join()\n"

    def test_a_threads_set_up_start_and_join_run_without_the_hooks(self) -> None:
        seen: List[Tuple[str, bool, bool]] = []
        real = threading.Thread._set_ident  # runs in the new thread, in its bootstrap before run()
        start_new = threading._start_new_thread  # type: ignore[attr-defined]

        def note(where: str) -> None:
            seen.append((where, sys.gettrace() is not None, sys.getprofile() is not None))

        def set_ident(thread: threading.Thread) -> None:
            note("bootstrap")
            real(thread)

        def start_new_thread(*args: Any) -> Any:
            note("start")
            return start_new(*args)

        threading.Thread._set_ident = set_ident  # type: ignore[method-assign]
        threading._start_new_thread = start_new_thread  # type: ignore[attr-defined]
        self.addCleanup(setattr, threading.Thread, "_set_ident", real)
        self.addCleanup(setattr, threading, "_start_new_thread", start_new)
        namespace = self.learner(self.SOURCE, ["work", "main"])
        namespace["main"]()
        self.assertEqual(seen, [("start", False, False), ("bootstrap", False, False)])
        calls = sorted((e["name"], e["tid"]) for e in self.trace()["traceEvents"] if e.get("cat") == "call")
        self.assertEqual([name for name, _ in calls], ["main", "work"])
        self.assertNotEqual(calls[0][1], calls[1][1], "work ran on its own lane")

@unittest.skipUnless(SWITCHING, "the hooks are sys.settrace / sys.setprofile on 3.9-3.11 only")
class RunpyTest(InProcess):
    def test_runpy_loads_the_script_without_the_hooks_and_runs_it_with_them(self) -> None:
        import runpy

        seen: List[Tuple[str, bool, bool]] = []
        real = runpy._get_code_from_file  # type: ignore[attr-defined]

        def get_code(*args: Any) -> Any:
            seen.append(("loading", sys.gettrace() is not None, sys.getprofile() is not None))
            return real(*args)

        runpy._get_code_from_file = get_code  # type: ignore[attr-defined]
        self.addCleanup(setattr, runpy, "_get_code_from_file", real)
        script = os.path.join(self.folder, "script.py")
        with open(script, "w", encoding="utf-8") as stream:
            stream.write("import sys\n\ndef work():\n    return sys.getprofile() is not None\n\nRESULT = work()\n")
        recorder.start(os.path.join(self.folder, "trace.json"), roots=[self.folder], functions=["work"])
        self.addCleanup(recorder.stop)
        hooked_before = sys.gettrace() is not None
        result = runpy.run_path(script, run_name="__main__")
        hooked_after = sys.gettrace() is not None
        self.assertEqual(seen, [("loading", False, False)])
        self.assertTrue(result["RESULT"], "the script's code runs under the profiler")
        self.assertEqual((hooked_before, hooked_after), (True, True), "this test's frame: library code, traced")
        calls = [e["name"] for e in self.trace()["traceEvents"] if e.get("cat") == "call"]
        self.assertEqual(calls, ["work"])


@unittest.skipUnless(SWITCHING, "the hooks are sys.settrace / sys.setprofile on 3.9-3.11 only")
class ImportTest(InProcess):
    def test_a_library_loads_without_the_hooks_and_a_learner_module_with_them(self) -> None:
        library = tempfile.mkdtemp(prefix="labkit-library-")
        self.addCleanup(shutil.rmtree, library, True)
        with open(os.path.join(library, "labkit_cost_lib.py"), "w", encoding="utf-8") as stream:
            stream.write("import sys\n\ndef hooks():\n    return (sys.gettrace() is not None, sys.getprofile() is not None)\n\n"
                         "AT_IMPORT = hooks()\n")
        with open(os.path.join(self.folder, "labkit_cost_helper.py"), "w", encoding="utf-8") as stream:
            stream.write("import sys\n\ndef ready():\n    return sys.getprofile() is not None\n\nREADY = ready()\n")
        sys.path[:0] = [self.folder, library]
        self.addCleanup(sys.path.remove, library)
        self.addCleanup(sys.path.remove, self.folder)
        for name in ("labkit_cost_lib", "labkit_cost_helper"):
            self.addCleanup(sys.modules.pop, name, None)
        namespace = self.learner("def main():\n    import labkit_cost_lib\n    import labkit_cost_helper\n"
                                 "    return labkit_cost_lib.AT_IMPORT, labkit_cost_helper.READY\n", ["main", "ready"])
        at_import, ready = namespace["main"]()
        self.assertEqual(at_import, (False, False), "the library's body ran without the recorder's hooks")
        self.assertTrue(ready, "the learner's module ran under the profiler")
        self.assertEqual(sys.getprofile(), None, "this test's frame: library code, back under the tracer")
        calls = sorted(e["name"] for e in self.trace()["traceEvents"] if e.get("cat") == "call")
        self.assertEqual(calls, ["main", "ready"])


class ThreadRunTest(InProcess):
    def test_a_thread_class_with_its_own_run_is_recorded_from_its_start(self) -> None:
        source = ("import threading\n\ndef work():\n    return 1\n\nclass Worker(threading.Thread):\n"
                  "    def run(self):\n        work()\n\ndef main():\n    t = Worker()\n    t.start()\n    t.join()\n"
                  "    t.run()\n")
        namespace = self.learner(source, ["work", "main", "run"])
        namespace["main"]()
        run = "Worker.run" if sys.version_info >= (3, 11) else "run"  # qualified names from 3.11
        names = sorted(e["name"] for e in self.trace()["traceEvents"] if e.get("cat") == "call")
        self.assertEqual(names, sorted([run, run, "main", "work", "work"]))



class ThreadArgsTest(InProcess):
    def test_a_threads_args_are_made_as_the_trace_is_written(self) -> None:
        """A thread's start is on the learner's time (start() waits for it): its target's name and file are
        looked up when the trace is written, not as it starts."""
        target_file = os.path.join(self.folder, "targets.py")
        namespace: Dict[str, Any] = {}
        with open(target_file, "w", encoding="utf-8") as stream:
            stream.write("def job():\n    return 1\n")
        recorder.start(os.path.join(self.folder, "trace.json"), roots=[self.folder], functions=[])
        self.addCleanup(recorder.stop)
        with open(target_file, encoding="utf-8") as stream:
            exec(compile(stream.read(), target_file, "exec"), namespace)
        thread = threading.Thread(target=namespace["job"], name="job-thread", daemon=True)
        thread.start()
        thread.join()
        session = recorder._session
        assert session is not None
        self.assertNotIn(target_file, session.files, "the target's file is not looked at while the thread runs")
        (span,) = [e for e in self.trace()["traceEvents"] if e.get("cat") == "thread" and e["name"] == "job-thread"]
        args = dict(span["args"])
        self.assertGreaterEqual(args.pop("cpuUs"), 0)
        self.assertEqual(args, {"parent": 1, "daemon": True, "target": "job", "file": "targets.py", "line": 1})


class RealpathTest(unittest.TestCase):
    def test_files_resolve_as_os_path_realpath_resolves_them(self) -> None:
        base = os.path.realpath(tempfile.mkdtemp(prefix="labkit-paths-"))
        self.addCleanup(shutil.rmtree, base, True)
        os.makedirs(os.path.join(base, "real", "sub"))
        open(os.path.join(base, "real", "sub", "a.py"), "w").close()
        os.symlink(os.path.join(base, "real"), os.path.join(base, "link"))
        os.symlink(os.path.join(base, "real", "sub", "a.py"), os.path.join(base, "real", "b.py"))
        os.symlink(os.path.join("sub", "..", "sub", "a.py"), os.path.join(base, "real", "c.py"))
        os.symlink(os.path.join("..", "sub"), os.path.join(base, "real", "sub", "loop"))
        os.symlink(os.path.join(base, "nowhere"), os.path.join(base, "real", "dangling"))
        link = os.path.join(base, "link")
        names = ["sub/a.py", "b.py", "c.py", "sub/../b.py", "sub/./a.py", "sub/loop/loop/a.py", "dangling",
                 "dangling/x.py", "missing/x.py", "sub/..", "", "sub/"]
        paths = [os.path.join(link, name) for name in names] + [base + "//link//sub/a.py", "a.py", "../b.py", "/"]
        cwd = os.getcwd()
        os.chdir(os.path.join(link, "sub"))
        self.addCleanup(os.chdir, cwd)
        for roots in ([link], [link + os.sep], ["."], [os.path.join(link, "b.py")]):
            session = recorder._Session(os.path.join(base, "t.json"), roots, [], 10, None)
            for path in paths:
                with self.subTest(roots=roots, path=path):
                    self.assertEqual(session._realpath(path), os.path.realpath(path))
        session = recorder._Session(os.path.join(base, "t.json"), [link], [], 10, None)
        self.assertEqual(session.rel(os.path.join(link, "b.py")), "sub/a.py")
        self.assertEqual(session.rel(os.path.join(base, "real", "c.py")), "sub/a.py")
        self.assertIsNone(session.rel(os.path.join(link, "dangling")))


class ClassifyTest(unittest.TestCase):
    def test_code_not_named_like_a_function_of_interest_needs_no_look_at_its_file(self) -> None:
        folder = tempfile.mkdtemp(prefix="labkit-classify-")
        self.addCleanup(shutil.rmtree, folder, True)
        session = recorder._Session(os.path.join(folder, "t.json"), [folder], ["work"], 10, None)
        self.assertFalse(session.classify(json.dumps.__code__))
        self.assertNotIn(json.dumps.__code__.co_filename, session.files, "json's file was not resolved")
        namespace: Dict[str, Any] = {}
        learner = os.path.join(folder, "learner.py")
        exec(compile("def work():\n    pass\n", learner, "exec"), namespace)
        info = session.classify(namespace["work"].__code__)
        self.assertEqual((info[0], info[1]), ("work", {"file": "learner.py", "line": 1}))
        self.assertEqual(session.files[learner], "learner.py")


@unittest.skipIf(SWITCHING, "sys.monitoring is 3.12+")
class MonitoringTest(InProcess):
    def test_returns_are_watched_in_the_functions_of_interest_only_and_no_longer_after_stop(self) -> None:
        namespace = self.learner("def work():\n    return helper()\n\ndef helper():\n    return 1\n", ["work"])
        session = recorder._session
        assert session is not None and session.monitoring_tool is not None
        tool = session.monitoring_tool
        monitoring = sys.monitoring  # type: ignore[attr-defined]
        returns = monitoring.events.PY_RETURN | monitoring.events.PY_YIELD
        namespace["work"]()
        namespace["work"]()
        work, helper = namespace["work"].__code__, namespace["helper"].__code__
        self.assertEqual(monitoring.get_local_events(tool, work), returns)
        self.assertEqual(monitoring.get_local_events(tool, helper), 0)
        self.assertEqual(monitoring.get_events(tool) & returns, 0, "returns are no global event")
        calls = [e["name"] for e in self.trace()["traceEvents"] if e.get("cat") == "call"]
        self.assertEqual(calls, ["work", "work"])
        self.assertEqual(monitoring.get_local_events(tool, work), 0)


if __name__ == "__main__":
    unittest.main()
