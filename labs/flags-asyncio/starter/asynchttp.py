"""A tiny HTTP client on asyncio streams: just enough to GET a flag. You do not need to edit this file.

The standard library has no async HTTP client (real programs use a package such as httpx or aiohttp),
so this one speaks HTTP/1.1 itself over asyncio.open_connection. Every step that waits for the network
is an `await`, so while one download waits, the event loop runs the others.
"""
import asyncio
import urllib.parse
from typing import Dict, Tuple


class HTTPStatusError(Exception):
    """The server answered with an error status (404 Not Found, 500 Internal Server Error, ...)."""

    def __init__(self, status: int, reason: str, url: str) -> None:
        super().__init__(f"HTTP {status} {reason} for {url}")
        self.status = status
        self.reason = reason
        self.url = url


async def fetch(url: str, timeout: float = 10.0) -> bytes:
    """The body of the response to GET `url`; raises HTTPStatusError for a status of 400 or more,
    OSError when the server cannot be reached, asyncio.TimeoutError after `timeout` seconds."""
    return await asyncio.wait_for(_get(url), timeout)


def _split(url: str) -> Tuple[str, int, str]:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"fetch() handles http://host:port/path URLs only, not {url!r}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.hostname, parts.port or 80, path


async def _read_head(reader: asyncio.StreamReader) -> Tuple[int, str, Dict[str, str]]:
    status_line = (await reader.readline()).decode("latin-1").strip()
    _version, _, rest = status_line.partition(" ")
    code, _, reason = rest.partition(" ")
    if not code.isdigit():
        raise ConnectionError(f"not an HTTP response: {status_line!r}")
    headers: Dict[str, str] = {}
    while True:
        line = (await reader.readline()).decode("latin-1")
        if line in ("\r\n", "\n", ""):
            return int(code), reason, headers
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()


async def _get(url: str) -> bytes:
    host, port, path = _split(url)
    reader, writer = await asyncio.open_connection(host, port)
    try:
        # One request per connection: "Connection: close" lets the body end where the connection does.
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode("ascii"))
        await writer.drain()
        status, reason, headers = await _read_head(reader)
        length = headers.get("content-length")
        body = await reader.readexactly(int(length)) if length is not None else await reader.read()
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass  # the server closing first is normal here; the body is already read
    if status >= 400:
        raise HTTPStatusError(status, reason, url)
    return body
