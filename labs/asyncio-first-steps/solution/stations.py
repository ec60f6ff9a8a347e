"""Ask five weather stations for a reading: one coroutine per station.

Each station takes a while to answer (asyncio.sleep stands in for waiting on the network). Asked one
after another, the waits add up; run concurrently, the whole job takes about as long as the slowest
station alone.
"""
import asyncio
import time
from typing import Dict, List

# Station name -> seconds it takes to answer.
STATIONS: Dict[str, float] = {"Lisbon": 0.4, "Oslo": 0.7, "Quito": 0.5, "Perth": 0.3, "Nairobi": 0.6}


async def fetch_reading(station: str, seconds: float) -> str:
    """One station's reading, after it has kept us waiting for `seconds`."""
    print(f"asking {station}...")
    await asyncio.sleep(seconds)  # while this coroutine waits, the event loop can run the others
    print(f"{station} answered")
    celsius = sum(map(ord, station)) % 35
    return f"{station}: {celsius} °C"


async def fetch_all(stations: Dict[str, float]) -> List[str]:
    """Every station's reading, in the order of `stations`."""
    # Calling a coroutine function only creates the coroutine; gather wraps each in a task, runs them
    # all on the event loop, and returns their results in the order they were given.
    coroutines = [fetch_reading(station, seconds) for station, seconds in stations.items()]
    return await asyncio.gather(*coroutines)


def main() -> None:
    start = time.perf_counter()
    readings = asyncio.run(fetch_all(STATIONS))
    elapsed = time.perf_counter() - start
    for reading in readings:
        print(reading)
    slowest, added_up = max(STATIONS.values()), sum(STATIONS.values())
    print(f"{len(readings)} readings in {elapsed:.2f}s "
          f"(slowest station {slowest:.2f}s, all the waits added up {added_up:.2f}s)")


if __name__ == "__main__":
    main()
