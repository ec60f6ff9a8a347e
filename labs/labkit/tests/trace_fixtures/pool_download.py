"""Flag-downloader style: a local HTTP server on 127.0.0.1 that answers after a fixed delay, and a
ThreadPoolExecutor that fetches with map, then with submit/as_completed.

    python pool_download.py [COUNT] [DELAY_S] [WORKERS]
"""
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor, as_completed
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List

DELAY = 0.03
saved: Dict[str, int] = {}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        time.sleep(DELAY)
        body = self.path.encode() * 10
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def get_flag(base: str, code: str) -> bytes:
    with urllib.request.urlopen(f"{base}/{code}.gif", timeout=10) as response:
        return response.read()


def save_flag(code: str, data: bytes) -> None:
    saved[code] = len(data)


def download(base: str, code: str) -> str:
    save_flag(code, get_flag(base, code))
    return code


def main() -> None:
    global DELAY
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    DELAY = float(sys.argv[2]) if len(sys.argv) > 2 else DELAY
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="server", daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/flags"
    codes: List[str] = [f"c{i:02d}" for i in range(count)]
    half = count // 2
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = list(pool.map(download, [base] * half, codes[:half]))
        futures = [pool.submit(download, base, code) for code in codes[half:]]
        done += [future.result() for future in as_completed(futures)]
    server.shutdown()
    server.server_close()
    print(len(done), "flags,", sum(saved.values()), "bytes")


if __name__ == "__main__":
    main()
