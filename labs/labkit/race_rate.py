"""Measures how reliably a race lab's check catches the race: runs one check on the lab's starter (or
solution) many times, each a full `python -m labkit.runner` run as Check does it, and counts the verdicts.

    python -m labkit.race_rate thread-race [--check no-lost-updates (default: the lab's first check)] [--variant starter] [--runs 100]
                               [--jobs 1] [--python PYTHON] [--file my_wrong_fix.py --expect fail]

--file measures any version of the lab's entry file (a wrong fix that should fail, another correct one
that should pass). A check that timed out (a fix that deadlocks) counts as failed. Exit code 0 when what
should fail failed in at least --min-percent of the runs, or what should pass passed in all of them; 1
otherwise; 2 when the lab cannot be measured.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional, Sequence, Tuple

_LABS_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _parse(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m labkit.race_rate")
    parser.add_argument("lab", help="lab id, e.g. thread-race")
    parser.add_argument("--check", default=None, help="the check that catches the race (default: the lab's first)")
    parser.add_argument("--variant", choices=("starter", "solution"), default="starter")
    parser.add_argument("--file", default=None, help="measure this file as the lab's entry instead of a variant")
    parser.add_argument("--expect", choices=("fail", "pass"), default=None,
                        help="what the check should say (default: fail for the starter and --file, pass for the solution)")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=1, help="runs at the same time (more load, more switches)")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--min-percent", type=float, default=99.0)
    return parser.parse_args(argv)


def one_run(python: str, lab_dir: str, source: str, check: str, scratch: str, index: int) -> str:
    """The check's status in one full runner run on a fresh copy of the variant."""
    work = os.path.join(scratch, f"run-{index}")
    shutil.copytree(source, work)
    results = work + ".jsonl"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_LABS_ROOT, env.get("PYTHONPATH")) if p)
    env.update(PYTHONUTF8="1", PYTHONDONTWRITEBYTECODE="1")
    try:
        subprocess.run([python, "-m", "labkit.runner", "--lab", lab_dir, "--work", work, "--results", results,
                        "--only", check], cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=120)
        with open(results, encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle if line.strip()]
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return "no result"
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for record in records:
        if record.get("type") == "checkEnd" and record.get("id") == check:
            return str(record.get("status"))
        if record.get("type") == "fatal":
            return "fatal"
    return "no result"


def choose_check(lab_dir: str, wanted: Optional[str]) -> str:
    """The check to measure: the one asked for, which must be the lab's, else the lab's first check."""
    try:
        with open(os.path.join(lab_dir, "lab.json"), encoding="utf-8") as handle:
            ids = [str(check["id"]) for check in json.load(handle)["checks"]]
    except (OSError, ValueError, KeyError, TypeError):
        raise FileNotFoundError(f"no readable lab.json with checks in {lab_dir}: is it a lab id?") from None
    if wanted is None:
        return ids[0]
    if wanted not in ids:
        raise FileNotFoundError(f"{os.path.basename(lab_dir)} has no check {wanted!r}; its checks: {', '.join(ids)}")
    return wanted


def measure(options: argparse.Namespace) -> Dict[str, int]:
    lab_dir = os.path.join(_LABS_ROOT, options.lab)
    source = os.path.join(lab_dir, options.variant)
    if not os.path.isdir(source):
        raise FileNotFoundError(f"no {options.variant}/ folder in {lab_dir}: is {options.lab!r} a lab id?")
    options.check = choose_check(lab_dir, options.check)
    if options.file and not os.path.isfile(options.file):
        raise FileNotFoundError(f"no file {options.file}: give the path of the version of the entry file to measure")
    scratch = tempfile.mkdtemp(prefix="race-rate-")
    try:
        if options.file:
            with open(os.path.join(lab_dir, "lab.json"), encoding="utf-8") as handle:
                entry = json.load(handle)["entry"]
            copied = os.path.join(scratch, "source")
            shutil.copytree(source, copied)
            shutil.copyfile(options.file, os.path.join(copied, entry))
            source = copied
        with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
            statuses: List[str] = list(pool.map(
                lambda index: one_run(options.python, lab_dir, source, options.check, scratch, index),
                range(options.runs)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return dict(Counter(statuses))


def main(argv: Optional[Sequence[str]] = None) -> int:
    options = _parse(argv)
    if options.runs < 1:
        print("--runs takes a whole number, 1 or more", file=sys.stderr)
        return 2
    version = subprocess.run([options.python, "-c", "import platform; print(platform.python_version())"],
                             stdout=subprocess.PIPE, text=True).stdout.strip() or options.python
    began = time.monotonic()
    try:
        counts = measure(options)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 2
    seconds = time.monotonic() - began
    expect = options.expect or ("pass" if options.variant == "solution" and not options.file else "fail")
    wanted, hits, enough = verdict(counts, options.runs, expect, options.min_percent)
    percent = 100.0 * hits / options.runs
    summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    measured = os.path.basename(options.file) if options.file else options.variant
    print(f"{options.lab} {measured}, check {options.check}, Python {version}: {wanted} in {hits} of "
          f"{options.runs} runs ({percent:.1f}%) [{summary}] in {seconds:.0f} s")
    return 0 if enough else 1


def verdict(counts: Dict[str, int], runs: int, expect: str, min_percent: float) -> Tuple[str, int, bool]:
    """(what was counted, how many runs did it, whether that is enough). A check that timed out did not pass
    either: a fix that deadlocks is caught by a time-out ("possible deadlock"), so it counts as caught."""
    if expect == "pass":
        hits = counts.get("passed", 0)
        return "passed", hits, hits == runs
    hits = counts.get("failed", 0) + counts.get("timedOut", 0)
    wanted = "failed or timed out" if counts.get("timedOut") else "failed"
    return wanted, hits, 100.0 * hits / runs >= min_percent


if __name__ == "__main__":
    sys.exit(main())
