"""Overhead of the timeline recorder: each fixture program run with and without recording, median wall
time of the program itself (interpreter start-up excluded, the same in both), side by side.

    python -m labkit.bench_recorder [--runs 5] [--python PATH] [--only NAME,...] [--json FILE]

After one warm-up run, runs alternate (off-on, on-off...) so that a slow spell of a noisy machine hits
both columns alike.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Sequence

LABKIT_DIR = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(LABKIT_DIR, "tests", "trace_fixtures")


@dataclass(frozen=True)
class Workload:
    name: str
    kind: str
    script: str
    args: Sequence[str]
    functions: str
    target: Optional[float]  # the ratio this kind of work should stay under


WORKLOADS = [
    Workload("threads", "threads", "threads_basic.py", (), "crunch", 1.10),
    Workload("download", "thread pool", "pool_download.py", ("40", "0.02", "10"), "", 1.10),
    Workload("download+calls", "thread pool", "pool_download.py", ("40", "0.02", "10"), "get_flag,save_flag", 1.10),
    Workload("locks", "threads", "lock_contention.py", (), "bump", 1.10),
    Workload("gather", "asyncio", "async_gather.py", ("200",), "fetch", 2.0),
    Workload("churn", "asyncio", "async_churn.py", ("200", "50"), "", 2.0),
    # Worst case for call recording: 10,000 resumes of the function of interest, each a few µs long.
    Workload("churn+calls", "asyncio", "async_churn.py", ("200", "50"), "churn", None),
    Workload("processes", "processes", "process_pool.py", ("spawn",), "", None),
    # count_primes resumes a generator ~2 million times: sys.setprofile's worst case on 3.9-3.11.
    Workload("processes+calls", "processes", "process_pool.py", ("spawn",), "count_primes", None),
]


@dataclass
class Result:
    name: str
    kind: str
    target: Optional[float]
    off_s: List[float] = field(default_factory=list)
    on_s: List[float] = field(default_factory=list)
    stop_s: List[float] = field(default_factory=list)
    events: int = 0

    @property
    def ratio(self) -> float:
        return statistics.median(self.on_s) / statistics.median(self.off_s)


def run_once(python: str, work: Workload, record: bool, folder: str) -> Dict[str, float]:
    trace, timing = os.path.join(folder, "trace.json"), os.path.join(folder, "timing.json")
    command = [python, "-m", "labkit.recorder", "--trace", trace, "--timing", timing]
    command += ["--functions", work.functions] if record and work.functions else [] if record else ["--no-record"]
    command += [os.path.join(FIXTURES, work.script), *work.args]
    env = dict(os.environ, PYTHONPATH=os.path.dirname(LABKIT_DIR), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{work.name} failed ({'recording' if record else 'plain'}):\n{done.stdout}\n{done.stderr}")
    with open(timing, encoding="utf-8") as stream:
        result: Dict[str, float] = json.load(stream)
    if record:
        with open(trace, encoding="utf-8") as stream:
            result["events"] = len(json.load(stream)["traceEvents"])
    return result


def measure(python: str, work: Workload, runs: int) -> Result:
    result = Result(work.name, work.kind, work.target)
    with tempfile.TemporaryDirectory(prefix="labkit-bench-") as folder:
        run_once(python, work, False, folder)  # warm-up: the first run pays for cold caches
        for index in range(runs):
            # Alternate which goes first, so a drift of the machine's speed hits both columns alike.
            for record in ((False, True) if index % 2 == 0 else (True, False)):
                timing = run_once(python, work, record, folder)
                if record:
                    result.on_s.append(timing["runS"])
                    result.stop_s.append(timing["stopS"])
                    result.events = int(timing["events"])
                else:
                    result.off_s.append(timing["runS"])
    return result


def table(results: Sequence[Result], python_version: str, runs: int) -> str:
    lines = [f"Recorder overhead, Python {python_version}, median of {runs} runs each (program wall time)",
             f"{'workload':<16}{'kind':<13}{'off ms':>9}{'on ms':>9}{'ratio':>8}{'target':>8}{'stop ms':>9}{'events':>8}"]
    for r in results:
        target = f"<={r.target:.2f}" if r.target else "-"
        verdict = "" if r.target is None else ("  ok" if r.ratio <= r.target else "  OVER")
        lines.append(f"{r.name:<16}{r.kind:<13}{statistics.median(r.off_s) * 1e3:>9.1f}{statistics.median(r.on_s) * 1e3:>9.1f}"
                     f"{r.ratio:>7.2f}x{target:>8}{statistics.median(r.stop_s) * 1e3:>9.1f}{r.events:>8}{verdict}")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labkit.bench_recorder", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", default=sys.executable, help="interpreter to measure (default: this one)")
    parser.add_argument("--only", default="", help="comma-separated workload names: " + ", ".join(w.name for w in WORKLOADS))
    parser.add_argument("--json", default=None, help="also write the results here")
    options = parser.parse_args(argv)
    if options.runs < 1:
        parser.error("--runs must be at least 1")
    chosen = [w for w in WORKLOADS if not options.only or w.name in options.only.split(",")]
    if not chosen:
        parser.error(f"no workload named {options.only!r}; pick from " + ", ".join(w.name for w in WORKLOADS))
    version = subprocess.run([options.python, "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, check=True).stdout.strip()
    results = []
    for work in chosen:
        results.append(measure(options.python, work, options.runs))
        print(f"  measured {work.name}", file=sys.stderr, flush=True)
    print(table(results, version, options.runs))
    if options.json:
        with open(options.json, "w", encoding="utf-8") as stream:
            json.dump({"python": version, "runs": options.runs,
                       "results": [dict(asdict(r), ratio=r.ratio) for r in results]}, stream, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
