"""labkit.cpuwatch in a real learner process, under the fork and the spawn start methods."""
import functools
import multiprocessing
import os
import sys
import textwrap
from typing import Any, Dict

from labkit import cpuwatch
from labkit.run import Run, launch
from labkit.tests.support import TempDirTestCase, child_env

PROGRAM = """
    import os, time
    from concurrent.futures import ProcessPoolExecutor

    POOL = None

    def work(n):
        # Each call waits (up to 10 s) until both workers have taken an item, so both always get work,
        # however late a busy machine starts the second one.
        meeting = os.environ["MEETING"]
        open(os.path.join(meeting, str(os.getpid())), "w").close()
        deadline = time.monotonic() + 10
        while len(os.listdir(meeting)) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        return n * n

    def squares(numbers, keep_pool=False):
        global POOL
        if keep_pool:
            POOL = ProcessPoolExecutor(max_workers=2)
            return list(POOL.map(work, numbers))
        with ProcessPoolExecutor(max_workers=2) as executor:
            first = executor.submit(work, numbers[0])
            rest = list(executor.map(work, numbers[1:]))
            return [first.result()] + rest

    def main():
        print(squares(list(range(4))))

    if __name__ == "__main__":
        main()
"""
# Called as the file is loaded: fine under fork, where workers do not load the file again.
BARE_MAIN_CALL = "main()\n"
PROBE = """
    import multiprocessing, sys
    from labkit import cpuwatch, probe
    method, notes, keep = sys.argv[1], sys.argv[2], sys.argv[3] == "keep"
    multiprocessing.set_start_method(method, force=True)
    cpuwatch.install(notes)
    module = cpuwatch.load_as_main(["main"])
    result = module.squares(list(range(8)), keep_pool=keep)
    left = cpuwatch.children_alive(grace=0.5)
    cpuwatch.stop_children()
    probe.report({"result": result, "name": module.__name__, "left": left,
                  "calls": cpuwatch.worker_calls(notes), "after": cpuwatch.children_alive(grace=0)})
"""


class CpuWatchTest(TempDirTestCase):
    def observe(self, method: str, keep: str = "no", bare_main: bool = False) -> Dict[str, Any]:
        folder = self.make_dir()
        entry = os.path.join(folder, "prog.py")
        with open(entry, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(PROGRAM) + (BARE_MAIN_CALL if bare_main else ""))
        probe_path = os.path.join(self.make_dir(), "probe.py")
        with open(probe_path, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(PROBE))
        notes = os.path.join(self.make_dir(), "notes")
        run: Run = launch(sys.executable, entry, work_dir=folder, scratch=self.make_dir(), timeout=30,
                          env=dict(child_env(), MEETING=self.make_dir()), probe=probe_path, args=[method, notes, keep])
        self.assertTrue(run.ok, run.stderr)
        return run.observations[0]

    def check_run(self, method: str, bare_main: bool = False) -> None:
        seen = self.observe(method, bare_main=bare_main)
        self.assertEqual(seen["result"], [n * n for n in range(8)])
        self.assertEqual(seen["name"], cpuwatch.MAIN_AS_IMPORTED)
        # One submit and one map chunk per remaining item: eight calls, in two worker processes.
        self.assertEqual(sum(seen["calls"].values()), 8)
        self.assertEqual(len(seen["calls"]), 2)
        self.assertEqual(seen["left"], [])

    def test_fork_workers_are_counted_and_the_bare_main_call_is_left_out(self) -> None:
        if "fork" not in multiprocessing.get_all_start_methods():
            self.skipTest("no fork start method on this platform")
        self.check_run("fork", bare_main=True)

    def test_spawned_workers_import_the_learners_file_and_are_counted_too(self) -> None:
        self.check_run("spawn")

    def test_a_pool_never_shut_down_leaves_children_that_stop_children_ends(self) -> None:
        seen = self.observe("spawn", keep="keep")
        self.assertEqual(len(seen["left"]), 2)
        self.assertEqual(seen["after"], [])

    def test_work_that_cannot_be_pickled_fails_its_future_at_once_on_every_version(self) -> None:
        # 3.9's executor could hang on this instead; the learner must get the pickling error, quickly.
        folder = self.make_dir()
        entry = os.path.join(folder, "prog.py")
        with open(entry, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(UNPICKLABLE_PROGRAM))
        probe_path = os.path.join(self.make_dir(), "probe.py")
        with open(probe_path, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(UNPICKLABLE_PROBE))
        for method in ("fork", "spawn"):
            if method not in multiprocessing.get_all_start_methods():
                continue
            with self.subTest(method=method):
                run: Run = launch(sys.executable, entry, work_dir=folder, scratch=self.make_dir(), timeout=20,
                                  env=child_env(), probe=probe_path, args=[method, self.make_dir()])
                self.assertTrue(run.ok, run.stderr)
                seen = run.observations[0]
                self.assertRegex(seen["error"], r"(?i)pickl|Can't get local object")
                self.assertEqual(seen["after"], [])


UNPICKLABLE_PROGRAM = """
    from concurrent.futures import ProcessPoolExecutor

    def squares(numbers):
        with ProcessPoolExecutor(max_workers=2) as executor:
            return list(executor.map(lambda n: n * n, numbers))
"""
UNPICKLABLE_PROBE = """
    import multiprocessing, sys
    from labkit import cpuwatch, probe
    multiprocessing.set_start_method(sys.argv[1], force=True)
    cpuwatch.install(sys.argv[2])
    module = cpuwatch.load_as_main()
    try:
        module.squares(list(range(8)))
        error = "no error"
    except Exception as caught:
        error = f"{type(caught).__name__}: {caught}"
    cpuwatch.stop_children()
    probe.report({"error": error, "after": cpuwatch.children_alive(grace=0)})
"""


class NameTest(TempDirTestCase):
    def test_the_wrapped_call_keeps_the_name_of_the_learners_function(self) -> None:
        def check(n: int) -> int:
            return n

        self.assertEqual(cpuwatch._NotingCall("x", check).__qualname__, check.__qualname__)
        chunk = functools.partial(sys.modules["concurrent.futures.process"]._process_chunk, check)
        self.assertEqual(cpuwatch._name_of(chunk), f"{check.__qualname__} (map chunk)")

    def test_the_wrapped_call_notes_its_process_and_returns_the_result(self) -> None:
        notes = self.make_dir()
        call = cpuwatch._NotingCall(notes, pow)
        self.assertEqual(call(2, 10), 1024)
        self.assertEqual(call(3, 2), 9)
        self.assertEqual(cpuwatch.worker_calls(notes), {os.getpid(): 2})
