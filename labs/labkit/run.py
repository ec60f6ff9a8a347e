"""One run of the learner's code in a child process (python -m labkit.launch), and what came of it."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence

from labkit import stacks as stack_dump
from labkit.launch import snapshot_path

if TYPE_CHECKING:
    from labkit.flagserver import FlagServer, RequestRecord

# Time the child gets after its own faulthandler deadline to dump its stacks and exit, before it is killed.
KILL_GRACE_SECONDS = 3.0
OUTPUT_LIMIT = 4000


@dataclass(frozen=True)
class ExceptionInfo:
    type: str
    message: str
    file: Optional[str]
    line: Optional[int]
    function: Optional[str] = None
    thread: Optional[str] = None

    @classmethod
    def from_record(cls, record: Dict[str, Any]) -> "ExceptionInfo":
        return cls(str(record.get("type")), str(record.get("message", "")), record.get("file"), record.get("line"),
                   record.get("function"), record.get("thread"))

    def describe(self) -> str:
        text = f"{self.type}: {self.message}" if self.message else self.type
        if self.file and self.line:
            text += f" ({self.file} line {self.line}" + (f", in {self.function}" if self.function and self.function != "<module>" else "") + ")"
        return text


@dataclass
class Run:
    """What one run of the learner's code did: its output, how it ended, and what the flag server saw."""

    command: List[str]
    stdout: str
    stderr: str
    returncode: Optional[int]
    seconds: float
    timeout: float
    timed_out: bool = False
    exception: Optional[ExceptionInfo] = None
    thread_exceptions: List[ExceptionInfo] = field(default_factory=list)
    # Where the program called sys.exit() with a failure code, or os._exit() (which skips "finished").
    exit_call: Optional[ExceptionInfo] = None
    os_exit: Optional[ExceptionInfo] = None
    # The program itself had finished, but something it started kept its output open until the time limit.
    held_open_after_finishing: bool = False
    stacks: List[Dict[str, object]] = field(default_factory=list)
    observations: List[Any] = field(default_factory=list)
    program_seconds: Optional[float] = None
    requests: List["RequestRecord"] = field(default_factory=list)
    peak_in_flight: int = 0

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.exception is None and self.returncode == 0

    @property
    def output(self) -> str:
        """What the program printed, trimmed for the results file (the end is what matters most)."""
        text = self.stdout.strip()
        if self.stderr.strip():
            text = f"{text}\n{self.stderr.strip()}" if text else self.stderr.strip()
        if len(text) > OUTPUT_LIMIT:
            text = f"… ({len(text) - OUTPUT_LIMIT} earlier characters not shown)\n" + text[-OUTPUT_LIMIT:]
        return text

    def download_window(self) -> float:
        """Seconds from the first request's start to the last one's end, as the server measured them."""
        if not self.requests:
            return 0.0
        return (max(r.end_ns for r in self.requests) - min(r.start_ns for r in self.requests)) / 1e9

    def sequential_seconds(self) -> float:
        """What the same requests would take one after another: the sum of their own durations."""
        return sum(r.seconds for r in self.requests)


def _read_report(path: str, run: Run) -> None:
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.readlines()
    except OSError:
        return
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line cut short by a timed-out process
        kind = record.get("kind")
        if kind == "observation":
            run.observations.append(record.get("data"))
        elif kind == "exception":
            run.exception = ExceptionInfo.from_record(record)
        elif kind == "threadException":
            run.thread_exceptions.append(ExceptionInfo.from_record(record))
        elif kind == "exit":
            run.exit_call = ExceptionInfo.from_record(record)
        elif kind == "osExit":
            run.os_exit = ExceptionInfo.from_record(record)
        elif kind == "finished":
            run.program_seconds = record.get("seconds")


def _read_stacks(path: str, learner_dir: str) -> Optional[List[Dict[str, object]]]:
    """The learner's stacks when faulthandler's deadline fired, or None when it did not: from the
    snapshot the program took of itself just before (names, CPU use, asyncio tasks) when it could,
    else from faulthandler's dump."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    if not text.startswith("Timeout ("):
        return None
    try:
        with open(snapshot_path(path), encoding="utf-8") as handle:
            found = stack_dump.from_snapshot(json.load(handle))
    except (OSError, ValueError, KeyError, TypeError):
        found = stack_dump.parse_faulthandler(text)
    return stack_dump.learner_stacks(found, learner_dir)


def _kill_group(process: "subprocess.Popen[bytes]") -> None:
    """Kills the child and anything it started (a process pool's workers outlive their parent)."""
    if os.name == "posix":
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
    else:
        process.kill()


def launch(python: str, entry: str, *, work_dir: str, scratch: str, timeout: float, env: Dict[str, str],
           probe: Optional[str] = None, args: Sequence[str] = (), trace: Optional[str] = None,
           functions: Sequence[str] = (), server: Optional["FlagServer"] = None) -> Run:
    """Runs the learner's entry (or a probe) in a child with a time limit and collects everything."""
    os.makedirs(scratch, exist_ok=True)
    run_id = f"{time.perf_counter_ns()}"
    report, stacks = os.path.join(scratch, f"{run_id}.report"), os.path.join(scratch, f"{run_id}.stacks")
    command = [python, "-m", "labkit.launch", "--timeout", f"{timeout:g}", "--stacks", stacks, "--report", report]
    if probe:
        command += ["--probe", probe]
    if trace:
        command += ["--trace", trace, "--functions", ",".join(functions)]
    command += [entry, *args]
    if server is not None:
        server.reset()
    popen_extra: Dict[str, Any] = {"start_new_session": True} if os.name == "posix" else {
        "creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=work_dir, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen_extra)
    killed = False
    try:
        out, err = process.communicate(timeout=timeout + KILL_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        killed = True
        _kill_group(process)
        out, err = process.communicate()
    seconds = time.perf_counter() - started
    _kill_group(process)
    run = Run(command, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
              None if killed else process.returncode, seconds, timeout)
    _read_report(report, run)
    dumped = _read_stacks(stacks, os.path.dirname(entry))
    if dumped is not None or killed:
        run.timed_out = True
        run.stacks = dumped or []
        run.held_open_after_finishing = dumped is None and (run.program_seconds is not None or run.os_exit is not None)
    if server is not None:
        # A request from a killed program may still be sleeping in the server; let it finish first.
        server.wait_idle(timeout=1.0)
        run.requests = sorted(server.requests(), key=lambda r: r.start_ns)
        run.peak_in_flight = server.peak_in_flight()
    for path in (report, stacks, snapshot_path(stacks)):
        try:
            os.remove(path)
        except OSError:
            pass
    return run
