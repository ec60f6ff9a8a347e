"""Checks for asyncio-first-steps: the probe runs fetch_all with its own stations and times every
fetch_reading call, so concurrency is judged by what happened, not by the code's shape."""
from typing import Any, Dict, List

from labkit.asyncchecks import expect_loop_never_blocked, expect_watched
from labkit.asyncseen import Watched
from labkit.checks import Context, check, fail

TIMEOUT = 10.0
# Concurrent runs take about the slowest wait; sequential ones the sum. The limit sits between the two,
# far from both: the slowest wait plus 40% of the rest, all measured in this same run.
SHARE_OF_THE_REST = 0.4
# A blocking call in fetch_reading (time.sleep) holds the loop for a whole station's wait at the learner's line;
# a busy machine holds it for tens of ms, anywhere. Asked only once the run already looks sequential.
BLOCKED_SHARE = 0.75


def watched_run(ctx: Context) -> Watched:
    watched = expect_watched(ctx, ctx.run_main(probe="observe.py", timeout=TIMEOUT, expect_ok=False))
    outcome = watched.extra["outcome"]
    if "notAwaitable" in outcome:
        fail(f"fetch_all returned a {outcome['notAwaitable']}, not a coroutine.", line=ctx.line_of_function("fetch_all"))
    return watched


def calls_of(watched: Watched) -> List[Dict[str, Any]]:
    return watched.extra["calls"]


def finished(calls: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [c for c in calls if c.get("end") is not None]


def expect_readings_ran(ctx: Context, watched: Watched) -> List[Dict[str, Any]]:
    """The fetch_reading calls that finished; fails, saying why, when some station's never did."""
    calls = calls_of(watched)
    done = finished(calls)
    stations = list(watched.extra["stations"])
    if len(done) == len(stations):
        return done
    line = ctx.line_of_function("fetch_all")
    cancelled = [c["station"] for c in calls if c.get("cancelled")]
    if not calls:
        fail("fetch_all never called fetch_reading, so no station was asked.",
             why="each reading comes from one fetch_reading(station, seconds) coroutine; fetch_all runs them.", line=line)
    if cancelled:
        fail(f"fetch_reading started for {len(cancelled)} station(s) but never finished: fetch_all returned without "
             "waiting for them, and asyncio.run cancelled them as it closed the loop.",
             why="a task runs only while the event loop runs; await the tasks (or the gather) before returning.",
             line=line)
    missing = [s for s in stations if s not in {c["station"] for c in done}]
    fail(f"fetch_all never got a reading from {', '.join(missing)}.",
         why="every station in the dict it is given needs a reading.", line=line)


def expect_blocking_not_the_cause(ctx: Context, watched: Watched) -> None:
    """Called when the stations ran one after another: a blocked event loop explains that better than the
    shape of fetch_all (gather can be right and still run nothing at the same time), so it is named first,
    at the blocking line."""
    calls = calls_of(watched)
    if not calls:
        return
    start = min(c["start"] for c in calls)
    end = max(c["end"] or c["start"] for c in calls)
    stall = watched.longest_stall(start, end)
    if stall is None or not stall.get("where"):
        return
    shortest = min(watched.extra["stations"].values())
    expect_loop_never_blocked(ctx, watched, BLOCKED_SHARE * shortest, start=start, end=end, hint=2,
                              reference=f"{BLOCKED_SHARE:.0%} of the shortest station's wait, {shortest:.2f} s")


@check("awaits-coroutines")
def awaits_coroutines(ctx: Context) -> str:
    watched_run(ctx)  # fails on a wrong await or a coroutine never awaited, in every check
    return "every coroutine was awaited, and only awaitables were"


@check("returns-every-reading")
def returns_every_reading(ctx: Context) -> str:
    watched = watched_run(ctx)
    stations = list(watched.extra["stations"])
    outcome = watched.extra["outcome"]
    line = ctx.line_of_function("fetch_all")
    result = outcome.get("result")
    if not isinstance(result, list):
        kind = outcome.get("resultType", "?")
        extra = (" A Future is what asyncio.gather(...) returns before it is awaited: `return await asyncio.gather(...)`."
                 if "Future" in kind else "")
        fail(f"fetch_all should return a list of readings, but it returned a {kind}.{extra}",
             why="whoever calls fetch_all wants the readings themselves, in the order of the stations.", line=line,
             expected="a list of 5 readings", actual=str(result)[:120])
    by_station = {c["station"]: c["returned"] for c in expect_readings_ran(ctx, watched)}
    expected = [by_station.get(s, "?") for s in stations]
    if result != expected:
        fail("fetch_all's readings are not those of the stations, in the order the stations were given.",
             why="asyncio.gather returns results in the order of its arguments, whatever order they finish in; "
                 "awaiting tasks in the order they were created does the same.", line=line,
             expected=", ".join(expected), actual=", ".join(result))
    return f"{len(result)} readings, in the stations' order"


@check("starts-all-first")
def starts_all_first(ctx: Context) -> str:
    watched = watched_run(ctx)
    calls = calls_of(watched)
    done = expect_readings_ran(ctx, watched)
    first_end = min(c["end"] for c in done)
    early = [c["station"] for c in calls if c["start"] < first_end]
    late = [c["station"] for c in calls if c["start"] >= first_end]
    if late:
        expect_blocking_not_the_cause(ctx, watched)
        made_early = all(c.get("made", first_end) < first_end for c in calls)
        if made_early:
            fail(f"All {len(calls)} fetch_reading coroutines were made before the first station answered, but only "
                 f"{len(early)} had started running; {', '.join(late)} started only after that. Making a coroutine "
                 "does not start it: it runs when it is awaited, so awaiting them one after another runs them one "
                 "after another.",
                 why="a coroutine object is only a paused call. asyncio.gather(*coroutines) wraps every one of them in "
                     "a task, and tasks start at once, all together; asyncio.create_task(coro) starts one. Then they "
                     "all wait at the same time.",
                 line=ctx.line_of_function("fetch_all"), hint=1,
                 expected=f"all {len(calls)} started before any finished",
                 actual=f"{len(early)} started before the first finished")
        fail(f"Only {len(early)} of {len(calls)} stations had been asked when the first answer came back; "
             f"{', '.join(late)} started only after that.",
             why="awaiting each coroutine before creating the next one runs them one at a time. Create them all "
                 "first (as tasks, or by passing them all to asyncio.gather) so they all wait at the same time.",
             line=ctx.line_of_function("fetch_all"), expected=f"all {len(calls)} started before any finished",
             actual=f"{len(early)} started before the first finished")
    return f"all {len(calls)} stations were asked before the first one answered"


@check("takes-longest-not-sum")
def takes_longest_not_sum(ctx: Context) -> str:
    watched = watched_run(ctx)
    waits = [c["end"] - c["start"] for c in expect_readings_ran(ctx, watched)]
    longest, added_up = max(waits), sum(waits)
    limit = longest + SHARE_OF_THE_REST * (added_up - longest)
    took = watched.extra["outcome"]["seconds"]
    if took > limit:
        expect_blocking_not_the_cause(ctx, watched)
        fail(f"fetch_all took {took:.2f} s: about the sum of all the waits ({added_up:.2f} s), not the slowest one "
             f"({longest:.2f} s), both measured in this same run.",
             why="while one coroutine awaits, the event loop runs the others; when they all wait at once, the whole "
                 "job takes about as long as the longest wait.", line=ctx.line_of_function("fetch_all"),
             expected=f"<= {limit:.2f} s", actual=f"{took:.2f} s")
    return f"fetch_all took {took:.2f} s; the slowest station alone {longest:.2f} s, all the waits added up {added_up:.2f} s"
