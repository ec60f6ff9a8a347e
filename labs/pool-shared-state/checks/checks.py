"""Checks for pool-shared-state: with the schedule fuzzed (labkit.fuzz), the total of bytes is exact, and
the downloads still overlap (a lock held around the whole download is a wrong fix)."""
import ast
import re
from typing import Optional

from labkit.checks import Context, Run, check, expect_peak_in_flight, fail
from labkit.flagchecks import requested_codes
from labkit.flags import POP20_CC, gif_bytes
from labkit.futureswatch import observed as futures_observed
from labkit.races import expect_no_lost_updates, observed, run_fuzzed

TIMEOUT = 15.0
LOST_UPDATE_HINT, POOL_HINT, SERIALISED_HINT, HANG_HINT = 1, 2, 3, 4
TOTAL = re.compile(r"(\d+) bytes")


def main_run(ctx: Context) -> Run:
    return run_fuzzed(ctx, timeout=TIMEOUT, hang_hint=HANG_HINT)


def printed_total(run: Run) -> Optional[int]:
    found = TOTAL.findall(run.stdout)
    return int(found[-1]) if found else None


def with_block_around(ctx: Context, call: str, inside: str) -> Optional[int]:
    """The line of a `with` statement in function `inside` whose body calls `call`, or None."""
    function = ctx.source.function(inside)
    if function is None:
        return None
    for node in ast.walk(function):
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for child in ast.walk(node):
                if isinstance(child, ast.Call):
                    func = child.func
                    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
                    if name == call:
                        return node.lineno
    return None


@check("total-is-right")
def total_is_right(ctx: Context) -> str:
    run = main_run(ctx)
    codes = requested_codes(run) or list(POP20_CC)
    expected = sum(len(gif_bytes(cc)) for cc in POP20_CC)
    got = printed_total(run)
    if sorted(set(codes)) != sorted(POP20_CC):
        fail(f"Expected one download of each of the 20 flags; the server saw requests for {len(set(codes))} "
             "different code(s).", why="the total is only right when every flag was downloaded once.",
             line=ctx.line_of_function("download_many"), hint=LOST_UPDATE_HINT)
    expect_no_lost_updates(
        ctx, run, expected, got, what="bytes", line=ctx.line_of_function("download_one"), hint=LOST_UPDATE_HINT,
        deadlock_hint=HANG_HINT,
        why="every worker thread of the pool adds to the same total; an add that reads the old total and writes "
            "it back after another worker did the same throws that worker's bytes away.")
    return f"{expected} bytes, every one counted, with {observed(run).get('sleeps', 0)} thread switches forced"


@check("downloads-overlap")
def downloads_overlap(ctx: Context) -> str:
    run = main_run(ctx)
    line = ctx.line_of_function("download_many")
    pools = [e["max_workers"] for e in futures_observed(run.observations) if e["event"] == "executor"]
    if not pools:
        fail("Your program never created a ThreadPoolExecutor.",
             why="this lab is about sharing state between the pool's worker threads; keep the pool and make the "
                 "total safe.", line=line, hint=SERIALISED_HINT)
    if run.peak_in_flight < 2 and len(pools) > 1:
        fail(f"Your program made {len(pools)} thread pools, one after another, so each pool had a single download "
             "to run and the downloads could not overlap.",
             why="one pool is made once and given every download (executor.map over all the codes, or a submit for "
                 "each before reading any result); a new pool per flag waits for that flag before the next pool "
                 "starts.", line=ctx.line_of_call("ThreadPoolExecutor") or line, hint=POOL_HINT,
             expected="1 pool, >= 2 requests at once", actual=f"{len(pools)} pools, 1 at a time")
    if run.peak_in_flight < 2 <= sum(pools):
        locked = with_block_around(ctx, "get_flag", "download_one")
        if locked is not None:
            fail(f"The lock is held around the whole download, so only one ran at a time: the server never had more "
                 f"than one request in flight, although your pool has {sum(pools)} workers.",
                 why="a lock makes the code inside it run one thread at a time. Hold it only around the update of "
                     "the shared total, so the downloads (the slow part) still overlap.",
                 line=locked, hint=SERIALISED_HINT, expected=">= 2 requests at once", actual="1 at a time")
    peak = expect_peak_in_flight(run, 2, line=line, hint=SERIALISED_HINT,
                                 why="the pool exists to overlap the downloads; if they run one at a time, something "
                                     "(a lock around the download, or waiting for each result before the next "
                                     "submit) serialises them.")
    return f"up to {peak} downloads in flight at once"
