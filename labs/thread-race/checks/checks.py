"""Checks for thread-race: with the schedule fuzzed (labkit.fuzz), no update is lost, each count is printed
once, no two threads' lines mix, and the final count comes after every worker finished."""
import re
from collections import Counter
from typing import Any, Dict, List, Optional

from labkit.checks import Context, Run, check, fail
from labkit.races import expect_no_lost_updates, observed, run_fuzzed

TIMEOUT = 10.0
HANG_HINT = 4
COUNT = re.compile(r"The count is (-?\d+)")
FINAL = re.compile(r"Final count: (-?\d+)")
DEFAULT_WORKERS, DEFAULT_ROUNDS = 10, 5


def main_run(ctx: Context) -> Run:
    return run_fuzzed(ctx, timeout=TIMEOUT, hang_hint=HANG_HINT)


def constants(run: Run) -> Dict[str, Any]:
    return observed(run).get("globals") or {}


def expected_total(run: Run) -> int:
    found = constants(run)
    workers, rounds = found.get("WORKERS", DEFAULT_WORKERS), found.get("ROUNDS", DEFAULT_ROUNDS)
    if isinstance(workers, int) and isinstance(rounds, int):
        return workers * rounds
    return DEFAULT_WORKERS * DEFAULT_ROUNDS


def separator(run: Run) -> str:
    value = constants(run).get("SEPARATOR")
    return value if isinstance(value, str) and value.strip() else "-" * 15


def split_lines(text: str) -> List[str]:
    lines = text.replace("\r\n", "\n").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def output_lines(run: Run) -> List[str]:
    return split_lines(run.stdout)


def line_containing(ctx: Context, text: str) -> Optional[int]:
    for number, source in enumerate(ctx.source.text.splitlines(), 1):
        if text in source and not source.lstrip().startswith("#"):
            return number
    return None


def final_counts(run: Run) -> List[int]:
    return [int(match.group(1)) for match in FINAL.finditer(run.stdout)]


@check("no-lost-updates")
def no_lost_updates(ctx: Context) -> str:
    run = main_run(ctx)
    report = observed(run)
    expected = expected_total(run)
    counter = constants(run).get("counter")
    finals = final_counts(run)
    # The counter once every thread has finished is the truth; a final line printed too early is judged
    # by its own check.
    got = counter if isinstance(counter, int) else (finals[-1] if finals else None)
    expect_no_lost_updates(
        ctx, run, expected, got, what="updates", line=ctx.line_of_function("worker"), hint=1, deadlock_hint=HANG_HINT,
        why="every increment must count. This race hides on a quiet machine and strikes under load; the "
            "Check makes threads switch at the worst moments, as a busy machine eventually would.")
    return (f"all {expected} updates counted, with {report.get('sleeps', 0)} thread switches forced at reads and "
            "writes of shared state")


@check("each-count-once")
def each_count_once(ctx: Context) -> str:
    run = main_run(ctx)
    expected = expected_total(run)
    printed = Counter(int(match.group(1)) for match in COUNT.finditer(run.stdout))
    repeated = sorted(value for value, times in printed.items() if times > 1)
    missing = [value for value in range(1, expected + 1) if value not in printed]
    extra = sorted(value for value in printed if not 1 <= value <= expected)
    if not (repeated or missing or extra):
        return f"each count from 1 to {expected} printed once"
    problems = []
    if repeated:
        problems.append(f"two threads printed the same count {repeated[0]}"
                        + (f" ({len(repeated) - 1} more counts were printed twice or more)" if len(repeated) > 1 else ""))
    if missing:
        problems.append(f"{len(missing)} count(s) never printed, e.g. {missing[0]}")
    if extra:
        problems.append(f"counts outside 1..{expected} printed, e.g. {extra[0]}")
    fail(f"Expected each count from 1 to {expected} printed exactly once, but {'; '.join(problems)}.",
         why="a line must report the value its own update made. If the print reads counter after the update "
             "left the lock (or with no lock at all), another thread may have changed it in between.",
         line=line_containing(ctx, "The count is"), hint=2,
         expected=f"1..{expected}, once each", actual=f"{sum(printed.values())} count lines, {len(printed)} different")


def mixed_line(lines: List[str], sep: str) -> Optional[str]:
    """Why the output shows two threads' prints mixed, or None when every line is whole."""
    for index, text in enumerate(lines):
        where = f"output line {index + 1}"
        fragments = len(COUNT.findall(text)) + len(FINAL.findall(text)) + (1 if sep in text else 0)
        if fragments > 1 or (text.count(sep) > 1 and text.replace(sep, "") == ""):
            return f"two threads printed into the same line: {where} is {text!r}"
        if COUNT.fullmatch(text) and (index + 1 >= len(lines) or lines[index + 1] != sep):
            following = lines[index + 1] if index + 1 < len(lines) else "(the end of the output)"
            return (f"{where}, {text!r}, is not followed by its separator line but by {following!r}: another "
                    "thread printed between the two lines of one update")
        if text == "" and 0 < index < len(lines) - 1:
            return (f"{where} is empty: one thread's newline landed after another thread's text, "
                    "because print() writes the text and the newline separately")
    return None


def without_final_print(writes: List[List[str]]) -> Optional[str]:
    """The output as the writes made it, less the print of the final count (its text and the newline the
    same thread wrote next); None when the writes hold no final count."""
    kept = list(writes)
    for index, (thread, text) in enumerate(kept):
        if FINAL.search(text):
            newline = next((i for i in range(index + 1, len(kept)) if kept[i][0] == thread), None)
            drop = {index} | ({newline} if newline is not None and kept[newline][1] == "\n" else set())
            return "".join(text for i, (_, text) in enumerate(kept) if i not in drop)
    return None


def mixed_by_final_print(run: Run, sep: str) -> bool:
    """True when the workers' lines are whole and only the final count's print landed among them (printed
    while they were still printing): the fix is to wait for the workers, not a lock around the prints."""
    writes = observed(run).get("writes")
    if not isinstance(writes, list) or not writes:
        return False
    rest = without_final_print(writes)
    whole = "".join(text for _, text in writes)
    return rest is not None and mixed_line(split_lines(whole), sep) is not None and mixed_line(split_lines(rest), sep) is None


@check("lines-not-interleaved")
def lines_not_interleaved(ctx: Context) -> str:
    run = main_run(ctx)
    sep = separator(run)
    problem = mixed_line(output_lines(run), sep)
    if problem is None:
        return "every count line is whole and followed by its own separator"
    if mixed_by_final_print(run, sep):
        fail(f"The output of different threads got mixed: {problem}. The workers' own lines are whole: it is the "
             "final count that landed among them, printed while the workers were still printing.",
             why="the main thread printed the total without waiting for the workers, so its print ran at the same "
                 "time as theirs. Keep the threads in a list and join() each one (or queue.join()) before printing "
                 "the final count; then no worker prints any more.",
             line=line_containing(ctx, "Final count"), hint=4)
    fail(f"The output of different threads got mixed: {problem}.",
         why="print() is not one indivisible step: it writes the text, then the newline, and another thread "
             "can write in between. Keep both prints inside the same `with lock:` as the update (or let a "
             "single thread do all the printing).",
         line=line_containing(ctx, "The count is"), hint=2)


@check("final-after-workers")
def final_after_workers(ctx: Context) -> str:
    run = main_run(ctx)
    lines = output_lines(run)
    line = line_containing(ctx, "Final count")
    finals = [index for index, text in enumerate(lines) if FINAL.search(text)]
    if not finals:
        fail("Your program never printed the final count, a last line like 'Final count: 50'.",
             why="the total is the program's answer; print it once every worker has finished.", line=line, hint=4)
    final_index = finals[-1]
    value = int(FINAL.search(lines[final_index]).group(1))  # type: ignore[union-attr]
    later = [text for text in lines[final_index + 1:] if COUNT.search(text)]
    running = observed(run).get("aliveAtReturn") or []
    if later:
        fail(f"{lines[final_index].strip()!r} was printed while workers were still running: {len(later)} count "
             f"line(s) came after it" + (f", and {len(running)} thread(s) were still running when the "
                                        "program's main code ended" if running else "") + ".",
             why="a total printed before the work is done is just a guess. Keep the threads in a list and join() "
                 "each one (or queue.join()) before printing it.",
             line=line, hint=4, expected="the final count as the last line", actual=f"{len(later)} count line(s) after it")
    counter = constants(run).get("counter")
    truth = counter if isinstance(counter, int) else expected_total(run)
    if value != truth:
        fail(f"The final line says {value}, but the counter ended at {truth}.",
             why="the final count must report the counter as the workers left it.", line=line, hint=4,
             expected=truth, actual=value)
    return f"'Final count: {value}' printed after every worker finished"
