"""Checks for flags-asyncio: what the flag server saw (bytes, requests in flight, timing), what
download_many returned, and how many event loops the program made (labkit.asyncwatch)."""
import math
from typing import Dict, List

from labkit.asyncchecks import expect_one_event_loop, expect_watched
from labkit.asyncseen import Watched
from labkit.checks import Context, Run, check, expect_peak_in_flight, fail
from labkit.failures import summarize_counts
from labkit.flagchecks import DOWNLOADS, expect_flags_saved, saved_names
from labkit.flags import POP20_CC

TIMEOUT = 15.0
UNKNOWN = "XXX"
# Wall time against ceil(N / limit) rounds of the request time the server measured in this same run;
# the slack covers each round's own overhead (connecting, parsing, saving) on a slow machine.
TIME_FACTOR = 1.5
TIME_SLACK_SECONDS = 0.1
# A blocked loop is worth naming in a failure when it was held for at least this share of a request.
BLOCKED_SHARE_OF_A_REQUEST = 0.5


def delay(ctx: Context) -> float:
    return float(ctx.manifest["flagServer"]["delaySeconds"])


def failing_codes(ctx: Context) -> List[str]:
    return sorted(ctx.manifest["flagServer"]["errorCodes"])


def good_codes(ctx: Context) -> List[str]:
    return [cc for cc in POP20_CC if cc not in failing_codes(ctx)]


def main_run(ctx: Context) -> Run:
    return ctx.run_main(probe="observe.py", timeout=TIMEOUT, clean=[DOWNLOADS], expect_ok=False)


def watched_run(ctx: Context) -> Watched:
    run = main_run(ctx)
    error = run.exception
    if error is not None and error.type in ("HTTPStatusError", "ConnectionError", "TimeoutError"):
        fail(f"Your program stopped at the first failed download: {error.describe()}.",
             why="one failed download should not lose all the others. A download's exception comes out where it "
                 "is awaited: catch it there (around `await` in an as_completed loop), or collect it with "
                 "asyncio.gather(..., return_exceptions=True), count it as an error, and carry on.",
             line=(ctx.line_of_call("gather") or ctx.line_of_call("as_completed") or ctx.line_of_call("run")
                   or ctx.line_of_function("download_many")))
    return expect_watched(ctx, run)


@check("saves-all-flags")
def saves_all_flags(ctx: Context) -> str:
    watched_run(ctx)
    failed = {f"{cc.lower()}.gif" for cc in [UNKNOWN, *failing_codes(ctx)]}
    wrongly = [name for name in saved_names(ctx) if name.lower() in failed]
    if wrongly:
        fail(f"{DOWNLOADS}/ has {', '.join(wrongly)}, but those downloads failed (404 or 500).",
             why="the body of an error response is the server's error page, not a flag; save only after a successful "
                 "response.", line=ctx.line_of_call("save_flag", inside="download_one"))
    return expect_flags_saved(ctx, good_codes(ctx))


@check("exact-counts")
def exact_counts(ctx: Context) -> str:
    watched = watched_run(ctx)
    outcome = watched.extra["outcome"]
    line = ctx.line_of_function("download_many")
    counts = outcome.get("counts")
    if counts is None:
        fail(f"download_many should return a Counter of DownloadStatus values, but it returned a "
             f"{outcome.get('returnedType')}.", why="main() prints the three counts from it.", line=line)
    expected = {"OK": len(good_codes(ctx)), "NOT_FOUND": 1, "ERROR": len(failing_codes(ctx))}
    actual: Dict[str, int] = {key: counts.get(key, 0) for key in expected}
    extra = sorted(set(counts) - set(expected))
    if actual != expected or extra:
        fail(f"Expected {summarize_counts(expected)}; download_many returned {summarize_counts(counts) or 'nothing'}.",
             why="a 404 means the flag does not exist (NOT_FOUND); any other failure, such as a 500, is an ERROR. "
                 "Every code in the list must be counted exactly once, whatever happened to it.",
             line=line, expected=summarize_counts(expected), actual=summarize_counts(counts) or "nothing")
    return summarize_counts(actual)


def blocked_note(watched: Watched, per_request: float) -> str:
    """Names a blocking call when the loop was held for a good part of a request's time; shorter pauses
    happen on any busy machine and explain nothing."""
    stall = watched.longest_stall(watched.mark("download_many started"), watched.mark("download_many ended"))
    if not stall or stall["seconds"] < BLOCKED_SHARE_OF_A_REQUEST * per_request or not stall.get("where"):
        return ""
    top = stall["where"][0]
    return (f" Meanwhile the event loop was blocked for up to {stall['seconds']:.2f} s at line {top['line']} in "
            f"{top['function']}(): a blocking call there stops every other download.")


def expect_one_semaphore(ctx: Context, watched: Watched, peak: int) -> None:
    """Names a semaphore made once per download (`async with asyncio.Semaphore(7):` inside download_one): the
    learner has a semaphore, and is right to, so "add a limit" would mislead."""
    made = watched.made_again_and_again("Semaphore")
    if made is None:
        return
    code = ctx.source.text.splitlines()[made["line"] - 1].strip() if made["file"] == ctx.entry_name else ""
    fail(f"A new {made['kind']} was made {made['made']} times at line {made['line']}"
         f"{f' (`{code}`)' if code else ''}, in {made['function']}(): one per download. Each download acquired a "
         f"semaphore of its own, which nobody else was holding, so none ever waited and the server saw {peak} "
         "requests at once.",
         why="a semaphore limits only the tasks that share it. Make ONE asyncio.Semaphore(concur_req) in download_many "
             "(or the coroutine it runs), before the downloads start, and pass it to every download_one, which holds it "
             "with `async with semaphore:` around its request.",
         file=made["file"], line=made["line"], expected="1 semaphore shared by every download",
         actual=f"{made['made']} semaphores, one per download")


@check("limits-concurrency")
def limits_concurrency(ctx: Context) -> str:
    watched = watched_run(ctx)
    limit = watched.extra["limit"]
    run = main_run(ctx)
    line = ctx.line_of_function("download_many")
    constant = watched.extra["outcome"].get("maxConcurReq")
    if run.peak_in_flight == constant != limit:
        fail(f"The server had at most {run.peak_in_flight} requests in flight, which is MAX_CONCUR_REQ, but download_many "
             f"was called with concur_req={limit}.",
             why="download_many must limit the downloads to the concur_req it is given (the caller chooses), not to the "
                 "module's constant: make the semaphore with asyncio.Semaphore(concur_req).",
             line=ctx.line_of_call("Semaphore") or line, expected=f"{limit} at once", actual=f"{run.peak_in_flight} at once")
    if run.peak_in_flight < limit:
        fail(f"The server never had more than {run.peak_in_flight} request(s) in flight, but download_many was called "
             f"with concur_req={limit}.{blocked_note(watched, delay(ctx))}",
             why="the downloads should overlap: start them all on one event loop (tasks, gather or as_completed) and "
                 "let an asyncio.Semaphore(concur_req) hold back all but concur_req of them.",
             line=line, expected=f"{limit} at once", actual=f"{run.peak_in_flight} at once")
    if run.peak_in_flight > limit:
        expect_one_semaphore(ctx, watched, run.peak_in_flight)
    peak = expect_peak_in_flight(
        run, limit, limit, line=ctx.line_of_function("download_one") or line,
        why=f"download_many was called with concur_req={limit}: the semaphore must be made from that argument and "
            "held around each request (`async with semaphore:`), so no more than that many are in flight.")
    return f"exactly {peak} requests in flight at the peak, as concur_req asked"


@check("one-event-loop")
def one_event_loop(ctx: Context) -> str:
    watched = watched_run(ctx)
    expect_one_event_loop(ctx, watched)
    return "every download ran on one event loop"


@check("time-close-to-rounds")
def time_close_to_rounds(ctx: Context) -> str:
    watched = watched_run(ctx)
    run = main_run(ctx)
    limit = watched.extra["limit"]
    requests = run.requests
    if not requests:
        fail("The flag server saw no request.", line=ctx.line_of_function("download_many"))
    per_request = sum(r.seconds for r in requests) / len(requests)
    rounds = math.ceil(len(requests) / limit)
    ideal = rounds * per_request
    allowed = ideal * TIME_FACTOR + TIME_SLACK_SECONDS
    took = watched.extra["outcome"]["seconds"]
    if took > allowed:
        fail(f"download_many took {took:.2f} s. {len(requests)} requests, {limit} at a time, make {rounds} rounds of "
             f"{per_request:.2f} s (the server's own time per request in this run): about {ideal:.2f} s."
             f"{blocked_note(watched, per_request)}",
             why="with a semaphore, a new request starts the moment another finishes; time beyond the rounds is spent "
                 "somewhere else (downloads waiting on each other, or work between the requests).",
             line=ctx.line_of_function("download_many"), expected=f"<= {allowed:.2f} s", actual=f"{took:.2f} s")
    # "7 at a time" only when it was so: with no limit the time passes, and limits-concurrency says why not.
    at_once = (f"{limit} at a time" if run.peak_in_flight == limit
               else f"concur_req={limit} but up to {run.peak_in_flight} at once")
    return (f"{len(requests)} requests, {at_once}: {took:.2f} s, against {rounds} rounds of "
            f"{per_request:.2f} s = {ideal:.2f} s")
