"""Checks for asyncio-taskgroup: the probe books three trips with the learner's book_trip and times each
reservation, so structured concurrency is judged by what happened: nothing left running, nothing waited
for in vain, and every failure reported."""
from typing import Any, Dict, List

from labkit.asyncchecks import expect_watched
from labkit.checks import Context, check, fail

TIMEOUT = 10.0


def outcome_of(ctx: Context, scenario: str) -> Dict[str, Any]:
    watched = expect_watched(ctx, ctx.run_main(probe="observe.py", timeout=TIMEOUT, expect_ok=False))
    return next(o for o in watched.extra["outcomes"] if o["scenario"] == scenario)


def items(calls: List[Dict[str, Any]], how: str) -> List[str]:
    return [c["item"] for c in calls if c["how"] == how]


@check("books-all-together")
def books_all_together(ctx: Context) -> str:
    outcome = outcome_of(ctx, "all-available")
    line = ctx.line_of_function("book_trip")
    calls = outcome["calls"]
    if "raised" in outcome:
        raised = outcome["raised"]
        fail(f"With every reservation available, book_trip raised {raised['type']}: {raised['text']}.",
             why="when nothing fails, book_trip should return the confirmation codes.", line=line)
    expected = repr([c.get("returned") for c in calls])
    if outcome["returned"] != expected or len(calls) != 3:
        fail("book_trip should return the three confirmation codes, in the order of the requests.",
             why="after the TaskGroup's block ends, every task in it is done: task.result() gives each code.",
             line=line, expected=expected, actual=outcome["returned"])
    first_end = min(c["end"] for c in calls)
    late = [c["item"] for c in calls if c["start"] >= first_end]
    if late:
        fail(f"{', '.join(late)} started only after another reservation had finished.",
             why="the reservations should all be asked at once; awaiting each one before starting the next makes "
                 "the trip as slow as all the answers added up.", line=line)
    return "all three reservations ran together; codes returned in order"


@check("cancels-the-rest")
def cancels_the_rest(ctx: Context) -> str:
    outcome = outcome_of(ctx, "one-fails-early")
    line = ctx.line_of_function("book_trip")
    calls = outcome["calls"]
    if "raised" not in outcome:
        fail(f"The hotel was sold out, yet book_trip returned {outcome['returned']} instead of raising TripFailed.",
             why="a trip without its hotel is no trip: the caller must learn that it failed.", line=line)
    failed_at = min((c["end"] for c in calls if c["how"] == "failed"), default=outcome["end"])
    running = [c["item"] for c in calls if c["end"] is None or c["end"] > outcome["end"]]
    if running:
        fail(f"book_trip gave up when the hotel said no, but {', '.join(running)} went on running after it had "
             "returned: reservations nobody waits for, for a trip that no longer exists.",
             why="asyncio.gather passes the first error on at once and leaves the other awaitables running. An "
                 "asyncio.TaskGroup never lets a task outlive its `async with` block: when one task fails, it "
                 "cancels the others and waits until they have stopped.", line=line,
             expected="every reservation stopped before book_trip returns", actual=f"still running: {', '.join(running)}")
    waited = [c["item"] for c in calls if c["how"] == "finished" and c["end"] > failed_at]
    if waited:
        lost = outcome["end"] - failed_at
        fail(f"After the hotel said no, book_trip still waited {lost:.2f} s for {', '.join(waited)} to finish.",
             why="once one reservation fails, the others are of no use: cancel them instead of waiting for their "
                 "answers (a TaskGroup does that by itself).", line=line)
    return f"the hotel failed; {', '.join(items(calls, 'cancelled')) or 'nothing else'} cancelled, and stopped, before book_trip returned"


@check("reports-every-failure")
def reports_every_failure(ctx: Context) -> str:
    outcome = outcome_of(ctx, "two-fail-together")
    line = ctx.line_of_function("book_trip")
    failing = items(outcome["calls"], "failed")
    raised = outcome.get("raised")
    if raised is None:
        fail(f"The hotel and the car were both sold out, yet book_trip returned {outcome['returned']}.",
             why="the caller must learn that the trip failed, and why.", line=line)
    if raised["type"] != "TripFailed":
        extra = ""
        if "inner" in raised:
            extra = (f" An {raised['type']} wraps the errors of the tasks that failed ({', '.join(raised['inner'])}): "
                     "catch them with `except* ReservationError as failures:` and raise "
                     "TripFailed([str(e) for e in failures.exceptions]).")
        fail(f"book_trip raised {raised['type']} instead of TripFailed.{extra}",
             why="callers of book_trip catch TripFailed; how the work was split into tasks is book_trip's business.",
             line=line, expected="TripFailed", actual=raised["type"])
    reasons = raised.get("reasons", [])
    missing = [item for item in failing if not any(item in reason for reason in reasons)]
    if missing:
        fail(f"Two reservations failed together ({', '.join(failing)}), but TripFailed.reasons names only "
             f"{len(reasons)}: {'; '.join(reasons) or '(none)'}.",
             why="when several tasks fail in the same moment, a TaskGroup raises an ExceptionGroup holding all of "
                 "their errors; `except* ReservationError as failures` gets them all in failures.exceptions.",
             line=line, expected="; ".join(f"{item}: sold out" for item in failing), actual="; ".join(reasons))
    return f"TripFailed lists every failure: {'; '.join(reasons)}"
