"""Book a trip: the flight, the hotel and the car are reserved at the same time. It is all or nothing:
if any reservation fails, the others are of no use, so they are cancelled at once, and the caller
learns every reason the trip could not be booked.

Run it: python trip.py
"""
import asyncio
import time
from dataclasses import dataclass
from typing import Dict, List, Sequence


class ReservationError(Exception):
    """A provider said no."""

    def __init__(self, item: str, reason: str) -> None:
        super().__init__(f"{item}: {reason}")
        self.item = item
        self.reason = reason


class TripFailed(Exception):
    """The trip could not be booked; `reasons` holds one line per reservation that failed."""

    def __init__(self, reasons: List[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class Request:
    item: str               # what to reserve, e.g. "flight LIS-OSL"
    seconds: float          # how long the provider takes to answer
    available: bool = True  # False: the provider answers "sold out"


async def reserve(request: Request) -> str:
    """Asks one provider: returns a confirmation code, or raises ReservationError."""
    print(f"{request.item}: asking...")
    try:
        await asyncio.sleep(request.seconds)  # stands in for waiting on the provider
    except asyncio.CancelledError:
        print(f"{request.item}: cancelled")
        raise
    if not request.available:
        raise ReservationError(request.item, "sold out")
    print(f"{request.item}: confirmed")
    return "OK-" + "".join(word[0] for word in request.item.split()).upper()


async def book_trip(requests: Sequence[Request]) -> List[str]:
    """Every confirmation code, in the order of `requests`; raises TripFailed, listing every
    reservation that failed, if any of them does."""
    # TODO: when a reservation fails, gather passes its error on at once, but the other reservations
    #       go on running in the background, nobody waiting for them; and only the first error is
    #       reported. Run them in an asyncio.TaskGroup instead: when one fails it cancels the others
    #       and waits for them, then raises an ExceptionGroup holding every error, which
    #       `except* ReservationError` can turn into one TripFailed.
    try:
        return await asyncio.gather(*(reserve(request) for request in requests))
    except ReservationError as error:
        raise TripFailed([str(error)]) from error


TRIPS = {
    "Quito": [Request("flight LIS-UIO", 1.2), Request("hotel Quito", 0.3, available=False), Request("car Quito", 0.9)],
    "Oslo": [Request("flight LIS-OSL", 1.0), Request("hotel Oslo", 0.6), Request("car Oslo", 0.8)],
    "Perth": [Request("flight LIS-PER", 0.7), Request("hotel Perth", 0, available=False),
              Request("car Perth", 0, available=False)],
}


async def plan(trips: Dict[str, List[Request]]) -> None:
    for city, requests in trips.items():
        start = time.perf_counter()
        try:
            codes = await book_trip(requests)
        except TripFailed as failed:
            print(f"== {city}: no trip, after {time.perf_counter() - start:.2f}s: {'; '.join(failed.reasons)}")
        else:
            print(f"== {city}: booked in {time.perf_counter() - start:.2f}s: {', '.join(codes)}")


def main() -> None:
    asyncio.run(plan(TRIPS))


if __name__ == "__main__":
    main()
