"""labkit.threadwatch: starts and joins of the learner's threads, and which were left running, as a probe
reports them from a real child run."""
import json
import os
import subprocess
import sys
import textwrap

from labkit.tests.support import TempDirTestCase, child_env

PROGRAM = '''
import threading
import time

stop = threading.Event()
joined = threading.Thread(target=time.sleep, args=(0.01,), name="joined")
left = threading.Thread(target=stop.wait, name="left", daemon=True)
joined.start()
left.start()
joined.join()
'''
PROBE = '''
from labkit import probe, threadwatch

threadwatch.install()
try:
    probe.run_entry()
finally:
    threadwatch.report({"extra": 1})
'''


class ThreadWatchTest(TempDirTestCase):
    def test_reports_starts_joins_and_threads_left_running(self) -> None:
        folder = self.make_dir()
        for name, text in (("program.py", PROGRAM), ("probe.py", PROBE)):
            with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
                handle.write(textwrap.dedent(text))
        report = os.path.join(folder, "report.jsonl")
        subprocess.run([sys.executable, "-m", "labkit.launch", "--report", report, "--probe",
                        os.path.join(folder, "probe.py"), "program.py"], cwd=folder, env=child_env(), check=True,
                       timeout=60)
        with open(report, encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle]
        from labkit.threadwatch import observed
        seen = observed([r["data"] for r in records if r["kind"] == "observation"])
        self.assertEqual([(s["name"], s["daemon"], s["by"]) for s in seen["started"]],
                         [("joined", False, "MainThread"), ("left", True, "MainThread")])
        self.assertEqual(seen["started"][0]["target"], "sleep")
        self.assertEqual([(j["name"], j["aliveAfter"]) for j in seen["joins"]], [("joined", False)])
        self.assertEqual([a["name"] for a in seen["alive"]], ["left"])
        self.assertEqual(seen["extra"], 1)

    def test_observed_is_empty_without_a_report(self) -> None:
        from labkit.threadwatch import observed
        self.assertEqual(observed([{"other": 1}]), {})
