"""Finding the learner's lines in their source with the ast module, so a failure points at the right place."""
from __future__ import annotations

import ast
import tokenize
from typing import List, NamedTuple, Optional, Union

_Function = Union[ast.FunctionDef, ast.AsyncFunctionDef]
_LOCK_TYPES = ("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition")


class FreshLock(NamedTuple):
    """A lock made anew each time a function runs, so no two calls ever share it."""

    line: int
    function: str
    kind: str  # Lock, RLock, Semaphore...
    name: Optional[str]  # the local variable holding it; None for `with threading.Lock():`


def _called_name(node: ast.AST) -> Optional[str]:
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def read_learner_text(path: str) -> str:
    """A learner's Python file as Python itself reads it: a UTF-8 BOM (Notepad's "UTF-8 with BOM") is
    dropped and a `# coding:` line is honoured, so a file Python runs is never one the checks cannot read."""
    with tokenize.open(path) as handle:
        return handle.read()


class Source:
    """A learner's Python file, parsed once."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.text = read_learner_text(path)
        self.tree = ast.parse(self.text, filename=path)

    def function(self, name: str) -> Optional[_Function]:
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                return node
        return None

    def line_of_function(self, name: str) -> Optional[int]:
        node = self.function(name)
        return node.lineno if node is not None else None

    def calls(self, name: str, inside: Optional[str] = None) -> List[ast.Call]:
        """Calls of `name` written as name(...) or something.name(...), optionally only inside a function."""
        root: ast.AST = self.tree
        if inside is not None:
            found = self.function(inside)
            if found is None:
                return []
            root = found
        result = []
        for node in ast.walk(root):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
                if called == name:
                    result.append(node)
        return sorted(result, key=lambda call: (call.lineno, call.col_offset))

    def line_of_call(self, name: str, inside: Optional[str] = None) -> Optional[int]:
        found = self.calls(name, inside)
        return found[0].lineno if found else None

    def locks_made_per_call(self) -> List[FreshLock]:
        """`with threading.Lock():`, or a Lock() kept in a local variable and taken in the same function:
        every call (every thread) then has a lock of its own, and nobody ever waits for anybody."""
        found: List[FreshLock] = []
        for function in ast.walk(self.tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            declared = {name for node in ast.walk(function) if isinstance(node, (ast.Global, ast.Nonlocal))
                        for name in node.names}
            made = {}
            for node in ast.walk(function):
                if isinstance(node, ast.Assign) and _called_name(node.value) in _LOCK_TYPES:
                    for target in node.targets:
                        if isinstance(target, ast.Name) and target.id not in declared:
                            made[target.id] = (node.lineno, str(_called_name(node.value)))
            for node in ast.walk(function):
                if isinstance(node, (ast.With, ast.AsyncWith)):
                    for item in node.items:
                        kind = _called_name(item.context_expr)
                        if kind in _LOCK_TYPES:
                            found.append(FreshLock(node.lineno, function.name, str(kind), None))
                        elif isinstance(item.context_expr, ast.Name) and item.context_expr.id in made:
                            line, kind = made.pop(item.context_expr.id)
                            found.append(FreshLock(line, function.name, kind, item.context_expr.id))
                elif (_called_name(node) == "acquire" and isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                      and isinstance(node.func.value, ast.Name) and node.func.value.id in made):
                    line, kind = made.pop(node.func.value.id)
                    found.append(FreshLock(line, function.name, kind, node.func.value.id))
        return sorted(set(found))
