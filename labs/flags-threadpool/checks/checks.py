"""Checks for flags-threadpool: the server saw the downloads overlap, within the pool the learner chose."""
from typing import List

from labkit.checks import Context, Run, check, expect_peak_in_flight, expect_time_within, fail
from labkit.flagchecks import expect_flags_saved, printed_codes, run_downloader
from labkit.flags import POP20_CC
from labkit.futureswatch import observed

PROBE = "observe.py"
# map over 20 flags with even 2 workers needs about half the sequential time; 0.75 leaves room for noise.
SPEED_FACTOR = 0.75


def pool_sizes(run: Run) -> List[int]:
    return [e["max_workers"] for e in observed(run.observations) if e["event"] == "executor"]


@check("saves-all-flags")
def saves_all_flags(ctx: Context) -> str:
    run_downloader(ctx, PROBE)
    return expect_flags_saved(ctx, POP20_CC)


@check("downloads-concurrently")
def downloads_concurrently(ctx: Context) -> str:
    run = run_downloader(ctx, PROBE)
    line = ctx.line_of_function("download_many")
    sizes = pool_sizes(run)
    if not sizes:
        fail("Your program never created a ThreadPoolExecutor.",
             why="this lab is about concurrent.futures: the pool owns the threads, hands them the work and "
                 "collects the results, so you do not manage threads yourself.", line=line)
    workers = sum(sizes)
    peak = expect_peak_in_flight(run, 2, workers, line=line,
                                 why=f"a pool of {workers} worker(s) can have at most that many downloads going; "
                                     "more means requests are made outside the pool, fewer than two means nothing "
                                     "overlapped (is each result waited for before the next call is handed out?).")
    return f"up to {peak} requests in flight at once, with a pool of {workers}"


@check("results-in-input-order")
def results_in_input_order(ctx: Context) -> str:
    run = run_downloader(ctx, PROBE)
    printed = printed_codes(run.stdout, POP20_CC)
    expected = sorted(POP20_CC)
    if printed != expected:
        missing = [cc for cc in expected if cc not in printed]
        detail = (f"{len(missing)} code(s) never printed: {', '.join(missing)}" if missing
                  else "they came out in a different order (the order the downloads happened to finish?)")
        fail(f"Expected the 20 codes printed in sorted order, as executor.map returns them; {detail}.",
             why="map yields results in the order of its input, however the work finishes; printing as the results "
                 "come out of map keeps the output the same on every run.",
             line=ctx.line_of_call("print", inside="download_one") or ctx.line_of_function("download_many"),
             expected=" ".join(expected), actual=" ".join(printed) or "(nothing)")
    return "results printed in input order"


@check("faster-than-sequential")
def faster_than_sequential(ctx: Context) -> str:
    run = run_downloader(ctx, PROBE)
    window, sequential = run.download_window(), run.sequential_seconds()
    speedup = expect_time_within(
        window, sequential, SPEED_FACTOR, what="Your 20 downloads (first request to last, measured by the server)",
        reference_what="the same requests one after another (the sum of their own durations)",
        why="overlapping the waiting is the whole point of the pool: while one request waits for the network, "
            "others proceed.", line=ctx.line_of_function("download_many"))
    return f"downloads took {window:.2f} s against {sequential:.2f} s one at a time ({speedup:.1f}x faster)"
