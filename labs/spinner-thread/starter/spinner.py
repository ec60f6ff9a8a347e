"""A spinner that should keep turning while the program works. Today it only turns once the work is
done. Make it run in a second thread while slow() works, stopped with a threading.Event.

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
    # TODO: the last frame stays on screen. Go back to the start of the line ("\r"), overwrite the
    #       frame with as many spaces as it had characters, and go back again, with end="".


def slow() -> int:
    """Stands for slow work, like a download or a long computation."""
    time.sleep(SLOW_SECONDS)
    return 42


def supervisor() -> int:
    done = threading.Event()
    # TODO: run spin("thinking!", done) in a second thread (threading.Thread(target=..., args=...)) and
    #       start it BEFORE calling slow(). When slow() returns, set the event and join() the thread.
    result = slow()
    done.set()
    spin("thinking!", done)  # runs only now, in the main thread: one frame, after the work is done
    return result


def main() -> None:
    result = supervisor()
    print(f"Answer: {result}")


if __name__ == "__main__":
    main()
