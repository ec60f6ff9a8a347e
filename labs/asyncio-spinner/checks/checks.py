"""Checks for asyncio-spinner: frames drawn while slow() works, the spinner task cancelled and awaited,
and the event loop never blocked; all observed while the program runs (labkit.asyncwatch)."""
import ast
from typing import Any, Dict, List, Optional, Tuple

from labkit.asyncchecks import expect_loop_never_blocked, expect_watched
from labkit.asyncseen import Watched, site_line
from labkit.checks import Context, Run, check, fail
from labkit.run import ExceptionInfo

TIMEOUT = 10.0
# A frame every 0.1 s for 0.8 s of work draws about 8; a blocked loop draws none during the work.
MIN_FRAMES = 3
# The longest the loop may be blocked, as a share of how long slow() took in the same run: the starter's
# time.sleep blocks it for all of that, a fixed program for a few milliseconds.
BLOCKED_SHARE = 0.4


def cancelled_error(run: Run) -> Optional[ExceptionInfo]:
    error = run.exception
    return error if error is not None and error.type == "CancelledError" else None


def watched_run(ctx: Context) -> Watched:
    run = ctx.run_main(probe="observe.py", timeout=TIMEOUT, expect_ok=False)
    # A CancelledError out of `await spinner` is judged by cancels-spinner; the other checks still apply.
    return expect_watched(ctx, run, tolerate=["CancelledError"])


def slow_window(ctx: Context, watched: Watched) -> Tuple[float, float]:
    start, end = watched.mark("slow started"), watched.mark("slow ended")
    if start is None or end is None:
        fail("supervisor() never called slow().", why="the spinner is there to keep turning while slow() works.",
             line=ctx.line_of_function("supervisor"))
    return start, end


def frames_between(writes: List[Dict[str, Any]], start: float, end: float) -> int:
    return sum(1 for w in writes if start <= w["at"] <= end and w["text"].strip())


@check("spins-during-work")
def spins_during_work(ctx: Context) -> str:
    watched = watched_run(ctx)
    start, end = slow_window(ctx, watched)
    writes = watched.extra["writes"]
    during = frames_between(writes, start, end)
    if during < MIN_FRAMES:
        after = frames_between(writes, end, float("inf"))
        fail(f"The spinner drew {during} frame(s) during the {end - start:.2f} s that slow() worked"
             + (f", and {after} after it had finished" if after else "") + ".",
             why="the spinner and slow() share one thread and one event loop; the spinner gets a turn only when "
                 "slow() awaits something that lets the loop run other tasks. A blocking call never does.",
             line=ctx.line_of_function("slow"), expected=f">= {MIN_FRAMES} frames during the work",
             actual=f"{during} frames")
    return f"{during} frames drawn while slow() worked for {end - start:.2f} s"


def spinner_task(ctx: Context, watched: Watched) -> Dict[str, Any]:
    tasks = watched.tasks_of("spin")
    if not tasks:
        fail("spin() never ran as a task.",
             why="asyncio.create_task(spin('thinking!')) schedules the spinner to run concurrently; awaiting spin() "
                 "directly would wait for it to finish, and it never finishes on its own.",
             line=ctx.line_of_call("spin", inside="supervisor") or ctx.line_of_function("supervisor"))
    return tasks[0]


def first_await_after(ctx: Context, function: str, line: int) -> Optional[int]:
    node = ctx.source.function(function)
    awaits = [n.lineno for n in ast.walk(node) if isinstance(n, ast.Await) and n.lineno > line] if node else []
    return min(awaits) if awaits else None


@check("cancels-spinner")
def cancels_spinner(ctx: Context) -> str:
    watched = watched_run(ctx)
    task = spinner_task(ctx, watched)
    ended = watched.mark("supervisor ended")
    line = ctx.line_of_function("supervisor")
    if task["cancelAt"] is None or (ended is not None and task["cancelAt"] > ended):
        fail("The spinner task was never cancelled before supervisor() returned, so it would spin forever.",
             why="a task runs until its coroutine returns; spin() loops until it is cancelled: call "
                 "spinner.cancel() once slow() has returned.", line=line)
    cancel_file, cancel_line = site_line(task.get("cancelSite"))
    if cancelled_error(ctx.run_main(probe="observe.py", timeout=TIMEOUT, expect_ok=False)):
        fail("`await spinner` raised CancelledError out of supervisor(): the spinner task was cancelled before it "
             "ever had a turn, so it ended cancelled, and awaiting a cancelled task raises CancelledError.",
             why="a task gets its first turn only when the loop is free to run it. Unblock the loop first (see the "
                 "other checks); a supervisor that may cancel a task before it started can also wrap "
                 "`await spinner` in `try: ... except asyncio.CancelledError: pass`.",
             file=cancel_file, line=first_await_after(ctx, "supervisor", cancel_line or 0) or cancel_line or line)
    if task["doneAt"] is None or (ended is not None and task["doneAt"] > ended):
        fail("The spinner task was cancelled but not awaited: it was still running when supervisor() returned.",
             why="cancel() only asks a task to stop; it stops at its next await and then runs its clean-up (here, "
                 "clearing the spinner line). `await spinner` after cancel() waits until it has really stopped.",
             file=cancel_file, line=cancel_line or line)
    return f"spinner cancelled and awaited ({task['outcome']}) before supervisor() returned"


@check("loop-never-blocked")
def loop_never_blocked(ctx: Context) -> str:
    watched = watched_run(ctx)
    start, end = slow_window(ctx, watched)
    worked = end - start
    limit = BLOCKED_SHARE * worked
    longest = expect_loop_never_blocked(
        ctx, watched, limit, reference=f"{BLOCKED_SHARE:.0%} of the {worked:.2f} s slow() worked in this same run",
        start=watched.mark("supervisor started"), end=watched.mark("supervisor ended"))
    blocked = f"at most {longest * 1000:.0f} ms" if longest else "never for more than a few ms"
    return f"the event loop was blocked {blocked} while slow() worked for {worked:.2f} s"
