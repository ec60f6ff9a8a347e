"""labkit.launch in a real child process, through labkit.run.launch as the checks use it."""
import os
import sys
import textwrap

from labkit.run import Run, launch
from labkit.tests.support import TempDirTestCase, child_env


class LaunchTest(TempDirTestCase):
    def run_program(self, source: str, *, timeout: float = 20, probe: str = "", args=(), extra=None) -> Run:
        folder = self.make_dir()
        entry = os.path.join(folder, "prog.py")
        with open(entry, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(source))
        for name, text in (extra or {}).items():
            with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
                handle.write(textwrap.dedent(text))
        probe_path = None
        if probe:
            probe_path = os.path.join(self.make_dir(), "probe.py")
            with open(probe_path, "w", encoding="utf-8") as handle:
                handle.write(textwrap.dedent(probe))
        return launch(sys.executable, entry, work_dir=folder, scratch=self.make_dir(), timeout=timeout,
                      env=child_env(), probe=probe_path, args=args)

    def test_runs_as_main_with_argv_and_its_own_folder_on_sys_path(self) -> None:
        run = self.run_program("""
            import sys, helper
            print(__name__, sys.argv[1:], helper.VALUE)
        """, args=["a", "b"], extra={"helper.py": "VALUE = 42\n"})
        self.assertTrue(run.ok, run.stderr)
        self.assertEqual(run.stdout.strip(), "__main__ ['a', 'b'] 42")
        self.assertIsNotNone(run.program_seconds)

    def test_uncaught_exception_is_reported_at_the_learners_innermost_line(self) -> None:
        run = self.run_program("""
            import json

            def parse(text):
                return json.loads(text)

            parse("{not json")
        """)
        self.assertEqual(run.returncode, 1)
        assert run.exception is not None
        self.assertEqual(run.exception.type, "JSONDecodeError")
        self.assertEqual((run.exception.file, run.exception.line, run.exception.function), ("prog.py", 5, "parse"))
        # Printed as Python prints it, without the launcher's own frames.
        self.assertIn("Traceback (most recent call last):", run.stderr)
        self.assertIn('prog.py", line 7, in <module>', run.stderr)
        self.assertNotIn("launch.py", run.stderr)
        self.assertNotIn("runpy", run.stderr)
        self.assertFalse(run.ok)

    def test_system_exit_codes_are_kept(self) -> None:
        self.assertEqual(self.run_program("import sys; sys.exit(3)").returncode, 3)
        stopped = self.run_program("import sys; sys.exit('no server')")
        self.assertEqual(stopped.returncode, 1)
        self.assertIn("no server", stopped.stderr)
        self.assertIsNone(stopped.exception)
        self.assertEqual(self.run_program("import sys; sys.exit(0)").returncode, 0)

    def test_syntax_error_in_an_imported_learner_module_points_at_its_line(self) -> None:
        run = self.run_program("import helper\n", extra={"helper.py": "x = 1\ny = (\n"})
        assert run.exception is not None
        self.assertEqual(run.exception.type, "SyntaxError")
        self.assertEqual(run.exception.file, "helper.py")

    def test_exception_in_a_thread_is_recorded(self) -> None:
        run = self.run_program("""
            import threading

            def work():
                raise KeyError("lost")

            t = threading.Thread(target=work, name="worker-1")
            t.start()
            t.join()
        """)
        self.assertEqual(run.returncode, 0)
        self.assertEqual([(e.type, e.line, e.thread) for e in run.thread_exceptions], [("KeyError", 5, "worker-1")])

    def test_timeout_reports_every_thread_at_the_learners_lines(self) -> None:
        run = self.run_program("""
            import threading

            lock = threading.Lock()
            lock.acquire()

            def stuck():
                with lock:
                    pass

            t = threading.Thread(target=stuck)
            t.start()
            print("waiting", flush=True)
            t.join()
        """, timeout=1)
        self.assertTrue(run.timed_out)
        self.assertIn("waiting", run.stdout)
        main = [s for s in run.stacks if s["thread"] == "main thread"]
        self.assertEqual(main[0]["frames"][-1], {"file": "prog.py", "line": 14, "function": "<module>"})
        worker = [s for s in run.stacks if s["thread"] != "main thread"]
        self.assertEqual(worker[0]["frames"][-1]["line"], 8)
        self.assertTrue(all(not os.path.isabs(f["file"]) for s in run.stacks for f in s["frames"]))

    def test_timeout_names_threads_and_tells_a_busy_loop_from_a_wait(self) -> None:
        run = self.run_program("""
            import threading

            stop = False

            def spin():
                while not stop:
                    pass

            def wait_forever():
                threading.Event().wait()

            busy = threading.Thread(target=spin, name="spinner", daemon=True)
            idle = threading.Thread(target=wait_forever, name="sleeper", daemon=True)
            busy.start()
            idle.start()
            idle.join()
        """, timeout=3)
        self.assertTrue(run.timed_out)
        by_name = {s["thread"]: s for s in run.stacks}
        self.assertEqual(set(by_name), {"main thread", "thread 'spinner'", "thread 'sleeper'"})
        self.assertEqual(by_name["thread 'sleeper'"]["frames"][-1]["line"], 11)
        if sys.platform.startswith("linux"):  # per-thread CPU time comes from /proc
            self.assertEqual(by_name["thread 'spinner'"]["state"], "running")
            self.assertEqual(by_name["thread 'sleeper'"]["state"], "waiting")
            self.assertEqual(by_name["main thread"]["state"], "waiting")

    def test_timeout_in_asyncio_says_where_each_task_was_suspended(self) -> None:
        run = self.run_program("""
            import asyncio

            async def forever():
                while True:
                    await asyncio.sleep(0.05)

            async def supervisor():
                task = asyncio.create_task(forever(), name="ticker")
                await task

            def main():
                asyncio.run(supervisor())
        """, probe="""
            from labkit import probe
            import asyncio

            async def drive():
                await probe.load_learner().supervisor()

            asyncio.run(drive())
        """, timeout=3)
        self.assertTrue(run.timed_out)
        self.assertNotIn("<", "".join(f["file"] for s in run.stacks for f in s["frames"]))
        first = run.stacks[0]
        self.assertEqual(first["thread"], "task 'Task-1' (supervisor)")
        self.assertEqual(first["frames"][-1], {"file": "prog.py", "line": 10, "function": "supervisor"})
        self.assertEqual(first["awaiting"], "task 'ticker' (forever)")
        ticker = [s for s in run.stacks if s["thread"].startswith("task 'ticker'")]
        self.assertEqual(ticker[0]["frames"][-1]["line"], 6)

    def test_probe_loads_the_learner_module_and_reports(self) -> None:
        run = self.run_program("""
            def double(x):
                return 2 * x

            if __name__ == "__main__":
                print("main ran")
        """, probe="""
            from labkit import probe
            module = probe.load_learner()
            probe.report({"double": module.double(21), "name": module.__name__})
        """)
        self.assertTrue(run.ok, run.stderr)
        self.assertEqual(run.observations, [{"double": 42, "name": "prog"}])
        self.assertNotIn("main ran", run.stdout)

    def test_futures_observer_sees_submits_and_results(self) -> None:
        run = self.run_program("""
            from concurrent.futures import ThreadPoolExecutor, as_completed
            with ThreadPoolExecutor(max_workers=2) as pool:
                futures = [pool.submit(str, n) for n in range(3)]
                print(sorted(f.result() for f in as_completed(futures)))
        """, probe="from labkit import futureswatch\nfutureswatch.observe_entry()\n")
        self.assertTrue(run.ok, run.stderr)
        from labkit.futureswatch import observed
        events = observed(run.observations)
        kinds = [e["event"] for e in events]
        self.assertEqual(kinds.count("submit"), 3)
        self.assertEqual(kinds.count("yield"), 3)
        self.assertEqual([e["max_workers"] for e in events if e["event"] == "executor"], [2])
        self.assertTrue(all(e["was_done"] for e in events if e["event"] == "result"))
        self.assertIn("['0', '1', '2']", run.stdout)
