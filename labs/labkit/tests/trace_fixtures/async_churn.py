"""asyncio at its busiest: many tasks that only hand the loop back, so each step is tiny and the cost of
recording steps is not hidden behind any waiting.

    python async_churn.py [TASKS] [YIELDS]
"""
import asyncio
import sys


async def churn(yields: int) -> int:
    total = 0
    for i in range(yields):
        total += i
        await asyncio.sleep(0)
    return total


async def main(tasks: int, yields: int) -> None:
    results = await asyncio.gather(*(churn(yields) for _ in range(tasks)))
    print(len(results), "tasks,", sum(results))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200, int(sys.argv[2]) if len(sys.argv) > 2 else 50))
