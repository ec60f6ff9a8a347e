"""A spinner that turns while a slow coroutine works, on one thread: the event loop runs the spinner
task whenever the slow coroutine is waiting.

Run it: python spinner.py
"""
import asyncio
import itertools

WORK_SECONDS = 3.0


async def spin(msg: str) -> None:
    """Draws a spinner frame every 0.1 s until the task is cancelled, then clears the line."""
    status = ""
    for char in itertools.cycle(r"\|/-"):
        status = f"\r{char} {msg}"
        print(status, flush=True, end="")
        try:
            await asyncio.sleep(0.1)
        except asyncio.CancelledError:
            break  # cancel() arrives here, at the await where the task was waiting
    blanks = " " * len(status)
    print(f"\r{blanks}\r", end="")


async def slow(seconds: float) -> int:
    """Works for `seconds`, then returns the answer."""
    # asyncio.sleep suspends only this coroutine: the loop runs the spinner meanwhile.
    await asyncio.sleep(seconds)
    return 42


async def supervisor(seconds: float) -> int:
    spinner = asyncio.create_task(spin("thinking!"))
    print(f"spinner object: {spinner}")
    result = await slow(seconds)
    spinner.cancel()
    await spinner  # cancel() only asks; the spinner stops at its next await and clears its line
    return result


def main() -> None:
    result = asyncio.run(supervisor(WORK_SECONDS))
    print(f"Answer: {result}")


if __name__ == "__main__":
    main()
