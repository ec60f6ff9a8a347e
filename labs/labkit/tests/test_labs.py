"""The Part I labs against their own checks: each starter fails, each solution passes, valid alternative
solutions pass, and plausible wrong ones fail the check that names their mistake."""
from typing import List, Optional, Sequence

from labkit.tests.support import Edit, LabEditTestCase


HTTP_CLIENT_GET_FLAG = '''def get_flag(cc: str) -> bytes:
    address = urllib.parse.urlsplit(BASE_URL)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request("GET", f"{address.path}/{cc}/{cc.lower()}.gif")
        response = connection.getresponse()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        return response.read()
    finally:
        connection.close()
'''
URLLIB_GET_FLAG = '''def get_flag(cc: str) -> bytes:
    url = f"{BASE_URL}/{cc}/{cc.lower()}.gif"
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()
'''
MAP_LOOP = '''        for cc in executor.map(download_one, sorted(cc_list)):
            print(cc, end=" ", flush=True)
            count += 1'''


class LabVerificationTest(LabEditTestCase):
    def assert_passes(self, lab: str, edits: Sequence[Edit] = ()) -> None:
        ends = self.verify(lab, edits=edits)
        failed = {i: r["message"] for i, r in ends.items() if r["status"] != "passed"}
        self.assertEqual(failed, {})

    def assert_fails(self, lab: str, edits: Sequence[Edit], check_id: str, words: List[str],
                     variant: str = "solution", line_text: Optional[str] = None) -> None:
        ends = self.verify(lab, variant, edits)
        result = ends[check_id]
        self.assertEqual(result["status"], "failed", result)
        for word in words:
            self.assertIn(word, str(result["message"]))
        if line_text is not None:
            lines = [n for n, text in enumerate(self.source.splitlines(), 1) if text.startswith(line_text)]
            self.assertEqual([result["line"]], lines)

    # -- flags-sequential ------------------------------------------------------------------------------
    def test_sequential(self) -> None:
        self.assert_passes("flags-sequential")
        self.assert_fails("flags-sequential", [], "saves-all-flags", ["get_flag() is not written yet"], "starter")
        # http.client instead of urllib is as good.
        self.assert_passes("flags-sequential", [(URLLIB_GET_FLAG, HTTP_CLIENT_GET_FLAG), ("import os\n", "import http.client\nimport os\n")])

    def test_sequential_wrong_solutions(self) -> None:
        self.assert_fails("flags-sequential", [("(DEST_DIR / filename).write_bytes(img)", "(DEST_DIR / filename).write_text(str(img))")],
                          "saves-all-flags", ["bytes repr"], line_text="def save_flag")
        self.assert_fails("flags-sequential", [('save_flag(image, f"{cc.lower()}.gif")', 'save_flag(image, f"{cc}.gif")')],
                          "saves-all-flags", ["lower-case name"])
        self.assert_fails("flags-sequential", [("    elapsed = time.perf_counter() - start\n", "    start = time.perf_counter()\n    elapsed = time.perf_counter() - start\n")],
                          "prints-summary", ["the downloads alone took"])
        self.assert_fails("flags-sequential", [("for cc in sorted(cc_list):", "for cc in cc_list:")],
                          "prints-sorted-codes", ["sorted order"])

    # -- flags-threadpool ------------------------------------------------------------------------------
    def test_threadpool(self) -> None:
        self.assert_passes("flags-threadpool")
        self.assert_fails("flags-threadpool", [], "downloads-concurrently", ["never created a ThreadPoolExecutor"], "starter")
        # A submit loop instead of map, and another worker count, are as good.
        self.assert_passes("flags-threadpool", [("MAX_WORKERS = 8", "MAX_WORKERS = 3"), (MAP_LOOP, (
            "        futures = [executor.submit(download_one, cc) for cc in sorted(cc_list)]\n"
            "        for future in futures:\n"
            "            print(future.result(), end=\" \", flush=True)\n"
            "            count += 1"))])

    def test_threadpool_wrong_solutions(self) -> None:
        self.assert_fails("flags-threadpool", [("MAX_WORKERS = 8", "MAX_WORKERS = 1")], "downloads-concurrently",
                          ["never had more than one request in flight"])
        self.assert_fails("flags-threadpool", [(MAP_LOOP, (
            "        for cc in sorted(cc_list):\n"
            "            print(executor.submit(download_one, cc).result(), end=\" \", flush=True)\n"
            "            count += 1"))], "faster-than-sequential", ["in this same Check"])

    def test_threadpool_results_out_of_order_are_told_why(self) -> None:
        # Results taken from as_completed come in the order the downloads finished: the check says so, at that call.
        self.assert_fails("flags-threadpool", [
            ("from concurrent.futures import ThreadPoolExecutor", "from concurrent.futures import ThreadPoolExecutor, as_completed"),
            (MAP_LOOP, ("        futures = [executor.submit(download_one, cc) for cc in sorted(cc_list)]\n"
                        "        for future in as_completed(futures):\n"
                        "            print(future.result(), end=\" \", flush=True)\n"
                        "            count += 1"))],
            "results-in-input-order", ["the order as_completed handed out the futures"], line_text="        for future in as_completed(")
        # map keeps the input order; the input was not sorted.
        self.assert_fails("flags-threadpool", [("executor.map(download_one, sorted(cc_list))", "executor.map(download_one, cc_list)")],
                          "results-in-input-order", ["order the calls were handed to the pool", "sorted(cc_list)"],
                          line_text="        for cc in executor.map(")
        # Printing in the worker: the codes come out as the downloads finish, and two threads' prints can run
        # together ('PHJP'), which is told as that, never as codes that were not printed.
        ends = self.verify("flags-threadpool", edits=[
            ('    save_flag(image, f"{cc.lower()}.gif")\n    return cc\n',
             '    save_flag(image, f"{cc.lower()}.gif")\n    print(cc, end=" ", flush=True)\n    return cc\n'),
            ('            print(cc, end=" ", flush=True)\n', "")])
        result = ends["results-in-input-order"]
        self.assertEqual(result["status"], "failed", result)
        self.assertNotIn("never printed", str(result["message"]))
        self.assertEqual([result["line"]], [n for n, text in enumerate(self.source.splitlines(), 1)
                                            if text == '    print(cc, end=" ", flush=True)'])

    # -- futures-as-completed --------------------------------------------------------------------------
    def test_as_completed(self) -> None:
        self.assert_passes("futures-as-completed")
        self.assert_fails("futures-as-completed", [], "handles-completion-order", ["this lab is about one API"], "starter")

    def test_as_completed_wrong_solutions(self) -> None:
        self.assert_fails("futures-as-completed", [("            to_do[future] = cc\n", "            to_do[future] = cc\n            future.result()\n")],
                          "creates-futures-first", ["only 1 of 20 futures existed"])
        self.assert_fails("futures-as-completed", [("        for future in as_completed(to_do):\n", "        for future in list(to_do):\n")],
                          "handles-completion-order", ["No call to as_completed"])
        self.assert_fails("futures-as-completed", [("            res = future.result()\n", "            res = future.result()\n        for future in to_do:\n            res = future.result()\n")],
                          "handles-completion-order", ["not printed in the order as_completed"])

    # -- flags-errors ----------------------------------------------------------------------------------
    def test_errors(self) -> None:
        self.assert_passes("flags-errors")
        self.assert_fails("flags-errors", [], "keeps-going", ["stopped at the first failed download"], "starter")

    def test_errors_wrong_solutions(self) -> None:
        # The classic bug: the error page's body saved as if it were the flag.
        self.assert_fails("flags-errors", [(
            "        if error.code == 404:\n            return DownloadStatus.NOT_FOUND\n        raise",
            "        save_flag(error.read(), f\"{cc.lower()}.gif\")\n"
            "        return DownloadStatus.NOT_FOUND if error.code == 404 else DownloadStatus.ERROR")],
            "no-file-for-failures", ["xxx.gif", "HTML error page"])
        self.assert_fails("flags-errors", [("        if error.code == 404:\n            return DownloadStatus.NOT_FOUND\n        raise",
                                            "        return DownloadStatus.NOT_FOUND")],
                          "exact-counts", ["your program reported 18 ok, 3 not found, 0 errors"])
