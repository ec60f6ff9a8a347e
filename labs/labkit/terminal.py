"""What a terminal shows after a program's output: carriage returns, backspaces and "erase line" escapes
applied, and for every character on screen, which write put it there.

A spinner draws frames with '\\r' and must leave its line clean; only the final screen tells whether it
did, because the frames themselves are all in the output. Checks feed the writes they logged:

    screen = Screen()
    for text, tag in writes:
        screen.feed(text, tag)
    screen.rows_with(lambda tag: tag == "spinner")   # rows still showing a character from such a write
"""
from __future__ import annotations

import re
from typing import Any, Callable, List, Optional, Tuple

_TAB = 8
# CSI: ESC [ parameters final-byte. Only erase-in-line (K) and column moves (G) matter for one line;
# colours and other sequences leave no characters behind.
_CSI = re.compile(r"\x1b\[([0-9;?]*)([@-~])")
Cell = Tuple[str, Any]


class Screen:
    """An endless-width terminal that only ever moves down, as a program's plain output does."""

    def __init__(self) -> None:
        self.rows: List[List[Cell]] = [[]]
        self.row = 0
        self.col = 0
        self._pending = ""  # an escape sequence cut in two by separate writes

    def feed(self, text: str, tag: Any = None) -> None:
        text = self._pending + text
        self._pending = ""
        index = 0
        while index < len(text):
            char = text[index]
            if char == "\x1b":
                match = _CSI.match(text, index)
                if match is None:
                    if re.fullmatch(r"\x1b(\[[0-9;?]*)?", text[index:]):
                        self._pending = text[index:]
                        return
                    index += 1
                    continue
                self._escape(match.group(1), match.group(2), tag)
                index = match.end()
                continue
            self._char(char, tag)
            index += 1

    def _char(self, char: str, tag: Any) -> None:
        if char == "\n":
            self.row += 1
            self.col = 0
            while len(self.rows) <= self.row:
                self.rows.append([])
        elif char == "\r":
            self.col = 0
        elif char == "\b":
            self.col = max(0, self.col - 1)
        elif char == "\t":
            self.col = (self.col // _TAB + 1) * _TAB
        elif char >= " " and char != "\x7f":  # other control characters draw nothing
            self._put(char, tag)
            self.col += 1

    def _put(self, char: str, tag: Any) -> None:
        line = self.rows[self.row]
        while len(line) < self.col:
            line.append((" ", None))
        if self.col < len(line):
            line[self.col] = (char, tag)
        else:
            line.append((char, tag))

    def _escape(self, parameters: str, final: str, tag: Any) -> None:
        numbers = [int(p) for p in parameters.split(";") if p.isdigit()]
        first = numbers[0] if numbers else 0
        line = self.rows[self.row]
        if final == "K":
            if first == 0:
                del line[self.col:]
            elif first == 1:
                for col in range(min(self.col + 1, len(line))):
                    line[col] = (" ", tag)
            elif first == 2:
                line.clear()
        elif final == "G":
            self.col = max(0, (first or 1) - 1)
        elif final == "D":
            self.col = max(0, self.col - (first or 1))
        elif final == "C":
            self.col += first or 1

    def lines(self) -> List[str]:
        """The text on screen, trailing blanks and trailing empty lines removed."""
        lines = ["".join(char for char, _ in row).rstrip() for row in self.rows]
        while lines and not lines[-1]:
            lines.pop()
        return lines

    def rows_with(self, wanted: Callable[[Any], bool]) -> List[Tuple[int, str]]:
        """(1-based row, its text) for each row that still shows a visible character written by a write
        whose tag satisfies `wanted`."""
        found = []
        for number, row in enumerate(self.rows, 1):
            if any(char.strip() and wanted(tag) for char, tag in row):
                found.append((number, "".join(char for char, _ in row).rstrip()))
        return found

    def text_without(self, unwanted: Callable[[Any], bool]) -> str:
        """The screen with the characters of unwanted writes blanked out."""
        return "\n".join("".join(" " if unwanted(tag) else char for char, tag in row).rstrip() for row in self.rows)


def render(writes: List[Tuple[str, Any]], screen: Optional[Screen] = None) -> Screen:
    screen = screen or Screen()
    for text, tag in writes:
        screen.feed(text, tag)
    return screen
