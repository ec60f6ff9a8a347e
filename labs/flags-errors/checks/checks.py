"""Checks for flags-errors: behaviour at the server and on disk when some downloads fail."""
import re
from typing import Dict, List, Optional

from labkit.checks import Context, check, expect_ran_cleanly, fail
from labkit.flagchecks import DOWNLOADS, expect_flags_saved, run_downloader, saved_names
from labkit.flags import POP20_CC, looks_like_gif

UNKNOWN = "XXX"
_COUNTS = {
    "ok": re.compile(r"(\d+)\s+flags?\s+downloaded", re.IGNORECASE),
    "not found": re.compile(r"(\d+)\s+not\s+found", re.IGNORECASE),
    "errors": re.compile(r"(\d+)\s+errors?\b", re.IGNORECASE),
}


def failing_codes(ctx: Context) -> List[str]:
    return sorted(ctx.manifest["flagServer"]["errorCodes"])


def good_codes(ctx: Context) -> List[str]:
    return [cc for cc in POP20_CC if cc not in failing_codes(ctx)]


@check("keeps-going")
def keeps_going(ctx: Context) -> str:
    run = run_downloader(ctx, expect_ok=False)
    error = run.exception
    if error is not None and error.type in ("HTTPError", "URLError"):
        fail(f"Your program stopped at the first failed download: {error.describe()}.",
             why="one failed download should not lose all the others. An exception in a worker comes back out "
                 "of future.result(): catch it there, count the failure, and carry on.",
             line=ctx.line_of_call("result", inside="download_many") or error.line,
             file=ctx.entry_name if ctx.line_of_call("result", inside="download_many") else error.file)
    expect_ran_cleanly(run, ctx.entry_name)
    asked = {r.code for r in run.requests}
    expected = set(POP20_CC) | {UNKNOWN}
    missing = sorted(expected - asked)
    if missing:
        fail(f"The server was never asked for {', '.join(missing)}.",
             why="every code in the list should be tried, even after others failed.",
             line=ctx.line_of_function("download_many"))
    return f"all {len(expected)} codes tried; the program finished"


def reported_counts(stdout: str) -> Dict[str, Optional[int]]:
    counts: Dict[str, Optional[int]] = {}
    for name, pattern in _COUNTS.items():
        found = pattern.findall(stdout)
        counts[name] = int(found[-1]) if found else None
    return counts


@check("exact-counts")
def exact_counts(ctx: Context) -> str:
    run = run_downloader(ctx)
    expected = {"ok": len(good_codes(ctx)), "not found": 1, "errors": len(failing_codes(ctx))}
    actual = reported_counts(run.stdout)
    show = lambda counts: ", ".join(f"{v if v is not None else '?'} {k}" for k, v in counts.items())  # noqa: E731
    if actual != expected:
        wrong = [k for k in expected if actual[k] != expected[k]]
        why = ("a 404 means the flag does not exist (not found); any other failure, such as a 500, is an error. "
               "Both differ from a download that worked, and a report that mixes them up hides real problems.")
        if any(actual[k] is None for k in wrong):
            why = ("print the three counts at the end, one per line: '18 flags downloaded.', '1 not found.', "
                   "'2 errors.'; " + why)
        fail(f"Expected {show(expected)}; your program reported {show(actual)}.", why=why,
             line=ctx.line_of_function("download_one"), expected=show(expected), actual=show(actual))
    return show(actual)


@check("no-file-for-failures")
def no_file_for_failures(ctx: Context) -> str:
    run_downloader(ctx)
    failed = [f"{cc.lower()}.gif" for cc in [UNKNOWN, *failing_codes(ctx)]]
    saved = {name.lower(): name for name in saved_names(ctx)}
    wrongly = [saved[name] for name in failed if name in saved]
    if wrongly:
        fail(f"{DOWNLOADS}/ has {', '.join(wrongly)}, but those downloads failed (404 or 500).",
             why="the body of an error response is the server's HTML error page, not a flag; saving it as a .gif "
                 "gives a file that looks like a flag and is not one. Save only after a successful response.",
             line=ctx.line_of_call("save_flag", inside="download_one") or ctx.line_of_function("save_flag"),
             expected="no file for " + ", ".join(failed), actual=", ".join(wrongly))
    return "no file saved for " + ", ".join(failed)


@check("saves-real-gifs")
def saves_real_gifs(ctx: Context) -> str:
    run_downloader(ctx)
    for name in saved_names(ctx):
        with open(ctx.path(DOWNLOADS, name), "rb") as handle:
            head = handle.read()
        if not looks_like_gif(head):
            fail(f"{DOWNLOADS}/{name} is not a GIF image (it starts with {head[:15]!r}).",
                 why="every file in downloaded/ should be a real flag; an HTML error page saved under a .gif name "
                     "breaks whatever opens it later.", line=ctx.line_of_function("save_flag"))
    return expect_flags_saved(ctx, good_codes(ctx))
