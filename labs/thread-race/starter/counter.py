"""Ten threads share one counter: each adds 1 to it five times and prints every new count.

Run it:                          python counter.py
See what `counter += 1` really is: python -m labkit.showdis counter.py worker
"""
import threading

WORKERS = 10
ROUNDS = 5
SEPARATOR = "-" * 15

counter = 0


def worker() -> None:
    """Adds 1 to the shared counter ROUNDS times; after each update prints the new count and a separator."""
    global counter
    for _ in range(ROUNDS):
        # TODO: `counter += 1` reads counter, adds 1 and writes it back: three steps another thread can
        #       come between. Make the update and the two prints that go with it one step that no other
        #       thread can enter (a threading.Lock), or give the counter and the printing to a single
        #       thread that gets its work from a queue.Queue.
        counter += 1
        print(f"The count is {counter}")
        print(SEPARATOR)


def main() -> None:
    print("Starting up")
    for _ in range(WORKERS):
        threading.Thread(target=worker).start()
    # TODO: the workers may still be running here. Wait for every one of them (join) before printing
    #       the final count.
    print(f"Final count: {counter}")


if __name__ == "__main__":
    main()
