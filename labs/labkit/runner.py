"""Runs a lab's hidden checks against a learner's folder and writes the results file (docs/lab-format.md):

    python -m labkit.runner --lab DIR --work DIR --results FILE [--trace FILE] [--only id,...]

Exit code: 0 all passed, 1 some failed, 2 error or timed out. The learner's code only ever runs in child
processes (labkit.launch), so nothing it prints or does can write a verdict.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from typing import Any, Dict, List, Optional

from labkit import labfiles
from labkit.results import ResultsWriter

_LABS_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SEVERITY = {"passed": 0, "skipped": 0, "failed": 1, "timedOut": 2, "error": 3}
_OVERALL = {0: "passed", 1: "failed", 2: "timedOut", 3: "error"}
# Left for the runner itself (stopping the server, writing `done`) out of the lab's time limit.
_TIME_MARGIN_SECONDS = 1.0


def _parse(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m labkit.runner")
    parser.add_argument("--lab", required=True, help="the lab folder (labs/<id>)")
    parser.add_argument("--work", required=True, help="the learner's copy of the lab")
    parser.add_argument("--results", required=True, help="where to write the JSON-lines results")
    parser.add_argument("--trace", default=None, help="record the main run's timeline to this file")
    parser.add_argument("--only", default=None, help="comma-separated check ids to run")
    return parser.parse_args(argv)


def child_env(flags_url: Optional[str]) -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_LABS_ROOT, env.get("PYTHONPATH")) if p)
    # Unbuffered, so what a program printed before it hung is still there when it is stopped.
    env.update(PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1", PYTHONUTF8="1", PYTHONIOENCODING="utf-8")
    if flags_url:
        env["FLAGS_URL"] = flags_url
    else:
        env.pop("FLAGS_URL", None)
    return env


def finish_traced_run(writer: ResultsWriter, run: Any, trace_path: str, server: Any) -> None:
    """The one place where the recorded run ends: the timeline file is complete here, and the flag
    server still holds that run's requests (server.spans()) for merging into it."""
    if server is not None and getattr(run, "requests", None):
        from labkit import tracemerge
        try:
            tracemerge.add_server_spans(trace_path, run.requests)
        except (OSError, ValueError) as error:  # the timeline is extra; the verdicts must still arrive
            print(f"[labkit] flag server requests not added to the timeline: {error}", file=sys.stderr)
    if os.path.isfile(trace_path):
        writer.write("trace", path=trace_path)


def _why_it_hung(stacks: List[Dict[str, Any]]) -> str:
    states = {s.get("state") for s in stacks}
    if "running" in states:
        return ("A thread that was running at the end is busy on the CPU: usually a loop whose condition "
                "never turns false (a flag nobody sets, an Event nobody sets, a counter that never gets there).")
    if any(s.get("awaiting") for s in stacks):
        return ("An await never returned: awaiting a task that never ends (one that loops until it is "
                "cancelled) waits forever; cancel() it first, or signal it to stop.")
    if states and states <= {"waiting", "suspended"}:
        return ("Nothing was using the CPU: every thread was waiting for something that never came "
                "(a lock never released, a join on a thread that never ends, a queue nobody puts into).")
    return "Your program was still going when time ran out."


def _held_open_result(ctx: Any) -> Dict[str, Any]:
    """The program's own code finished but a process it started kept running with the program's output,
    so the run only ended at the time limit (there are no stacks: the program was already gone)."""
    line = next((found for found in (ctx.line_of_call(name) for name in _CHILD_STARTERS) if found), None)
    return {"status": "timedOut", "stacks": [], "file": ctx.entry_name, "line": line,
            "message": f"timed out after {ctx.runs_of_current_check[-1].timeout:g} s, although your program's own code had "
                       "finished: a process it started (subprocess.Popen, multiprocessing) was still running and "
                       "still holding the program's output open, so the program never really ended. Wait for it "
                       "before your program ends (.wait(), .join(), or a `with` block), or stop it."}


_CHILD_STARTERS = ("Popen", "Process", "ProcessPoolExecutor", "Pool")


def _timed_out_result(error: Any, entry: str, check_id: str, reported: Dict[int, str]) -> Dict[str, Any]:
    from labkit.stacks import describe
    run = error.run
    first = reported.setdefault(id(run), check_id)
    located = next((s["frames"][-1] for s in run.stacks if s["frames"] and not os.path.isabs(s["frames"][-1]["file"])), None)
    result = {"status": "timedOut", "stacks": run.stacks,
              "file": located["file"] if located else entry, "line": located["line"] if located else None}
    if first != check_id:
        # Checks that share one run share its time-out: the stacks are told once, at the first.
        result["message"] = f"timed out after {run.timeout:g} s: the same run as check '{first}' (see there where each thread was)."
        return result
    message = f"timed out after {run.timeout:g} s — possible deadlock or infinite loop. {_why_it_hung(run.stacks)}"
    where = describe(run.stacks)
    if where:
        message += f"\nWhere each thread was when time ran out:\n{where}"
    result["message"] = message
    return result


def run_check(function: Any, ctx: Any, spec: Dict[str, Any]) -> Dict[str, Any]:
    from labkit.failures import CheckFailed, CheckSkipped, RunTimedOut
    ctx.runs_of_current_check = []
    result: Dict[str, Any] = {"hint": spec.get("hint")}
    try:
        message = function(ctx)
        result.update(status="passed", message=message if isinstance(message, str) else "")
    except CheckFailed as failure:
        result.update(status="failed", message=failure.message, line=failure.line, expected=failure.expected,
                      actual=failure.actual, file=failure.file or (ctx.entry_name if failure.line else None))
        if failure.hint is not None:
            result["hint"] = failure.hint
    except CheckSkipped as skipped:
        result.update(status="skipped", message=str(skipped))
    except RunTimedOut as timeout:
        if timeout.run.held_open_after_finishing:
            result.update(_held_open_result(ctx))
        else:
            result.update(_timed_out_result(timeout, ctx.entry_name, spec["id"], ctx.timed_out_reported))
        hang_hint = getattr(timeout, "hint", None)
        if hang_hint is not None:  # a check may key a hang to its own hint
            result["hint"] = hang_hint
    except Exception:  # noqa: BLE001 — a bug in the check, not in the learner's code
        result.update(status="error", message="checker crashed — please report this as a bug in the lab:\n"
                      + traceback.format_exc())
    if ctx.runs_of_current_check:
        result["output"] = ctx.runs_of_current_check[-1].output
    return result


class _Session:
    def __init__(self, options: argparse.Namespace, writer: ResultsWriter) -> None:
        self.options = options
        self.writer = writer
        self.lab_dir = os.path.abspath(options.lab)
        self.work_dir = os.path.abspath(options.work)
        self.started = time.monotonic()

    def run(self) -> int:
        manifest = labfiles.load_manifest(self.lab_dir)
        too_old = labfiles.python_too_old(manifest)
        if too_old:
            raise labfiles.LabProblem(too_old)
        specs: List[Dict[str, Any]] = list(manifest["checks"])
        ids = [spec["id"] for spec in specs]
        selected = self._selected(ids)
        labfiles.check_learner_files(manifest, self.work_dir)
        from labkit.checks import registered_checks
        module = labfiles.import_checks(self.lab_dir, str(manifest["id"]))
        implemented = registered_checks(module)
        labfiles.match_check_ids(ids, implemented)

        deadline = self.started + float(manifest.get("timeLimitSeconds", 60)) - _TIME_MARGIN_SECONDS
        server = self._start_server(manifest.get("flagServer"))
        scratch = tempfile.mkdtemp(prefix="labkit-")
        worst = 0
        try:
            from labkit.checks import Context
            ctx = Context(manifest, self.lab_dir, self.work_dir, scratch=scratch, deadline=deadline, server=server,
                          env=child_env(server.base_url if server else None), trace_path=self._trace_path(),
                          on_traced_run=lambda run, path: finish_traced_run(self.writer, run, path, server))
            for spec in specs:
                check_id = spec["id"]
                if check_id not in selected:
                    self.writer.write("checkEnd", id=check_id, status="skipped", message="not selected in this run",
                                      file=None, line=None, hint=None, durationMs=0)
                    continue
                if time.monotonic() > deadline:
                    self.writer.write("checkEnd", id=check_id, status="skipped", file=None, line=None, hint=None,
                                      message=f"not run: the Check used up the lab's time limit of {manifest.get('timeLimitSeconds')} s",
                                      durationMs=0)
                    continue
                self.writer.write("checkStart", id=check_id)
                began = time.perf_counter()
                result = run_check(implemented[check_id][0], ctx, spec)
                result.setdefault("file", None)
                result.setdefault("line", None)
                self.writer.write("checkEnd", id=check_id, durationMs=round((time.perf_counter() - began) * 1000), **result)
                worst = max(worst, _SEVERITY[result["status"]])
        finally:
            if server is not None:
                server.stop()
            shutil.rmtree(scratch, ignore_errors=True)
        return worst

    def _selected(self, ids: List[str]) -> List[str]:
        if not self.options.only:
            return ids
        wanted = [i.strip() for i in self.options.only.split(",") if i.strip()]
        unknown = [i for i in wanted if i not in ids]
        if unknown:
            raise labfiles.LabProblem(f"unknown check id(s) {', '.join(unknown)}; this lab's checks are: {', '.join(ids)}")
        return wanted

    def _trace_path(self) -> Optional[str]:
        return os.path.abspath(self.options.trace) if self.options.trace else None

    @staticmethod
    def _start_server(spec: Optional[Dict[str, Any]]) -> Any:
        if not spec:
            return None
        from labkit.flagserver import FlagServer
        return FlagServer(delay=float(spec.get("delaySeconds", 0)), error_codes=spec.get("errorCodes", []),
                          delay_by_code=spec.get("delayByCode")).start()


def main(argv: Optional[List[str]] = None) -> int:
    options = _parse(argv)
    began = time.monotonic()
    writer = ResultsWriter(options.results)
    try:
        writer.write("hello", python=platform.python_version(), executable=sys.executable,
                     lab=os.path.basename(os.path.abspath(options.lab)))
        try:
            worst = _Session(options, writer).run()
        except labfiles.LabProblem as problem:
            writer.fatal(problem.message, problem.file, problem.line)
            worst = 3
        except Exception:  # noqa: BLE001 — whatever went wrong, the results file must say so
            writer.fatal("the checker crashed — please report this:\n" + traceback.format_exc())
            worst = 3
        writer.write("done", status=_OVERALL[worst], durationMs=round((time.monotonic() - began) * 1000))
    finally:
        writer.close()
    return 0 if worst == 0 else 1 if worst == 1 else 2


if __name__ == "__main__":
    sys.exit(main())
