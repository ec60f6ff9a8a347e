"""Checks shared by the flags labs: files on disk compared byte for byte with what the server sent, and
the country codes a program printed."""
from __future__ import annotations

import os
import re
from typing import Iterable, List, Optional, Sequence, Set, Tuple

from labkit import flags
from labkit.checks import Context, Run, expect_same_bytes, fail
from labkit.failures import format_list

DOWNLOADS = "downloaded"
# The flags labs' programs take about a second; this is for a deadlock or a hung request, not a slow machine.
RUN_TIMEOUT = 15.0
_CODE = re.compile(r"\b[A-Za-z]{2,3}\b")
_UPPER_WORD = re.compile(r"\b[A-Z]+\b")


def run_downloader(ctx: Context, probe: Optional[str] = None, expect_ok: bool = True) -> Run:
    """The learner's downloader run once for every check of the lab, with downloaded/ emptied first so
    files from an earlier run cannot pass for this one's."""
    return ctx.run_main(probe=probe, timeout=RUN_TIMEOUT, clean=[DOWNLOADS], expect_ok=expect_ok)


def expect_flags_saved(ctx: Context, codes: Sequence[str], *, folder: str = DOWNLOADS, hint: Optional[int] = None) -> str:
    """Every code in `codes` saved as <folder>/<cc>.gif (lower case) holding exactly the server's bytes."""
    line = ctx.line_of_function("save_flag")
    where = ctx.path(folder)
    if not os.path.isdir(where):
        fail(f"After the run there is no {folder}/ folder in your lab folder, so no flag was saved.",
             why=f"save_flag(img, filename) should write each image to {folder}/<cc>.gif next to your program "
                 "(create the folder first if it is missing).", line=line, hint=hint)
    present = {name.lower(): name for name in os.listdir(where)}
    missing: List[str] = []
    for cc in sorted(codes):
        expected_name = f"{cc.lower()}.gif"
        actual_name = present.get(expected_name)
        if actual_name is None:
            missing.append(expected_name)
        elif actual_name != expected_name:
            fail(f"The flag for {cc} was saved as {folder}/{actual_name}; the lab expects the lower-case name "
                 f"{folder}/{expected_name}.", line=line, hint=hint, expected=expected_name, actual=actual_name,
                 why="other programs (and these checks) look files up by exact name, and names are case-sensitive "
                     "on most systems.")
    if missing:
        found = sorted(present.values())
        fail(f"{len(missing)} of {len(codes)} flags were not saved in {folder}/: {format_list(missing)}.",
             why="every code in the list should end up as a file; a missing one means it was never downloaded "
                 "or never written.", line=line, hint=hint,
             expected=f"{len(codes)} files: {format_list([f'{c.lower()}.gif' for c in sorted(codes)], 3)}",
             actual=f"{len(found)} files" + (f": {format_list(found, 5)}" if found else ""))
    for cc in sorted(codes):
        with open(os.path.join(where, f"{cc.lower()}.gif"), "rb") as handle:
            expect_same_bytes(handle.read(), flags.gif_bytes(cc), what=f"{folder}/{cc.lower()}.gif", line=line, hint=hint)
    return f"all {len(codes)} flags saved, byte for byte"


def saved_names(ctx: Context, folder: str = DOWNLOADS) -> List[str]:
    where = ctx.path(folder)
    return sorted(os.listdir(where)) if os.path.isdir(where) else []


def printed_codes(text: str, known: Iterable[str]) -> List[str]:
    """The known country codes a program printed, in order (upper-case words only, so 'in' is not IN)."""
    wanted = {code.upper() for code in known}
    return [word for word in _CODE.findall(text) if word.isupper() and word in wanted]


def _split_codes(word: str, wanted: Set[str]) -> Optional[List[str]]:
    """`word` cut into known codes ('PHJP' -> ['PH', 'JP']), or None when it cannot be."""
    if not word:
        return []
    for size in sorted({len(code) for code in wanted}):
        if word[:size] in wanted:
            rest = _split_codes(word[size:], wanted)
            if rest is not None:
                return [word[:size], *rest]
    return None


def code_words(text: str, known: Iterable[str]) -> List[Tuple[str, List[str]]]:
    """Each upper-case word a program printed that is a known code, or known codes with nothing between
    them ('PHJP'), with its codes, in order. Codes run together are what print(cc, end=' ') gives when two
    threads print at the same moment: each print writes the code and its end separately, so one thread's
    code can land right after another's."""
    wanted = {code.upper() for code in known}
    found: List[Tuple[str, List[str]]] = []
    for word in _UPPER_WORD.findall(text):
        codes = [word] if word in wanted else _split_codes(word, wanted)
        if codes:
            found.append((word, codes))
    return found


def run_together(text: str, known: Iterable[str]) -> List[str]:
    """The printed words made of two or more known codes run together ('PHJP')."""
    return [word for word, codes in code_words(text, known) if len(codes) > 1]


def requested_codes(run: Run) -> List[str]:
    """Codes the server was asked for in this run, in the order the requests started."""
    return [r.code for r in run.requests if r.code]
