"""Watches process pools inside the learner's process, for probes: which worker processes really ran the
work, and which child processes were still alive afterwards. Works the same under the fork and the
spawn start methods.

    from labkit import cpuwatch
    cpuwatch.install(notes_dir)            # before the learner's pools submit anything
    module = cpuwatch.load_as_main()       # the learner's file, as a worker process would import it
    ...                                    # call its functions
    cpuwatch.worker_calls(notes_dir)       # {pid: calls that ran in that process}
    cpuwatch.children_alive(grace=1.0)     # pids of children still running after the grace

Why this way:
- ProcessPoolExecutor.submit wraps the submitted function in a _NotingCall, a module-level class here
  that pickles like any other; in the worker it appends a line to <notes_dir>/<pid> and then calls the
  learner's function. Executor.map goes through submit, so both are seen. Nothing comes
  back through the learner's results, and the parent's memory is never needed (spawned workers have none
  of it).
- A worker started with spawn imports the main module again, as `__mp_main__`. load_as_main() runs the
  learner's file under that name and makes it `__main__` for the duration, so functions defined in it
  pickle and unpickle exactly as they do when the learner runs `python <file>`, while its
  `if __name__ == "__main__":` block does not run and the probe can call the functions itself.
"""
from __future__ import annotations

import ast
import builtins
import functools
import multiprocessing
import os
import pickle
import sys
import time
import types
from concurrent import futures
from concurrent.futures import process as futures_process
from typing import Any, Callable, Dict, List, Sequence

from labkit import probe

MAIN_AS_IMPORTED = "__mp_main__"
_installed = False


def _name_of(fn: Any) -> str:
    if isinstance(fn, functools.partial):
        # Executor.map submits partial(_process_chunk, fn) once per chunk of the inputs.
        if getattr(fn.func, "__name__", "") == "_process_chunk" and fn.args:
            return f"{_name_of(fn.args[0])} (map chunk)"
        return _name_of(fn.func)
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or type(fn).__name__


class _NotingCall:
    """The learner's function as it travels to a worker: in the worker it notes this process's pid,
    then does the work. It carries the function's name, so the run's timeline still shows that name."""

    def __init__(self, notes_dir: str, fn: Callable[..., Any]) -> None:
        self.notes_dir = notes_dir
        self.fn = fn
        self.__qualname__ = _name_of(fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with open(os.path.join(self.notes_dir, str(os.getpid())), "a", encoding="ascii") as notes:
            notes.write("1\n")
        return self.fn(*args, **kwargs)


def install(notes_dir: str) -> None:
    global _installed
    if _installed:
        return
    _installed = True
    os.makedirs(notes_dir, exist_ok=True)
    submit = futures_process.ProcessPoolExecutor.submit

    def watched_submit(self: Any, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        call = _NotingCall(notes_dir, fn)
        try:
            pickle.dumps((call, args, kwargs), pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # noqa: BLE001 — whatever pickling raises is what the learner must see
            # Python 3.10+ fails the future with the pickling error; 3.9's feeder thread can hang the whole
            # pool on it instead, and the learner would see a time-out. Fail it here, the same on every version.
            failed: futures.Future[Any] = futures.Future()
            failed.set_exception(error)
            return failed
        return submit(self, call, *args, **kwargs)

    futures_process.ProcessPoolExecutor.submit = watched_submit  # type: ignore[method-assign]


def _without_calls(tree: ast.Module, names: Sequence[str]) -> ast.Module:
    """The module minus its top-level statements that only call one of `names`, like a bare `main()`."""
    def is_dropped(statement: ast.stmt) -> bool:
        return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
                and isinstance(statement.value.func, ast.Name) and statement.value.func.id in names)
    tree.body = [statement for statement in tree.body if not is_dropped(statement)]
    return tree


def load_as_main(drop_calls: Sequence[str] = ()) -> types.ModuleType:
    """Runs the learner's entry file as a spawned worker would (named __mp_main__, so its main block does
    not run) and leaves it installed as __main__, where multiprocessing looks for the main module.
    `drop_calls` names functions whose bare top-level calls are left out (a `main()` with no
    `if __name__ == "__main__":` around it would otherwise run the whole program here)."""
    path = probe.entry_path()
    with open(path, encoding="utf-8-sig") as handle:
        tree = _without_calls(ast.parse(handle.read(), path), drop_calls)
    code = compile(tree, path, "exec")
    module = types.ModuleType(MAIN_AS_IMPORTED)
    module.__file__ = path
    module.__builtins__ = builtins  # type: ignore[attr-defined]
    sys.modules[MAIN_AS_IMPORTED] = module
    sys.modules["__main__"] = module
    exec(code, module.__dict__)  # noqa: S102 — the learner's own program, which is what is being checked
    return module


def worker_calls(notes_dir: str) -> Dict[int, int]:
    """{pid: number of submitted calls that ran there}, for every process that ran at least one."""
    calls: Dict[int, int] = {}
    for name in os.listdir(notes_dir):
        if name.isdigit():
            with open(os.path.join(notes_dir, name), encoding="ascii") as notes:
                calls[int(name)] = sum(1 for _ in notes)
    return calls


def children_alive(grace: float) -> List[int]:
    """Pids of this process's multiprocessing children still running after up to `grace` seconds
    (a pool shut down without waiting gets that long to let its workers go)."""
    deadline = time.monotonic() + grace
    alive = _still_running(multiprocessing.active_children())
    while alive and time.monotonic() < deadline:
        time.sleep(0.02)
        alive = _still_running(multiprocessing.active_children())
    return [child.pid for child in alive if child.pid is not None]


def _still_running(children: List[Any]) -> List[Any]:
    """Drops children already reaped by another thread. A pool's manager thread and this one may both
    wait for the same exited worker: the loser's waitpid fails with ECHILD, which multiprocessing reports
    as "still running" (returncode None) until the winner records the exit code. On POSIX a pid that is
    gone altogether answers signal 0 with ProcessLookupError; a zombie not yet reaped still answers.
    (On Windows os.kill would end the process, so it is not asked there.)"""
    if os.name != "posix":
        return children
    running = []
    for child in children:
        try:
            os.kill(child.pid, 0)
        except ProcessLookupError:
            continue
        except (OSError, TypeError):
            pass
        running.append(child)
    return running


def stop_children(grace: float = 5.0) -> None:
    """Ends children left running, so the probe's own exit does not wait for a pool nobody shut down.
    SIGTERM first; whatever still runs after `grace` seconds (a busy machine, or a pool's own manager
    thread reaping the same child at the same moment) gets SIGKILL, and every child is waited for."""
    for child in multiprocessing.active_children():
        child.terminate()
    deadline = time.monotonic() + grace
    alive = multiprocessing.active_children()
    while alive and time.monotonic() < deadline:
        for child in alive:
            child.join(0.05)
        alive = multiprocessing.active_children()
    for child in alive:
        child.kill()
        child.join(grace)
