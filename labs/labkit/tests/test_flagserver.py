"""The flag server over real HTTP on loopback: bytes, errors, records, and concurrency."""
import selectors
import socket
import threading
import time
import unittest
import urllib.error
import urllib.request
from typing import List, Tuple

from labkit import flags
from labkit.flagserver import FlagServer


def fetch(url: str) -> Tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def fetch_all_at_once(urls: List[str]) -> List[Tuple[int, bytes]]:
    results: List[Tuple[int, bytes]] = [(0, b"")] * len(urls)
    start = threading.Barrier(len(urls))

    def worker(index: int) -> None:
        start.wait()
        results[index] = fetch(urls[index])

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(urls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class FlagServerTest(unittest.TestCase):
    def start(self, **options: object) -> FlagServer:
        server = FlagServer(**options).start()  # type: ignore[arg-type]
        self.addCleanup(server.stop)
        return server

    def test_serves_byte_identical_flags(self) -> None:
        server = self.start()
        for cc in ("BR", "CN", "FR"):
            self.assertEqual(fetch(f"{server.base_url}/{cc}/{cc.lower()}.gif"), (200, flags.gif_bytes(cc)))
        # The whole URL in lower case (as Fluent Python's code builds it) names the same flag.
        self.assertEqual(fetch(f"{server.base_url}/jp/jp.gif"), (200, flags.gif_bytes("JP")))
        self.assertTrue(server.base_url.startswith("http://127.0.0.1:"))

    def test_unknown_codes_and_bad_paths_get_404_with_html(self) -> None:
        server = self.start()
        for path in ("/XXX/xxx.gif", "/BR/cn.gif", "/BR/", ""):
            status, body = fetch(server.base_url + path)
            self.assertEqual(status, 404, path)
            self.assertIn(b"<html>", body)
            self.assertFalse(flags.looks_like_gif(body))

    def test_error_codes_get_500(self) -> None:
        server = self.start(error_codes=["eg", "IR"])
        self.assertEqual(fetch(f"{server.base_url}/EG/eg.gif")[0], 500)
        self.assertEqual(fetch(f"{server.base_url}/IR/ir.gif")[0], 500)
        self.assertEqual(fetch(f"{server.base_url}/DE/de.gif")[0], 200)

    def test_records_every_request_and_resets(self) -> None:
        server = self.start(error_codes=["EG"])
        fetch(f"{server.base_url}/BR/br.gif")
        fetch(f"{server.base_url}/EG/eg.gif")
        fetch(f"{server.base_url}/XXX/xxx.gif")
        self.assertTrue(server.wait_idle())
        records = server.requests()
        self.assertEqual([(r.code, r.status) for r in records], [("BR", 200), ("EG", 500), ("XXX", 404)])
        self.assertTrue(all(r.end_ns >= r.start_ns for r in records))
        self.assertEqual(records[0].path, "/flags/BR/br.gif")
        self.assertEqual([s["code"] for s in server.spans()], ["BR", "EG", "XXX"])
        self.assertEqual(server.peak_in_flight(), 1)
        server.reset()
        self.assertEqual(server.requests(), [])
        self.assertEqual(server.peak_in_flight(), 0)

    def test_delay_is_applied_to_each_request(self) -> None:
        server = self.start(delay=0.2)
        fetch(f"{server.base_url}/BR/br.gif")
        server.wait_idle()
        # The server's own span includes its fixed sleep; a lower bound cannot be missed by a slow machine.
        self.assertGreaterEqual(server.requests()[0].seconds, 0.2)

    def test_a_sequential_client_never_has_two_requests_in_flight(self) -> None:
        # The next request can arrive the instant the previous answer does; it must not count as overlap.
        server = self.start(delay=0.001)
        for cc in flags.POP20_CC * 2:
            fetch(f"{server.base_url}/{cc}/{cc.lower()}.gif")
        self.assertTrue(server.wait_idle())
        self.assertEqual(len(server.requests()), 40)
        self.assertEqual(server.peak_in_flight(), 1)

    def test_delay_by_code_makes_slow_flags_finish_last(self) -> None:
        server = self.start(delay=0.01, delay_by_code={"bd": 0.4})
        self.assertEqual((server.delay_for("BD"), server.delay_for("BR"), server.delay_for(None)), (0.4, 0.01, 0.01))
        fetch_all_at_once([f"{server.base_url}/{cc}/{cc.lower()}.gif" for cc in ("BD", "BR", "CN")])
        server.wait_idle()
        # Records are in the order the answers went out: the slow flag's comes last.
        self.assertEqual(server.requests()[-1].code, "BD")
        self.assertGreaterEqual(server.requests()[-1].seconds, 0.4)

    def test_peak_in_flight_counts_concurrent_clients(self) -> None:
        server = self.start(delay=0.3)
        urls = [f"{server.base_url}/{cc}/{cc.lower()}.gif" for cc in flags.POP20_CC[:8]]
        results = fetch_all_at_once(urls)
        self.assertEqual([status for status, _ in results], [200] * 8)
        self.assertGreater(server.peak_in_flight(), 1)
        self.assertLessEqual(server.peak_in_flight(), 8)
        self.assertEqual(server.in_flight(), 0)

    def test_two_hundred_concurrent_requests_are_all_served(self) -> None:
        server = self.start(delay=0.05)
        urls = [f"{server.base_url}/{cc}/{cc.lower()}.gif" for cc in flags.POP20_CC] * 10
        results = fetch_all_at_once(urls)
        self.assertEqual(sum(1 for status, body in results if status == 200 and flags.looks_like_gif(body)), 200)
        server.wait_idle()
        self.assertEqual(len(server.requests()), 200)

    def test_two_hundred_connections_wait_in_the_backlog_until_accepted(self) -> None:
        # Never accepting: every connection the kernel completes sits in the listen backlog; one that does not
        # fit is dropped and would be retried after a second. All 200 must fit, so none waits that second.
        server = FlagServer()
        self.addCleanup(server.server_close)
        selector = selectors.DefaultSelector()
        self.addCleanup(selector.close)
        for _ in range(200):
            client = socket.socket()
            self.addCleanup(client.close)
            client.setblocking(False)
            client.connect_ex(("127.0.0.1", server.port))
            selector.register(client, selectors.EVENT_WRITE)
        connected = 0
        deadline = time.monotonic() + 5  # only a failing run waits this long: a dropped connection never completes
        while connected < 200 and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=0.1):
                selector.unregister(key.fileobj)
                connected += key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
        self.assertEqual(connected, 200, "connections beyond the listen backlog were dropped; raise request_queue_size")

    def test_stop_closes_the_port(self) -> None:
        server = FlagServer().start()
        port = server.port
        fetch(f"{server.base_url}/BR/br.gif")
        server.stop()
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()


if __name__ == "__main__":
    unittest.main()
