"""Parses faulthandler's thread dump and maps it to the learner's own lines, for timed-out runs."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Dict, List, Optional

_THREAD = re.compile(r"^(Current thread|Thread) (0x[0-9a-fA-F]+)")
_FRAME = re.compile(r'^\s+File "(.*)", line (\d+) in (.+)$')


@dataclass(frozen=True)
class Frame:
    file: str
    line: int
    function: str


@dataclass(frozen=True)
class ThreadStack:
    thread: str
    frames: List[Frame]  # outermost first, like a Python traceback


def parse_faulthandler(text: str) -> List[ThreadStack]:
    stacks: List[ThreadStack] = []
    name: Optional[str] = None
    frames: List[Frame] = []
    for raw in text.splitlines():
        header = _THREAD.match(raw)
        if header:
            if name is not None:
                stacks.append(ThreadStack(name, list(reversed(frames))))
            name, frames = f"thread {header.group(2)}", []
            continue
        frame = _FRAME.match(raw)
        if frame and name is not None:
            frames.append(Frame(frame.group(1), int(frame.group(2)), frame.group(3).strip()))
    if name is not None:
        stacks.append(ThreadStack(name, list(reversed(frames))))
    return stacks


def is_inside(path: str, folder: str) -> bool:
    try:
        real, root = os.path.realpath(path), os.path.realpath(folder)
        return os.path.commonpath([real, root]) == root
    except ValueError:  # different drives on Windows
        return False


def _label(stack: ThreadStack, learner: List[Frame]) -> str:
    outermost = stack.frames[0].function if stack.frames else ""
    if outermost == "_run_module_as_main" or any(f.function == "<module>" for f in stack.frames[:3]):
        return "main thread"
    if learner:
        return f"{stack.thread} running {learner[0].function}()"
    return stack.thread


def learner_stacks(stacks: List[ThreadStack], learner_dir: str) -> List[Dict[str, object]]:
    """Protocol `stacks`: only the learner's frames (file relative to the learner folder) for threads
    that are in learner code; threads that are only in library code (idle pool workers) are left out,
    unless no thread is in learner code at all, in which case every frame is kept."""
    result: List[Dict[str, object]] = []
    for stack in stacks:
        learner = [Frame(os.path.relpath(os.path.realpath(f.file), os.path.realpath(learner_dir)), f.line, f.function)
                   for f in stack.frames if is_inside(f.file, learner_dir)]
        if learner:
            result.append({"thread": _label(stack, learner), "frames": [f.__dict__ for f in learner]})
    if result:
        result.sort(key=lambda s: s["thread"] != "main thread")
        return result
    return [{"thread": _label(s, []), "frames": [f.__dict__ for f in s.frames]} for s in stacks]


def describe(stacks: List[Dict[str, object]]) -> str:
    """One line per thread: where it was when time ran out."""
    lines = []
    for stack in stacks:
        frames = stack["frames"]
        if isinstance(frames, list) and frames:
            top = frames[-1]
            lines.append(f"  {stack['thread']} was at {top['file']} line {top['line']} in {top['function']}")
    return "\n".join(lines)
