"""Checks for flags-sequential: judged by what reached the flag server and the disk, not by the code's text."""
from labkit.checks import Context, check, expect_peak_in_flight, fail
from labkit.flagchecks import expect_flags_saved, printed_codes, requested_codes, run_downloader
from labkit.flags import POP20_CC
from labkit.summaryline import expect_summary

@check("saves-all-flags")
def saves_all_flags(ctx: Context) -> str:
    run_downloader(ctx)
    return expect_flags_saved(ctx, POP20_CC)


@check("prints-sorted-codes")
def prints_sorted_codes(ctx: Context) -> str:
    run = run_downloader(ctx)
    printed = printed_codes(run.stdout, POP20_CC)
    expected = sorted(POP20_CC)
    if printed != expected:
        missing = [cc for cc in expected if cc not in printed]
        detail = f"{len(missing)} code(s) never printed: {', '.join(missing)}" if missing else "the order differs"
        fail(f"Expected the 20 country codes printed once each, in sorted order; {detail}.",
             why="sorting makes the output the same on every run, so you can compare it with the next labs, "
                 "where the order becomes interesting.",
             line=ctx.line_of_function("download_many"), expected=" ".join(expected), actual=" ".join(printed) or "(nothing)")
    requested = requested_codes(run)
    if requested != expected:
        fail("The codes were printed in sorted order, but the flags were not requested in that order: "
             f"the server saw {' '.join(requested)}.",
             why="each code should be printed right after its own flag is saved, so the output shows progress.",
             line=ctx.line_of_function("download_many"), expected=" ".join(expected), actual=" ".join(requested))
    return "BD BR CD … VN, in order"


@check("one-at-a-time")
def one_at_a_time(ctx: Context) -> str:
    run = run_downloader(ctx)
    if len(run.requests) != len(POP20_CC):
        fail(f"Expected exactly {len(POP20_CC)} requests to the flag server, one per flag; it saw {len(run.requests)}.",
             why="each flag is fetched once; extra requests mean a flag was downloaded twice (or a wrong URL was tried).",
             line=ctx.line_of_function("get_flag"), expected=len(POP20_CC), actual=len(run.requests))
    expect_peak_in_flight(run, 1, 1, line=ctx.line_of_function("download_many"),
                          why="this lab is the sequential baseline: each download must finish before the next "
                              "starts, so later labs can show what concurrency buys.")
    return f"{len(run.requests)} requests, never more than one in flight"


@check("prints-summary")
def prints_summary(ctx: Context) -> str:
    return expect_summary(ctx, run_downloader(ctx), len(POP20_CC))
