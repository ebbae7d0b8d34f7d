"""Conditions of conditional materials: a tiny, safe expression language over intake answers.

Grammar (a subset of Python expressions, checked on load, never ``eval``-ed):
names of intake questions, string/number/bool literals (``true``/``false`` accepted too), lists,
``==  !=  in  not in  <  <=  >  >=``, ``and  or  not`` and parentheses. Example:
``applicant_type == "organisation" and via_agent``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any


class ConditionSyntaxError(ValueError):
    pass


_BOOL_WORDS = {"true": True, "false": False}  # TOML/JSON spelling, read as literals (not questions)
_ALLOWED_CMP = (ast.Eq, ast.NotEq, ast.In, ast.NotIn, ast.Lt, ast.LtE, ast.Gt, ast.GtE)


class Condition:
    def __init__(self, source: str) -> None:
        self.source = source
        try:
            self._tree = ast.parse(source.strip(), mode="eval").body
        except SyntaxError as exc:
            raise ConditionSyntaxError(f"cannot parse: {exc.msg}") from exc
        except (ValueError, RecursionError) as exc:  # e.g. a NUL character, absurd nesting
            raise ConditionSyntaxError(f"cannot parse: {exc}") from exc
        self.names: frozenset[str] = frozenset(self._check(self._tree))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Condition) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)

    def __repr__(self) -> str:
        return f"Condition({self.source!r})"

    def _check(self, node: ast.AST) -> set[str]:
        if isinstance(node, ast.BoolOp):
            return set().union(*(self._check(v) for v in node.values))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return self._check(node.operand)
        if _is_signed_number(node):
            return set()
        if isinstance(node, ast.Compare):
            if not all(isinstance(op, _ALLOWED_CMP) for op in node.ops):
                raise ConditionSyntaxError("only == != in < <= > >= comparisons are allowed")
            return self._check(node.left).union(*(self._check(c) for c in node.comparators))
        if isinstance(node, ast.Name):
            return set() if node.id in _BOOL_WORDS else {node.id}
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool)):
            return set()
        if isinstance(node, (ast.List, ast.Tuple)):
            return set().union(*(self._check(e) for e in node.elts)) if node.elts else set()
        raise ConditionSyntaxError(f"{type(node).__name__} is not allowed in a condition")

    def evaluate(self, answers: Mapping[str, Any]) -> bool:
        return bool(self._eval(self._tree, answers))

    def _eval(self, node: ast.AST, answers: Mapping[str, Any]) -> Any:
        if isinstance(node, ast.BoolOp):
            values = (self._eval(v, answers) for v in node.values)
            return all(values) if isinstance(node.op, ast.And) else any(values)
        if _is_signed_number(node):
            assert isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant)
            number: int | float = node.operand.value  # type: ignore[assignment]  # checked by _is_signed_number
            return -number if isinstance(node.op, ast.USub) else number
        if isinstance(node, ast.UnaryOp):
            return not self._eval(node.operand, answers)
        if isinstance(node, ast.Compare):
            left = self._eval(node.left, answers)
            for op, comp in zip(node.ops, node.comparators):
                right = self._eval(comp, answers)
                ok = _compare(op, left, right)
                if not ok:
                    return False
                left = right
            return True
        if isinstance(node, ast.Name):
            if node.id in _BOOL_WORDS:
                return _BOOL_WORDS[node.id]
            return answers.get(node.id)  # an unanswered question is None: conditions on it are false
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self._eval(e, answers) for e in node.elts]
        raise ConditionSyntaxError(type(node).__name__)  # unreachable after _check


def _is_signed_number(node: ast.AST) -> bool:
    """``-3`` or ``+2.5``: a number literal with a sign (Python parses the sign as an operator)."""
    return (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, (ast.USub, ast.UAdd))
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)
    )


def _compare(op: ast.cmpop, left: Any, right: Any) -> bool:
    try:
        if isinstance(op, ast.Eq):
            return bool(left == right)
        if isinstance(op, ast.NotEq):
            return bool(left != right)
        if isinstance(op, ast.In):
            return right is not None and left in right
        if isinstance(op, ast.NotIn):
            return right is None or left not in right
        if left is None or right is None:
            return False
        if isinstance(op, ast.Lt):
            return bool(left < right)
        if isinstance(op, ast.LtE):
            return bool(left <= right)
        if isinstance(op, ast.Gt):
            return bool(left > right)
        return bool(left >= right)
    except TypeError:
        return False
