"""labkit.showdis: the bytecode of the learner's function on the running Python, with the reads and
writes of shared names marked, as `python -m labkit.showdis` prints it and as failure messages quote it."""
import os
import platform
import subprocess
import sys

from labkit.showdis import explain_line, show
from labkit.tests.support import TempDirTestCase, child_env

PROGRAM = '''counter = 0


def worker():
    global counter
    counter += 1
    print(counter)
'''


class ShowDisTest(TempDirTestCase):
    def setUp(self) -> None:
        self.folder = self.make_dir()
        self.path = os.path.join(self.folder, "counter.py")
        with open(self.path, "w", encoding="utf-8") as handle:
            handle.write(PROGRAM)

    def test_explain_line_marks_the_read_and_the_write(self) -> None:
        text = explain_line(self.path, "worker", 6)
        self.assertIn(f"Python {platform.python_version()} runs line 6 `counter += 1`", text)
        rows = text.splitlines()[1:]
        self.assertTrue(rows[0].strip().startswith("LOAD_GLOBAL") and rows[0].endswith("<- reads counter"), rows)
        self.assertTrue(rows[-1].strip().startswith("STORE_GLOBAL") and rows[-1].endswith("<- writes counter"), rows)

    def test_explain_line_is_empty_for_an_unknown_place(self) -> None:
        self.assertEqual(explain_line(self.path, "worker", 99), "")
        self.assertEqual(explain_line(self.path, "nobody", 6), "")
        self.assertEqual(explain_line(os.path.join(self.folder, "missing.py"), "worker", 6), "")

    def test_show_lists_every_line_of_the_function(self) -> None:
        text = show(self.path, "worker")
        self.assertIn("     6      counter += 1", text)
        self.assertIn("     7      print(counter)", text)
        self.assertIn("Shared between threads (written inside a function): counter", text)

    def test_command_line_names_the_functions_there_are(self) -> None:
        done = subprocess.run([sys.executable, "-m", "labkit.showdis", "counter.py", "wroker"], cwd=self.folder,
                              env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(done.returncode, 2)
        self.assertIn("has no function called 'wroker'; it defines: worker", done.stderr)
        done = subprocess.run([sys.executable, "-m", "labkit.showdis", "counter.py", "worker"], cwd=self.folder,
                              env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("<- writes counter", done.stdout)
