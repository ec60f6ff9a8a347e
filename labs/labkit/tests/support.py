"""Helpers shared by labkit's tests: paths, a results-file reader, and running the runner as a learner would."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from typing import Any, Dict, List, Optional, Tuple

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
