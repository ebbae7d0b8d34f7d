"""Validation of the back office's answers against the wire schema (docs/api/openapi.yaml, API v1).

Small explicit checks rather than a shared model: the workstation must not import ``backoffice``
(the two share only the documented schema). Every answer is checked here before the worker marks
anything; a wrong answer — a list or ``null`` where an object belongs, a missing key, a string where
a list or number belongs, a boolean posing as a number, a value out of range — raises
``InvalidAnswer`` naming the endpoint and the field (never a value: answers may echo personal data).
"""

from __future__ import annotations

import re
from typing import Any

from clerk_app.sync.errors import InvalidAnswer

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
MAX_INT64 = 2**63 - 1
# Statuses a case can have at the back office ("receiving": attachments outstanding).
PACKET_STATUSES = (
    "receiving",
    "received",
    "in_approval",
    "material_requested",
    "approved",
    "disapproved",
    "result_ready",
    "delivered",
)


def _bad(what: str, field: str, problem: str) -> InvalidAnswer:
    return InvalidAnswer(problem=f"{what}: {field} {problem}", detail=f"{what}.{field}: {problem}")


def obj(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _bad(what, "body", f"is {type(body).__name__}, expected an object")
    return body


def _get(d: dict[str, Any], key: str, what: str) -> Any:
    if key not in d:
        raise _bad(what, key, "is missing")
    return d[key]


def string(d: dict[str, Any], key: str, what: str, *, max_len: int = 10_000, empty: bool = False) -> str:
    value = _get(d, key, what)
    if not isinstance(value, str):
        raise _bad(what, key, f"is {type(value).__name__}, expected a string")
    if not empty and not value:
        raise _bad(what, key, "is empty")
    if len(value) > max_len:
        raise _bad(what, key, f"is longer than {max_len}")
    return value


def optional_string(d: dict[str, Any], key: str, what: str, *, max_len: int = 10_000) -> str | None:
    if d.get(key) is None:
        return None
    return string(d, key, what, max_len=max_len, empty=True)


def integer(d: dict[str, Any], key: str, what: str, *, low: int = 0, high: int = MAX_INT64) -> int:
    value = _get(d, key, what)
    # bool is an int subclass in Python, not in JSON: true is not 1.
    if not isinstance(value, int) or isinstance(value, bool):
        raise _bad(what, key, f"is {type(value).__name__}, expected an integer")
    if not low <= value <= high:
        raise _bad(what, key, f"is out of range [{low}, {high}]")
    return value


def boolean(d: dict[str, Any], key: str, what: str) -> bool:
    value = _get(d, key, what)
    if not isinstance(value, bool):
        raise _bad(what, key, f"is {type(value).__name__}, expected true or false")
    return value


def array(d: dict[str, Any], key: str, what: str, *, max_items: int = 100_000) -> list[Any]:
    value = _get(d, key, what)
    if not isinstance(value, list):
        raise _bad(what, key, f"is {type(value).__name__}, expected a list")
    if len(value) > max_items:
        raise _bad(what, key, f"has more than {max_items} items")
    return value


def sha256_list(d: dict[str, Any], key: str, what: str) -> tuple[str, ...]:
    items = array(d, key, what)
    for item in items:
        if not isinstance(item, str) or not SHA256_RE.match(item):
            raise _bad(what, key, "holds an item that is not a SHA-256 hex digest")
    return tuple(items)


def one_of(value: str, allowed: tuple[str, ...], what: str, key: str) -> str:
    if value not in allowed:
        raise _bad(what, key, "is not a known value")
    return value
