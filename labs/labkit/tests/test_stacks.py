"""Parsing faulthandler's dump and keeping the learner's frames."""
import os
import unittest

from labkit.stacks import describe, learner_stacks, parse_faulthandler

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
        self.assertEqual(stacks[1]["frames"][0]["function"], "_worker")


if __name__ == "__main__":
    unittest.main()
