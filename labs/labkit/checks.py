"""What check authors use in a lab's checks/checks.py:

    from labkit.checks import Context, check, fail

    @check("saves-all-flags")
    def saves_all_flags(ctx: Context) -> str:
        run = ctx.run_main()            # shared by every check that asks for the same run
        ...
        fail("what was expected, what happened", why="why it matters", line=ctx.line_of_function("save_flag"))
        return "optional message shown when the check passes"

A check passes by returning; it fails by calling fail() (or another helper from labkit.failures).
Any other exception is reported as a crash of the checker, not as the learner's fault.
"""
from __future__ import annotations

import os
import shutil
import sys
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

from labkit.failures import (  # re-exported: check authors import everything from here
    CheckFailed, CheckSkipped, RunTimedOut, expect_peak_in_flight, expect_same_bytes, expect_time_within, fail, skip)
from labkit.run import ExceptionInfo, Run, launch
from labkit.source import Source

if TYPE_CHECKING:
    # http.server costs a Check ~35 ms to import; the runner imports it only for labs with a flag server.
    from labkit.flagserver import FlagServer

__all__ = ["CheckFailed", "CheckSkipped", "Context", "Run", "RunTimedOut", "check", "expect_peak_in_flight",
           "expect_same_bytes", "expect_time_within", "fail", "skip"]

CHECK_ATTRIBUTE = "__labkit_check__"
CheckFunction = Callable[["Context"], Optional[str]]
F = TypeVar("F", bound=Callable[..., Any])


def check(check_id: str) -> Callable[[F], F]:
    """Marks a function as the check with this id in lab.json."""
    def mark(function: F) -> F:
        setattr(function, CHECK_ATTRIBUTE, check_id)
        return function
    return mark


def registered_checks(module: Any) -> Dict[str, List[CheckFunction]]:
    """Every function in a checks module marked with @check, by id (a list, so duplicates can be reported)."""
    found: Dict[str, List[CheckFunction]] = {}
    for value in vars(module).values():
        check_id = getattr(value, CHECK_ATTRIBUTE, None)
        if isinstance(check_id, str) and callable(value):
            found.setdefault(check_id, []).append(value)
    return found


class Context:
    """Everything a check needs: the lab, the learner's folder and entry file, the flag server, and ways
    to run the learner's code."""

    def __init__(self, manifest: Dict[str, Any], lab_dir: str, work_dir: str, *, scratch: str, env: Dict[str, str],
                 deadline: float, server: Optional[FlagServer] = None, trace_path: Optional[str] = None,
                 on_traced_run: Optional[Callable[[Run, str], None]] = None) -> None:
        self.manifest = manifest
        self.lab_dir = lab_dir
        self.work_dir = work_dir
        self.entry_name: str = manifest["entry"]
        self.entry = os.path.join(work_dir, self.entry_name)
        self.server = server
        self.python = sys.executable
        self.scratch = scratch
        self.env = env
        self.deadline = deadline
        limit = float(manifest.get("timeLimitSeconds", 60))
        self.default_timeout = min(20.0, max(3.0, limit / 2))
        self._trace_path = trace_path
        self._on_traced_run = on_traced_run
        self._runs: Dict[Tuple[str, Optional[str], Tuple[str, ...]], Run] = {}
        self._source: Optional[Source] = None
        self.runs_of_current_check: List[Run] = []
        # id(run) -> the check that reported its time-out first (the runner tells a shared hang once).
        self.timed_out_reported: Dict[int, str] = {}

    # -- where things are ---------------------------------------------------------------------------
    def path(self, *parts: str) -> str:
        """A path inside the learner's lab folder."""
        return os.path.join(self.work_dir, *parts)

    @property
    def source(self) -> Source:
        if self._source is None:
            self._source = Source(self.entry)
        return self._source

    def line_of_function(self, name: str) -> Optional[int]:
        return self.source.line_of_function(name)

    def line_of_call(self, name: str, inside: Optional[str] = None) -> Optional[int]:
        return self.source.line_of_call(name, inside)

    # -- running the learner's code -----------------------------------------------------------------
    def run_main(self, *, probe: Optional[str] = None, args: Sequence[str] = (), timeout: Optional[float] = None,
                 clean: Sequence[str] = (), expect_ok: bool = True) -> Run:
        """Runs the learner's program as `python <entry>` would (optionally under an observing probe from
        checks/ that ends by calling labkit.probe.run_entry()). The same run is shared by every check that
        asks for it. `clean` names folders in the learner's lab folder emptied first, so files left by an
        earlier run cannot pass for this one's. With expect_ok, a crash or a time-out ends the check."""
        key = ("main", probe, tuple(args))
        if key not in self._runs:
            for folder in clean:
                shutil.rmtree(self.path(folder), ignore_errors=True)
            trace, self._trace_path = self._trace_path, None
            run = self._launch(probe, args, timeout, trace)
            self._runs[key] = run
            if trace and self._on_traced_run is not None:
                self._on_traced_run(run, trace)
        return self._use(self._runs[key], expect_ok)

    def run_probe(self, probe: str, *, args: Sequence[str] = (), timeout: Optional[float] = None,
                  expect_ok: bool = True) -> Run:
        """Runs a probe from checks/ that loads the learner's module (labkit.probe.load_learner) and
        reports observations (labkit.probe.report); shared like run_main."""
        key = ("probe", probe, tuple(args))
        if key not in self._runs:
            self._runs[key] = self._launch(probe, args, timeout, None)
        return self._use(self._runs[key], expect_ok)

    def _launch(self, probe: Optional[str], args: Sequence[str], timeout: Optional[float], trace: Optional[str]) -> Run:
        remaining = self.deadline - time.monotonic()
        limit = max(1.0, min(timeout or self.default_timeout, remaining))
        probe_path = os.path.join(self.lab_dir, "checks", probe) if probe else None
        functions = (self.manifest.get("timeline") or {}).get("functions", [])
        return launch(self.python, self.entry, work_dir=self.work_dir, scratch=self.scratch, timeout=limit,
                      env=self.env, probe=probe_path, args=args, trace=trace, functions=functions, server=self.server)

    def _use(self, run: Run, expect_ok: bool) -> Run:
        self.runs_of_current_check.append(run)
        if expect_ok:
            expect_ran_cleanly(run, self.entry_name, self.manifest.get("hints") or [])
        return run


def _at(info: ExceptionInfo) -> str:
    if not (info.file and info.line):
        return ""
    inside = f", in {info.function}" if info.function and info.function != "<module>" else ""
    return f" ({info.file} line {info.line}{inside})"


def _expect_no_input_call(error: ExceptionInfo) -> None:
    if error.type == "EOFError" and "reading a line" in error.message:
        fail(f"input(){_at(error)} waited for a line typed on the keyboard, but a Check runs your program with "
             "no keyboard: its input is empty, so input() raised EOFError.",
             why="the checks run your program unattended; take the value from a constant or sys.argv, "
                 "or remove the prompt.", file=error.file, line=error.line)


def hint_for_function(hints: Sequence[str], function: str) -> Optional[int]:
    """The 1-based hint written for one of the learner's functions ("get_flag: ..."), if the lab has one."""
    for number, text in enumerate(hints, 1):
        if text.startswith((f"{function}:", f"{function}(", f"`{function}")):
            return number
    return None


def expect_ran_cleanly(run: Run, entry_name: str, hints: Sequence[str] = ()) -> None:
    if run.timed_out:
        raise RunTimedOut(run)
    if run.os_exit is not None:
        code = run.os_exit.message
        fail(f"Your program called os._exit({code}){_at(run.os_exit)}. os._exit ends the process on the spot: "
             "threads are not waited for, buffered output is lost, and nothing after it runs (here, what the "
             "checks needed to see). Let main() return, or use sys.exit() to end with a code.",
             why="the checks can only judge a program that ends normally.",
             file=run.os_exit.file or entry_name, line=run.os_exit.line)
    if run.exception is not None:
        error = run.exception
        if error.type == "NotImplementedError" and error.function:
            fail(f"{error.function}() is not written yet: it still raises NotImplementedError "
                 f"({error.file} line {error.line}). Replace its TODO with your code, then Check again.",
                 file=error.file, line=error.line, hint=hint_for_function(hints, error.function))
        _expect_no_input_call(error)
        fail(f"Your program stopped with an uncaught exception: {error.describe()}.\n"
             "The full traceback is in the output below.",
             why="the checks can only judge a program that runs to the end.",
             file=error.file, line=error.line)
    if run.returncode != 0:
        stop = run.exit_call
        if stop is not None and stop.file:
            argument = stop.message if stop.message.lstrip("-").isdigit() else repr(stop.message)
            fail(f"Your program called sys.exit({argument}){_at(stop)}, which ended it with exit code {run.returncode}.",
                 why="a non-zero exit code tells the caller that the program failed; the checks need it to "
                     "run to the end of its work. Fix what made it stop there, or let main() return.",
                 file=stop.file, line=stop.line)
        if run.returncode is not None and run.returncode < 0:
            fail(f"Your program was killed by signal {-run.returncode} before it finished (a crash in native code, "
                 "or something stopped it from outside).", why="the checks can only judge a program that runs to the end.",
                 file=entry_name)
        fail(f"Your program exited with code {run.returncode} instead of 0.",
             why="a non-zero exit code tells the caller that the program failed; the checks need it to finish its work.",
             file=entry_name)
