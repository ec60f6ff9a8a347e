"""The Part III and IV labs against their own checks: each starter fails the check that teaches the lab,
each solution passes, valid alternative solutions pass, and plausible wrong ones fail the check that
names their mistake."""
import json
import os
import shutil
import sys
import unittest
from typing import Dict, List, Sequence

from labkit.tests.support import LABS_ROOT, Edit, LabEditTestCase, run_runner


SPINNER_SLEEP = "    await asyncio.sleep(seconds)\n"
SPINNER_AWAIT = "    await spinner  # cancel() only asks; the spinner stops at its next await and clears its line\n"
FLAGS_SEMAPHORE = "    semaphore = asyncio.Semaphore(concur_req)"
PRIMES_POOL = "    with ProcessPoolExecutor(max_workers=workers) as executor:\n"
FIRST_STEPS_GATHER = "    return await asyncio.gather(*coroutines)"


class PartsThreeAndFourTest(LabEditTestCase):
    def assert_passes(self, lab: str, edits: Sequence[Edit] = ()) -> Dict[str, Dict[str, object]]:
        ends = self.verify(lab, edits=edits)
        self.assertEqual({i: r["message"] for i, r in ends.items() if r["status"] != "passed"}, {})
        return ends

    def assert_fails(self, lab: str, edits: Sequence[Edit], check_id: str, words: List[str],
                     variant: str = "solution", line_text: str = "") -> None:
        result = self.verify(lab, variant, edits)[check_id]
        self.assertEqual(result["status"], "failed", result)
        for word in words:
            self.assertIn(word, str(result["message"]))
        if line_text:
            lines = [n for n, text in enumerate(self.source.splitlines(), 1) if line_text in text]
            self.assertIn(result["line"], lines)

    # -- asyncio-first-steps ---------------------------------------------------------------------------
    def test_first_steps(self) -> None:
        self.assert_passes("asyncio-first-steps")
        self.assert_fails("asyncio-first-steps", [], "takes-longest-not-sum", ["not the slowest one"], "starter")
        self.assert_passes("asyncio-first-steps", [(FIRST_STEPS_GATHER, (
            "    tasks = [asyncio.create_task(c) for c in coroutines]\n    return [await task for task in tasks]"))])

    def test_first_steps_coroutines_made_first_then_awaited_one_by_one(self) -> None:
        # The classic belief that making the coroutines starts them: named as such, with hint 1, not as
        # "awaiting each coroutine before creating the next one", which this code does not do.
        result = self.verify("asyncio-first-steps", edits=[(FIRST_STEPS_GATHER, "    return [await c for c in coroutines]")])
        ends = result["starts-all-first"]
        self.assertEqual(ends["status"], "failed", ends)
        self.assertIn("were made before the first station answered", str(ends["message"]))
        self.assertIn("Making a coroutine does not start it", str(ends["message"]))
        self.assertNotIn("before creating the next one", str(ends["message"]))
        self.assertEqual(ends["hint"], 1)
        # The starter makes each coroutine only when it awaits it: the message for that stays.
        self.assert_fails("asyncio-first-steps", [], "starts-all-first", ["started only after that", "before creating the next one"],
                          "starter")

    def test_first_steps_wrong_awaits(self) -> None:
        self.assert_fails("asyncio-first-steps", [(FIRST_STEPS_GATHER, "    return await asyncio.gather(coroutines)")],
                          "awaits-coroutines", ["separate arguments"], line_text="gather(coroutines)")
        self.assert_fails("asyncio-first-steps", [(FIRST_STEPS_GATHER, "    await time.sleep(0.01)\n" + FIRST_STEPS_GATHER)],
                          "awaits-coroutines", ["not awaitable", "asyncio.sleep"], line_text="await time.sleep")
        self.assert_fails("asyncio-first-steps", [(FIRST_STEPS_GATHER, "    fetch_reading('Lima', 0.1)\n" + FIRST_STEPS_GATHER)],
                          "awaits-coroutines", ["never awaited", "fetch_reading"], line_text="fetch_reading('Lima'")
        self.assert_fails("asyncio-first-steps", [(FIRST_STEPS_GATHER, "    return asyncio.gather(*coroutines)")],
                          "returns-every-reading", ["_GatheringFuture"])

    def test_first_steps_blocking_sleep(self) -> None:
        # gather is right; the blocking call inside each coroutine is what runs them one at a time.
        blocking = [("    await asyncio.sleep(seconds)", "    time.sleep(seconds)")]
        for check_id in ("starts-all-first", "takes-longest-not-sum"):
            self.assert_fails("asyncio-first-steps", blocking, check_id, ["blocked", "time.sleep(seconds)"],
                              line_text="time.sleep(seconds)")

    # -- asyncio-spinner -------------------------------------------------------------------------------
    def test_spinner(self) -> None:
        self.assert_passes("asyncio-spinner")
        self.assert_fails("asyncio-spinner", [], "loop-never-blocked", ["blocked", "time.sleep(seconds)"], "starter",
                          line_text="time.sleep(seconds)")
        # Moving the blocking call to a thread is as good as awaiting asyncio.sleep.
        self.assert_passes("asyncio-spinner", [(SPINNER_SLEEP, "    await asyncio.to_thread(time.sleep, seconds)\n"),
                                               ("import itertools\n", "import itertools\nimport time\n")])

    def test_spinner_to_thread_given_a_call(self) -> None:
        # time.sleep(seconds) runs right there and hands to_thread its result, None, to call.
        self.assert_fails("asyncio-spinner", [(SPINNER_SLEEP, "    await asyncio.to_thread(time.sleep(seconds))\n"),
                                              ("import itertools\n", "import itertools\nimport time\n")],
                          "spins-during-work", ["the result of calling", "asyncio.to_thread(time.sleep, seconds)"],
                          line_text="to_thread(time.sleep(seconds))")

    def test_spinner_wrong_solutions(self) -> None:
        self.assert_fails("asyncio-spinner", [(SPINNER_AWAIT, "")], "cancels-spinner", ["not awaited"])
        self.assert_fails("asyncio-spinner", [(SPINNER_SLEEP, (
            "    end = time.perf_counter() + seconds\n    while time.perf_counter() < end:\n        pass\n")),
            ("import itertools\n", "import itertools\nimport time\n")], "spins-during-work", ["0 frame(s)"])

    # -- flags-asyncio ---------------------------------------------------------------------------------
    def test_flags_asyncio(self) -> None:
        self.assert_passes("flags-asyncio")
        self.assert_fails("flags-asyncio", [], "one-event-loop", ["21 event loops", "asyncio.run"], "starter",
                          line_text="asyncio.run(download_one(cc))")

    def test_flags_asyncio_wrong_limits(self) -> None:
        self.assert_fails("flags-asyncio", [(FLAGS_SEMAPHORE, "    semaphore = asyncio.Semaphore(MAX_CONCUR_REQ)")],
                          "limits-concurrency", ["at most 5", "which is MAX_CONCUR_REQ", "concur_req=7"],
                          line_text="asyncio.Semaphore(MAX_CONCUR_REQ)")
        self.assert_fails("flags-asyncio", [(FLAGS_SEMAPHORE, "    semaphore = asyncio.Semaphore(concur_req + 1)")],
                          "limits-concurrency", ["saw 8 at once"])
        # One semaphore per download: none ever waits, however low its count.
        self.assert_fails("flags-asyncio", [("        async with semaphore:\n", "        async with asyncio.Semaphore(7):\n")],
                          "limits-concurrency", ["made 21 times", "one per download", "semaphore of its own"],
                          line_text="async with asyncio.Semaphore(7)")
        self.assert_fails("flags-asyncio", [(", return_exceptions=True)", ")")], "exact-counts",
                          ["stopped at the first failed download"])

    def test_flags_asyncio_no_limit_is_not_called_seven_at_a_time(self) -> None:
        ends = self.verify("flags-asyncio", edits=[("        async with semaphore:\n            image", "        if True:\n            image")])
        self.assertEqual(ends["limits-concurrency"]["status"], "failed")
        timing = ends["time-close-to-rounds"]
        if timing["status"] == "passed":
            self.assertIn("concur_req=7 but up to 21 at once", str(timing["message"]))
            self.assertNotIn("7 at a time", str(timing["message"]))

    def test_flags_asyncio_semaphore_made_before_the_loop(self) -> None:
        # A semaphore made in download_many, before asyncio.run(): on 3.9 it belongs to another loop than the one
        # asyncio.run() starts, and the first download that waits on it fails with "attached to a different loop";
        # 3.10+ binds it to the loop that first uses it, so there the same code is right.
        edits = [("async def supervisor(cc_list: List[str], concur_req: int)",
                  "async def supervisor(cc_list: List[str], semaphore: asyncio.Semaphore)"),
                 ("    semaphore = asyncio.Semaphore(concur_req)\n", ""),
                 ("    return asyncio.run(supervisor(cc_list, concur_req))",
                  "    semaphore = asyncio.Semaphore(concur_req)\n    return asyncio.run(supervisor(cc_list, semaphore))")]
        if sys.version_info >= (3, 10):
            self.assert_passes("flags-asyncio", edits)
            return
        self.assert_fails("flags-asyncio", edits, "limits-concurrency",
                          ["belongs to another event loop", "made at line", "in download_many()", "while no event loop was running",
                           "Make it inside the coroutine that asyncio.run() runs"],
                          line_text="semaphore = asyncio.Semaphore(concur_req)")

    # -- asyncio-taskgroup -----------------------------------------------------------------------------
    @unittest.skipIf(sys.version_info < (3, 11), "asyncio.TaskGroup needs Python 3.11")
    def test_taskgroup(self) -> None:
        self.assert_passes("asyncio-taskgroup")
        self.assert_fails("asyncio-taskgroup", [], "cancels-the-rest", ["went on running"], "starter")
        self.assert_fails("asyncio-taskgroup", [("TripFailed([str(error) for error in failures.exceptions])",
                                                 "TripFailed([str(failures.exceptions[0])])")],
                          "reports-every-failure", ["names only 1"])

    def test_newer_python_labs_say_what_really_happens(self) -> None:
        # An older Python never gets to the checks, so none is "skipped": the README must not promise that.
        for lab in sorted(os.listdir(LABS_ROOT)):
            manifest_path = os.path.join(LABS_ROOT, lab, "lab.json")
            if not os.path.isfile(manifest_path):
                continue
            with open(manifest_path, encoding="utf-8") as handle:
                wanted = json.load(handle).get("minPython")
            if not wanted or wanted == "3.9":
                continue
            with open(os.path.join(LABS_ROOT, lab, "README.md"), encoding="utf-8") as handle:
                readme = handle.read()
            self.assertIn(f"Needs Python {wanted} or newer", readme, lab)
            self.assertIn("stop before running anything", readme, lab)
            self.assertNotIn("skips the lab", readme, lab)

    @unittest.skipIf(sys.version_info >= (3, 11), "the runner's refusal shows only on an older Python")
    def test_taskgroup_refused_by_the_runner_on_older_python(self) -> None:
        work = os.path.join(self.make_dir(), "asyncio-taskgroup")
        shutil.copytree(os.path.join(LABS_ROOT, "asyncio-taskgroup", "solution"), work)
        code, records, raw = run_runner(os.path.join(LABS_ROOT, "asyncio-taskgroup"), work)
        self.assertEqual(code, 2, raw)
        self.assertEqual([r["type"] for r in records], ["hello", "fatal", "done"])
        self.assertIn("needs Python 3.11 or newer", records[1]["message"])

    # -- cpu-parallel ----------------------------------------------------------------------------------
    def test_cpu_parallel(self) -> None:
        ends = self.assert_passes("cpu-parallel")
        self.assertIn("processes", str(ends["uses-processes"]["message"]))
        self.assertIn("medians of 3 runs each, taken in turns", str(ends["uses-processes"]["message"]))
        self.assert_fails("cpu-parallel", [], "uses-processes", ["no work in a process pool"], "starter")
        self.assert_fails("cpu-parallel", [], "has-main-guard", ["calls main()"], "starter", line_text="main()")

    def test_cpu_parallel_pool_shutdown(self) -> None:
        # What hint 4 says: a pool kept reachable and never shut down leaves its workers running...
        kept = [(PRIMES_POOL + "        return list(executor.map(check, numbers))\n",
                 "    global POOL\n    POOL = POOL or ProcessPoolExecutor(max_workers=workers)\n"
                 "    return list(POOL.map(check, numbers))\n"),
                ("class PrimeResult", "POOL = None\n\n\nclass PrimeResult")]
        self.assert_fails("cpu-parallel", kept, "no-children-left", ["still running", "stays reachable"])
        # ...while one made in the function without `with` is shut down when CPython frees it, as the README says.
        self.assert_passes("cpu-parallel", [(PRIMES_POOL + "        return list(executor.map(check, numbers))\n",
                                             "    executor = ProcessPoolExecutor(max_workers=workers)\n"
                                             "    return list(executor.map(check, numbers))\n")])

    def test_cpu_parallel_wrong_solutions(self) -> None:
        self.assert_fails("cpu-parallel", [(PRIMES_POOL, PRIMES_POOL.replace("workers)", "1)"))], "uses-processes",
                          ["one worker process"])
        lambda_edit = [("        return list(executor.map(check, numbers))",
                        "        return list(executor.map(lambda n: check(n), numbers))")]
        # The same message on every version: on 3.9 the executor's feeder thread could hang the pool on a pickling
        # error, so the probe's submit tries the pickling first and fails the future itself.
        self.assert_fails("cpu-parallel", lambda_edit, "correct-results", ["could not be sent to a worker process"])
