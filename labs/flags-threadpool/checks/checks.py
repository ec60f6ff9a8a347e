"""Checks for flags-threadpool: the server saw the downloads overlap, within the pool the learner chose."""
from typing import List, Optional, Tuple

from labkit.checks import Context, Run, check, expect_peak_in_flight, expect_time_within, fail
from labkit.failures import format_list
from labkit.flagchecks import code_words, expect_flags_saved, printed_codes, run_downloader, run_together
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
        problem, hint, line = order_problem(ctx, run)
        fail(f"Expected the 20 codes printed in sorted order, as executor.map returns them; {problem}.", hint=hint,
             why="map yields results in the order of its input, however the work finishes; printing as the results "
                 "come out of map keeps the output the same on every run.", line=line,
             expected=" ".join(expected), actual=" ".join(word for word, _ in code_words(run.stdout, POP20_CC)) or "(nothing)")
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


def order_problem(ctx: Context, run: Run) -> Tuple[str, Optional[int], Optional[int]]:
    """What went wrong with the printed codes, the hint for it and the line, from the output and from what the
    pool saw (the order the calls were handed to it, and what as_completed handed out)."""
    codes = [cc for _, word_codes in code_words(run.stdout, POP20_CC) for cc in word_codes]
    missing = [cc for cc in sorted(POP20_CC) if cc not in codes]
    never = f"{len(missing)} code(s) never printed: {', '.join(missing)}"
    printing = ctx.line_of_call("print", inside="download_one") or ctx.line_of_function("download_many")
    glued = run_together(run.stdout, POP20_CC)
    if glued:
        return (f"some codes were printed run together ({format_list(glued, 3)}), which happens when several "
                "threads print at the same moment: the codes are printed in the worker threads, in whatever order "
                "the downloads finish" + (f"; and {never}" if missing else ""), 4, printing)
    if missing:
        return never, None, printing
    twice = sorted({cc for cc in codes if codes.count(cc) > 1})
    if twice:
        return (f"some codes were printed more than once ({format_list(twice, 3)}): print each code once, as its "
                "result comes out of map"), None, printing
    events = observed(run.observations)
    code_of = {e["future"]: str(e["arg"]) for e in events if e["event"] == "submit"}
    if codes == [code_of.get(e["future"]) for e in events if e["event"] == "yield"]:
        return ("they came out in the order as_completed handed out the futures, which is the order the downloads "
                "finished; map (or reading the futures in the order you submitted them) gives the input order"), 3, \
            ctx.line_of_call("as_completed") or printing
    if codes == [str(e["arg"]) for e in events if e["event"] == "submit"]:
        return ("they came out in the order the calls were handed to the pool, and that order was not sorted: "
                "give map the codes in sorted order, sorted(cc_list)"), 3, \
            ctx.line_of_call("map") or ctx.line_of_call("submit") or printing
    return "they came out in a different order (the order the downloads happened to finish?)", None, printing
