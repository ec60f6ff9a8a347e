"""Every lab's solution, checked through the runner with --trace as the extension does it: the timeline it
writes must follow docs/trace-format.md. (Whether the checks pass is test_labs' business, not this one.)"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from typing import Any, Dict, List

from labkit import traceformat

LABS_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def labs() -> List[str]:
    found = []
    for name in sorted(os.listdir(LABS_DIR)):
        folder = os.path.join(LABS_DIR, name)
        if name != "labkit" and not name.startswith(("_", ".")) and os.path.isfile(os.path.join(folder, "lab.json")) \
                and os.path.isdir(os.path.join(folder, "solution")):
            found.append(name)
    return found


def manifest(lab: str) -> Dict[str, Any]:
    with open(os.path.join(LABS_DIR, lab, "lab.json"), encoding="utf-8") as stream:
        return dict(json.load(stream))


def runs_here(lab: str) -> bool:
    wanted = str(manifest(lab).get("minPython", "3.9")).split(".")
    return sys.version_info[:2] >= (int(wanted[0]), int(wanted[1]))


class LabTimelinesTest(unittest.TestCase):
    def test_every_solution_writes_a_valid_timeline(self) -> None:
        self.assertTrue(labs(), "no labs found next to labkit")
        for lab in labs():
            if not runs_here(lab):
                continue
            with self.subTest(lab=lab):
                self.check_lab(lab)

    def check_lab(self, lab: str) -> None:
        scratch = tempfile.mkdtemp(prefix="labkit-labtrace-")
        self.addCleanup(shutil.rmtree, scratch, True)
        work = os.path.join(scratch, lab)
        shutil.copytree(os.path.join(LABS_DIR, lab, "solution"), work)
        trace_path = os.path.join(scratch, "trace.json")
        env = dict(os.environ, PYTHONPATH=LABS_DIR, PYTHONUTF8="1", PYTHONDONTWRITEBYTECODE="1")
        command = [sys.executable, "-m", "labkit.runner", "--lab", os.path.join(LABS_DIR, lab), "--work", work,
                   "--results", os.path.join(scratch, "results.jsonl"), "--trace", trace_path]
        done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=300)
        self.assertIn(done.returncode, (0, 1), f"{lab}: the runner itself failed\n{done.stdout}\n{done.stderr}")
        self.assertTrue(os.path.isfile(trace_path), f"{lab}: no timeline written\n{done.stderr}")
        trace = traceformat.read_json(trace_path)
        self.assertEqual(traceformat.validate_trace(trace), [], f"{lab}: the timeline breaks the format")
        info = trace["otherData"]["concurrencyLabs"]
        self.assertEqual(info["lab"], lab)
        self.assertTrue(any(e["ph"] == "X" and e["cat"] == "process" for e in trace["traceEvents"]))
        if "flagServer" in manifest(lab) and info.get("server"):
            requests = [e for e in trace["traceEvents"] if e["ph"] == "b" and e["cat"] == "request"]
            self.assertEqual(len(requests), info["server"]["requests"])


if __name__ == "__main__":
    unittest.main()
