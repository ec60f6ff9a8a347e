"""Ten threads share one counter: each adds 1 to it five times and prints every new count.

Run it:                          python counter.py
See what `counter += 1` really is: python -m labkit.showdis counter.py worker
"""
import threading

WORKERS = 10
ROUNDS = 5
SEPARATOR = "-" * 15

counter = 0
# One lock guards the counter and the output: an update and the lines that report it happen as one step.
counter_lock = threading.Lock()


def worker() -> None:
    """Adds 1 to the shared counter ROUNDS times; after each update prints the new count and a separator."""
    global counter
    for _ in range(ROUNDS):
        with counter_lock:
            counter += 1
            print(f"The count is {counter}")
            print(SEPARATOR)


def main() -> None:
    print("Starting up")
    threads = [threading.Thread(target=worker, name=f"worker-{n}") for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"Final count: {counter}")


if __name__ == "__main__":
    main()
