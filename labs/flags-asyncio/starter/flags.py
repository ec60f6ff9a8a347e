"""Download the flags of the 20 most populous countries with asyncio: one thread, one event loop, many
downloads at once, but never more than a few in flight, and every failure counted.

Run the local flag server first (python -m labkit.flagserver --errors EG,IR) and set FLAGS_URL as it
tells you.
"""
import asyncio
import os
import socket
import sys
import time
import urllib.parse
from collections import Counter
from enum import Enum
from pathlib import Path
from typing import Counter as CounterType, List

from asynchttp import HTTPStatusError, fetch

POP20_CC = "CN IN US ID BR PK NG BD RU JP MX PH VN ET EG DE IR TR CD FR".split()
BASE_URL = os.environ.get("FLAGS_URL", "").rstrip("/")
DEST_DIR = Path(__file__).parent / "downloaded"
# Be kind to the server: at most this many requests in flight at the same time.
MAX_CONCUR_REQ = 5
# XXX is no country: the server answers 404 Not Found for it.
CC_LIST = POP20_CC + ["XXX"]


class DownloadStatus(Enum):
    OK = "ok"
    NOT_FOUND = "not found"
    ERROR = "error"


def require_server() -> None:
    """Exits with what to do when FLAGS_URL is unset or nothing answers there."""
    start_it = "Start the flag server in another terminal with:\n    python -m labkit.flagserver --errors EG,IR\n"
    if not BASE_URL:
        sys.exit(f"FLAGS_URL is not set. {start_it}then run the `export FLAGS_URL=...` line it prints here.")
    address = urllib.parse.urlsplit(BASE_URL)
    try:
        socket.create_connection((address.hostname or "127.0.0.1", address.port or 80), timeout=3).close()
    except OSError as error:
        sys.exit(f"Nothing answers at FLAGS_URL={BASE_URL} ({error}). Is the flag server running? {start_it}")


async def get_flag(cc: str) -> bytes:
    return await fetch(f"{BASE_URL}/{cc}/{cc.lower()}.gif")


def save_flag(img: bytes, filename: str) -> None:
    DEST_DIR.mkdir(exist_ok=True)
    (DEST_DIR / filename).write_bytes(img)


async def download_one(cc: str) -> DownloadStatus:
    try:
        image = await get_flag(cc)
    except HTTPStatusError as error:
        if error.status == 404:
            return DownloadStatus.NOT_FOUND
        raise  # any other error status is a real failure: the caller counts it
    save_flag(image, f"{cc.lower()}.gif")
    return DownloadStatus.OK


def download_many(cc_list: List[str], concur_req: int) -> CounterType[DownloadStatus]:
    # TODO: asyncio.run() makes a new event loop, runs ONE coroutine on it to the end and closes the
    #       loop; called once per flag, it downloads them one after another, and concur_req is never
    #       used. Write an `async def supervisor(cc_list, concur_req)` that starts every download on
    #       one loop, lets at most concur_req of them be in flight (asyncio.Semaphore), and counts
    #       each result or error as it comes; then call asyncio.run() once, here, on it.
    counter: CounterType[DownloadStatus] = Counter()
    for cc in sorted(cc_list):
        try:
            status = asyncio.run(download_one(cc))
        except (HTTPStatusError, OSError, asyncio.TimeoutError) as error:
            print(f"{cc} error: {error}")
            status = DownloadStatus.ERROR
        else:
            print(f"{cc} {status.value}")
        counter[status] += 1
    return counter


def main() -> None:
    require_server()
    start = time.perf_counter()
    counter = download_many(CC_LIST, MAX_CONCUR_REQ)
    elapsed = time.perf_counter() - start
    print(f"{counter[DownloadStatus.OK]} flags downloaded.")
    print(f"{counter[DownloadStatus.NOT_FOUND]} not found.")
    print(f"{counter[DownloadStatus.ERROR]} errors.")
    print(f"Elapsed time: {elapsed:.2f}s")


if __name__ == "__main__":
    main()
