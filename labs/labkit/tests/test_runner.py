"""The runner's protocol (docs/lab-format.md), run as a subprocess on the fixture labs."""
import os
import subprocess
import sys

from labkit.tests.support import FIXTURES, TempDirTestCase, check_ends, child_env, copy_work, only, run_runner

BASIC = os.path.join(FIXTURES, "basic")


class RunnerProtocolTest(TempDirTestCase):
    def run_lab(self, lab: str, work: str, *extra: str):
        parent = self.make_dir()
        work_dir = copy_work(os.path.join(FIXTURES, lab, work), parent) if work else os.path.join(parent, "work")
        os.makedirs(work_dir, exist_ok=True)
        return run_runner(os.path.join(FIXTURES, lab), work_dir, *extra)

    def assert_well_formed(self, records) -> None:
        self.assertTrue(all(r["v"] == 1 for r in records))
        self.assertEqual(records[0]["type"], "hello")
        self.assertEqual(records[-1]["type"], "done")
        self.assertEqual(sum(1 for r in records if r["type"] == "done"), 1)

    def test_passing_lab(self) -> None:
        code, records, _ = self.run_lab("basic", "work-good")
        self.assert_well_formed(records)
        self.assertEqual(code, 0)
        self.assertEqual(records[0]["lab"], "basic")
        ends = check_ends(records)
        self.assertEqual(list(ends), ["prints-hello", "exits-cleanly", "fetches-flag"])
        self.assertEqual({r["status"] for r in ends.values()}, {"passed"})
        self.assertEqual(ends["prints-hello"]["message"], "said hello")
        self.assertEqual(ends["prints-hello"]["output"], "hello")
        self.assertEqual([r["type"] for r in records[1:3]], ["checkStart", "checkEnd"])
        self.assertEqual(records[-1]["status"], "passed")

    def test_failing_lab_and_printed_fake_verdicts_are_not_verdicts(self) -> None:
        code, records, raw = self.run_lab("basic", "work-bad")
        self.assert_well_formed(records)
        self.assertEqual(code, 1)
        ends = check_ends(records)
        self.assertEqual(len([r for r in records if r["type"] == "checkEnd"]), 3)
        self.assertEqual(ends["prints-hello"]["status"], "failed")
        self.assertEqual(ends["prints-hello"]["hint"], 1)
        self.assertEqual((ends["prints-hello"]["file"], ends["prints-hello"]["line"]), ("prog.py", 9))
        crashed = ends["exits-cleanly"]
        self.assertEqual((crashed["status"], crashed["file"], crashed["line"]), ("failed", "prog.py", 5))
        self.assertIn("ValueError: boom", crashed["message"])
        # The forged lines are output of the learner's program, never records of the results file.
        self.assertIn('"message": "forged"', crashed["output"])
        self.assertNotIn("forged", [r.get("message") for r in records])
        self.assertEqual(records[-1]["status"], "failed")
        self.assertNotIn("forged", raw)

    def test_syntax_error_is_fatal_with_its_line(self) -> None:
        code, records, _ = self.run_lab("basic", "work-syntax")
        self.assertEqual(code, 2)
        fatal = only(records, "fatal")
        assert fatal is not None
        self.assertEqual((fatal["file"], fatal["line"]), ("prog.py", 3))
        self.assertIn("SyntaxError", fatal["message"])
        self.assertEqual(records[-1], {**records[-1], "type": "done", "status": "error"})
        self.assertEqual([r for r in records if r["type"] == "checkStart"], [])

    def test_missing_entry_is_fatal(self) -> None:
        code, records, _ = self.run_lab("basic", "")
        fatal = only(records, "fatal")
        assert fatal is not None
        self.assertEqual(code, 2)
        self.assertIn("prog.py is missing", fatal["message"])

    def test_timeout_gives_timed_out_with_stacks_at_learner_lines(self) -> None:
        code, records, _ = self.run_lab("timeout", "work")
        self.assertEqual(code, 2)
        end = check_ends(records)["finishes"]
        self.assertEqual(end["status"], "timedOut")
        self.assertTrue(end["message"].startswith("timed out after 1 s — possible deadlock or infinite loop"))
        self.assertEqual((end["file"], end["line"]), ("prog.py", 20))
        lines = sorted(s["frames"][-1]["line"] for s in end["stacks"])
        self.assertEqual(lines, [10, 10, 20])
        self.assertIn("started both", end["output"])
        self.assertEqual(records[-1]["status"], "timedOut")

    def test_checker_crash_is_an_error_and_skip_is_skipped(self) -> None:
        code, records, _ = self.run_lab("crash", "work")
        self.assertEqual(code, 2)
        ends = check_ends(records)
        self.assertEqual(ends["works"]["status"], "passed")
        self.assertEqual(ends["crashes"]["status"], "error")
        self.assertIn("checker crashed", ends["crashes"]["message"])
        self.assertIn("KeyError", ends["crashes"]["message"])
        self.assertEqual(ends["skips"]["status"], "skipped")
        self.assertEqual(records[-1]["status"], "error")

    def test_checks_that_fail_to_import_are_fatal(self) -> None:
        code, records, _ = self.run_lab("broken-import", "../crash/work")
        fatal = only(records, "fatal")
        assert fatal is not None
        self.assertEqual(code, 2)
        self.assertIn("failed to import", fatal["message"])
        self.assertIn("labkit_module_that_does_not_exist", fatal["message"])

    def test_checks_must_match_the_manifest(self) -> None:
        _, records, _ = self.run_lab("mismatch", "../crash/work")
        fatal = only(records, "fatal")
        assert fatal is not None
        self.assertIn("not implemented in checks/checks.py: crashes, skips", fatal["message"])
        self.assertIn("not in lab.json: not-in-manifest", fatal["message"])

    def test_too_old_python_is_fatal(self) -> None:
        code, records, _ = self.run_lab("future-python", "../crash/work")
        fatal = only(records, "fatal")
        assert fatal is not None
        self.assertEqual(code, 2)
        self.assertIn("needs Python 3.99 or newer", fatal["message"])

    def test_only_runs_the_selected_checks(self) -> None:
        code, records, _ = self.run_lab("basic", "work-good", "--only", "fetches-flag")
        self.assertEqual(code, 0)
        self.assertEqual([r["id"] for r in records if r["type"] == "checkStart"], ["fetches-flag"])
        self.assertEqual(check_ends(records)["prints-hello"]["status"], "skipped")
        code, records, _ = self.run_lab("basic", "work-good", "--only", "no-such-check")
        self.assertEqual(code, 2)
        self.assertIn("unknown check id", records[1]["message"])

    def test_a_lab_without_a_flag_server_never_loads_the_http_server(self) -> None:
        # Every module a Check loads is start-up time the learner waits for on each Check.
        code = ("import sys; from labkit import runner, checks, launch; "
                "print(sorted(m for m in ('http.server', 'labkit.flagserver') if m in sys.modules))")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=child_env(), check=True)
        self.assertEqual(done.stdout.strip(), "[]", done.stderr)

    def test_trace_records_the_main_run_and_reports_its_path(self) -> None:
        parent = self.make_dir()
        work_dir = copy_work(os.path.join(BASIC, "work-good"), parent)
        trace = os.path.join(parent, "trace.json")
        code, records, _ = run_runner(BASIC, work_dir, "--trace", trace)
        self.assertEqual(code, 0)
        self.assertTrue(os.path.isfile(trace))
        self.assertEqual([r["path"] for r in records if r["type"] == "trace"], [trace])
        # The trace line comes after the check whose run was recorded started, and before `done`.
        types = [r["type"] for r in records]
        self.assertLess(types.index("checkStart"), types.index("trace"))
        self.assertLess(types.index("trace"), types.index("done"))
