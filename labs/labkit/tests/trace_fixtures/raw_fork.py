"""A bare os.fork(): the child runs on to the end of the script like the parent does."""
import os
import threading


def busy() -> int:
    return sum(range(100_000))


pid = os.fork()
worker = threading.Thread(target=busy, name="in-child" if pid == 0 else "in-parent")
worker.start()
worker.join()
if pid:
    os.waitpid(pid, 0)
    print("parent done")
