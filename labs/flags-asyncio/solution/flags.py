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


async def download_one(cc: str, semaphore: asyncio.Semaphore) -> DownloadStatus:
    try:
        # Holding the semaphore only while the request is in flight is what keeps the server's load
        # at concur_req; the other downloads wait here, without blocking the loop.
        async with semaphore:
            image = await get_flag(cc)
    except HTTPStatusError as error:
        if error.status == 404:
            return DownloadStatus.NOT_FOUND
        raise  # any other error status is a real failure: the supervisor counts it
    save_flag(image, f"{cc.lower()}.gif")
    return DownloadStatus.OK


async def supervisor(cc_list: List[str], concur_req: int) -> CounterType[DownloadStatus]:
    counter: CounterType[DownloadStatus] = Counter()
    # Made inside the running loop: on Python 3.9 a semaphore made outside it binds to another loop.
    semaphore = asyncio.Semaphore(concur_req)
    codes = sorted(cc_list)
    # return_exceptions=True: a failed download comes back as its exception, in its place in the list,
    # instead of leaving gather at the first failure while the other downloads go on unobserved.
    outcomes = await asyncio.gather(*(download_one(cc, semaphore) for cc in codes), return_exceptions=True)
    for cc, outcome in zip(codes, outcomes):
        if isinstance(outcome, DownloadStatus):
            status = outcome
            print(f"{cc} {status.value}")
        elif isinstance(outcome, (HTTPStatusError, OSError, asyncio.TimeoutError)):
            print(f"{cc} error: {outcome}")
            status = DownloadStatus.ERROR
        else:
            raise outcome  # a bug, not a failed download: let it show
        counter[status] += 1
    return counter


def download_many(cc_list: List[str], concur_req: int) -> CounterType[DownloadStatus]:
    return asyncio.run(supervisor(cc_list, concur_req))


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
