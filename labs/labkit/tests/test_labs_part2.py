"""The Part II labs (threads) against their own checks: two different correct fixes of each race pass, and
the wrong fixes a learner tries fail with a message that names the mistake and the hint that goes with it
(lost update -> read-modify-write, serialised -> lock only the update, hang or two locks in opposite orders
-> lock order, a total printed before the join -> join)."""
import importlib.util
import os
import types
from typing import Any, Dict, List, Sequence

from labkit.failures import CheckFailed
from labkit.run import Run
from labkit.source import Source
from labkit.tests.support import LABS_ROOT, Edit, LabEditTestCase, TempDirTestCase

RACE_WORKER = '''def worker() -> None:
    """Adds 1 to the shared counter ROUNDS times; after each update prints the new count and a separator."""
    global counter
    for _ in range(ROUNDS):
        with counter_lock:
            counter += 1
            print(f"The count is {counter}")
            print(SEPARATOR)
'''
# The other correct fix: one thread owns the counter and the printing; workers only put() into a queue.
QUEUE_OWNER = '''increments: "queue.Queue[int]" = queue.Queue()


def owner() -> None:
    """The only thread that touches counter or prints a count."""
    global counter
    while True:
        amount = increments.get()
        counter += amount
        print(f"The count is {counter}")
        print(SEPARATOR)
        increments.task_done()


def worker() -> None:
    for _ in range(ROUNDS):
        increments.put(1)
'''
RACE_JOIN = "    for thread in threads:\n        thread.join()\n"


def _pool_update() -> str:
    """download_one's body in the pool-shared-state starter, from the download to the return."""
    with open(os.path.join(LABS_ROOT, "pool-shared-state", "starter", "flag_total.py"), encoding="utf-8") as handle:
        text = handle.read()
    start = text.index("    image = get_flag(cc)\n")
    return text[start:text.index("    return cc\n", start) + len("    return cc\n")]


POOL_UPDATE = _pool_update()


class PartTwoTest(LabEditTestCase):
    def result(self, lab: str, edits: Sequence[Edit], check_id: str, variant: str = "solution") -> Dict[str, Any]:
        return self.verify(lab, variant, edits)[check_id]

    def assert_passes(self, lab: str, edits: Sequence[Edit] = (), variant: str = "solution") -> None:
        ends = self.verify(lab, variant, edits)
        self.assertEqual({i: r["message"] for i, r in ends.items() if r["status"] != "passed"}, {})

    def line_of(self, text: str) -> int:
        return next(n for n, line in enumerate(self.source.splitlines(), 1) if text in line)

    # -- thread-race ----------------------------------------------------------------------------------------
    def test_thread_race_queue_owner_fix_passes(self) -> None:
        self.assert_passes("thread-race", [
            (RACE_WORKER, QUEUE_OWNER),
            ("counter_lock = threading.Lock()\n", ""),
            ("import threading\n", "import queue\nimport threading\n"),
            (RACE_JOIN, RACE_JOIN + "    increments.join()\n"),
            ('    print("Starting up")\n', '    print("Starting up")\n    threading.Thread(target=owner, daemon=True).start()\n')])

    def test_thread_race_lock_without_join_is_told_to_join(self) -> None:
        result = self.result("thread-race", [(RACE_JOIN, "")], "final-after-workers")
        self.assertEqual((result["status"], result["hint"]), ("failed", 4), result)
        self.assertIn("was printed while workers were still running", result["message"])
        self.assertEqual(result["line"], self.line_of("Final count"))

    def test_thread_race_locks_in_opposite_orders_are_a_possible_deadlock(self) -> None:
        # Two locks, odd workers take them in one order and even workers in the other.
        opposite = '''def worker(n: int) -> None:
    global counter
    for _ in range(ROUNDS):
        if n % 2:
            with counter_lock:
                with print_lock:
                    counter += 1
                    print(f"The count is {counter}")
                    print(SEPARATOR)
        else:
            with print_lock:
                with counter_lock:
                    counter += 1
                    print(f"The count is {counter}")
                    print(SEPARATOR)
'''
        result = self.result("thread-race", [
            (RACE_WORKER, opposite),
            ("counter_lock = threading.Lock()\n", "counter_lock = threading.Lock()\nprint_lock = threading.Lock()\n"),
            ("threading.Thread(target=worker, name=f\"worker-{n}\")",
             "threading.Thread(target=worker, args=(n,), name=f\"worker-{n}\")")], "no-lost-updates")
        self.assertIn(result["status"], ("failed", "timedOut"), result)
        self.assertEqual(result["hint"], 4, result)
        self.assertIn("possible deadlock", result["message"])
        if result["status"] == "timedOut":  # it hung: every thread's stack, at the learner's lines
            self.assertIn(f"counter.py line {self.line_of('                with counter_lock:')} in worker", result["message"])

    # -- pool-shared-state ----------------------------------------------------------------------------------
    def test_pool_lock_around_the_update_only_passes(self) -> None:
        self.assert_passes("pool-shared-state", [
            (POOL_UPDATE, "    image = get_flag(cc)\n    with total_lock:\n        total_bytes += len(image)\n    return cc\n"),
            ("total_bytes = 0\n", "total_bytes = 0\ntotal_lock = threading.Lock()\n"),
            ("import sys\n", "import sys\nimport threading\n")], variant="starter")

    def test_pool_lock_around_the_download_is_serialised(self) -> None:
        result = self.result("pool-shared-state", [
            (POOL_UPDATE, "    with total_lock:\n        image = get_flag(cc)\n        total_bytes += len(image)\n    return cc\n"),
            ("total_bytes = 0\n", "total_bytes = 0\ntotal_lock = threading.Lock()\n"),
            ("import sys\n", "import sys\nimport threading\n")], "downloads-overlap", variant="starter")
        self.assertEqual((result["status"], result["hint"]), ("failed", 3), result)
        self.assertTrue(result["message"].startswith("The lock is held around the whole download, so only one ran "
                                                     "at a time"), result["message"])
        self.assertEqual(result["line"], self.line_of("    with total_lock:"))

    def test_pool_locks_in_opposite_orders_are_a_possible_deadlock(self) -> None:
        # The pool's tasks finish a few milliseconds apart, so this rarely hangs in one run (about 1 in 20):
        # the check reads the two orders in the code.
        result = self.result("pool-shared-state", [
            (POOL_UPDATE, '''    image = get_flag(cc)
    if cc < "M":
        with total_lock:
            with count_lock:
                total_bytes += len(image)
    else:
        with count_lock:
            with total_lock:
                total_bytes += len(image)
    return cc
'''),
            ("total_bytes = 0\n", "total_bytes = 0\ntotal_lock = threading.Lock()\ncount_lock = threading.Lock()\n"),
            ("import sys\n", "import sys\nimport threading\n")], "total-is-right", variant="starter")
        self.assertIn(result["status"], ("failed", "timedOut"), result)
        self.assertEqual(result["hint"], 4, result)
        self.assertIn("possible deadlock", result["message"])
        if result["status"] == "failed":
            self.assertIn("takes count_lock while holding total_lock (line", result["message"])
            self.assertEqual(result["line"], self.line_of("            with total_lock:"))

    # -- spinner-thread -------------------------------------------------------------------------------------
    def test_spinner_event_never_set_or_thread_never_joined(self) -> None:
        set_and_join = "    done.set()\n    spinner.join()\n"
        for edits, words in (
                ([('name="spinner")', 'name="spinner", daemon=True)'), (set_and_join, "")], "was never set"),
                ([(set_and_join, "    done.set()\n")], "was never joined")):
            result = self.result("spinner-thread", edits, "spinner-stopped-joined")
            self.assertEqual((result["status"], result["hint"]), ("failed", 3), result)
            self.assertIn(words, result["message"])


def load_checks(lab: str) -> types.ModuleType:
    path = os.path.join(LABS_ROOT, lab, "checks", "checks.py")
    spec = importlib.util.spec_from_file_location(f"checks_of_{lab.replace('-', '_')}", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


class FinalPrintMixedInTest(TempDirTestCase):
    """A lock around the update and both prints, but no join: the workers' lines are whole, and only the
    main thread's final print lands among them. The learner must be sent to join (hint 4), not told to put
    the prints inside the lock (hint 2), which they already did."""

    def check_with(self, writes: List[List[str]]) -> CheckFailed:
        checks = load_checks("thread-race")
        path = os.path.join(self.make_dir(), "counter.py")
        with open(os.path.join(LABS_ROOT, "thread-race", "starter", "counter.py"), encoding="utf-8") as handle:
            text = handle.read()
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        run = Run([], "".join(t for _, t in writes), "", 0, 0.1, 10.0)
        run.observations = [{"races": {"writes": writes, "globals": {"counter": 2, "WORKERS": 2, "ROUNDS": 1}}}]
        ctx = types.SimpleNamespace(run_main=lambda **_: run, source=Source(path), work_dir=os.path.dirname(path))
        with self.assertRaises(CheckFailed) as failed:
            checks.lines_not_interleaved(ctx)
        self.source_text = text
        return failed.exception

    @staticmethod
    def update(thread: str, count: int) -> List[List[str]]:
        return [[thread, f"The count is {count}"], [thread, "\n"], [thread, "-" * 15], [thread, "\n"]]

    def test_a_final_print_among_whole_worker_lines_is_told_to_join(self) -> None:
        main, one, two = "MainThread", "worker-0", "worker-1"
        writes = ([[main, "Starting up"], [main, "\n"]] + self.update(one, 1)[:1]
                  + [[main, "Final count: 1"]] + self.update(one, 1)[1:] + [[main, "\n"]] + self.update(two, 2))
        failed = self.check_with(writes)
        self.assertEqual(failed.hint, 4, failed.message)
        self.assertIn("it is the final count that landed among them", failed.message)
        self.assertIn("join()", failed.message)
        final_line = next(n for n, line in enumerate(self.source_text.splitlines(), 1) if "Final count" in line)
        self.assertEqual(failed.line, final_line)

    def test_workers_mixing_their_own_lines_are_told_to_lock_the_prints(self) -> None:
        main, one, two = "MainThread", "worker-0", "worker-1"
        first, second = self.update(one, 1), self.update(two, 2)
        writes = [[main, "Starting up"], [main, "\n"], first[0], second[0], first[1], second[1], first[2], first[3],
                  second[2], second[3], [main, "Final count: 2"], [main, "\n"]]
        failed = self.check_with(writes)
        self.assertEqual(failed.hint, 2, failed.message)
        self.assertNotIn("final count that landed", failed.message)
