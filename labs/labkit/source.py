"""Finding the learner's lines in their source with the ast module, so a failure points at the right place."""
from __future__ import annotations

import ast
import tokenize
from typing import List, Optional, Union

_Function = Union[ast.FunctionDef, ast.AsyncFunctionDef]


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
