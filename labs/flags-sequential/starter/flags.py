"""Download the flags of the 20 most populous countries, one after another.

Run the local flag server first (python -m labkit.flagserver) and set FLAGS_URL as it tells you.
"""
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import List

POP20_CC = "CN IN US ID BR PK NG BD RU JP MX PH VN ET EG DE IR TR CD FR".split()
DEST_DIR = Path(__file__).parent / "downloaded"


def base_url() -> str:
    url = os.environ.get("FLAGS_URL")
    if not url:
        sys.exit("FLAGS_URL is not set. Start the flag server in another terminal with:\n"
                 "    python -m labkit.flagserver\n"
                 "then run the `export FLAGS_URL=...` line it prints here, and try again.")
    return url.rstrip("/")


def get_flag(cc: str) -> bytes:
    """Returns the bytes of the GIF at {FLAGS_URL}/{CC}/{cc}.gif, e.g. .../flags/BR/br.gif."""
    # TODO: build the URL from base_url() and cc, open it with urllib.request.urlopen
    #       and return the body of the response.
    raise NotImplementedError("get_flag is not written yet")


def save_flag(img: bytes, filename: str) -> None:
    """Writes the image bytes to DEST_DIR / filename, creating DEST_DIR if needed."""
    # TODO: make sure DEST_DIR exists, then write img into it, in binary mode.
    raise NotImplementedError("save_flag is not written yet")


def download_many(cc_list: List[str]) -> int:
    for cc in sorted(cc_list):
        image = get_flag(cc)
        save_flag(image, f"{cc.lower()}.gif")
        print(cc, end=" ", flush=True)
    print()
    return len(cc_list)


def main() -> None:
    start = time.perf_counter()
    try:
        count = download_many(POP20_CC)
    except urllib.error.HTTPError:
        raise  # the server answered, so the problem is in the request, not a missing server
    except urllib.error.URLError as error:
        sys.exit(f"\nCould not reach the flag server at {base_url()} ({error.reason}).\n"
                 "Is it running? Start it with: python -m labkit.flagserver")
    elapsed = time.perf_counter() - start
    print(f"{count} flags downloaded in {elapsed:.2f}s")


if __name__ == "__main__":
    main()
