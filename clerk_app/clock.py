"""Clocks handed to services, so tests and the demo control time without patching."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(CHINA_TZ)


class FixedClock:
    """A clock that stands still until moved (tests)."""

    def __init__(self, at: dt.datetime) -> None:
        self._at = at if at.tzinfo else at.replace(tzinfo=CHINA_TZ)

    def now(self) -> dt.datetime:
        return self._at

    def advance(self, **delta: float) -> None:
        self._at += dt.timedelta(**delta)


def local_time(value: dt.datetime | None, *, seconds: bool = False) -> str:
    """A moment as screens and lists show it: China time, ``YYYY-MM-DD HH:MM[:SS]``; "—" for none."""
    if value is None:
        return "—"
    return value.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
