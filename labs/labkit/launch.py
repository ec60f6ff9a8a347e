"""Runs a learner's program in this (child) process for the checker:

    python -m labkit.launch [--timeout S] [--stacks FILE] [--report FILE] [--probe FILE]
                            [--trace FILE --functions a,b] <entry.py> [args...]

The entry runs as __main__ with sys.argv and sys.path as `python <entry.py>` would give it. An uncaught
exception is printed to stderr as Python prints it and reported (type, message, the learner's innermost
line) in the report file; SystemExit codes are kept. On --timeout every thread's stack goes to the stacks
file and the process exits, so a deadlock becomes a report instead of a hang.
"""
from __future__ import annotations

import _thread
import argparse
import faulthandler
import json
import os
import sys
import threading
import time
import traceback
import types
from typing import IO, Any, Dict, List, Optional

from labkit import probe
from labkit import stacks
from labkit.stacks import is_inside

_LABKIT_DIR = os.path.dirname(os.path.abspath(__file__))


def _parse(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m labkit.launch")
    parser.add_argument("--timeout", type=float, default=None)
    parser.add_argument("--stacks", default=None)
    parser.add_argument("--report", default=None)
    parser.add_argument("--probe", default=None)
    parser.add_argument("--trace", default=None)
    parser.add_argument("--functions", default="")
    parser.add_argument("entry")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    return parser.parse_args(argv)


def _is_machinery(filename: str) -> bool:
    return is_inside(filename, _LABKIT_DIR) or os.path.basename(filename) == "runpy.py" or filename.startswith("<frozen runpy")


def _learner_traceback(tb: Optional[types.TracebackType]) -> Optional[types.TracebackType]:
    """Drops the launcher's own frames from the top, so the traceback starts where Python's would."""
    while tb is not None and _is_machinery(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    return tb


def exception_info(error: BaseException, learner_dir: str) -> Dict[str, Any]:
    """Type, message and the innermost line of the learner's own code that the exception passed through."""
    where: Optional[traceback.FrameSummary] = None
    for frame in traceback.extract_tb(error.__traceback__):
        if is_inside(frame.filename, learner_dir):
            where = frame
    file: Optional[str] = None
    line: Optional[int] = None
    function: Optional[str] = None
    if isinstance(error, SyntaxError) and error.filename and is_inside(error.filename, learner_dir):
        file, line = error.filename, error.lineno
    elif where is not None:
        file, line, function = where.filename, where.lineno, where.name
    return {
        "type": type(error).__name__,
        "message": str(error),
        "file": os.path.relpath(os.path.realpath(file), os.path.realpath(learner_dir)) if file else None,
        "line": line,
        "function": function,
    }


def _watch_thread_exceptions(learner_dir: str) -> None:
    default_hook = threading.excepthook

    def hook(args: Any) -> None:
        if args.exc_value is not None and not isinstance(args.exc_value, SystemExit):
            info = exception_info(args.exc_value, learner_dir)
            info["thread"] = args.thread.name if args.thread is not None else None
            probe.write_record({"kind": "threadException", **info})
        default_hook(args)

    threading.excepthook = hook


def snapshot_path(stacks_path: str) -> str:
    return stacks_path + ".json"


def _snapshot_before(deadline: float, path: str) -> None:
    """Just before the deadline, writes thread names, CPU use and asyncio tasks (labkit.stacks.snapshot),
    which faulthandler cannot tell. A bare _thread, like asyncwatch's, so the learner's
    threading.enumerate() and timeline never see it."""
    remaining = deadline - time.monotonic()
    window = min(0.5, max(0.05, remaining * 0.2))
    # The snapshot must be on disk before faulthandler ends the process. On a loaded machine a busy
    # learner thread and other processes can keep this thread off the CPU for a few hundred ms (CI saw a
    # 0.2 s margin missed), so the margin grows with the time limit: up to 1 s for a lab's 15-60 s.
    margin = max(0.4, min(1.0, remaining * 0.1))
    time.sleep(max(0.0, remaining - window - margin))
    try:
        data = stacks.snapshot({_thread.get_ident()}, window)
        partial = path + ".part"
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump(data, handle, default=repr)
        os.replace(partial, path)  # faulthandler may end the process at any moment: never leave half a file
    except Exception:  # noqa: BLE001 — faulthandler's dump still comes; nothing may reach the learner's output
        pass


def _learner_frame_info(frame: Optional[types.FrameType], learner_dir: str) -> Dict[str, Any]:
    """The innermost frame of the learner's own code on this stack, as exception_info words it."""
    while frame is not None and not is_inside(frame.f_code.co_filename, learner_dir):
        frame = frame.f_back
    if frame is None:
        return {"file": None, "line": None, "function": None}
    return {"file": os.path.relpath(os.path.realpath(frame.f_code.co_filename), os.path.realpath(learner_dir)),
            "line": frame.f_lineno, "function": frame.f_code.co_name}


def _watch_os_exit(learner_dir: str) -> None:
    """os._exit() ends the process without unwinding, so nothing else could say where it happened. Only
    this process's own call is reported: a forked multiprocessing worker ends with os._exit as a matter
    of course."""
    real_exit = os._exit
    pid = os.getpid()

    def _exit(code: int) -> None:
        if os.getpid() == pid:
            try:
                probe.write_record({"kind": "osExit", "type": "os._exit", "message": str(code),
                                    **_learner_frame_info(sys._getframe(1), learner_dir)})
            finally:
                real_exit(code)
        real_exit(code)

    os._exit = _exit  # type: ignore[assignment]


def _start_timeout(seconds: Optional[float], stacks_path: Optional[str]) -> Optional[IO[str]]:
    if not seconds:
        return None
    stream = open(stacks_path, "w", encoding="utf-8") if stacks_path else None
    if stacks_path:
        _thread.start_new_thread(_snapshot_before, (time.monotonic() + seconds, snapshot_path(stacks_path)))
    # The backstop: faulthandler dumps and exits from C even when Python code cannot run any more.
    faulthandler.dump_traceback_later(seconds, exit=True, file=stream or sys.stderr)
    return stream


def _start_recorder(trace: Optional[str], functions: str, learner_dir: str) -> Any:
    if not trace:
        return None
    try:
        from labkit import recorder  # written separately; the timeline is optional, the run is not
    except ImportError as error:
        print(f"[labkit] timeline not recorded: {error}", file=sys.stderr)
        return None
    names = [name for name in functions.split(",") if name]
    recorder.start(trace, roots=[learner_dir], functions=names)
    return recorder


def run(options: argparse.Namespace) -> int:
    entry = os.path.abspath(options.entry)
    learner_dir = os.path.dirname(entry)
    probe.configure(entry, options.report)
    sys.argv = [options.entry, *options.args]
    # `python -m` put the current folder first on sys.path; a script run sees its own folder there.
    sys.path[0] = learner_dir
    if options.probe:
        sys.path.insert(1, os.path.dirname(os.path.abspath(options.probe)))
    _watch_thread_exceptions(learner_dir)
    _watch_os_exit(learner_dir)
    stacks_stream = _start_timeout(options.timeout, options.stacks)
    recorder = _start_recorder(options.trace, options.functions, learner_dir)
    started = time.perf_counter()
    code = 0
    try:
        if options.probe:
            import runpy
            runpy.run_path(options.probe, run_name="__main__")
        else:
            probe.run_entry()
    except SystemExit as stop:
        code = _exit_code(stop)
        if code != 0:  # where sys.exit() was called: an exit code alone does not say
            probe.write_record({"kind": "exit", **exception_info(stop, learner_dir)})
        raise
    except BaseException as error:  # noqa: B036 — KeyboardInterrupt in learner code is theirs to report too
        code = 1
        probe.write_record({"kind": "exception", **exception_info(error, learner_dir)})
        sys.stdout.flush()
        traceback.print_exception(type(error), error, _learner_traceback(error.__traceback__))
        sys.stderr.flush()
    finally:
        probe.write_record({"kind": "finished", "seconds": time.perf_counter() - started, "exitCode": code})
        if recorder is not None:
            recorder.stop()
    # stacks_stream stays open: threads the learner left running still count against the time limit
    # while Python waits for them at exit, and a dump then must still reach the file.
    del stacks_stream
    return code


def _exit_code(stop: SystemExit) -> int:
    if stop.code is None:
        return 0
    return stop.code if isinstance(stop.code, int) else 1


def main(argv: Optional[List[str]] = None) -> int:
    return run(_parse(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
