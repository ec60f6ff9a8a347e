"""Parsing faulthandler's dump and keeping the learner's frames."""
import os
import unittest

from labkit.stacks import describe, from_snapshot, learner_stacks, parse_faulthandler

DUMP = """Timeout (0:00:01)!
Thread 0x00007f06530c06c0 (most recent call first):
  File "/home/me/lab/flags.py", line 4 in worker
  File "/usr/lib/python3.11/threading.py", line 975 in run
  File "/usr/lib/python3.11/threading.py", line 1038 in _bootstrap_inner

Thread 0x00007f0600000000 (most recent call first):
  File "/usr/lib/python3.11/concurrent/futures/thread.py", line 81 in _worker

Current thread 0x00007f06541d0b80 (most recent call first):
  File "/usr/lib/python3.11/threading.py", line 1080 in _wait_for_tstate_lock
  File "/home/me/lab/flags.py", line 7 in waiter
  File "/home/me/lab/flags.py", line 8 in <module>
  File "/usr/lib/python3.11/runpy.py", line 88 in _run_code
  File "/usr/lib/python3.11/runpy.py", line 198 in _run_module_as_main
"""


class StacksTest(unittest.TestCase):
    def test_parse_keeps_outermost_first(self) -> None:
        stacks = parse_faulthandler(DUMP)
        self.assertEqual(len(stacks), 3)
        self.assertEqual(stacks[0].frames[-1].function, "worker")
        self.assertEqual(stacks[2].frames[0].function, "_run_module_as_main")

    def test_learner_frames_only_main_thread_first(self) -> None:
        stacks = learner_stacks(parse_faulthandler(DUMP), "/home/me/lab")
        self.assertEqual([s["thread"] for s in stacks], ["main thread", "thread 0x00007f06530c06c0 running worker()"])
        self.assertEqual(stacks[0]["frames"], [{"file": "flags.py", "line": 8, "function": "<module>"},
                                               {"file": "flags.py", "line": 7, "function": "waiter"}])
        self.assertIn("main thread was at flags.py line 7 in waiter", describe(stacks))

    def test_all_frames_kept_when_no_learner_code_is_on_any_stack(self) -> None:
        stacks = learner_stacks(parse_faulthandler(DUMP), os.path.join(os.sep, "elsewhere"))
        self.assertEqual(len(stacks), 3)
        self.assertIn("_worker", [s["frames"][0]["function"] for s in stacks])
        self.assertEqual(stacks[0]["thread"], "main thread")


    def test_no_frame_in_something_that_is_no_file(self) -> None:
        dump = DUMP.replace("/usr/lib/python3.11/runpy.py", "<frozen runpy>").replace("/home/me/lab/flags.py", "/usr/lib/x.py")
        stacks = learner_stacks(parse_faulthandler(dump), "/home/me/lab")
        self.assertTrue(stacks)
        self.assertNotIn("<frozen", describe(stacks))
        self.assertNotIn("<frozen", str(stacks))

    def test_the_checks_own_threads_are_left_out(self) -> None:
        labkit = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        stacks = from_snapshot({"threads": [
            {"thread": "thread 0x1", "main": False, "frames": [{"file": os.path.join(labkit, "asyncwatch.py"), "line": 1, "function": "_watch"}]},
            {"thread": "main thread", "main": True, "frames": [{"file": "/usr/lib/selectors.py", "line": 4, "function": "select"}]}]})
        self.assertEqual([s["thread"] for s in learner_stacks(stacks, "/home/me/lab")], ["main thread"])

    def test_threads_at_the_same_line_share_one_line(self) -> None:
        frames = [{"file": "/home/me/lab/counter.py", "line": 21, "function": "worker"}]
        stacks = from_snapshot({"threads": [{"thread": f"thread 'worker-{n}'", "state": "waiting", "frames": frames}
                                            for n in (10, 2, 1)]})
        self.assertEqual(describe(learner_stacks(stacks, "/home/me/lab")),
                         "  3 threads ('worker-1', 'worker-2', 'worker-10') were waiting (blocked, using no CPU) "
                         "at counter.py line 21 in worker")


if __name__ == "__main__":
    unittest.main()
