"""Probe: loads the learner's primes.py as a worker process would import it, then runs its checks on
the probe's own numbers, sequentially, in threads and in processes (only processes with --spawn),
noting the times, the results, the worker processes that did the work and any child left running.

The three ways are timed ROUNDS times, interleaved in a rotating order, so that none always runs first on
a cold machine or last on a hot one, and the checks can show medians, not one noisy sample each. Each
timing also notes the CPU time the probe's own process used: a single thread that gets much less than a
whole CPU for its wall time was sharing the machine with something else.

    observe.py [--spawn | --fork] [--drop main,...]
"""
import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List, Optional

from labkit import cpuwatch, probe

# Not the starter's numbers, so no result can be typed in: primes near 4-6 * 10**12 (about 40 ms of
# trial division each), two products of two large primes (as slow), and two easy composites.
NUMBERS = [4000000000039, 4412108401003, 4000000000043, 5000000000053, 4000000000021, 5292332203033,
           5000000000101, 6000000000023, 6000000000001, 6000000000101]
WORKERS = 2
ROUNDS = 3
MODES = ("sequential", "threads", "processes")
FUNCTIONS = ("check", "check_sequential", "check_threads", "check_processes")


def pairs(results: Any) -> Dict[str, Any]:
    """(n, prime) for each result, or what came back instead."""
    try:
        return {"pairs": [[int(item[0]), bool(item[1])] for item in results]}
    except (TypeError, ValueError, IndexError, KeyError):
        return {"unexpected": repr(results)[:200], "type": type(results).__name__}


def timed(function: Callable[..., Any], *args: Any) -> Dict[str, Any]:
    start, cpu_start = time.perf_counter(), time.process_time()
    results = function(*args)
    return {"seconds": time.perf_counter() - start, "cpuSeconds": time.process_time() - cpu_start, **pairs(results)}


def machine_cpu_seconds() -> Optional[float]:
    """CPU time the whole machine has spent busy since boot (Linux only: /proc/stat; None elsewhere)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    # user nice system idle iowait irq softirq steal ...: everything but idle and iowait is busy.
    ticks = [int(value) for value in fields[1:]]
    return (sum(ticks) - ticks[3] - (ticks[4] if len(ticks) > 4 else 0)) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """This process's CPU time and its reaped children's: a pool's workers count once shut down and joined."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def new_calls(before: Dict[int, int], after: Dict[int, int]) -> Dict[str, int]:
    return {str(pid): n - before.get(pid, 0) for pid, n in after.items() if n > before.get(pid, 0)}


def measure(module: Any, notes: str, seen: Dict[str, Any]) -> None:
    """Every way, ROUNDS times, in a rotating order: round r starts with MODES[r % 3]. The first run of
    each way gives the results the checks judge; the first process-pool run, the workers that did it."""
    calls = {"sequential": (module.check_sequential, NUMBERS), "threads": (module.check_threads, NUMBERS, WORKERS),
             "processes": (module.check_processes, NUMBERS, WORKERS)}
    samples: Dict[str, List[Dict[str, float]]] = {mode: [] for mode in MODES}
    machine, own, wall = machine_cpu_seconds(), own_cpu_seconds(), time.perf_counter()
    for round_number in range(ROUNDS):
        start = round_number % len(MODES)
        for mode in MODES[start:] + MODES[:start]:
            before = cpuwatch.worker_calls(notes)
            function, *args = calls[mode]
            timing = timed(function, *args)
            if mode not in seen:
                seen[mode] = timing
                if mode == "processes":
                    seen["firstPoolCalls"] = new_calls(before, cpuwatch.worker_calls(notes))
            samples[mode].append({"seconds": timing["seconds"], "cpuSeconds": timing["cpuSeconds"]})
    seen["samples"] = samples
    machine_after = machine_cpu_seconds()
    if machine is not None and machine_after is not None:
        # How many CPUs other programs kept busy, on average, while the three ways were being timed.
        others = (machine_after - machine) - (own_cpu_seconds() - own)
        seen["othersCpus"] = max(0.0, others / (time.perf_counter() - wall))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spawn", action="store_true")
    # For a file that calls main() as it is loaded: spawned workers would each run the whole program.
    parser.add_argument("--fork", action="store_true")
    parser.add_argument("--drop", default="")
    options = parser.parse_args(sys.argv[1:])
    if options.spawn or options.fork:
        multiprocessing.set_start_method("spawn" if options.spawn else "fork", force=True)
    notes = tempfile.mkdtemp(prefix="labkit-workers-")
    cpuwatch.install(notes)
    seen: Dict[str, Any] = {"startMethod": multiprocessing.get_start_method(), "numbers": NUMBERS,
                            "workers": WORKERS, "probePid": os.getpid(), "cpus": os.cpu_count()}
    try:
        module = cpuwatch.load_as_main([name for name in options.drop.split(",") if name])
        missing: List[str] = [name for name in FUNCTIONS if not callable(getattr(module, name, None))]
        if missing:
            seen["missing"] = missing
            return
        if options.spawn:
            seen["processes"] = timed(module.check_processes, NUMBERS, WORKERS)
        else:
            measure(module, notes, seen)
        seen["left"] = cpuwatch.children_alive(grace=1.0)
    finally:
        seen["workerCalls"] = seen.pop("firstPoolCalls", None) or {
            str(pid): calls for pid, calls in cpuwatch.worker_calls(notes).items()}
        cpuwatch.stop_children()
        shutil.rmtree(notes, ignore_errors=True)
        sys.stdout.flush()
        probe.report({"cpu": seen})


main()
