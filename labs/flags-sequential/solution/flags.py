"""Download the flags of the 20 most populous countries, one after another.

Run the local flag server first (python -m labkit.flagserver) and set FLAGS_URL as it tells you.
"""
import os
import socket
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import List

POP20_CC = "CN IN US ID BR PK NG BD RU JP MX PH VN ET EG DE IR TR CD FR".split()
BASE_URL = os.environ.get("FLAGS_URL", "").rstrip("/")
DEST_DIR = Path(__file__).parent / "downloaded"


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


def download_many(cc_list: List[str]) -> int:
    for cc in sorted(cc_list):
        image = get_flag(cc)
        save_flag(image, f"{cc.lower()}.gif")
        print(cc, end=" ", flush=True)
    print()
    return len(cc_list)


def main() -> None:
    require_server()
    start = time.perf_counter()
    count = download_many(POP20_CC)
    elapsed = time.perf_counter() - start
    print(f"{count} flags downloaded in {elapsed:.2f}s")


if __name__ == "__main__":
    main()
