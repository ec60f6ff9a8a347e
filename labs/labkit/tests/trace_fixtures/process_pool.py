"""Two process-pool workers and one multiprocessing.Process, with the start method given on the command
line (fork, spawn or forkserver): every child must show up as its own process in the timeline."""
import multiprocessing as mp
import sys
from concurrent.futures import ProcessPoolExecutor


def count_primes(limit: int) -> int:
    return sum(1 for n in range(2, limit) if all(n % d for d in range(2, int(n ** 0.5) + 1)))


def fail(message: str) -> None:
    raise ValueError(message)


def report(limit: int) -> None:
    print("primes below", limit, count_primes(limit))


def main() -> None:
    method = sys.argv[1] if len(sys.argv) > 1 else "spawn"
    context = mp.get_context(method)
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        futures = [pool.submit(count_primes, 20_000 + i) for i in range(4)]
        print(sorted(f.result() for f in futures))
        print(list(pool.map(count_primes, [5_000, 6_000, 7_000], chunksize=2)))
        try:
            pool.submit(fail, "on purpose").result()
        except ValueError as error:
            print("worker failed:", error)
    child = context.Process(target=report, args=(10_000,), name="reporter")
    child.start()
    child.join()


if __name__ == "__main__":
    main()
