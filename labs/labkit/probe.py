"""What runs inside the learner's process: the learner's entry file and observations for the checker.

labkit.launch configures this module before any learner code runs. A probe script (a lab's
checks/<name>.py, run with `launch --probe`) uses it to load or run the learner's code and to send
JSON observations back with report(); the checker reads them from the report file after the run.
"""
from __future__ import annotations

import importlib.util
import json
import os
import runpy
import sys
import threading
import types
from typing import Any, Dict, Optional

_entry: Optional[str] = None
_report_path: Optional[str] = None
_write_lock = threading.Lock()


def configure(entry: str, report_path: Optional[str]) -> None:
    global _entry, _report_path
    _entry = os.path.abspath(entry)
    _report_path = report_path


def entry_path() -> str:
    if _entry is None:
        raise RuntimeError("labkit.probe works only inside `python -m labkit.launch`")
    return _entry


def learner_dir() -> str:
    return os.path.dirname(entry_path())


def write_record(record: Dict[str, Any]) -> None:
    """Appends one JSON line to the report file; a line per call, so a run that times out keeps what it had."""
    if _report_path is None:
        return
    line = json.dumps(record, default=repr) + "\n"
    with _write_lock, open(_report_path, "a", encoding="utf-8") as handle:
        handle.write(line)


def report(observation: Any) -> None:
    """Sends one JSON-serialisable observation to the checker (Run.observations)."""
    if _entry is None:
        raise RuntimeError("labkit.probe.report() works only inside `python -m labkit.launch --report FILE`")
    write_record({"kind": "observation", "data": observation})


def run_entry() -> Dict[str, Any]:
    """Runs the learner's entry file as __main__, as `python <entry>` would."""
    return runpy.run_path(entry_path(), run_name="__main__")


def load_learner(module_name: Optional[str] = None) -> types.ModuleType:
    """Imports the learner's entry file as an ordinary module (its `if __name__ == "__main__":` block
    does not run), so a probe can call its functions one by one."""
    path = entry_path()
    name = module_name or os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path} as a module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
