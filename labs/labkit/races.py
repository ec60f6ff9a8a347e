"""Race labs: run the learner's program with the schedule fuzzed (labkit.fuzz), and judge what came out.

Probe side (a lab's checks/race.py, run with ctx.run_main(probe="race.py")):

    from labkit import races
    races.observe_entry()

Checker side: `observed(run)` is what the probe saw (module globals once every thread had finished, the
lost updates the fuzzer caught, threads still running when the program's main code returned, each write
to stdout with its thread), and
`expect_no_lost_updates(...)` fails with a message that shows the racing line's bytecode on the learner's
own Python.
"""
from __future__ import annotations

import os
import random
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from labkit import probe
from labkit.fuzz import FuzzedStream, Fuzzer, LockTake, lock_takes

if TYPE_CHECKING:
    from labkit.run import Run

REPORT_KEY = "races"
# Enough examples for a message and the timeline, without a starter's hundreds of them bloating the report.
MAX_LOST_REPORTED = 40
# Up to this many writes to stdout are reported with the thread that made each (a check can then tell whose
# print landed inside another's line); a program that prints more reports none.
MAX_WRITES_REPORTED = 5000
# How long the probe waits, after the program's main code returned, for threads it left running.
LEFTOVER_WAIT_SECONDS = 5.0


def _plain_globals(namespace: Dict[str, Any]) -> Dict[str, Any]:
    return {name: value for name, value in namespace.items()
            if not name.startswith("__") and isinstance(value, (int, float, str)) and not isinstance(value, bool)}


# The longest pause the fuzzer puts between an update's read and its write. 2 ms is hundreds of times what
# another thread needs to read the same value, so the race still shows on every run (measured with
# `python -m labkit.race_rate thread-race --runs 100`); a fixed program pays it inside its lock, once per
# update, so a shorter pause is a faster Check of a correct program.
LONG_PAUSE_SECONDS = 0.002


def _wait_for(threads: List[threading.Thread], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))


def observe_entry(*, seed: Optional[int] = None, fuzz_output: bool = True,
                  long_pause: float = LONG_PAUSE_SECONDS) -> None:
    """Runs the learner's program as __main__ under the fuzzer and reports what happened, also when it
    raises (the exception then goes on to labkit.launch, which reports it as usual). `long_pause` is the
    longest pause between an update's read and its write: a lab whose threads reach the update far apart
    (a pool's downloads) needs a longer one than threads that update in a tight loop."""
    seed = random.SystemRandom().randrange(1 << 30) if seed is None else seed
    fuzzer = Fuzzer([probe.learner_dir()], seed=seed, max_long_sleep=long_pause)
    stream = FuzzedStream(sys.stdout, fuzzer if fuzz_output else None)
    before = set(threading.enumerate())
    sys.stdout = stream  # type: ignore[assignment]
    fuzzer.install()
    try:
        probe.run_entry()
    finally:
        returned_ns = time.perf_counter_ns()
        started = [t for t in threading.enumerate() if t not in before]
        alive = [t.name for t in started if t.is_alive() and not t.daemon]
        # The program may have left threads running (no join): let them finish, still fuzzed, so the
        # counter holds every update they made before it is read.
        _wait_for([t for t in started if not t.daemon], LEFTOVER_WAIT_SECONDS)
        fuzzer.uninstall()
        sys.stdout = stream.wrapped
        probe.report({REPORT_KEY: {
            "seed": seed,
            "globals": _plain_globals(fuzzer.module_globals.get(os.path.realpath(probe.entry_path()), {})),
            "aliveAtReturn": alive,
            "stillRunning": [t.name for t in started if t.is_alive() and not t.daemon],
            "returnedNs": returned_ns,
            "lostUpdates": [u.as_dict() for u in fuzzer.lost_updates[:MAX_LOST_REPORTED]],
            "lostUpdateCount": len(fuzzer.lost_updates),
            "sleeps": fuzzer.sleeps,
            "writes": ([[thread, text] for _, thread, text in stream.writes]
                       if len(stream.writes) <= MAX_WRITES_REPORTED else None),
        }})


# -- checker side -------------------------------------------------------------------------------------

def observed(run: "Run") -> Dict[str, Any]:
    """What observe_entry reported for this run ({} when the probe did not get to report)."""
    for item in run.observations:
        if isinstance(item, dict) and isinstance(item.get(REPORT_KEY), dict):
            return item[REPORT_KEY]
    return {}


def relative_file(path: str, work_dir: str) -> str:
    try:
        relative = os.path.relpath(os.path.realpath(path), os.path.realpath(work_dir))
    except ValueError:
        return path
    return path if relative.startswith("..") else relative.replace(os.sep, "/")


def describe_lost_update(update: Dict[str, Any], work_dir: str) -> str:
    """One lost update in words, with the bytecode of its line on this Python."""
    from labkit.showdis import explain_line
    name, line, function = update.get("name"), update.get("line"), update.get("function")
    where = f"{relative_file(str(update.get('file')), work_dir)} line {line}"
    text = (f"For example, {update.get('thread')} read {name} = {update.get('read')} ({where}); before it wrote "
            f"back, another thread changed {name} to {update.get('found')}; then {update.get('thread')} wrote "
            f"{update.get('wrote')}, computed from its stale read, over it.")
    if isinstance(line, int) and isinstance(function, str):
        listing = explain_line(str(update.get("file")), function, line)
        if listing:
            text += "\n" + listing + ("\nAnother thread can run between the read and the write: that is where "
                                      "the updates went missing.")
    return text


def lost_update_at(report: Dict[str, Any], work_dir: str) -> Optional[Dict[str, Any]]:
    """The first lost update in the learner's own files, or None."""
    for update in report.get("lostUpdates") or []:
        if isinstance(update, dict) and not relative_file(str(update.get("file")), work_dir).startswith("/"):
            return update
    return None


def run_with_hang_hint(ctx: Any, hang_hint: Optional[int], **options: Any) -> "Run":
    """ctx.run_main(**options), but a run that hangs (reported as a possible deadlock, with every thread's
    stack) points at `hang_hint` instead of the hint of whichever check happened to run first."""
    from labkit.failures import RunTimedOut
    try:
        return ctx.run_main(**options)
    except RunTimedOut as hang:
        hang.hint = hang_hint  # type: ignore[attr-defined]  # read by labkit.runner
        raise


def run_fuzzed(ctx: Any, *, timeout: float, hang_hint: Optional[int] = None) -> "Run":
    """The learner's program under the lab's checks/race.py probe, shared by every check of the Check."""
    return run_with_hang_hint(ctx, hang_hint, probe="race.py", timeout=timeout)


def opposite_lock_orders(tree: Any) -> Optional[Tuple[LockTake, LockTake]]:
    """Two places that take the same two locks in opposite orders (one takes B while holding A, the other A
    while holding B), or None. Locks are told apart by their source text; a `with` of a call (a new object,
    like `with threading.Lock():` or `with open(...)`) is no shared lock and is left out."""
    takes = [take for take in lock_takes(tree) if "(" not in take.lock]
    for first in takes:
        for held in first.held:
            if held == first.lock or "(" in held:
                continue
            for second in takes:
                if second.lock == held and first.lock in second.held:
                    return first, second
    return None


def _deadlock_risk(ctx: Any, hint: Optional[int]) -> None:
    """Fails when the learner's code takes two locks in opposite orders, although this run finished: the
    fuzzer pauses between the two takings, but two threads must also reach them at the same moment, which a
    pool's staggered tasks may not do in one run."""
    from labkit.failures import fail
    tree = getattr(getattr(ctx, "source", None), "tree", None)
    found = opposite_lock_orders(tree) if tree is not None else None
    if found is None:
        return
    first, second = found
    a, b = second.lock, first.lock
    again = "" if second.function == first.function else f"{second.function}() "
    fail(f"possible deadlock: {first.function}() takes {b} while holding {a} (line {first.lines[0]}), and "
         f"{again}takes {a} while holding {b} (line {second.lines[0]}). This run got through, but "
         f"when one thread holds {a} and another holds {b} at the same moment, each waits forever for the lock "
         "the other holds, and the program hangs.",
         why="two locks are safe only when every thread takes them in the same order. Take them in one order "
             "everywhere, or use a single lock for the shared update.",
         line=second.lines[0], hint=hint, expected=f"{a} and {b} always taken in one order",
         actual=f"both orders (lines {first.lines[0]} and {second.lines[0]})")


def _inline_lock(ctx: Any) -> bool:
    """True when the learner's code takes a lock made right where it is taken (`with threading.Lock():`),
    which no two calls can ever share."""
    source = getattr(ctx, "source", None)
    return source is not None and any(lock.name is None for lock in source.locks_made_per_call())


def expect_no_lost_updates(ctx: Any, run: "Run", expected: int, got: Optional[int], *, what: str,
                           line: Optional[int], hint: Optional[int], why: str,
                           deadlock_hint: Optional[int] = None) -> None:
    """Fails with "lost updates: expected N, got M", an example of one lost update and the bytecode of its
    line, at that line. With `deadlock_hint`, a right total from code that takes two locks in opposite
    orders fails too, with "possible deadlock" and that hint."""
    from labkit.failures import fail
    if got == expected and not _inline_lock(ctx):
        if deadlock_hint is not None:
            _deadlock_risk(ctx, deadlock_hint)
        return
    report = observed(run)
    update = lost_update_at(report, ctx.work_dir)
    if got is None:
        fail(f"Your program's output has no final total of {what}: it never printed one, so there is nothing to "
             f"check against the expected {expected} {what}. Print the total once every thread has finished.", line=line, hint=hint,
             why="the checks compare the total your program reports with the number of updates it made.")
    if got > expected:
        fail(f"Counted too much: expected {expected} {what}, got {got}. Is something counted twice?",
             line=line, hint=hint, expected=expected, actual=got, why=why)
    source = getattr(ctx, "source", None)  # a bare context (the fuzzer's own tests) has no learner source
    fresh = source.locks_made_per_call() if source is not None else []
    if fresh and got is not None and got <= expected:
        lock = fresh[0]
        made = (f"`with {lock.kind}():` makes a new {lock.kind} right there" if lock.name is None
                else f"{lock.name} = {lock.kind}() makes a new {lock.kind}")
        # An inline `with Lock():` protects nothing whether or not this run happened to lose an update.
        outcome = (f"lost updates: expected {expected} {what}, got {got} ({expected - got} lost), although" if got < expected
                   else f"This run happened to count all {expected} {what}, but nothing made it so:")
        fail(f"{outcome} {lock.function}() "
             f"takes a lock: {made} every time {lock.function}() runs, so each thread holds a lock of its own and "
             "no thread ever waits for another.",
             why="a lock protects only when every thread takes the same one. Create it once, at module level, "
                 f"next to the shared variable (shared_lock = threading.{lock.kind}()), and put the update inside "
                 "`with shared_lock:`.", line=lock.line, hint=hint, expected=expected, actual=got)
    detail = describe_lost_update(update, ctx.work_dir) if update else (
        "Two threads read the same old value and both wrote back old value + their part, so one part vanished.")
    fail(f"lost updates: expected {expected} {what}, got {got} ({expected - got} lost).\n{detail}",
         why=why, line=update.get("line") if update else line, hint=hint, expected=expected, actual=got)
