"""Locks made in the learner's file: a contended Lock, a re-entered RLock, a Condition on an RLock,
a timed-out acquire; and a queue.Queue, whose internal locks must not be drawn."""
import queue
import threading
import time

counter_lock = threading.Lock()
nested_lock = threading.RLock()
ready = threading.Condition(threading.RLock())
counter = 0
flag = False


def bump(times: int) -> None:
    global counter
    for _ in range(times):
        with counter_lock:
            value = counter
            time.sleep(0.002)
            counter = value + 1


def nested() -> None:
    with nested_lock:
        with nested_lock:
            time.sleep(0.001)


def waiter() -> None:
    with ready:
        while not flag:
            ready.wait(timeout=1)


def main() -> None:
    global flag
    threads = [threading.Thread(target=bump, args=(5,), name=f"bumper-{i}") for i in range(4)]
    threads.append(threading.Thread(target=waiter, name="waiter"))
    for thread in threads:
        thread.start()
    nested()
    mailbox: "queue.Queue[int]" = queue.Queue()
    mailbox.put(1)
    mailbox.get()
    time.sleep(0.01)
    with ready:
        flag = True
        ready.notify_all()
    with counter_lock:
        blocker = threading.Thread(target=lambda: print("timed out:", not counter_lock.acquire(timeout=0.01)), name="impatient")
        blocker.start()
        blocker.join()
    for thread in threads:
        thread.join()
    print("counter", counter)


if __name__ == "__main__":
    main()
