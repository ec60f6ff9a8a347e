"""A local flag server for the flags labs: generated GIFs on 127.0.0.1, a fixed delay per request, and a
record of every request so checks can see what a learner's program really did (how many requests, in
what order, how many at once).

Run it on its own for learners who want to try their program by hand:

    python -m labkit.flagserver [--port N] [--delay S] [--errors EG,IR]
"""
from __future__ import annotations

import argparse
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

from labkit import flags

HOST = "127.0.0.1"
FLAG_PATH = re.compile(r"^/flags/([A-Za-z]{2,3})/([A-Za-z]{2,3})\.gif$")
NOT_FOUND_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n"
    b"<body><h1>Not Found</h1><p>No flag here.</p></body></html>\n"
)
ERROR_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n"
    b"<body><h1>Internal Server Error</h1><p>The flag server failed on purpose.</p></body></html>\n"
)


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it, from its arrival to the moment its answer was ready to send; times
    are time.perf_counter_ns(), which is system-wide on the platforms we run on, so they line up with
    timestamps taken in the learner's process."""

    path: str
    code: Optional[str]
    status: int
    start_ns: int
    end_ns: int

    @property
    def seconds(self) -> float:
        return (self.end_ns - self.start_ns) / 1e9


class _FlagHandler(BaseHTTPRequestHandler):
    server: "FlagServer"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        start = time.perf_counter_ns()
        code, status, body, content_type = self.server.answer(self.path)
        self.server.request_started()
        try:
            delay = self.server.delay_for(code)
            if delay > 0:
                time.sleep(delay)
        finally:
            # A request stops counting as in flight before its response goes out: the client can send its
            # next request as soon as it has the bytes, and that one must not overlap this one.
            end = time.perf_counter_ns()
            self.server.request_answered()
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            # The client went away (a learner's program that timed out or was killed); say so in the record.
            status = 499
        self.server.record(RequestRecord(self.path, code, status, start, end))

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (signature of the base class)
        if self.server.verbose:
            super().log_message(format, *args)


class FlagServer(ThreadingHTTPServer):
    """Serves /flags/<CC>/<cc>.gif for the 20 codes in labkit.flags.POP20_CC; thread per request."""

    daemon_threads = True
    # Connections beyond the listen backlog are dropped and retried by the client after 1 s: with the default
    # of 5, 200 concurrent clients took 2.5 s here and one timed out; with 128, 200 connections opened at
    # once (npm run bench) took 1.1 s instead of 0.15 s. Linux caps it at net.core.somaxconn (4096).
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, port: int = 0, delay: float = 0.0, error_codes: Iterable[str] = (), verbose: bool = False,
                 delay_by_code: Optional[Mapping[str, float]] = None) -> None:
        self.delay = delay
        # Fixed per-code delays make completion order differ from request order on every run, on purpose.
        self.delay_by_code = {code.upper(): seconds for code, seconds in (delay_by_code or {}).items()}
        self.error_codes = frozenset(code.upper() for code in error_codes)
        self.verbose = verbose
        self._lock = threading.Lock()
        self._records: List[RequestRecord] = []
        self._in_flight = 0
        self._unrecorded = 0  # started but not yet in _records (the answer may still be on its way)
        self._peak = 0
        self._thread: Optional[threading.Thread] = None
        super().__init__((HOST, port), _FlagHandler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def base_url(self) -> str:
        """What learner code reads from the FLAGS_URL environment variable."""
        return f"http://{HOST}:{self.port}/flags"

    def answer(self, path: str) -> Tuple[Optional[str], int, bytes, str]:
        """(code, status, body, content type) for a request path."""
        match = FLAG_PATH.match(path.split("?", 1)[0])
        if not match or match.group(1).upper() != match.group(2).upper():
            return None, 404, NOT_FOUND_PAGE, "text/html; charset=utf-8"
        code = match.group(1).upper()
        if code in self.error_codes:
            return code, 500, ERROR_PAGE, "text/html; charset=utf-8"
        if not flags.is_known(code):
            return code, 404, NOT_FOUND_PAGE, "text/html; charset=utf-8"
        return code, 200, flags.gif_bytes(code), "image/gif"

    def delay_for(self, code: Optional[str]) -> float:
        return self.delay_by_code.get(code, self.delay) if code else self.delay

    def request_started(self) -> None:
        with self._lock:
            self._in_flight += 1
            self._unrecorded += 1
            self._peak = max(self._peak, self._in_flight)

    def request_answered(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def record(self, record: RequestRecord) -> None:
        with self._lock:
            self._unrecorded -= 1
            self._records.append(record)

    def requests(self) -> List[RequestRecord]:
        """Answered requests since the last reset(), in the order their answers were sent."""
        with self._lock:
            return list(self._records)

    def peak_in_flight(self) -> int:
        with self._lock:
            return self._peak

    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    def spans(self) -> List[Dict[str, object]]:
        """Request spans for the timeline (see labkit.recorder / labkit.tracemerge)."""
        return [
            {"name": f"GET {r.path}", "code": r.code, "status": r.status, "start_ns": r.start_ns, "end_ns": r.end_ns}
            for r in sorted(self.requests(), key=lambda r: r.start_ns)
        ]

    def reset(self) -> None:
        """Forget earlier requests; the peak restarts from what is in flight now."""
        with self._lock:
            self._records.clear()
            self._peak = self._in_flight

    def _unrecorded_count(self) -> int:
        with self._lock:
            return self._unrecorded

    def wait_idle(self, timeout: float = 1.0) -> bool:
        """Waits until every request that arrived is recorded: a client can exit the moment it has its
        last answer, before the server's thread has written it down (or a killed client's request may
        still be sleeping)."""
        deadline = time.monotonic() + timeout
        while self._unrecorded_count() and time.monotonic() < deadline:
            time.sleep(0.002)
        return self._unrecorded_count() == 0

    def start(self) -> "FlagServer":
        # stop() waits for the loop to look up from its poll: every Check of a flags lab waited for it at
        # its end, 25 ms on average with 0.05 s; waking 200 times a second costs the runner next to nothing.
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.005},
                                        name="labkit-flagserver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()

    def __enter__(self) -> "FlagServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m labkit.flagserver", description="Local flag server for the flags labs.")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    parser.add_argument("--delay", type=float, default=0.1, help="seconds each request takes (default 0.1)")
    parser.add_argument("--errors", default="", help="codes answered with HTTP 500, e.g. EG,IR")
    parser.add_argument("--delay-by-code", default="", help="slower or faster codes, e.g. BD=0.5,CD=0.3")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = _parse_args(argv)
    if args.delay < 0:
        print("--delay must be 0 or more seconds")
        return 2
    errors = [code.strip() for code in args.errors.split(",") if code.strip()]
    try:
        by_code = {code.strip(): float(seconds) for code, _, seconds in
                   (item.partition("=") for item in args.delay_by_code.split(",") if item.strip())}
    except ValueError:
        print("--delay-by-code takes CODE=SECONDS pairs separated by commas, e.g. BD=0.5,CD=0.3")
        return 2
    try:
        server = FlagServer(args.port, args.delay, errors, verbose=args.verbose, delay_by_code=by_code)
    except OSError as error:
        print(f"Could not listen on {HOST}:{args.port} ({error.strerror}). Pick another --port, or leave it out to get a free one.")
        return 1
    print(f"Flag server running at {server.base_url}  (delay {args.delay} s, errors: {', '.join(errors) or 'none'})")
    print("In the terminal where you run your program, first run:")
    print(f"  export FLAGS_URL={server.base_url}")
    print(f"  (Windows PowerShell: $env:FLAGS_URL=\"{server.base_url}\")")
    print("Press Ctrl+C to stop.", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("\nFlag server stopped.")
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
