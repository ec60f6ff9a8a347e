"""The flags labs' closing line, "20 flags downloaded in 0.42s", checked against what really happened."""
from __future__ import annotations

import re

from labkit.checks import Context, Run, fail

SUMMARY = re.compile(r"(\d+)\s+flags?\s+downloaded\s+in\s+(\d+(?:\.\d+)?)\s*s\b", re.IGNORECASE)
_WHY_TIME = ("the printed time is how you will compare this program with the next ones, so it has to cover "
             "every download: start the clock before download_many and stop it after.")


def expect_summary(ctx: Context, run: Run, count: int) -> str:
    """The last summary line names `count` flags and a time that covers every download the server saw
    (and no more than the whole process took, both measured in this run)."""
    line = ctx.line_of_function("main")
    found = SUMMARY.findall(run.stdout)
    if not found:
        last = run.stdout.strip().splitlines()[-1:] or ["(nothing)"]
        fail("Expected a summary line like '20 flags downloaded in 0.42s' at the end of the output.",
             why="a program that reports what it did, and how long it took, lets you compare approaches.",
             line=line, expected=f"{count} flags downloaded in <seconds>s", actual=last[0])
    reported_count, reported_time = int(found[-1][0]), float(found[-1][1])
    if reported_count != count:
        fail(f"The summary says {reported_count} flags, but {count} were downloaded.",
             why="the count should come from the work done (the value download_many returns), not be typed in.",
             line=line, expected=count, actual=reported_count)
    window = run.download_window()
    if reported_time < window * 0.8 - 0.01:
        fail(f"The summary says {reported_time:.2f}s, but the downloads alone took {window:.2f} s "
             "(from the first request to the last, as the flag server measured them in this run).",
             why=_WHY_TIME, line=line, expected=f">= {window:.2f}s", actual=f"{reported_time:.2f}s")
    if reported_time > run.seconds * 1.05 + 0.05:
        fail(f"The summary says {reported_time:.2f}s, but the whole program ran for only {run.seconds:.2f} s.",
             why="the time should be measured with time.perf_counter() and printed in seconds, not milliseconds "
                 "or a made-up number.", line=line, expected=f"<= {run.seconds:.2f}s", actual=f"{reported_time:.2f}s")
    return f"{reported_count} flags downloaded in {reported_time:.2f}s"
