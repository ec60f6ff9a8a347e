"""Probe: loads the learner's primes.py as a worker process would import it, then runs its checks on
the probe's own numbers, sequentially, in threads and in processes (only processes with --spawn),
noting the times, the results, the worker processes that did the work and any child left running.

    observe.py [--spawn | --fork] [--drop main,...]
"""
import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List

from labkit import cpuwatch, probe

# Not the starter's numbers, so no result can be typed in: primes near 4-6 * 10**12 (about 40 ms of
# trial division each), two products of two large primes (as slow), and two easy composites.
NUMBERS = [4000000000039, 4412108401003, 4000000000043, 5000000000053, 4000000000021, 5292332203033,
           5000000000101, 6000000000023, 6000000000001, 6000000000101]
WORKERS = 2
FUNCTIONS = ("check", "check_sequential", "check_threads", "check_processes")


def pairs(results: Any) -> Dict[str, Any]:
    """(n, prime) for each result, or what came back instead."""
    try:
        return {"pairs": [[int(item[0]), bool(item[1])] for item in results]}
    except (TypeError, ValueError, IndexError, KeyError):
        return {"unexpected": repr(results)[:200], "type": type(results).__name__}


def timed(function: Callable[..., Any], *args: Any) -> Dict[str, Any]:
    start = time.perf_counter()
    results = function(*args)
    return {"seconds": time.perf_counter() - start, **pairs(results)}


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
        if not options.spawn:
            seen["sequential"] = timed(module.check_sequential, NUMBERS)
            seen["threads"] = timed(module.check_threads, NUMBERS, WORKERS)
        seen["processes"] = timed(module.check_processes, NUMBERS, WORKERS)
        seen["left"] = cpuwatch.children_alive(grace=1.0)
    finally:
        seen["workerCalls"] = {str(pid): calls for pid, calls in cpuwatch.worker_calls(notes).items()}
        cpuwatch.stop_children()
        shutil.rmtree(notes, ignore_errors=True)
        sys.stdout.flush()
        probe.report({"cpu": seen})


main()
