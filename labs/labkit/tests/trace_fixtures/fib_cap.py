"""Recursive fib: thousands of calls, to hit a small event cap."""


def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)


if __name__ == "__main__":
    print(fib(16))
