"""Flag-downloader style: a ThreadPoolExecutor fetching from a local HTTP server on 127.0.0.1 that answers
after a fixed delay, with map and then with submit/as_completed. As in a lab, the server runs in another
process (here a plain subprocess), so only the client is recorded.

    python pool_download.py [COUNT] [DELAY_S] [WORKERS]
    python pool_download.py --serve DELAY_S        (the server: prints its port, serves until stdin closes)
"""
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor, as_completed
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List

saved: Dict[str, int] = {}


class Handler(BaseHTTPRequestHandler):
    delay = 0.03
    # Headers and body in one write: two small writes meet the client's delayed ACK (+40 ms a request).
    wbufsize = 64 * 1024

    def do_GET(self) -> None:  # noqa: N802
        time.sleep(self.delay)
        body = self.path.encode() * 10
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def serve(delay: float) -> None:
    Handler.delay = delay
    ThreadingHTTPServer.request_queue_size = 128  # the default backlog of 5 makes clients retry after 1 s
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()


def get_flag(base: str, code: str) -> bytes:
    with urllib.request.urlopen(f"{base}/{code}.gif", timeout=10) as response:
        return response.read()


def save_flag(code: str, data: bytes) -> None:
    saved[code] = len(data)


def download(base: str, code: str) -> str:
    save_flag(code, get_flag(base, code))
    return code


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    delay = sys.argv[2] if len(sys.argv) > 2 else "0.03"
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    server = subprocess.Popen([sys.executable, __file__, "--serve", delay], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{int(server.stdout.readline())}/flags"
        codes: List[str] = [f"c{i:02d}" for i in range(count)]
        half = count // 2
        with ThreadPoolExecutor(max_workers=workers) as pool:
            done = list(pool.map(download, [base] * half, codes[:half]))
            futures = [pool.submit(download, base, code) for code in codes[half:]]
            done += [future.result() for future in as_completed(futures)]
    finally:
        server.stdin.close()
        server.wait()
    print(len(done), "flags,", sum(saved.values()), "bytes")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(float(sys.argv[2]))
    else:
        main()
