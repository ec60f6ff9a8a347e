"""How a check says no: exceptions the runner turns into verdicts, and helpers whose messages teach
(what was expected, what happened, and why it matters)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, NoReturn, Optional

if TYPE_CHECKING:
    from labkit.run import Run


class CheckFailed(Exception):
    """A failed check: the learner's code did something other than what the lab asks."""

    def __init__(self, message: str, *, line: Optional[int] = None, file: Optional[str] = None,
                 hint: Optional[int] = None, expected: Optional[str] = None, actual: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.file = file
        self.hint = hint
        self.expected = expected
        self.actual = actual


class CheckSkipped(Exception):
    """The check does not apply here (for example, the feature needs a newer Python)."""


class RunTimedOut(Exception):
    """The learner's program did not finish in time; the runner reports it with every thread's stack."""

    def __init__(self, run: "Run") -> None:
        super().__init__(f"timed out after {run.timeout:g} s")
        self.run = run


def fail(message: str, *, why: Optional[str] = None, line: Optional[int] = None, file: Optional[str] = None,
         hint: Optional[int] = None, expected: Any = None, actual: Any = None) -> NoReturn:
    """Fails the current check. `why` says why it matters; `expected`/`actual` are shown side by side
    where the learner may see the expected value."""
    text = message if not why else f"{message}\nWhy it matters: {why}"
    raise CheckFailed(text, line=line, file=file, hint=hint,
                      expected=None if expected is None else str(expected),
                      actual=None if actual is None else str(actual))


def skip(message: str) -> NoReturn:
    raise CheckSkipped(message)


def expect_same_bytes(actual: bytes, expected: bytes, *, what: str, line: Optional[int] = None, hint: Optional[int] = None) -> None:
    if actual == expected:
        return
    if actual.lstrip()[:1] == b"<" or b"<html" in actual[:200].lower():
        detail = "it holds an HTML page, not the image: the server's error page was saved as if it were data"
    elif not actual:
        detail = "it is empty"
    elif actual.startswith(b"b'") or actual.startswith(b'b"'):
        detail = "it holds the text of a bytes repr (b'...'): write the bytes themselves, in binary mode ('wb')"
    elif len(actual) != len(expected):
        detail = f"it has {len(actual)} bytes where the server sent {len(expected)}"
    else:
        first = next(i for i, (a, b) in enumerate(zip(actual, expected)) if a != b)
        detail = f"it differs from what the server sent, first at byte {first}"
    fail(f"{what}: {detail}.", why="a download is only done when the file holds exactly the bytes that were sent.",
         line=line, hint=hint, expected=f"{len(expected)} bytes starting {expected[:6]!r}",
         actual=f"{len(actual)} bytes starting {actual[:6]!r}")


def expect_peak_in_flight(run: "Run", minimum: int, maximum: Optional[int] = None, *, why: str = "",
                          line: Optional[int] = None, hint: Optional[int] = None) -> int:
    """Checks how many requests the flag server was answering at once during `run`; returns the peak."""
    peak = run.peak_in_flight
    total = len(run.requests)
    if peak < minimum:
        if minimum > 1 and peak == 1:
            happened = f"the server never had more than one request in flight ({total} requests, one after another)"
        else:
            happened = f"the server saw at most {peak} request(s) in flight at once ({total} requests)"
        fail(f"Expected at least {minimum} requests in flight at the same time, but {happened}.",
             why=why or None, line=line, hint=hint, expected=f">= {minimum} at once", actual=f"{peak} at once")
    if maximum is not None and peak > maximum:
        fail(f"Expected at most {maximum} request(s) in flight at the same time, but the server saw {peak} at once.",
             why=why or None, line=line, hint=hint, expected=f"<= {maximum} at once", actual=f"{peak} at once")
    return peak


def expect_time_within(measured: float, reference: float, factor: float, *, what: str, reference_what: str,
                       why: str = "", line: Optional[int] = None, hint: Optional[int] = None) -> float:
    """Checks measured <= factor * reference, where both were measured in this same Check (never against
    a fixed number of seconds, which a slow or busy machine could miss). Returns the speed-up."""
    limit = reference * factor
    speedup = reference / measured if measured > 0 else float("inf")
    if measured > limit:
        fail(f"{what} took {measured:.2f} s; {reference_what} took {reference:.2f} s in this same Check, "
             f"so the limit was {limit:.2f} s ({factor:g} x).", why=why or None, line=line, hint=hint,
             expected=f"<= {limit:.2f} s", actual=f"{measured:.2f} s")
    return speedup


def format_list(items: List[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def summarize_counts(counts: Dict[str, int]) -> str:
    return ", ".join(f"{value} {key}" for key, value in counts.items())
