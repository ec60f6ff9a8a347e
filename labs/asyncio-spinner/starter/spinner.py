"""A spinner that turns while a slow coroutine works, on one thread: the event loop runs the spinner
task whenever the slow coroutine is waiting.

Run it: python spinner.py
"""
import asyncio
import itertools
import time

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
    # TODO: time.sleep blocks the thread, and the event loop runs on this thread: while it sleeps,
    #       no other task (the spinner!) can run. Pause with something you can await instead, or
    #       hand the blocking call to a worker thread and await that.
    time.sleep(seconds)
    return 42


async def supervisor(seconds: float) -> int:
    spinner = asyncio.create_task(spin("thinking!"))
    print(f"spinner object: {spinner}")
    result = await slow(seconds)
    spinner.cancel()
    # TODO: cancel() only asks the task to stop; it stops later, at its next await. Wait for it
    #       here, so its clean-up (clearing the line) is done before anything else is printed.
    return result


def main() -> None:
    result = asyncio.run(supervisor(WORK_SECONDS))
    print(f"Answer: {result}")


if __name__ == "__main__":
    main()
