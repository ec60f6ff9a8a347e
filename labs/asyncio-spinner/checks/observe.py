"""Probe: runs the learner's supervisor() with a shorter piece of work, noting when slow() ran, what was
printed when, and (through asyncwatch) the tasks, their cancellation, and any time the loop was blocked."""
import asyncio
import functools
import sys
import time
from typing import Any, Dict, List

from labkit import asyncwatch, probe

WORK_SECONDS = 0.8

writes: List[Dict[str, Any]] = []
outcome: Dict[str, Any] = {}


class RecordingStream:
    """Passes everything to the real stdout and notes when each piece of text was written."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        writes.append({"at": time.perf_counter(), "text": text})
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def watch_slow(original: Any) -> Any:
    @functools.wraps(original)
    async def watched(*args: Any, **kwargs: Any) -> Any:
        asyncwatch.mark("slow started")
        try:
            return await original(*args, **kwargs)
        finally:
            asyncwatch.mark("slow ended")
    return watched


async def drive(module: Any) -> None:
    asyncwatch.mark("supervisor started")
    try:
        outcome["result"] = repr(await module.supervisor(WORK_SECONDS))
    finally:
        asyncwatch.mark("supervisor ended")


def main() -> None:
    asyncwatch.install()
    sys.stdout = RecordingStream(sys.stdout)
    try:
        module: Any = probe.load_learner()
        outcome["notCoroutine"] = asyncwatch.not_coroutine_function(module, ["spin", "slow", "supervisor"])
        if outcome["notCoroutine"]:
            return
        module.slow = watch_slow(module.slow)
        asyncio.run(drive(module))
    finally:
        sys.stdout = sys.__stdout__
        asyncwatch.report(writes=writes, outcome=outcome, workSeconds=WORK_SECONDS,
                          notCoroutine=outcome.get("notCoroutine"))


main()
