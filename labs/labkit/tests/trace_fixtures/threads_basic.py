"""Threads started three ways (target, subclass, renamed after start), one that raises, one nested."""
import threading
import time


def spin(seconds: float) -> None:
    time.sleep(seconds)


def crunch(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


class Worker(threading.Thread):
    def run(self) -> None:
        crunch(200_000)


# Set once the main thread has renamed the thread, so the rename always happens while it runs, however
# loaded the machine is.
renamed_now = threading.Event()


def wait_for_new_name() -> None:
    renamed_now.wait(10)
    spin(0.01)


def fail() -> None:
    raise RuntimeError("thread failed on purpose")


def parent() -> None:
    child = threading.Thread(target=spin, args=(0.02,), name="grandchild")
    child.start()
    child.join()


def main() -> None:
    spinner = threading.Thread(target=spin, args=(0.05,), name="spinner")
    worker = Worker(name="worker")
    renamed = threading.Thread(target=wait_for_new_name)
    failing = threading.Thread(target=fail, name="failing")
    nested = threading.Thread(target=parent, name="parent")
    for thread in (spinner, worker, renamed, failing, nested):
        thread.start()
    renamed.name = "renamed-late"
    renamed_now.set()
    for thread in (spinner, worker, renamed, failing, nested):
        thread.join()


if __name__ == "__main__":
    main()
