"""Helpers shared by labkit's tests: paths, a results-file reader, and running the runner as a learner would."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from typing import Any, Dict, List, Optional, Sequence, Tuple

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(TESTS_DIR, "fixtures")
LABS_ROOT = os.path.dirname(os.path.dirname(TESTS_DIR))


def child_env() -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (LABS_ROOT, env.get("PYTHONPATH")) if p)
    env.update(PYTHONUTF8="1", PYTHONDONTWRITEBYTECODE="1")
    env.pop("FLAGS_URL", None)
    return env


class TempDirTestCase(unittest.TestCase):
    def make_dir(self) -> str:
        path = tempfile.mkdtemp(prefix="labkit-test-")
        self.addCleanup(shutil.rmtree, path, True)
        return path


def read_results(path: str) -> List[Dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def run_runner(lab_dir: str, work_dir: str, *extra: str, timeout: float = 120) -> Tuple[int, List[Dict[str, Any]], str]:
    """Runs `python -m labkit.runner` as the TypeScript core does; returns (exit code, records, stdout+stderr)."""
    results = os.path.join(work_dir + ".results.jsonl")
    completed = subprocess.run([sys.executable, "-m", "labkit.runner", "--lab", lab_dir, "--work", work_dir,
                                "--results", results, *extra], cwd=work_dir, env=child_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    records = read_results(results)
    os.remove(results)
    return completed.returncode, records, completed.stdout.decode("utf-8", "replace")


def check_ends(records: List[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    return {r["id"]: r for r in records if r["type"] == "checkEnd"}


def copy_work(source: str, parent: str, name: str = "work") -> str:
    target = os.path.join(parent, name)
    shutil.copytree(source, target)
    return target


def only(records: List[Dict[str, Any]], type_: str) -> Optional[Dict[str, Any]]:
    found = [r for r in records if r["type"] == type_]
    return found[0] if len(found) == 1 else None


Edit = Tuple[str, str]


class LabEditTestCase(TempDirTestCase):
    """Runs a lab's real checks on its starter or solution with small edits, as verify materializes it."""

    def verify(self, lab: str, variant: str = "solution", edits: Sequence[Edit] = ()) -> Dict[str, Dict[str, Any]]:
        """Copies the starter, then the solution over it when asked, applies `edits` to the entry file and runs
        the checks. The edited text is kept in self.source so a test can find line numbers in it."""
        lab_dir = os.path.join(LABS_ROOT, lab)
        work = os.path.join(self.make_dir(), lab)
        shutil.copytree(os.path.join(lab_dir, "starter"), work)
        if variant == "solution":
            shutil.copytree(os.path.join(lab_dir, "solution"), work, dirs_exist_ok=True)
        with open(os.path.join(lab_dir, "lab.json"), encoding="utf-8") as handle:
            entry = json.load(handle)["entry"]
        with open(os.path.join(work, entry), encoding="utf-8") as handle:
            source = handle.read()
        for old, new in edits:
            self.assertIn(old, source, f"edit does not apply to {lab}/{variant}")
            source = source.replace(old, new)
        with open(os.path.join(work, entry), "w", encoding="utf-8") as handle:
            handle.write(source)
        self.source = source
        code, records, raw = run_runner(lab_dir, work)
        self.assertFalse([r for r in records if r["type"] == "fatal"], raw)
        ends = check_ends(records)
        self.assertFalse([i for i, r in ends.items() if r["status"] == "error"], ends)
        self.assertEqual(code == 0, all(r["status"] == "passed" for r in ends.values()))
        return ends
