"""The runner's results file: JSON lines, protocol version 1 (docs/lab-format.md). Only the runner writes it."""
from __future__ import annotations

import json
from typing import IO, Any, Optional

PROTOCOL_VERSION = 1


class ResultsWriter:
    def __init__(self, path: str) -> None:
        self._stream: IO[str] = open(path, "w", encoding="utf-8")

    def write(self, type_: str, **fields: Any) -> None:
        record = {"v": PROTOCOL_VERSION, "type": type_, **{k: v for k, v in fields.items() if v is not None or k in _NULLABLE}}
        # One line per record, flushed at once: the TypeScript side follows the file as it grows.
        self._stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._stream.flush()

    def fatal(self, message: str, file: Optional[str] = None, line: Optional[int] = None) -> None:
        self.write("fatal", message=message, file=file, line=line)

    def close(self) -> None:
        self._stream.close()


# Fields the protocol always carries, as null when there is nothing to say.
_NULLABLE = frozenset({"file", "line", "hint"})
