"""labkit.races and labkit.race_rate: the race probe's report from a real child run, the lost-update
failure message with the learner's bytecode, locks taken in opposite orders, and the measuring script."""
import contextlib
import io
import json
import os
import subprocess
import ast
import sys
import textwrap
import types

from labkit.failures import CheckFailed
from labkit.races import describe_lost_update, expect_no_lost_updates, observed, opposite_lock_orders
from labkit.run import Run
from labkit.source import Source
from labkit.tests.support import TempDirTestCase, child_env

PROGRAM = '''import threading

counter = 0


def worker():
    global counter
    for _ in range(10):
        counter += 1


def main():
    for _ in range(8):
        threading.Thread(target=worker).start()
    print("started")


if __name__ == "__main__":
    main()
'''
PROBE = "from labkit import races\n\nraces.observe_entry()\n"


class RaceProbeTest(TempDirTestCase):
    def setUp(self) -> None:
        self.folder = self.make_dir()
        self.entry = os.path.join(self.folder, "counter.py")
        for name, text in (("counter.py", PROGRAM), ("race.py", PROBE)):
            with open(os.path.join(self.folder, name), "w", encoding="utf-8") as handle:
                handle.write(text)

    def probe_run(self) -> Run:
        report = os.path.join(self.folder, "report.jsonl")
        done = subprocess.run([sys.executable, "-m", "labkit.launch", "--report", report, "--probe",
                               os.path.join(self.folder, "race.py"), "counter.py"], cwd=self.folder, env=child_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        with open(report, encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle]
        run = Run([], done.stdout, done.stderr, 0, 0.0, 60.0)
        run.observations = [r["data"] for r in records if r["kind"] == "observation"]
        return run

    def test_report_holds_the_final_globals_and_the_lost_updates(self) -> None:
        run = self.probe_run()
        report = observed(run)
        self.assertEqual(run.stdout, "started\n")
        # Threads were left running when main() returned; the probe waited for them before reading counter.
        self.assertEqual(len(report["aliveAtReturn"]), 8)
        self.assertEqual(report["stillRunning"], [])
        self.assertLess(report["globals"]["counter"], 80)
        self.assertGreaterEqual(report["lostUpdateCount"], 1)
        first = report["lostUpdates"][0]
        self.assertEqual((first["name"], first["function"], first["line"]), ("counter", "worker", 9))

        ctx = types.SimpleNamespace(work_dir=self.folder)
        text = describe_lost_update(first, self.folder)
        self.assertIn("(counter.py line 9)", text)
        self.assertIn("runs line 9 `counter += 1` as these instructions", text)
        with self.assertRaises(CheckFailed) as failed:
            expect_no_lost_updates(ctx, run, 80, report["globals"]["counter"], what="updates", line=6, hint=1,
                                   why="every update counts")
        self.assertTrue(failed.exception.message.startswith(
            f"lost updates: expected 80 updates, got {report['globals']['counter']}"))
        self.assertEqual((failed.exception.line, failed.exception.hint), (9, 1))

    def test_no_failure_when_the_total_is_right(self) -> None:
        run = Run([], "", "", 0, 0.0, 1.0)
        expect_no_lost_updates(types.SimpleNamespace(work_dir=self.folder), run, 5, 5, what="updates", line=None,
                               hint=None, why="")
        with self.assertRaises(CheckFailed) as failed:
            expect_no_lost_updates(types.SimpleNamespace(work_dir=self.folder), run, 5, 6, what="updates",
                                   line=None, hint=None, why="")
        self.assertIn("Counted too much", failed.exception.message)

    def test_the_report_names_the_thread_of_each_write(self) -> None:
        writes = observed(self.probe_run())["writes"]
        self.assertEqual(writes, [["MainThread", "started"], ["MainThread", "\n"]])


# Twenty-four threads that reach `total += 1` 4 ms apart, like a pool's downloads that end a few milliseconds
# apart: an update is lost only when the pause between a thread's read and its write outlasts that gap.
STAGGERED = '''import threading
import time

total = 0
ready = threading.Barrier(24)


def worker(n):
    global total
    ready.wait()
    time.sleep(0.004 * n)
    total += 1


threads = [threading.Thread(target=worker, args=(n,)) for n in range(24)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(total)
'''


class PoolProbeTest(TempDirTestCase):
    def test_the_pool_probe_pauses_long_enough_for_updates_ms_apart(self) -> None:
        from labkit.tests.support import LABS_ROOT
        folder = self.make_dir()
        with open(os.path.join(folder, "flag_total.py"), "w", encoding="utf-8") as handle:
            handle.write(STAGGERED)
        report = os.path.join(folder, "report.jsonl")
        probe = os.path.join(LABS_ROOT, "pool-shared-state", "checks", "race.py")
        done = subprocess.run([sys.executable, "-m", "labkit.launch", "--report", report, "--probe", probe,
                               "flag_total.py"], cwd=folder, env=child_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        with open(report, encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle]
        run = Run([], done.stdout, done.stderr, 0, 0.0, 60.0)
        run.observations = [r["data"] for r in records if r["kind"] == "observation"]
        self.assertGreaterEqual(observed(run)["lostUpdateCount"], 1, done.stdout)
        self.assertLess(int(done.stdout), 24)


OPPOSITE = textwrap.dedent('''
    import threading

    total = 0
    total_lock = threading.Lock()
    count_lock = threading.Lock()


    def add(n):
        global total
        with total_lock:
            with count_lock:
                total += n


    def add_too(n):
        global total
        count_lock.acquire()
        total_lock.acquire()
        total += n
        total_lock.release()
        count_lock.release()
''')


class LockOrderTest(TempDirTestCase):
    def orders(self, text: str) -> "tuple | None":
        found = opposite_lock_orders(ast.parse(text))
        return None if found is None else tuple((take.lines[0], take.function, take.lock, take.held) for take in found)

    def test_two_locks_taken_in_opposite_orders_are_found(self) -> None:
        self.assertEqual(self.orders(OPPOSITE), ((12, "add", "count_lock", ("total_lock",)),
                                                 (19, "add_too", "total_lock", ("count_lock",))))
        same = OPPOSITE.replace("count_lock.acquire()\n    total_lock.acquire()", "total_lock.acquire()\n    count_lock.acquire()")
        self.assertIsNone(self.orders(same))
        # A new object in each `with` is no shared lock; a lock released before the next is taken is no nesting.
        self.assertIsNone(self.orders("def f():\n    with threading.Lock():\n        with a:\n            pass\n"
                                      "def g():\n    with a:\n        with threading.Lock():\n            pass\n"))
        self.assertIsNone(self.orders("def f():\n    a.acquire()\n    a.release()\n    b.acquire()\n    b.release()\n"
                                      "def g():\n    with b:\n        with a:\n            pass\n"))

    def test_a_right_total_with_opposite_orders_fails_as_a_possible_deadlock(self) -> None:
        path = os.path.join(self.make_dir(), "total.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(OPPOSITE)
        ctx = types.SimpleNamespace(work_dir=os.path.dirname(path), source=Source(path))
        run = Run([], "", "", 0, 0.0, 1.0)
        expect_no_lost_updates(ctx, run, 5, 5, what="updates", line=None, hint=1, why="")  # not asked to look
        with self.assertRaises(CheckFailed) as failed:
            expect_no_lost_updates(ctx, run, 5, 5, what="updates", line=None, hint=1, why="", deadlock_hint=4)
        message = failed.exception.message
        self.assertTrue(message.startswith("possible deadlock: add() takes count_lock while holding total_lock "
                                           "(line 12), and add_too() takes total_lock while holding count_lock "
                                           "(line 19)"), message)
        self.assertEqual((failed.exception.line, failed.exception.hint), (19, 4))


class RaceRateTest(TempDirTestCase):
    def test_measures_the_starter_and_the_solution_of_thread_race(self) -> None:
        from labkit import race_rate
        for variant, wanted in (("starter", "failed in 2 of 2 runs"), ("solution", "passed in 2 of 2 runs")):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = race_rate.main(["thread-race", "--runs", "2", "--variant", variant])
            self.assertEqual(code, 0, out.getvalue())
            self.assertIn(wanted, out.getvalue())

    def test_measures_a_wrong_fix_given_as_a_file(self) -> None:
        from labkit import race_rate
        from labkit.tests.support import LABS_ROOT
        with open(os.path.join(LABS_ROOT, "thread-race", "solution", "counter.py"), encoding="utf-8") as handle:
            solution = handle.read()
        locked_print = ("            counter += 1\n            print(f\"The count is {counter}\")\n"
                        "            print(SEPARATOR)\n")
        self.assertIn(locked_print, solution)
        # The lock guards the update only: the count is printed after the lock is released.
        wrong = solution.replace(locked_print, "            counter += 1\n        print(f\"The count is {counter}\")\n"
                                               "        print(SEPARATOR)\n")
        path = os.path.join(self.make_dir(), "counter.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(wrong)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = race_rate.main(["thread-race", "--check", "each-count-once", "--file", path, "--runs", "2"])
        self.assertEqual(code, 0, out.getvalue())
        self.assertIn("thread-race counter.py, check each-count-once", out.getvalue())

    def test_a_time_out_counts_as_caught_when_the_check_should_fail(self) -> None:
        from labkit.race_rate import verdict
        self.assertEqual(verdict({"timedOut": 3, "failed": 1}, 4, "fail", 99.0), ("failed or timed out", 4, True))
        self.assertEqual(verdict({"failed": 98, "passed": 2}, 100, "fail", 99.0), ("failed", 98, False))
        self.assertEqual(verdict({"passed": 9, "timedOut": 1}, 10, "pass", 99.0), ("passed", 9, False))

    def test_unknown_lab_is_an_error(self) -> None:
        from labkit import race_rate
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(race_rate.main(["no-such-lab", "--runs", "1"]), 2)
        self.assertIn("is 'no-such-lab' a lab id?", err.getvalue())
