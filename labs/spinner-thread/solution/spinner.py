"""A spinner that keeps turning while the program works: the spinner runs in a second thread, the slow
work in the main thread, and a threading.Event tells the spinner when to stop.

Run it: python spinner.py
"""
import itertools
import threading
import time

SLOW_SECONDS = 1.5
FRAME_SECONDS = 0.1


def spin(msg: str, done: threading.Event) -> None:
    """Draws a spinner frame every FRAME_SECONDS until `done` is set, then clears its line."""
    status = ""
    for char in itertools.cycle(r"\|/-"):
        status = f"\r{char} {msg}"
        print(status, end="", flush=True)
        # wait() sleeps like time.sleep, but wakes up as soon as the event is set.
        if done.wait(FRAME_SECONDS):
            break
    blanks = " " * len(status)
    print(f"\r{blanks}\r", end="", flush=True)


def slow() -> int:
    """Stands for slow work, like a download or a long computation."""
    time.sleep(SLOW_SECONDS)
    return 42


def supervisor() -> int:
    done = threading.Event()
    spinner = threading.Thread(target=spin, args=("thinking!", done), name="spinner")
    print(f"spinner object: {spinner}")
    spinner.start()
    result = slow()
    done.set()
    spinner.join()
    return result


def main() -> None:
    result = supervisor()
    print(f"Answer: {result}")


if __name__ == "__main__":
    main()
