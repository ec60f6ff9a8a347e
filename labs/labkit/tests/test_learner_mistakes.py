"""Mistakes a learner-eye audit made in the Part I/II labs: each must get a message that says what
happened, why, and what to do, at the learner's own line."""
import os
import sys
import tempfile
import unittest

from labkit.source import Source, read_learner_text
from labkit.tests.support import LabEditTestCase

# A file saved "UTF-8 with BOM" (some Windows editors do) starts with these three bytes; Python runs it.
BOM = "\ufeff"


def with_bom(first_line: str) -> tuple:
    return (first_line, BOM + first_line)


class ByteOrderMarkTest(LabEditTestCase):
    def test_source_reads_a_file_with_a_bom(self) -> None:
        folder = tempfile.mkdtemp()
        path = os.path.join(folder, "m.py")
        with open(path, "wb") as handle:
            handle.write(b"\xef\xbb\xbfimport threading\n\n\ndef worker():\n    pass\n")
        self.addCleanup(os.remove, path)
        self.assertEqual(Source(path).line_of_function("worker"), 4)
        self.assertFalse(read_learner_text(path).startswith(BOM))

    def test_source_honours_a_coding_cookie(self) -> None:
        folder = tempfile.mkdtemp()
        path = os.path.join(folder, "m.py")
        with open(path, "wb") as handle:
            handle.write("# -*- coding: latin-1 -*-\nNAME = 'café'\n".encode("latin-1"))
        self.addCleanup(os.remove, path)
        self.assertIn("café", read_learner_text(path))

    def test_thread_race_solution_with_a_bom_passes(self) -> None:
        ends = self.verify("thread-race", edits=[with_bom('"""Ten threads share one counter')])
        self.assertEqual({i: r["message"] for i, r in ends.items() if r["status"] != "passed"}, {})

    def test_the_race_starter_with_a_bom_is_still_fuzzed_and_fails(self) -> None:
        # The fuzzer reads the learner's file to find the shared names; a BOM must not switch it off.
        ends = self.verify("thread-race", "starter", [with_bom('"""Ten threads share one counter')])
        self.assertEqual(ends["each-count-once"]["status"], "failed", ends["each-count-once"])

    def test_a_wrong_solution_with_a_bom_is_found_at_its_line(self) -> None:
        ends = self.verify("flags-sequential", edits=[
            with_bom('"""Download the flags of the 20 most populous countries, one after another.'),
            ("(DEST_DIR / filename).write_bytes(img)", "(DEST_DIR / filename).write_text(str(img))")])
        result = ends["saves-all-flags"]
        self.assertEqual(result["status"], "failed", result)
        lines = [n for n, text in enumerate(self.source.splitlines(), 1) if text.startswith("def save_flag")]
        self.assertEqual([result["line"]], lines)


FINAL_PRINT = '    print(f"Final count: {counter}")\n'


class EndingsTest(LabEditTestCase):
    """Ways a program can end that the checks must name, at the learner's line."""

    def assert_message(self, ends: dict, check_id: str, words: list, line_text: str) -> None:
        result = ends[check_id]
        self.assertIn(result["status"], ("failed", "timedOut"), result)
        for word in words:
            self.assertIn(word, result["message"])
        lines = [n for n, text in enumerate(self.source.splitlines(), 1) if line_text in text]
        self.assertEqual([result["line"]], lines[:1], result["message"])

    def test_os_exit_is_named_at_its_line(self) -> None:
        ends = self.verify("thread-race", edits=[(FINAL_PRINT, FINAL_PRINT + "    import os\n    os._exit(0)\n")])
        self.assert_message(ends, "no-lost-updates", ["os._exit(0)", "on the spot", "sys.exit()"], "os._exit(0)")

    def test_input_says_a_check_has_no_keyboard(self) -> None:
        ends = self.verify("thread-race", edits=[('    print("Starting up")\n', '    print("Starting up")\n    input("Press Enter")\n')])
        self.assert_message(ends, "no-lost-updates", ["input()", "no keyboard", "sys.argv"], 'input("Press Enter")')

    def test_sys_exit_at_import_is_named_at_its_line(self) -> None:
        ends = self.verify("thread-race", edits=[("counter = 0\n", "counter = 0\nimport sys\nsys.exit(3)\n")])
        self.assert_message(ends, "no-lost-updates", ["sys.exit(3)", "exit code 3"], "sys.exit(3)")

    def test_a_child_process_holding_the_output_is_named(self) -> None:
        started = FINAL_PRINT + "    import subprocess, sys\n    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        ends = self.verify("thread-race", edits=[(FINAL_PRINT, started)])
        self.assert_message(ends, "no-lost-updates", ["own code had finished", "process it started", ".wait()"],
                            "subprocess.Popen(")

    def test_no_total_printed_is_said_plainly(self) -> None:
        summary = '    print(f"{total} bytes in {len(POP20_CC)} flags, downloaded in {elapsed:.2f}s")\n'
        ends = self.verify("pool-shared-state", edits=[(summary, "")])
        result = ends["total-is-right"]
        self.assertEqual(result["status"], "failed", result)
        self.assertIn("no final total of bytes: it never printed one", result["message"])


class FlagsSequentialTest(LabEditTestCase):
    def test_a_function_still_to_write_shows_its_own_hint(self) -> None:
        ends = self.verify("flags-sequential", "starter")
        self.assertEqual(ends["saves-all-flags"]["hint"], 1, ends["saves-all-flags"])  # get_flag, not save_flag
        self.assertIn("get_flag() is not written yet", ends["saves-all-flags"]["message"])

    def test_the_readme_figure_fits_the_servers_delay(self) -> None:
        import re
        from labkit.tests.support import LABS_ROOT
        with open(os.path.join(LABS_ROOT, "flags-sequential", "README.md"), encoding="utf-8") as handle:
            shown = [float(s) for s in re.findall(r"20 flags downloaded in (\d+\.\d+)s", handle.read())]
        with open(os.path.join(LABS_ROOT, "labkit", "flagserver.py"), encoding="utf-8") as handle:
            default = float(re.search(r'"--delay", type=float, default=([\d.]+)', handle.read()).group(1))
        self.assertTrue(shown)
        self.assertTrue(all(seconds >= 20 * default for seconds in shown), shown)


class SpinnerThreadTest(LabEditTestCase):
    def test_a_spinner_killed_at_exit_is_blamed_on_the_missing_join_not_the_clearing_code(self) -> None:
        ends = self.verify("spinner-thread", edits=[
            ('name="spinner")', 'name="spinner", daemon=True)'),
            ("    done.set()\n    spinner.join()\n", "")])
        result = ends["line-cleared"]
        self.assertEqual(result["status"], "failed", result)
        self.assertEqual(result["hint"], 3, result)
        for words in ("never got to", "daemon", "done.set()", "join()"):
            self.assertIn(words, result["message"])
        self.assertEqual(result["line"], next(n for n, text in enumerate(self.source.splitlines(), 1)
                                              if text.startswith("    result = slow()")))


class LockPerCallTest(LabEditTestCase):
    """A lock made anew at each call protects nothing: the learner who "has a lock" must be told why."""

    def assert_lock_named(self, lab: str, check_id: str, edits: list, line_text: str, variant: str = "solution") -> None:
        ends = self.verify(lab, variant, edits)
        result = ends[check_id]
        self.assertEqual(result["status"], "failed", result)
        self.assertIn("lock of its own", result["message"])
        self.assertIn("module level", result["message"])
        lines = [n for n, text in enumerate(self.source.splitlines(), 1) if line_text in text]
        self.assertEqual([result["line"]], lines[:1], result["message"])

    def test_with_a_new_lock_in_thread_race(self) -> None:
        self.assert_lock_named("thread-race", "no-lost-updates", [("with counter_lock:", "with threading.Lock():")],
                               "with threading.Lock():")

    def test_a_local_lock_in_thread_race(self) -> None:
        self.assert_lock_named("thread-race", "no-lost-updates", [
            ("    global counter\n", "    global counter\n    lock = threading.RLock()\n"),
            ("with counter_lock:", "with lock:")], "lock = threading.RLock()")

    def test_with_a_new_lock_in_pool_shared_state(self) -> None:
        self.assert_lock_named("pool-shared-state", "total-is-right", [
            ("    total_bytes += len(image)\n    return cc\n",
             "    with threading.Lock():\n        total_bytes += len(image)\n    return cc\n"),
            ("import sys\n", "import sys\nimport threading\n")], "with threading.Lock():", variant="starter")

    def test_a_pool_per_flag_is_named(self) -> None:
        ends = self.verify("pool-shared-state", edits=[(
            "    with ThreadPoolExecutor(max_workers=MAX_WORKERS) as executor:\n"
            "        # The sizes come back to this one thread, which alone adds them up: nothing to race on.\n"
            "        for cc, size in zip(sorted(cc_list), executor.map(download_one, sorted(cc_list))):\n",
            "    for cc in sorted(cc_list):\n"
            "        with ThreadPoolExecutor(max_workers=MAX_WORKERS) as executor:\n"
            "            size = executor.submit(download_one, cc).result()\n"
            "        if True:\n")])
        result = ends["downloads-overlap"]
        self.assertEqual(result["status"], "failed", result)
        self.assertIn("20 thread pools", result["message"])
        self.assertEqual(result["hint"], 2)
        self.assertEqual(result["line"], next(n for n, text in enumerate(self.source.splitlines(), 1)
                                              if "with ThreadPoolExecutor" in text))


if __name__ == "__main__":
    unittest.main()
