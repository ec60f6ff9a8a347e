"""Mistakes a learner-eye audit made in the Part I/II labs: each must get a message that says what
happened, why, and what to do, at the learner's own line."""
import os
import sys
import tempfile
import unittest

from labkit.source import Source, read_learner_text
from labkit.tests.support import LabEditTestCase

# A file saved "UTF-8 with BOM" (some Windows editors do) starts with these three bytes; Python runs it.
BOM = "\ufeff"


def with_bom(first_line: str) -> tuple:
    return (first_line, BOM + first_line)


class ByteOrderMarkTest(LabEditTestCase):
    def test_source_reads_a_file_with_a_bom(self) -> None:
        folder = tempfile.mkdtemp()
        path = os.path.join(folder, "m.py")
        with open(path, "wb") as handle:
            handle.write(b"\xef\xbb\xbfimport threading\n\n\ndef worker():\n    pass\n")
        self.addCleanup(os.remove, path)
        self.assertEqual(Source(path).line_of_function("worker"), 4)
        self.assertFalse(read_learner_text(path).startswith(BOM))

    def test_source_honours_a_coding_cookie(self) -> None:
        folder = tempfile.mkdtemp()
        path = os.path.join(folder, "m.py")
        with open(path, "wb") as handle:
            handle.write("# -*- coding: latin-1 -*-\nNAME = 'café'\n".encode("latin-1"))
        self.addCleanup(os.remove, path)
        self.assertIn("café", read_learner_text(path))

    def test_thread_race_solution_with_a_bom_passes(self) -> None:
        ends = self.verify("thread-race", edits=[with_bom('"""Ten threads share one counter')])
        self.assertEqual({i: r["message"] for i, r in ends.items() if r["status"] != "passed"}, {})

    def test_a_wrong_solution_with_a_bom_is_found_at_its_line(self) -> None:
        ends = self.verify("flags-sequential", edits=[
            with_bom('"""Download the flags of the 20 most populous countries, one after another.'),
            ("(DEST_DIR / filename).write_bytes(img)", "(DEST_DIR / filename).write_text(str(img))")])
        result = ends["saves-all-flags"]
        self.assertEqual(result["status"], "failed", result)
        lines = [n for n, text in enumerate(self.source.splitlines(), 1) if text.startswith("def save_flag")]
        self.assertEqual([result["line"]], lines)


if __name__ == "__main__":
    unittest.main()
