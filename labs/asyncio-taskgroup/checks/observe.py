"""Probe: books the checks' own three trips with the learner's book_trip, each on its own event loop,
timing every reserve() call (started, finished, failed, cancelled) and noting what book_trip returned or
raised and which reservations were still running at that moment."""
import asyncio
import functools
import sys
import time
from typing import Any, Dict, List, Optional

from labkit import asyncwatch, probe

# name -> [(item, seconds, available)]; answers within 0.5 s, failures early or all at once.
SCENARIOS = {
    "all-available": [("flight AMS-NBO", 0.2, True), ("hotel Nairobi", 0.1, True), ("car Nairobi", 0.15, True)],
    "one-fails-early": [("flight AMS-LIM", 0.5, True), ("hotel Lima", 0.05, False), ("car Lima", 0.4, True)],
    # Both refusals come in the same turn of the loop (after a sleep(0)), so a TaskGroup sees both.
    "two-fail-together": [("flight AMS-HND", 0.3, True), ("hotel Tokyo", 0, False), ("car Tokyo", 0, False)],
}

calls: List[Dict[str, Any]] = []


def watch(original: Any) -> Any:
    @functools.wraps(original)
    async def watched(request: Any) -> Any:
        call: Dict[str, Any] = {"item": request.item, "start": time.perf_counter(), "end": None, "how": None}
        calls.append(call)
        try:
            value = await original(request)
        except asyncio.CancelledError:
            call.update(end=time.perf_counter(), how="cancelled")
            raise
        except BaseException as error:
            call.update(end=time.perf_counter(), how="failed", error=type(error).__name__)
            raise
        call.update(end=time.perf_counter(), how="finished", returned=value)
        return value
    return watched


def describe_error(error: BaseException) -> Dict[str, Any]:
    described: Dict[str, Any] = {"type": type(error).__name__, "text": str(error)[:300]}
    reasons = getattr(error, "reasons", None)
    if isinstance(reasons, (list, tuple)):
        described["reasons"] = [str(reason) for reason in reasons]
    inner = getattr(error, "exceptions", None)
    if isinstance(inner, (list, tuple)):
        described["inner"] = [type(e).__name__ for e in inner]
    return described


async def book(module: Any, name: str) -> Dict[str, Any]:
    requests = [module.Request(item, seconds, available) for item, seconds, available in SCENARIOS[name]]
    first = len(calls)
    outcome: Dict[str, Any] = {"scenario": name, "start": time.perf_counter()}
    try:
        outcome["returned"] = repr(await module.book_trip(requests))
    except Exception as error:  # noqa: BLE001 — what book_trip raises is what the checks judge
        outcome["raised"] = describe_error(error)
    outcome["end"] = time.perf_counter()
    # What was still running when book_trip gave its answer; asyncio.run cancels it right after.
    outcome["calls"] = [dict(call) for call in calls[first:]]
    return outcome


def main() -> None:
    asyncwatch.install()
    outcomes: List[Dict[str, Any]] = []
    problem: Optional[str] = None
    try:
        module: Any = probe.load_learner()
        problem = asyncwatch.not_coroutine_function(module, ["reserve", "book_trip"])
        if problem:
            return
        module.reserve = watch(module.reserve)
        for scenario in SCENARIOS:
            outcomes.append(asyncio.run(book(module, scenario)))
    finally:
        sys.stdout.flush()
        asyncwatch.report(outcomes=outcomes, notCoroutine=problem, scenarios=SCENARIOS)


main()
