"""What a probe's asyncwatch.report() sent, read back in the checker. Apart from labkit.asyncwatch so that the
checker process never imports asyncio (about 27 ms of every Check of an asyncio lab) just to read a report."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple


@dataclass
class Watched:
    """What a probe's asyncwatch.report() sent, read back in the checker (times are perf_counter seconds)."""

    loops: List[Dict[str, Any]] = field(default_factory=list)
    stalls: List[Dict[str, Any]] = field(default_factory=list)
    tasks: List[Dict[str, Any]] = field(default_factory=list)
    unawaited: List[Dict[str, Any]] = field(default_factory=list)
    marks: List[Dict[str, Any]] = field(default_factory=list)
    extra: Dict[str, Any] = field(default_factory=dict)
    reported: bool = False
    # asyncio locks and semaphores made in the learner's code: kind, file, line, function, how many made there
    # ("made") and how many of those with no event loop running ("outsideLoop").
    primitives: List[Dict[str, Any]] = field(default_factory=list)

    def mark(self, name: str) -> Optional[float]:
        return next((m["at"] for m in self.marks if m["name"] == name), None)

    def tasks_of(self, coroutine: str) -> List[Dict[str, Any]]:
        return [t for t in self.tasks if t["coroutine"].rsplit(".", 1)[-1] == coroutine]

    def made_again_and_again(self, kind: str) -> Optional[Dict[str, Any]]:
        """The learner's line that made the most asyncio `kind`s (Semaphore, BoundedSemaphore, Lock), when it
        made more than one: a lock or semaphore made per use, which never makes anyone wait."""
        repeated = [p for p in self.primitives if p["kind"].endswith(kind) and p["made"] > 1]
        return max(repeated, key=lambda p: p["made"]) if repeated else None

    def made_outside_a_loop(self) -> Optional[Dict[str, Any]]:
        """The first lock or semaphore the learner made while no event loop was running (at the top of the file,
        or in a plain function before asyncio.run()), if any."""
        return next((p for p in self.primitives if p.get("outsideLoop")), None)

    def longest_stall(self, start: Optional[float] = None, end: Optional[float] = None) -> Optional[Dict[str, Any]]:
        """The longest blocked stretch that overlaps [start, end] (the whole run when not given)."""
        def overlaps(stall: Dict[str, Any]) -> bool:
            return ((start is None or stall["start"] + stall["seconds"] >= start)
                    and (end is None or stall["start"] <= end))
        inside = [s for s in self.stalls if overlaps(s)]
        return max(inside, key=lambda s: s["seconds"]) if inside else None


def observed(observations: List[Any]) -> Watched:
    for item in observations:
        if isinstance(item, dict) and isinstance(item.get("asyncwatch"), dict):
            data = item["asyncwatch"]
            extra = {k: v for k, v in item.items() if k != "asyncwatch"}
            return Watched(data.get("loops", []), data.get("stalls", []), data.get("tasks", []),
                           data.get("unawaited", []), data.get("marks", []), extra, True,
                           data.get("primitives", []))
    return Watched()


def site_line(site: Optional[Dict[str, Any]]) -> Tuple[Optional[str], Optional[int]]:
    """(file, line) of a recorded site, for a failure's location."""
    if not site:
        return None, None
    return site.get("file"), site.get("line")
