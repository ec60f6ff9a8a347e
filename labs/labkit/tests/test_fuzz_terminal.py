"""labkit.terminal: the final screen after carriage returns, backspaces and erase-line escapes, and which
write each character on it came from (used by spinner-thread to see whether the spinner cleaned up)."""
import unittest

from labkit.terminal import Screen, render


class ScreenTest(unittest.TestCase):
    def test_carriage_return_overwrites_without_erasing(self) -> None:
        screen = render([("\r| thinking!", "spin"), ("\rAnswer: 42\n", "main")])
        self.assertEqual(screen.lines(), ["Answer: 42!"])
        self.assertEqual(screen.rows_with(lambda tag: tag == "spin"), [(1, "Answer: 42!")])

    def test_spaces_then_return_clear_the_line(self) -> None:
        frame = "\r/ thinking!"
        screen = render([(frame, "spin"), ("\r" + " " * len(frame) + "\r", "spin"), ("Answer: 42\n", "main")])
        self.assertEqual(screen.lines(), ["Answer: 42"])
        self.assertEqual(screen.rows_with(lambda tag: tag == "spin"), [])

    def test_erase_line_escape_clears_too_even_when_split_across_writes(self) -> None:
        screen = render([("\r- working", "spin"), ("\r\x1b[", "spin"), ("2K", "spin"), ("done\n", "main")])
        self.assertEqual(screen.lines(), ["done"])
        self.assertEqual(screen.rows_with(lambda tag: tag == "spin"), [])

    def test_erase_to_end_of_line_keeps_what_is_before_the_cursor(self) -> None:
        screen = render([("abcdef", "a"), ("\b\b\b\x1b[K", "b")])
        self.assertEqual(screen.lines(), ["abc"])

    def test_backspace_and_tab_move_the_cursor(self) -> None:
        screen = render([("ab\bX\tY", None)])
        self.assertEqual(screen.lines(), ["aX      Y"])

    def test_newlines_keep_earlier_rows_and_colour_codes_draw_nothing(self) -> None:
        screen = Screen()
        screen.feed("\x1b[31mred\x1b[0m\n", "main")
        screen.feed("second\n\n", "main")
        self.assertEqual(screen.lines(), ["red", "second"])

    def test_text_without_blanks_out_unwanted_writes(self) -> None:
        screen = render([("\r| spin", "spin"), ("\r42", "main")])
        self.assertEqual(screen.text_without(lambda tag: tag == "spin"), "42")


if __name__ == "__main__":
    unittest.main()
