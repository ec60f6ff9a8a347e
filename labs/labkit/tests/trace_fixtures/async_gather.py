"""asyncio: named tasks gathered under a semaphore, one that raises, one cancelled, one made by a task.

    python async_gather.py [COUNT]
"""
import asyncio
import sys


async def fetch(i: int, gate: asyncio.Semaphore) -> int:
    async with gate:
        await asyncio.sleep(0.005)
        await asyncio.sleep(0.005)
    return i


async def explode() -> None:
    await asyncio.sleep(0.001)
    raise ValueError("task failed on purpose")


async def spawner() -> int:
    inner = asyncio.create_task(asyncio.sleep(0.002, result=7), name="made-by-spawner")
    return await inner


async def main(count: int) -> None:
    gate = asyncio.Semaphore(5)
    tasks = [asyncio.create_task(fetch(i, gate), name=f"fetch-{i}") for i in range(count)]
    results = await asyncio.gather(*tasks)
    print(len(results), "fetched")
    failing = asyncio.create_task(explode(), name="explode")
    try:
        await failing
    except ValueError as error:
        print("caught:", error)
    doomed = asyncio.create_task(asyncio.sleep(10), name="doomed")
    await asyncio.sleep(0.001)
    doomed.cancel()
    try:
        await doomed
    except asyncio.CancelledError:
        print("cancelled")
    print(await asyncio.create_task(spawner(), name="spawner"))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
