"""Probe: calls the learner's download_many with the checks' own concurrency limit, timing it, while
asyncwatch counts event loops and watches for a blocked loop; the flag server sees the requests."""
import sys
import time
from typing import Any, Dict

from labkit import asyncwatch, probe

# Not the starter's MAX_CONCUR_REQ (5), so a limit typed into the code instead of read from concur_req shows;
# above it, so the probe's three rounds take less time than the program's own four.
LIMIT = 7
UNKNOWN = "XXX"

outcome: Dict[str, Any] = {}


def main() -> None:
    asyncwatch.install()
    try:
        module: Any = probe.load_learner()
        codes = list(module.POP20_CC) + [UNKNOWN]
        # To name it when the semaphore was made from the constant instead of the argument.
        constant = getattr(module, "MAX_CONCUR_REQ", None)
        if isinstance(constant, int):
            outcome["maxConcurReq"] = constant
        asyncwatch.mark("download_many started")
        started = time.perf_counter()
        counter = module.download_many(codes, LIMIT)
        outcome["seconds"] = time.perf_counter() - started
        asyncwatch.mark("download_many ended")
        outcome["codes"] = codes
        outcome["returnedType"] = type(counter).__name__
        if hasattr(counter, "items"):
            outcome["counts"] = {str(getattr(key, "name", key)): value for key, value in counter.items()}
    finally:
        sys.stdout.flush()
        asyncwatch.report(outcome=outcome, limit=LIMIT)


main()
