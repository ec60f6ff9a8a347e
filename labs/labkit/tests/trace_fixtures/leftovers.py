"""The module ends while threads still run: a non-daemon thread Python waits for, a daemon thread it
does not, and an executor never shut down."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def late() -> None:
    time.sleep(0.2)


def forever() -> None:
    while True:
        time.sleep(0.05)


threading.Thread(target=late, name="late").start()
threading.Thread(target=forever, name="forever", daemon=True).start()
ThreadPoolExecutor(max_workers=1).submit(late)
print("module done")
