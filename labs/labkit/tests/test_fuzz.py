"""labkit.fuzz: the schedule fuzzer makes a one-line `counter += 1` lose updates on every Python, catches
who overwrote whom, leaves a locked program correct, splits print()'s two writes, and brings out a deadlock
of two locks taken in opposite orders."""
import io
import os
import runpy
import subprocess
import sys
import ast
import textwrap
import threading
import unittest

from labkit.fuzz import Fuzzer, FuzzedStream, lock_takes, nested_lock_lines, plan_for, shared_names
from labkit.tests.support import TempDirTestCase, child_env

RACY = '''
import threading

counter = 0


def worker():
    global counter
    for _ in range(20):
        counter += 1


threads = [threading.Thread(target=worker) for _ in range(10)]
for t in threads:
    t.start()
for t in threads:
    t.join()
'''
LOCKED = RACY.replace("counter = 0\n", "counter = 0\nlock = threading.Lock()\n").replace(
    "        counter += 1", "        with lock:\n            counter += 1")
CLOSURE = '''
import threading


def run():
    total = 0

    def add():
        nonlocal total
        for _ in range(20):
            total += 1

    threads = [threading.Thread(target=add) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return total


result = run()
'''


class FuzzerTest(TempDirTestCase):
    def program(self, text: str) -> str:
        folder = self.make_dir()
        path = os.path.join(folder, "program.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(text))
        return path

    def run_fuzzed(self, text: str, seed: int = 7) -> "tuple[dict, Fuzzer]":
        path = self.program(text)
        fuzzer = Fuzzer([os.path.dirname(path)], seed=seed)
        interval = sys.getswitchinterval()
        with fuzzer:
            namespace = runpy.run_path(path, run_name="__main__")
        self.assertIsNone(sys.gettrace())
        self.assertEqual(sys.getswitchinterval(), interval)
        return namespace, fuzzer

    def test_one_line_increment_loses_updates(self) -> None:
        namespace, fuzzer = self.run_fuzzed(RACY)
        self.assertLess(namespace["counter"], 200)
        self.assertTrue(fuzzer.lost_updates)
        lost = fuzzer.lost_updates[0]
        self.assertEqual((lost.name, lost.function, lost.line), ("counter", "worker", 10))
        self.assertNotEqual(lost.read, lost.found)
        self.assertEqual(lost.wrote, lost.read + 1)

    def test_a_lock_keeps_every_update(self) -> None:
        namespace, fuzzer = self.run_fuzzed(LOCKED)
        self.assertEqual(namespace["counter"], 200)
        self.assertEqual(fuzzer.lost_updates, [])
        self.assertGreater(fuzzer.sleeps, 400)  # the reads and writes were still fuzzed, inside the lock

    def test_closure_cells_race_too(self) -> None:
        namespace, fuzzer = self.run_fuzzed(CLOSURE)
        self.assertLess(namespace["result"], 200)
        self.assertTrue(any(lost.name == "total" for lost in fuzzer.lost_updates))

    def test_code_outside_the_roots_is_not_fuzzed(self) -> None:
        path = self.program(RACY)
        fuzzer = Fuzzer([self.make_dir()], seed=1)
        with fuzzer:
            runpy.run_path(path, run_name="__main__")
        self.assertEqual(fuzzer.sleeps, 0)

    def test_module_globals_are_the_live_ones(self) -> None:
        _, fuzzer = self.run_fuzzed(RACY)
        (namespace,) = fuzzer.module_globals.values()
        self.assertIn("worker", namespace)

# Eight threads, each 5 ms after the last, add to a total under two locks, odd ones in one order and even
# ones in the other. A thread holds its locks for well under 5 ms, so without a pause between taking the
# first lock and the second no two threads ever hold one each: the deadlock hides (0 of 20 fuzzed runs hung
# before the fuzzer paused there). The threads are daemons and joined with a deadline, so a hang is reported.
OPPOSITE_ORDERS = '''
import threading
import time

total = 0
first = threading.Lock()
second = threading.Lock()


def work(n):
    global total
    time.sleep(0.005 * n)
    if n % 2:
        with first:
            with second:
                total += n
    else:
        with second:
            with first:
                total += n


threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(8)]
for t in threads:
    t.start()
deadline = time.monotonic() + 3
for t in threads:
    t.join(max(0.0, deadline - time.monotonic()))
print("stuck" if any(t.is_alive() for t in threads) else f"done {total}")
'''


class LockOrderTest(TempDirTestCase):
    def run_cli(self, text: str) -> str:
        folder = self.make_dir()
        with open(os.path.join(folder, "locks.py"), "w", encoding="utf-8") as handle:
            handle.write(text)
        done = subprocess.run([sys.executable, "-m", "labkit.fuzz", "locks.py"], cwd=folder, env=child_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        return done.stdout.strip()

    def test_locks_taken_in_opposite_orders_deadlock(self) -> None:
        self.assertEqual(self.run_cli(OPPOSITE_ORDERS), "stuck")

    def test_locks_taken_in_one_order_still_finish(self) -> None:
        same = OPPOSITE_ORDERS.replace("        with second:\n            with first:\n",
                                       "        with first:\n            with second:\n")
        self.assertNotEqual(same, OPPOSITE_ORDERS)
        self.assertEqual(self.run_cli(same), "done 28")


class PlanTest(unittest.TestCase):
    def test_shared_names_are_those_written_inside_functions(self) -> None:
        code = compile(textwrap.dedent('''
            import threading
            counter = 0
            label = "x"
            def worker(box):
                global counter
                counter += 1
                box.size = 3
                local = label
        '''), "m.py", "exec")
        names, attributes = shared_names(code)
        self.assertEqual(names, {"counter"})
        self.assertEqual(attributes, {"size"})

    def test_plan_tells_an_update_from_a_read_that_reports(self) -> None:
        module = compile("def worker():\n    global counter\n    counter += 1\n    print(counter)\n", "m.py", "exec")
        worker = next(c for c in module.co_consts if hasattr(c, "co_code"))
        plan = plan_for(worker, {"counter"}, set())
        steps = [plan[offset] for offset in sorted(plan)]
        self.assertEqual([(kind, name, line) for kind, _, name, line in steps],
                         [("update", "counter", 3), ("store", "counter", 3), ("load", "counter", 4)])

    def test_lock_takes_know_what_their_function_may_hold(self) -> None:
        tree = ast.parse(textwrap.dedent('''
            def one(a, b):
                with a:
                    with b:
                        pass
                with a, b:
                    pass

            def two(a, b):
                a.acquire()
                b.acquire()
                b.release()
                a.release()
                b.acquire()
                with a:
                    def later():
                        with b:
                            pass
        '''))
        takes = [(t.lines[0], t.function, t.lock, t.held) for t in lock_takes(tree)]
        self.assertEqual(takes, [
            (3, "one", "a", ()), (4, "one", "b", ("a",)), (6, "one", "a", ()), (6, "one", "b", ("a",)),
            (10, "two", "a", ()), (11, "two", "b", ("a",)), (14, "two", "b", ()), (15, "two", "a", ("b",)),
            (17, "later", "b", ())])
        self.assertEqual(nested_lock_lines(tree), {4, 6, 11, 15})

    def test_plan_pauses_before_a_lock_taken_while_another_is_held(self) -> None:
        source = "def worker():\n    with a:\n        with b:\n            pass\n    with c:\n        pass\n"
        module = compile(source, "m.py", "exec")
        worker = next(c for c in module.co_consts if hasattr(c, "co_code"))
        plan = plan_for(worker, set(), set(), nested_lock_lines(ast.parse(source)))
        self.assertEqual([(kind, line) for kind, _, _, line in (plan[o] for o in sorted(plan))], [("hold", 3)])
        self.assertEqual(plan_for(worker, set(), set()), {})


class FuzzedStreamTest(unittest.TestCase):
    def test_logs_each_write_with_its_thread_and_passes_it_on(self) -> None:
        target = io.StringIO()
        stream = FuzzedStream(target, None)
        print("hello", file=stream)  # type: ignore[arg-type]
        self.assertEqual(target.getvalue(), "hello\n")
        self.assertEqual([(thread, text) for _, thread, text in stream.writes],
                         [(threading.current_thread().name, "hello"), (threading.current_thread().name, "\n")])
        self.assertEqual(stream.text(), "hello\n")


class CommandLineTest(TempDirTestCase):
    def test_python_m_labkit_fuzz_reports_lost_updates(self) -> None:
        folder = self.make_dir()
        with open(os.path.join(folder, "racy.py"), "w", encoding="utf-8") as handle:
            handle.write(RACY + "print('counter', counter)\n")
        done = subprocess.run([sys.executable, "-m", "labkit.fuzz", "racy.py"], cwd=folder, env=child_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("lost update(s) caught; the first:", done.stderr)
        self.assertNotIn("counter 200", done.stdout)

    def test_missing_file_says_what_to_do(self) -> None:
        done = subprocess.run([sys.executable, "-m", "labkit.fuzz", "nope.py"], cwd=self.make_dir(), env=child_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(done.returncode, 2)
        self.assertIn("No such file: nope.py", done.stderr)


if __name__ == "__main__":
    unittest.main()
