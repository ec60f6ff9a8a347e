"""Download the flags of the 20 most populous countries with a pool of threads, and add up their sizes.

Run the local flag server first (python -m labkit.flagserver) and set FLAGS_URL as it tells you.
See what the update of the total really is: python -m labkit.showdis flag_total.py download_one
"""
import os
import socket
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import List

POP20_CC = "CN IN US ID BR PK NG BD RU JP MX PH VN ET EG DE IR TR CD FR".split()
BASE_URL = os.environ.get("FLAGS_URL", "").rstrip("/")
MAX_WORKERS = 8


def require_server() -> None:
    """Exits with what to do when FLAGS_URL is unset or nothing answers there."""
    start_it = "Start the flag server in another terminal with:\n    python -m labkit.flagserver\n"
    if not BASE_URL:
        sys.exit(f"FLAGS_URL is not set. {start_it}then run the `export FLAGS_URL=...` line it prints here.")
    address = urllib.parse.urlsplit(BASE_URL)
    try:
        socket.create_connection((address.hostname or "127.0.0.1", address.port or 80), timeout=3).close()
    except OSError as error:
        sys.exit(f"Nothing answers at FLAGS_URL={BASE_URL} ({error}). Is the flag server running? {start_it}")


def get_flag(cc: str) -> bytes:
    url = f"{BASE_URL}/{cc}/{cc.lower()}.gif"
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def download_one(cc: str) -> int:
    """Downloads one flag and returns its size; runs in a worker thread of the pool, and shares nothing."""
    image = get_flag(cc)
    return len(image)


def download_many(cc_list: List[str]) -> int:
    """Downloads every flag in cc_list with a pool of MAX_WORKERS threads; returns the bytes received."""
    total = 0
    with ThreadPoolExecutor(max_workers=MAX_WORKERS) as executor:
        # The sizes come back to this one thread, which alone adds them up: nothing to race on.
        for cc, size in zip(sorted(cc_list), executor.map(download_one, sorted(cc_list))):
            print(cc, end=" ", flush=True)
            total += size
    print()
    return total


def main() -> None:
    require_server()
    start = time.perf_counter()
    total = download_many(POP20_CC)
    elapsed = time.perf_counter() - start
    print(f"{total} bytes in {len(POP20_CC)} flags, downloaded in {elapsed:.2f}s")


if __name__ == "__main__":
    main()
