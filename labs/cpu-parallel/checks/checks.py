"""Checks for cpu-parallel: results of check_processes against an independent primality test, the worker
processes that really ran the work (labkit.cpuwatch), the main guard (read from the code, then proved by
a run under the spawn start method), and no child process left running. Speed-ups are shown, never
asserted: a 2-core machine cannot promise one."""
import ast
import multiprocessing
import re
from typing import Any, Dict, List, Optional

from labkit.checks import Context, Run, check, expect_ran_cleanly, fail

TIMEOUT = 20.0
_WITNESSES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)


def is_prime_reference(n: int) -> bool:
    """Miller-Rabin with the first twelve primes as witnesses: exact for every n below 3.3 * 10**24, and
    a different method from the lab's trial division, so the two cannot share a mistake."""
    if n < 2:
        return False
    for p in _WITNESSES:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in _WITNESSES:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


# -- the main guard, read from the code -----------------------------------------------------------------

def is_main_guard(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare) or len(node.test.comparators) != 1:
        return False
    sides = [node.test.left, node.test.comparators[0]]
    names = [s.id for s in sides if isinstance(s, ast.Name)]
    texts = [s.value for s in sides if isinstance(s, ast.Constant)]
    return isinstance(node.test.ops[0], ast.Eq) and names == ["__name__"] and texts == ["__main__"]


def unguarded_calls(tree: ast.Module) -> List[ast.Expr]:
    """Top-level statements that call one of the file's own functions as soon as the file is loaded."""
    own = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return [node for node in tree.body if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name) and node.value.func.id in own]


def dropped_names(ctx: Context) -> List[str]:
    calls = unguarded_calls(ctx.source.tree)
    return sorted({call.value.func.id for call in calls})  # type: ignore[attr-defined]


# -- runs ------------------------------------------------------------------------------------------------

def probe_args(ctx: Context, spawn: bool = False) -> List[str]:
    names = dropped_names(ctx)
    if spawn:
        return ["--spawn"]
    if not names:
        return []
    if "fork" not in multiprocessing.get_all_start_methods():
        # Every spawned worker would run the unguarded call, and the whole program with it.
        expect_no_unguarded_calls(ctx)
    return ["--fork", "--drop", ",".join(names)]


def seen(ctx: Context, run: Run) -> Dict[str, Any]:
    found = next((o["cpu"] for o in run.observations if isinstance(o, dict) and "cpu" in o), None)
    if found is None:
        expect_ran_cleanly(run, ctx.entry_name)
        fail("The checks' probe did not report back, so nothing could be judged.",
             why="this usually means the program exited while it was being loaded; the output below may say more.")
    if found.get("missing"):
        names = ", ".join(found["missing"])
        fail(f"primes.py has no function named {names}: the checks call check_sequential, check_threads and "
             "check_processes themselves.", why="keep the names and parameters from the starter.")
    return found


_WHY_PICKLE = ("a worker process gets the function to run, and its arguments, by pickling, and a function is pickled "
               "by name: it must be defined at the top level of the file (not a lambda, not a function inside "
               "another function), and its arguments must be picklable too.")


def expect_workers_ok(run: Run) -> None:
    """Names the two ways a process pool fails that are not the learner's own exceptions."""
    error = run.exception
    if error is None:
        return
    # "Can't pickle local object" up to 3.12, "Can't get local object" on 3.13, "Can't get attribute" in a worker.
    if re.search(r"pickl|Can't get (local object|attribute)", error.message, re.IGNORECASE):
        fail(f"The work could not be sent to a worker process: {error.describe()}.", why=_WHY_PICKLE,
             file=error.file, line=error.line)
    if error.type == "BrokenProcessPool":
        fail(f"A worker process died before it could finish its work ({error.describe()}). Its own error is in the "
             "output below.",
             why="a worker that crashes, or that runs the whole program again when it imports your file (a call to "
                 "main() that is not under `if __name__ == \"__main__\":`), leaves the pool broken.",
             file=error.file, line=error.line)


def main_run(ctx: Context) -> Dict[str, Any]:
    run = ctx.run_main(probe="observe.py", args=probe_args(ctx), timeout=TIMEOUT, expect_ok=False)
    observed = seen(ctx, run)
    expect_workers_ok(run)
    expect_ran_cleanly(run, ctx.entry_name)
    return observed


def result_pairs(ctx: Context, timing: Dict[str, Any], function: str) -> List[List[Any]]:
    if "pairs" not in timing:
        fail(f"{function} should return a list of PrimeResult(n, prime, elapsed), one per number, but it returned "
             f"{timing.get('unexpected')}.", why="main() prints each result's number, primality and time.",
             line=ctx.line_of_function(function))
    return timing["pairs"]


# A single thread that got less than this share of a CPU for its wall time was sharing the machine.
BUSY_CPU_SHARE = 0.85
# Other programs keeping this many CPUs busy on average (Linux only) leave too little for 2 workers to show.
OTHERS_BUSY_CPUS = 0.3
# Runs of the same code that differ by more than this (slowest / fastest) were disturbed by something else.
NOISY_SPREAD = 1.3
# Speed-ups the lesson says should not happen on 2 or more CPUs: threads clearly faster, processes no faster.
THREADS_TOO_FAST = 1.15
PROCESSES_TOO_SLOW = 1.05


def median(values: List[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def timing_caveats(observed: Dict[str, Any], medians: Dict[str, float]) -> List[str]:
    """Why the figures may not mean much on this machine, this time; empty when they can be trusted."""
    samples: Dict[str, List[Dict[str, float]]] = observed["samples"]
    cpus = observed.get("cpus") or 1
    notes = []
    if cpus < 2:
        notes.append("this machine has 1 CPU, so the worker processes take turns as threads do: no speed-up can show "
                     "here, though the same code runs faster on 2 or more")
    share = min(s["cpuSeconds"] / s["seconds"] for s in samples["sequential"] if s["seconds"] > 0)
    if share < BUSY_CPU_SHARE:
        notes.append(f"the machine was busy: running sequentially, your program got only {share:.0%} of a CPU, the "
                     "rest went to other programs")
    others = observed.get("othersCpus")
    if others is not None and others > OTHERS_BUSY_CPUS and share >= BUSY_CPU_SHARE:
        notes.append(f"the machine was busy: other programs kept about {others:.1f} of its {cpus} CPUs busy while the "
                     "checks timed yours")
    spread = max(max(s["seconds"] for s in runs) / max(min(s["seconds"] for s in runs), 1e-9)
                 for runs in samples.values())
    if spread > NOISY_SPREAD:
        notes.append(f"the three runs of the same code differed by up to {spread - 1:.0%}")
    speedup = {mode: medians["sequential"] / medians[mode] for mode in ("threads", "processes")}
    if not notes and cpus >= 2 and (speedup["threads"] > THREADS_TOO_FAST or speedup["processes"] < PROCESSES_TOO_SLOW):
        notes.append("these figures go against what the lab teaches (threads no faster, processes faster on 2 or "
                     "more CPUs), which on a quiet machine they do not: something else was using the CPUs")
    return notes


def speedups(observed: Dict[str, Any]) -> str:
    """The median time of each way, with what may make them mean little; never a verdict."""
    samples = observed.get("samples")
    if not samples:  # a run that stopped before the rounds were done has one time each, at most
        return "no timing (the program stopped before all three ways had run)"
    medians = {mode: median([s["seconds"] for s in runs]) for mode, runs in samples.items()}
    sequential = medians["sequential"]
    parts = [f"sequential {sequential:.2f} s"]
    for mode in ("threads", "processes"):
        parts.append(f"{mode} {medians[mode]:.2f} s ({sequential / medians[mode]:.2f}x)")
    rounds = len(samples["sequential"])
    text = (f"{', '.join(parts)} on {observed.get('cpus')} CPU(s), medians of {rounds} runs each, taken in turns")
    caveats = timing_caveats(observed, medians)
    if caveats:
        text += f". Take these times with a pinch of salt: {'; '.join(caveats)}. Click Check again to measure again"
    return text


# -- checks ----------------------------------------------------------------------------------------------

@check("correct-results")
def correct_results(ctx: Context) -> str:
    observed = main_run(ctx)
    numbers: List[int] = observed["numbers"]
    got = result_pairs(ctx, observed["processes"], "check_processes")
    line = ctx.line_of_function("check_processes")
    counted = [n for n, _ in got]
    missing = [n for n in numbers if n not in counted]
    doubled = sorted({n for n in counted if counted.count(n) > 1})
    if missing or doubled or len(got) != len(numbers):
        fail(f"check_processes returned {len(got)} results for {len(numbers)} numbers"
             + (f"; missing: {', '.join(map(str, missing))}" if missing else "")
             + (f"; more than once: {', '.join(map(str, doubled))}" if doubled else "") + ".",
             why="every number handed to the pool should come back exactly once, whichever worker checked it.",
             line=line, expected=f"{len(numbers)} results", actual=f"{len(got)} results")
    wrong = [n for n, prime in got if prime != is_prime_reference(n)]
    if wrong:
        fail(f"check_processes got the wrong answer for {', '.join(map(str, wrong))}.",
             why="the work in the worker processes should be exactly check(n); the answer must not depend on where "
                 "it ran.", line=line)
    return f"all {len(numbers)} numbers checked correctly ({sum(p for _, p in got)} primes)"


@check("uses-processes")
def uses_processes(ctx: Context) -> str:
    observed = main_run(ctx)
    line = ctx.line_of_function("check_processes")
    calls = {int(pid): n for pid, n in observed["workerCalls"].items() if int(pid) != observed["probePid"]}
    shown = speedups(observed)
    if not calls:
        fail(f"check_processes ran no work in a process pool: everything ran in your program's own process. "
             f"Measured in this Check: {shown}.",
             why="threads share one GIL, so only one of them runs Python code at a time and CPU-bound work gets no "
                 "faster. Each worker process of a ProcessPoolExecutor has its own interpreter and GIL.",
             line=line, expected="work in 2 or more worker processes", actual="no worker process")
    if len(calls) < 2:
        pid, count = next(iter(calls.items()))
        fail(f"All the work ({count} submitted call{'s' if count > 1 else ''}) ran in one worker process (pid {pid}). "
             f"Measured in this Check: {shown}.",
             why="with one busy worker there is no parallelism: give the pool `workers` processes and hand out the "
                 "numbers one by one (executor.map's default chunksize, or one submit per number).",
             line=line, expected="2 or more worker processes", actual="1 worker process")
    spread = ", ".join(f"{n} in pid {pid}" for pid, n in sorted(calls.items()))
    return f"work ran in {len(calls)} worker processes ({spread}). Measured: {shown}"


_WHY_GUARD = ("with the spawn start method (the default on Windows and macOS), every worker process starts a fresh "
              "interpreter and imports your file. Code at the top level runs again in each worker; under "
              "`if __name__ == \"__main__\":` it runs only when the file is the program being run.")


def expect_no_unguarded_calls(ctx: Context) -> None:
    calls = unguarded_calls(ctx.source.tree)
    if calls:
        call = calls[0]
        name = call.value.func.id  # type: ignore[attr-defined]
        fail(f"Line {call.lineno} calls {name}() as soon as the file is loaded, outside an "
             "`if __name__ == \"__main__\":` block.", why=_WHY_GUARD, line=call.lineno)


@check("has-main-guard")
def has_main_guard(ctx: Context) -> str:
    expect_no_unguarded_calls(ctx)
    if not any(is_main_guard(node) for node in ctx.source.tree.body):
        fail("primes.py has no `if __name__ == \"__main__\":` block to start the program.", why=_WHY_GUARD,
             line=len(ctx.source.text.splitlines()) or None)
    run = ctx.run_main(probe="observe.py", args=probe_args(ctx, spawn=True), timeout=TIMEOUT, expect_ok=False)
    expect_workers_ok(run)
    if not run.ok:
        error = run.exception
        fail("Under the spawn start method your program failed: "
             + (error.describe() if error else f"it exited with code {run.returncode}") + ".",
             why="a spawned worker has none of the parent's memory: it imports your file and gets the function and "
                 "its arguments by pickling. Everything a worker uses must be defined at the top level of the file "
                 "(not inside main(), not a lambda), and must not depend on something main() set up.",
             file=error.file if error else None, line=error.line if error else None)
    observed = seen(ctx, run)
    got = result_pairs(ctx, observed["processes"], "check_processes")
    wrong = [n for n, prime in got if prime != is_prime_reference(n)]
    if len(got) != len(observed["numbers"]) or wrong:
        fail("Under the spawn start method check_processes returned wrong or missing results.",
             line=ctx.line_of_function("check_processes"))
    return f"guarded, and check_processes works under spawn too ({observed['processes']['seconds']:.2f} s)"


@check("no-children-left")
def no_children_left(ctx: Context) -> str:
    observed = main_run(ctx)
    left: Optional[List[int]] = observed.get("left")
    if left:
        fail(f"{len(left)} child process(es) (pid {', '.join(map(str, left))}) were still running a second after "
             "check_processes returned.",
             why="a pool that is never shut down and stays reachable (kept in a global, say) keeps its worker processes "
                 "alive, holding memory, until the program exits. Use `with ProcessPoolExecutor(...) as executor:`, "
                 "which shuts the pool down and waits for its workers when the block ends, or call "
                 "executor.shutdown() once the pool is no longer needed.",
             line=ctx.line_of_function("check_processes"), expected="no child process", actual=f"{len(left)} running")
    return "no child process left running"
