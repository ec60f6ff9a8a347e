"""Where a Check's time goes: runs labkit.runner in this process, as `python -m labkit.runner` would, with
timestamps around its phases and around every child run of the learner's program.

    BENCH_SPAWNED_NS=<CLOCK_MONOTONIC ns at spawn> python check_profile.py --profile FILE <runner args...>

Writes FILE as JSON, all in seconds: startup (spawn to this script's first line: interpreter and site),
imports (labkit.runner and labkit.checks), checksModule (the lab's checks.py), server (flag server start),
runs [{seconds, programSeconds, probe}] (each child: wall time in the runner, time the program itself
ran as labkit.launch measured it), total (this script's first line to the runner's return). The timing
wrappers only read the clock; the runner, the checks and the children run unchanged.
"""
from __future__ import annotations

import time

_FIRST_LINE_NS = time.perf_counter_ns()

import json  # noqa: E402 — the clock is read before anything else loads
import os  # noqa: E402
import sys  # noqa: E402
from typing import Any, Callable, Dict, List, Optional, TypeVar  # noqa: E402

T = TypeVar("T")


def _seconds(since_ns: int) -> float:
    return (time.perf_counter_ns() - since_ns) / 1e9


def _timed(phases: Dict[str, float], name: str, function: Callable[..., T]) -> Callable[..., T]:
    def wrapper(*args: Any, **kwargs: Any) -> T:
        began = time.perf_counter_ns()
        try:
            return function(*args, **kwargs)
        finally:
            phases[name] = phases.get(name, 0.0) + _seconds(began)
    return wrapper


def main(argv: List[str]) -> int:
    if len(argv) < 2 or argv[0] != "--profile":
        print("usage: check_profile.py --profile FILE <labkit.runner arguments>", file=sys.stderr)
        return 2
    profile_path, runner_args = argv[1], argv[2:]
    spawned = os.environ.get("BENCH_SPAWNED_NS")
    # perf_counter_ns and Node's process.hrtime are both CLOCK_MONOTONIC on Linux, so they compare.
    phases: Dict[str, float] = {"startup": (_FIRST_LINE_NS - int(spawned)) / 1e9 if spawned else float("nan")}
    began = time.perf_counter_ns()
    from labkit import checks, labfiles, runner
    phases["imports"] = _seconds(began)

    runs: List[Dict[str, Optional[float]]] = []
    launch = checks.launch

    def timed_launch(*args: Any, **kwargs: Any) -> Any:
        run = launch(*args, **kwargs)
        runs.append({"seconds": run.seconds, "programSeconds": run.program_seconds,
                     "probe": os.path.basename(kwargs["probe"]) if kwargs.get("probe") else None})
        return run

    checks.launch = timed_launch
    labfiles.import_checks = _timed(phases, "checksModule", labfiles.import_checks)
    runner._Session._start_server = staticmethod(_timed(phases, "server", runner._Session._start_server))
    code = runner.main(runner_args)
    phases["total"] = _seconds(_FIRST_LINE_NS)
    with open(profile_path, "w", encoding="utf-8") as stream:
        json.dump({**phases, "runs": runs, "exitCode": code}, stream)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
