"""Typed stand-ins where PySide6's stubs say ``object``.

Translation markers: the stubs declare ``QT_TRANSLATE_NOOP``/``QT_TR_NOOP`` as returning ``object``; at
run time they return the source text unchanged. These do the same, typed ``str``. pyside6-lupdate finds
the markers by their name, so they keep Qt's names (import them from here instead of PySide6.QtCore).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate


def QT_TRANSLATE_NOOP(context: str, source: str, disambiguation: str | None = None) -> str:
    del context, disambiguation
    return source


def QT_TR_NOOP(source: str) -> str:
    return source


def to_date(value: QDate) -> dt.date:
    """``QDate.toPython()`` typed (the stubs say ``object``)."""
    return dt.date(value.year(), value.month(), value.day())
