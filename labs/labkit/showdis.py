"""Shows the bytecode of a function in your own file, on the Python you run it with, and marks the
instructions that read and write state other threads can share:

    python -m labkit.showdis counter.py worker

A thread switch can happen between any two instructions. When one line reads a shared name and a later
instruction writes it back (`counter += 1` is a read, an add and a write), another thread can write it
in between, and one of the two updates is lost. Checks use the same functions to put the bytecode of the
learner's racing line into a failure message.
"""
from __future__ import annotations

import argparse
import dis
import platform
import sys
import types
from typing import List, Optional, Sequence, Set, Tuple

from labkit.fuzz import instructions_by_line, nested_codes, shared_names

# Bookkeeping instructions that say nothing about the race; leaving them out keeps the listing readable.
_NOISE = {"RESUME", "NOP", "CACHE", "EXTENDED_ARG", "PRECALL", "PUSH_NULL", "COPY_FREE_VARS", "MAKE_CELL"}
_READS = {"LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF", "LOAD_CLASSDEREF", "LOAD_ATTR", "LOAD_FROM_DICT_OR_GLOBALS",
          "LOAD_FROM_DICT_OR_DEREF", "BINARY_SUBSCR"}
_WRITES = {"STORE_GLOBAL", "STORE_NAME", "STORE_DEREF", "STORE_ATTR", "STORE_SUBSCR"}


class Listing:
    """A learner's module, compiled by this Python, with what its functions share between threads."""

    def __init__(self, path: str) -> None:
        with open(path, encoding="utf-8-sig") as handle:
            self.text = handle.read()
        self.path = path
        self.lines = self.text.splitlines()
        self.module = compile(self.text, path, "exec")
        self.names, self.attributes = shared_names(self.module)

    def functions(self, name: str) -> List[types.CodeType]:
        return [code for code in nested_codes(self.module) if code.co_name == name and code is not self.module]

    def function_at(self, name: str, line: int) -> Optional[types.CodeType]:
        """The function called `name` whose body holds `line` (a nested one wins)."""
        found = None
        for code in self.functions(name):
            lines = [number for _, number in instructions_by_line(code)]
            if line in lines and (found is None or code.co_firstlineno > found.co_firstlineno):
                found = code
        return found

    def role(self, instruction: dis.Instruction) -> str:
        """'reads x' / 'writes x' for instructions that touch state other threads may share."""
        name = instruction.argval if isinstance(instruction.argval, str) else None
        opname = instruction.opname
        if opname in _WRITES:
            if opname == "STORE_SUBSCR":
                return "writes an item (shared if the container is)"
            if opname == "STORE_NAME" and name not in self.names:
                return ""
            return f"writes {name}"
        if opname in _READS:
            if opname == "BINARY_SUBSCR":
                return ""
            shared = self.attributes if opname == "LOAD_ATTR" else self.names
            if name in shared:
                return f"reads {name}"
        return ""

    def format_line(self, code: types.CodeType, line: int, indent: str = "    ") -> List[str]:
        """The instructions of one source line, one per row, with their role."""
        rows = []
        for instruction, number in instructions_by_line(code):
            if number != line or instruction.opname in _NOISE:
                continue
            argument = instruction.argrepr or ("" if instruction.arg is None else str(instruction.arg))
            role = self.role(instruction)
            text = f"{indent}{instruction.opname:<20} {argument:<16}"
            rows.append((text + f"  <- {role}" if role else text).rstrip())
        return rows

    def format_function(self, code: types.CodeType) -> List[str]:
        rows: List[str] = []
        seen: List[int] = []
        for _, number in instructions_by_line(code):
            if number not in seen:
                seen.append(number)
        for number in seen:
            instructions = self.format_line(code, number, indent="          ")
            if not instructions:
                continue
            source = self.lines[number - 1].rstrip() if 0 < number <= len(self.lines) else ""
            rows.append(f"{number:>6}  {source}")
            rows.extend(instructions)
        return rows


def explain_line(path: str, function: str, line: int) -> str:
    """The bytecode of one line of the learner's function, for a failure message; '' when not found."""
    try:
        listing = Listing(path)
    except (OSError, SyntaxError, ValueError):
        return ""
    code = listing.function_at(function, line)
    if code is None:
        return ""
    rows = listing.format_line(code, line)
    if not rows:
        return ""
    source = listing.lines[line - 1].strip() if 0 < line <= len(listing.lines) else ""
    return (f"Python {platform.python_version()} runs line {line} `{source}` as these instructions:\n"
            + "\n".join(rows))


FOOTER = ("A thread switch can happen between any two instructions. If another thread writes a shared name "
          "after this thread read it and before this thread writes it back, that other thread's update is lost.")


def show(path: str, function: str) -> str:
    listing = Listing(path)
    codes = listing.functions(function)
    if not codes:
        defined = sorted({code.co_name for code in nested_codes(listing.module)
                          if code is not listing.module and not code.co_name.startswith("<")})
        raise LookupError(f"{path} has no function called {function!r}; it defines: {', '.join(defined) or 'none'}")
    parts = []
    for code in codes:
        parts.append(f"Python {platform.python_version()} runs {function}() ({path} line {code.co_firstlineno}) as:")
        parts.extend(listing.format_function(code))
        parts.append("")
    shared: Set[str] = set(listing.names) | {f".{name}" for name in listing.attributes}
    if shared:
        parts.append("Shared between threads (written inside a function): " + ", ".join(sorted(shared)))
    parts.append(FOOTER)
    return "\n".join(parts)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labkit.showdis",
                                     description="Show the bytecode of a function, marking reads and writes of shared state.")
    parser.add_argument("file", help="your Python file, e.g. counter.py")
    parser.add_argument("function", help="the function to show, e.g. worker")
    options = parser.parse_args(argv)
    try:
        print(show(options.file, options.function))
    except OSError as error:
        print(f"Cannot read {options.file}: {error.strerror}. Run this in the folder of your lab, "
              "or give the path to the file.", file=sys.stderr)
        return 2
    except SyntaxError as error:
        print(f"{options.file} line {error.lineno} has a syntax error ({error.msg}); fix it first, then try again.",
              file=sys.stderr)
        return 2
    except LookupError as error:
        print(str(error), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
