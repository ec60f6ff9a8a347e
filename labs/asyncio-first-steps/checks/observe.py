"""Probe: calls the learner's fetch_all with the checks' own stations, timing every fetch_reading call
(when its coroutine was made, when it started running, when it ended, what it returned) while asyncwatch
looks for coroutines never awaited."""
import asyncio
import functools
import inspect
import sys
import time
from typing import Any, Dict, List

from labkit import asyncwatch, probe

# Different from the starter's stations, so a result typed in cannot pass; the slowest is Charlie.
STATIONS: Dict[str, float] = {"Alpha": 0.25, "Bravo": 0.1, "Charlie": 0.3, "Delta": 0.15, "Echo": 0.2}

calls: List[Dict[str, Any]] = []
outcome: Dict[str, Any] = {}


def watch(original: Any) -> Any:
    @functools.wraps(original)  # keeps the name, so "coroutine 'fetch_reading' was never awaited" still says so
    async def running(station: str, seconds: float, made: float) -> Any:
        call: Dict[str, Any] = {"station": station, "made": made, "start": time.perf_counter(), "end": None}
        calls.append(call)
        try:
            value = await original(station, seconds)
        except asyncio.CancelledError:
            call["cancelled"] = True
            raise
        call["end"] = time.perf_counter()
        call["returned"] = repr(value)
        return value

    @functools.wraps(original)
    def watched(station: str, seconds: float) -> Any:
        # A plain function, so the moment the learner's code MAKES the coroutine is known too: making one does
        # not start it, and "I made them all first" is the classic reason for awaiting them one by one.
        return running(station, seconds, time.perf_counter())
    return watched


async def drive(module: Any) -> None:
    started = time.perf_counter()
    pending = module.fetch_all(dict(STATIONS))
    if not inspect.isawaitable(pending):
        outcome["notAwaitable"] = type(pending).__name__
        return
    result = await pending
    outcome["seconds"] = time.perf_counter() - started
    outcome["resultType"] = type(result).__name__
    outcome["result"] = [repr(item) for item in result] if isinstance(result, (list, tuple)) else repr(result)[:200]


def main() -> None:
    problem = None
    asyncwatch.install()
    try:
        module: Any = probe.load_learner()
        problem = asyncwatch.not_coroutine_function(module, ["fetch_reading", "fetch_all"])
        if problem:
            return
        module.fetch_reading = watch(module.fetch_reading)
        asyncio.run(drive(module))
    finally:
        sys.stdout.flush()
        asyncwatch.report(calls=calls, outcome=outcome, stations=STATIONS, notCoroutine=problem)


main()
