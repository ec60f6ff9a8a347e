"""Download the flags of the 20 most populous countries with a thread pool, surviving the
downloads that fail.

Run the local flag server first (python -m labkit.flagserver) and set FLAGS_URL as it tells you.
"""
import os
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from enum import Enum
from pathlib import Path
from typing import Counter as CounterType, Dict, List

POP20_CC = "CN IN US ID BR PK NG BD RU JP MX PH VN ET EG DE IR TR CD FR".split()
BASE_URL = os.environ.get("FLAGS_URL", "").rstrip("/")
DEST_DIR = Path(__file__).parent / "downloaded"


class DownloadStatus(Enum):
    OK = "ok"
    NOT_FOUND = "not found"
    ERROR = "error"


MAX_WORKERS = 8
# XXX is no country: the server answers 404 Not Found for it.
CC_LIST = POP20_CC + ["XXX"]


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


def save_flag(img: bytes, filename: str) -> None:
    DEST_DIR.mkdir(exist_ok=True)
    (DEST_DIR / filename).write_bytes(img)


def download_one(cc: str) -> DownloadStatus:
    # TODO: get_flag raises urllib.error.HTTPError when the server answers with an error.
    #       A 404 means "no such flag": return DownloadStatus.NOT_FOUND (and save nothing).
    image = get_flag(cc)
    save_flag(image, f"{cc.lower()}.gif")
    return DownloadStatus.OK


def download_many(cc_list: List[str]) -> CounterType[DownloadStatus]:
    counter: CounterType[DownloadStatus] = Counter()
    with ThreadPoolExecutor(max_workers=MAX_WORKERS) as executor:
        to_do: Dict[Future, str] = {executor.submit(download_one, cc): cc for cc in sorted(cc_list)}
        for future in as_completed(to_do):
            cc = to_do[future]
            # TODO: result() re-raises whatever download_one raised. Catch urllib.error.HTTPError
            #       (and urllib.error.URLError), print what went wrong for this cc, count it as
            #       DownloadStatus.ERROR and carry on with the other flags.
            status = future.result()
            print(f"{cc} {status.value}")
            counter[status] += 1
    return counter


def main() -> None:
    require_server()
    start = time.perf_counter()
    counter = download_many(CC_LIST)
    elapsed = time.perf_counter() - start
    print(f"{counter[DownloadStatus.OK]} flags downloaded.")
    print(f"{counter[DownloadStatus.NOT_FOUND]} not found.")
    print(f"{counter[DownloadStatus.ERROR]} errors.")
    print(f"Elapsed time: {elapsed:.2f}s")


if __name__ == "__main__":
    main()
