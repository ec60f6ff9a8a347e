"""Is it prime? The same CPU-bound work done three ways: one number after another, in a thread pool,
and in a process pool; then compare the times.

Run it: python primes.py
"""
import math
import os
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Callable, List, NamedTuple, Tuple

NUMBERS = [
    30000000000011, 30000000000013, 49007098003033, 70000000000009, 70000000000069, 81009396011363,
    90000000000077, 90000000000101, 99999999999999, 100000000000002, 100000000000031, 100000000000067,
]


class PrimeResult(NamedTuple):
    n: int
    prime: bool
    elapsed: float


def is_prime(n: int) -> bool:
    """Trial division by every odd number up to the square root: pure Python arithmetic, no waiting."""
    if n < 2:
        return False
    if n == 2:
        return True
    if n % 2 == 0:
        return False
    root = math.isqrt(n)
    for i in range(3, root + 1, 2):
        if n % i == 0:
            return False
    return True


def check(n: int) -> PrimeResult:
    start = time.perf_counter()
    prime = is_prime(n)
    return PrimeResult(n, prime, time.perf_counter() - start)


def check_sequential(numbers: List[int]) -> List[PrimeResult]:
    return [check(n) for n in numbers]


def check_threads(numbers: List[int], workers: int) -> List[PrimeResult]:
    with ThreadPoolExecutor(max_workers=workers) as executor:
        return list(executor.map(check, numbers))


def check_processes(numbers: List[int], workers: int) -> List[PrimeResult]:
    # TODO: this is a copy of check_threads. Threads take turns holding the GIL, so only one of them
    #       runs Python code at a time: CPU-bound work gets no faster. Run check in `workers` worker
    #       processes instead, each with its own interpreter and its own GIL (ProcessPoolExecutor),
    #       and shut the pool down when done (a `with` block does that).
    with ThreadPoolExecutor(max_workers=workers) as executor:
        return list(executor.map(check, numbers))


def timed(label: str, function: Callable[..., List[PrimeResult]], *args: object) -> Tuple[List[PrimeResult], float]:
    start = time.perf_counter()
    results = function(*args)
    elapsed = time.perf_counter() - start
    print(f"{label:<11} {elapsed:6.2f}s")
    return results, elapsed


def main() -> None:
    workers = os.cpu_count() or 1
    print(f"Checking {len(NUMBERS)} numbers; {workers} CPUs, so {workers} workers.")
    _, sequential = timed("sequential", check_sequential, NUMBERS)
    _, threaded = timed("threads", check_threads, NUMBERS, workers)
    results, in_processes = timed("processes", check_processes, NUMBERS, workers)
    for result in results:
        print(f"{result.n:>16}  {'prime' if result.prime else '     '}  {result.elapsed:.3f}s")
    print(f"Speed-up over sequential: threads {sequential / threaded:.2f}x, processes {sequential / in_processes:.2f}x")


# TODO: worker processes started with the "spawn" method (the default on Windows and macOS) import
#       this file again. Then this line would run main() again in every worker, which would start
#       its own pool... Run main() only when the file is run as a program, not when it is imported.
main()
