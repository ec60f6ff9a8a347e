"""Loading the parts of a lab the runner needs: its manifest, the learner's files, and its checks module."""
from __future__ import annotations

import importlib.util
import json
import os
import sys
import types
from typing import Any, Dict, List, Optional, Tuple


class LabProblem(Exception):
    """The run cannot start; reported as `fatal` with the file and line when there is one."""

    def __init__(self, message: str, file: Optional[str] = None, line: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line


def load_manifest(lab_dir: str) -> Dict[str, Any]:
    path = os.path.join(lab_dir, "lab.json")
    try:
        with open(path, encoding="utf-8") as handle:
            manifest = json.load(handle)
    except (OSError, ValueError) as error:
        raise LabProblem(f"cannot read the lab manifest {path}: {error} — please report this as a bug in the lab")
    missing = [key for key in ("id", "entry", "checks") if key not in manifest]
    if missing:
        raise LabProblem(f"the lab manifest {path} has no {', '.join(missing)} — please report this as a bug in the lab")
    return manifest


def python_too_old(manifest: Dict[str, Any]) -> Optional[str]:
    wanted = manifest.get("minPython")
    if not wanted:
        return None
    required = tuple(int(part) for part in str(wanted).split("."))
    if sys.version_info[:len(required)] >= required:
        return None
    have = ".".join(str(part) for part in sys.version_info[:3])
    return (f"This lab needs Python {wanted} or newer, but the checks ran with Python {have} ({sys.executable}). "
            f"Install Python {wanted}+ and choose it as the interpreter for Concurrency Labs, then Check again.")


def check_learner_files(manifest: Dict[str, Any], work_dir: str) -> None:
    """The entry file must exist and every Python file the learner edits must compile."""
    entry = manifest["entry"]
    if not os.path.isfile(os.path.join(work_dir, entry)):
        raise LabProblem(f"{entry} is missing from {work_dir}. Restore it (undo the delete or rename), "
                         f"or start the lab again to get a fresh copy.", file=entry)
    files: List[str] = [entry] + [f for f in manifest.get("files", []) if f.endswith(".py") and f != entry]
    for name in files:
        path = os.path.join(work_dir, name)
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as handle:
            text = handle.read()
        try:
            compile(text, path, "exec", dont_inherit=True)
        except SyntaxError as error:
            where = f" line {error.lineno}" if error.lineno else ""
            detail = error.msg or "invalid syntax"
            raise LabProblem(f"{type(error).__name__} in {name}{where}: {detail}. Fix it and Check again "
                             "(the checks cannot run a file Python cannot read).", file=name, line=error.lineno)
        except ValueError as error:  # e.g. a NUL byte in the file
            raise LabProblem(f"{name} cannot be compiled: {error}", file=name)


def import_checks(lab_dir: str, lab_id: str) -> types.ModuleType:
    checks_dir = os.path.join(lab_dir, "checks")
    path = os.path.join(checks_dir, "checks.py")
    if not os.path.isfile(path):
        raise LabProblem(f"the lab has no checks/checks.py ({path}) — please report this as a bug in the lab")
    # Helpers beside checks.py are imported by plain name.
    sys.path.insert(0, checks_dir)
    name = "_labchecks_" + lab_id.replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # noqa: BLE001 — any failure here is the lab's bug, reported as such
        import traceback
        detail = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        raise LabProblem(f"the lab's checks failed to import — please report this as a bug in the lab:\n{detail}")
    return module


def match_check_ids(manifest_ids: List[str], implemented: Dict[str, List[Any]]) -> None:
    missing = [i for i in manifest_ids if i not in implemented]
    extra = sorted(i for i in implemented if i not in manifest_ids)
    doubled = sorted(i for i, functions in implemented.items() if len(functions) > 1)
    problems: List[Tuple[str, List[str]]] = [
        ("in lab.json but not implemented in checks/checks.py", missing),
        ("implemented in checks/checks.py but not in lab.json", extra),
        ("implemented more than once", doubled),
    ]
    text = "; ".join(f"{what}: {', '.join(ids)}" for what, ids in problems if ids)
    if text:
        raise LabProblem(f"the lab's checks do not match its manifest ({text}) — please report this as a bug in the lab")
