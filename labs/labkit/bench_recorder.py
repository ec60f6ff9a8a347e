"""Overhead of the timeline recorder: each fixture program run with and without recording, median wall
time of the program itself (interpreter start-up excluded, the same in both), side by side.

    python -m labkit.bench_recorder [--runs 5] [--python PATH] [--only NAME,...] [--labs ID,...|all]
                                    [--baseline [LABS_DIR|REVISION]] [--json FILE]

After one warm-up run, runs alternate (off-on, on-off...) so that a slow spell of a noisy machine hits
both columns alike. --labs adds the reference solutions of those labs (all: every lab with a solution),
with their functions of interest and, for the flags labs, a flag server with the lab's settings.
--baseline measures another labkit too, in the same alternation, so that a change of the recorder is
judged against what it replaces on the same machine at the same time: a labs folder, or a git revision
of this repository (default HEAD: the committed recorder against the working tree's).

The figure is the program's own wall time, as the learner waits for it: runpy.run_path of the script,
from loading it to its end, threads it joins included. The recorder's start-up before it and the writing
of the timeline after it are left out (they do not depend on the program) and shown apart: "start ms"
and "stop ms".
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

LABKIT_DIR = os.path.dirname(os.path.abspath(__file__))
LABS_DIR = os.path.dirname(LABKIT_DIR)
FIXTURES = os.path.join(LABKIT_DIR, "tests", "trace_fixtures")
# The recorder's allowance per part of the curriculum (as npm run bench judges the labs).
LAB_TARGETS = {1: ("downloads", 1.10), 2: ("threads", 1.10), 3: ("asyncio", 2.0), 4: ("processes", None)}


@dataclass(frozen=True)
class Workload:
    name: str
    kind: str
    script: str
    args: Sequence[str]
    functions: str
    target: Optional[float]  # the ratio this kind of work should stay under
    lab: Optional[str] = None  # a lab id: its solution is the program (script is its entry)


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
    # count_primes resumes a generator ~2 million times: the worst case for call recording on 3.9-3.11.
    Workload("processes+calls", "processes", "process_pool.py", ("spawn",), "count_primes", None),
]


def read_manifest(lab: str) -> Dict[str, object]:
    path = os.path.join(LABS_DIR, lab, "lab.json")
    if not os.path.isfile(path) or not os.path.isdir(os.path.join(LABS_DIR, lab, "solution")):
        raise ValueError(f"no lab {lab!r} with a solution in {LABS_DIR}; pick a folder name from there")
    with open(path, encoding="utf-8") as stream:
        return dict(json.load(stream))


def all_labs(python_version: str) -> List[str]:
    """Every lab with a solution that runs on this Python (a lab's minPython, e.g. asyncio-taskgroup's 3.11)."""
    found = []
    for name in sorted(os.listdir(LABS_DIR)):
        if os.path.isfile(os.path.join(LABS_DIR, name, "lab.json")) and os.path.isdir(os.path.join(LABS_DIR, name, "solution")):
            least = str(read_manifest(name).get("minPython", "0"))
            if _version(python_version) >= _version(least):
                found.append(name)
    return found


def _version(text: str) -> Tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:2] if part.isdigit())


@contextlib.contextmanager
def baseline_labs(where: str) -> Iterator[str]:
    """The labs folder of --baseline: a folder as it is, or a git revision's labs/ exported to a temporary
    folder for the length of the bench."""
    if os.path.isdir(where):
        if not os.path.isfile(os.path.join(where, "labkit", "recorder.py")):
            raise ValueError(f"--baseline {where} holds no labkit/recorder.py; give the labs folder of a checkout")
        yield os.path.abspath(where)
        return
    repo = os.path.dirname(LABS_DIR)
    archive = subprocess.run(["git", "-C", repo, "archive", "--format=tar", where, "labs"], capture_output=True)
    if archive.returncode != 0:
        raise ValueError(f"--baseline {where} is neither a labs folder nor a revision of {repo}: "
                         + archive.stderr.decode(errors="replace").strip())
    folder = tempfile.mkdtemp(prefix="labkit-baseline-")
    try:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            if hasattr(tarfile, "data_filter"):  # 3.12+, and the security releases of 3.9-3.11
                tar.extractall(folder, filter="data")
            else:
                tar.extractall(folder)  # our own repository's files
        yield os.path.join(folder, "labs")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def lab_workload(lab: str) -> Workload:
    manifest = read_manifest(lab)
    kind, target = LAB_TARGETS.get(int(manifest.get("part", 0)), ("other", None))  # type: ignore[call-overload]
    timeline = manifest.get("timeline") or {}
    functions = ",".join(timeline.get("functions", [])) if isinstance(timeline, dict) else ""
    return Workload(lab, kind, str(manifest["entry"]), (), functions, target, lab=lab)


@dataclass
class Column:
    """One way of running the program: plain, or recording with one labkit."""

    label: str
    labs_dir: Optional[str]  # None: not recorded
    run_s: List[float] = field(default_factory=list)
    stop_s: List[float] = field(default_factory=list)
    start_s: List[float] = field(default_factory=list)
    events: int = 0


@dataclass
class Result:
    name: str
    kind: str
    target: Optional[float]
    columns: List[Column]

    @property
    def off_s(self) -> List[float]:
        return self.columns[0].run_s

    def ratio(self, column: Column) -> float:
        return statistics.median(column.run_s) / statistics.median(self.off_s)


@contextlib.contextmanager
def program(work: Workload) -> Iterator[Dict[str, str]]:
    """Where and how to run the workload: {script, cwd, and FLAGS_URL when a flag server runs}."""
    if work.lab is None:
        with tempfile.TemporaryDirectory(prefix="labkit-bench-") as folder:
            yield {"script": os.path.join(FIXTURES, work.script), "cwd": folder}
        return
    folder = tempfile.mkdtemp(prefix="labkit-bench-")
    try:
        work_dir = os.path.join(folder, work.lab)
        # As verify materializes a solution: the starter, then the solution over it (a solution holds only
        # the files the learner edits; flags-asyncio's asynchttp.py comes with the starter).
        starter = os.path.join(LABS_DIR, work.lab, "starter")
        shutil.copytree(starter if os.path.isdir(starter) else os.path.join(LABS_DIR, work.lab, "solution"), work_dir)
        solution = os.path.join(LABS_DIR, work.lab, "solution")
        for name in os.listdir(solution):
            source, target = os.path.join(solution, name), os.path.join(work_dir, name)
            if os.path.isdir(source):
                shutil.copytree(source, target, dirs_exist_ok=True)
            else:
                shutil.copy2(source, target)
        where = {"script": os.path.join(work_dir, work.script), "cwd": work_dir}
        spec = read_manifest(work.lab).get("flagServer")
        if not isinstance(spec, dict):
            yield where
            return
        from labkit.flagserver import FlagServer

        with FlagServer(delay=float(spec.get("delaySeconds", 0.0)), error_codes=spec.get("errorCodes", ()),
                        delay_by_code=spec.get("delayByCode")) as server:
            yield dict(where, FLAGS_URL=server.base_url)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_once(python: str, work: Workload, column: Column, where: Mapping[str, str]) -> Dict[str, float]:
    folder = where["cwd"]
    trace, timing = os.path.join(folder, ".bench-trace.json"), os.path.join(folder, ".bench-timing.json")
    record = column.labs_dir is not None
    command = [python, "-m", "labkit.recorder", "--trace", trace, "--timing", timing]
    command += ["--functions", work.functions] if record and work.functions else [] if record else ["--no-record"]
    command += [where["script"], *work.args]
    env = dict(os.environ, PYTHONPATH=column.labs_dir or LABS_DIR, PYTHONDONTWRITEBYTECODE="1")
    if "FLAGS_URL" in where:
        env["FLAGS_URL"] = where["FLAGS_URL"]
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{work.name} failed ({column.label}):\n{done.stdout}\n{done.stderr}")
    with open(timing, encoding="utf-8") as stream:
        result: Dict[str, float] = json.load(stream)
    if record:
        with open(trace, encoding="utf-8") as stream:
            result["events"] = len(json.load(stream)["traceEvents"])
        os.remove(trace)
    return result


def measure(python: str, work: Workload, runs: int, baseline: Optional[str]) -> Result:
    columns = [Column("off", None)] + ([Column("before", baseline)] if baseline else []) + [Column("on", LABS_DIR)]
    result = Result(work.name, work.kind, work.target, columns)
    with program(work) as where:
        run_once(python, work, columns[0], where)  # warm-up: the first run pays for cold caches
        for index in range(runs):
            # Alternate the order, so a drift of the machine's speed hits every column alike.
            for column in (columns if index % 2 == 0 else columns[::-1]):
                timing = run_once(python, work, column, where)
                column.run_s.append(timing["runS"])
                column.stop_s.append(timing["stopS"])
                column.start_s.append(timing.get("startS", 0.0))  # an older labkit does not say
                column.events = int(timing.get("events", 0))
    return result


def _spread(seconds: Sequence[float]) -> str:
    return f"{statistics.median(seconds) * 1e3:.1f} [{min(seconds) * 1e3:.1f}-{max(seconds) * 1e3:.1f}]"


def table(results: Sequence[Result], python_version: str, runs: int) -> str:
    recorded = [c.label for c in results[0].columns[1:]] if results else ["on"]
    lines = [f"Recorder overhead, Python {python_version}, median [min-max] of {runs} runs each (program wall time, ms)",
             f"{'workload':<22}{'kind':<12}{'off ms':>24}" + "".join(f"{label + ' ms':>24}{'ratio':>8}" for label in recorded)
             + f"{'target':>8}{'start ms':>9}{'stop ms':>9}{'events':>8}"]
    for r in results:
        target = f"<={r.target:.2f}" if r.target else "-"
        on = r.columns[-1]
        verdict = "" if r.target is None else ("  ok" if r.ratio(on) <= r.target else "  OVER")
        line = f"{r.name:<22}{r.kind:<12}{_spread(r.off_s):>24}"
        line += "".join(f"{_spread(c.run_s):>24}{r.ratio(c):>7.2f}x" for c in r.columns[1:])
        lines.append(line + f"{target:>8}{statistics.median(on.start_s) * 1e3:>9.1f}"
                     f"{statistics.median(on.stop_s) * 1e3:>9.1f}{on.events:>8}{verdict}")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labkit.bench_recorder", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", default=sys.executable, help="interpreter to measure (default: this one)")
    parser.add_argument("--only", default=None,
                        help="comma-separated workload names (none: only --labs): " + ", ".join(w.name for w in WORKLOADS))
    parser.add_argument("--labs", default="", help="comma-separated lab ids whose solutions to measure too; all: every lab")
    parser.add_argument("--baseline", nargs="?", const="HEAD", default=None,
                        help="a labs folder, or a git revision (default HEAD), whose labkit to measure beside this one")
    parser.add_argument("--json", default=None, help="also write the results here")
    options = parser.parse_args(argv)
    if options.runs < 1:
        parser.error("--runs must be at least 1")
    names = options.only.split(",") if options.only is not None else [w.name for w in WORKLOADS]
    chosen = [w for w in WORKLOADS if w.name in names]
    unknown = [name for name in names if name and name not in {w.name for w in WORKLOADS}]
    version = subprocess.run([options.python, "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, check=True).stdout.strip()
    labs = all_labs(version) if options.labs == "all" else [lab for lab in options.labs.split(",") if lab]
    try:
        chosen += [lab_workload(lab) for lab in labs]
    except ValueError as error:
        parser.error(str(error))
    if unknown or not chosen:
        parser.error(f"no workload named {','.join(unknown) or options.only!r}; pick from "
                     + ", ".join(w.name for w in WORKLOADS) + " or name labs with --labs")
    with contextlib.ExitStack() as stack:
        baseline = None
        if options.baseline:
            try:
                baseline = stack.enter_context(baseline_labs(options.baseline))
            except ValueError as error:
                parser.error(str(error))
        results = []
        for work in chosen:
            results.append(measure(options.python, work, options.runs, baseline))
            print(f"  measured {work.name}", file=sys.stderr, flush=True)
    print(table(results, version, options.runs))
    if options.json:
        with open(options.json, "w", encoding="utf-8") as stream:
            json.dump({"python": version, "runs": options.runs, "baseline": options.baseline, "results": [
                dict(name=r.name, kind=r.kind, target=r.target, off_s=r.off_s, on_s=r.columns[-1].run_s,
                     stop_s=r.columns[-1].stop_s, events=r.columns[-1].events, ratio=r.ratio(r.columns[-1]),
                     columns=[dict(asdict(c), ratio=r.ratio(c)) for c in r.columns]) for r in results]}, stream, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
