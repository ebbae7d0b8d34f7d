"""Find the database work a page does on the GUI thread (issue 13: every core write and every long
read runs off it, through ``ui.operations.CoreOp``).

    with gui_thread_queries(ctx.engine) as hits:
        ...drive the page...
    assert not hits, describe(hits)

Each hit is the SQL statement and the innermost frames of ``ui/`` that caused it, so a failure names
the widget method to move into a ``CoreOp``."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass(frozen=True)
class Hit:
    statement: str
    ui_frames: tuple[str, ...]  # "ui/intake/page.py:123 in refresh", innermost last

    def __str__(self) -> str:
        where = " <- ".join(reversed(self.ui_frames)) or "(no ui/ frame)"
        return f"{self.statement.split(chr(10))[0][:100]}  @ {where}"


def _ui_frames() -> tuple[str, ...]:
    frames = []
    for frame in traceback.extract_stack()[:-3]:
        path = frame.filename.replace("\\", "/")
        if "/ui/" in path and "/site-packages/" not in path:
            frames.append(f"ui/{path.rsplit('/ui/', 1)[1]}:{frame.lineno} in {frame.name}")
    return tuple(frames[-4:])


@contextmanager
def gui_thread_queries(engine: Engine) -> Iterator[list[Hit]]:
    """Record every statement ``engine`` runs on the main (GUI) thread while the block runs."""
    hits: list[Hit] = []
    main = threading.main_thread()

    def before(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if threading.current_thread() is main:
            hits.append(Hit(statement, _ui_frames()))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield hits
    finally:
        event.remove(engine, "before_cursor_execute", before)


def describe(hits: list[Hit]) -> str:
    """One line per distinct place, for an assertion message."""
    seen: dict[str, int] = {}
    for hit in hits:
        seen[str(hit)] = seen.get(str(hit), 0) + 1
    return "\n".join(f"{n}× {line}" for line, n in seen.items())


def pdf_render_threads(monkeypatch) -> list[bool]:
    """Record, for every PDF the previews render (``ui.printing_ui.PreviewDialog._render_pages``, PDFium),
    whether it ran on the GUI thread: ``assert rendered_on == [False]``."""
    from ui.printing_ui import PreviewDialog

    on_gui: list[bool] = []
    render = PreviewDialog._render_pages

    def recording(pdf: bytes, dpi: float = 150.0, name: str = "preview.pdf"):
        on_gui.append(threading.current_thread() is threading.main_thread())
        return render(pdf, dpi, name)

    monkeypatch.setattr(PreviewDialog, "_render_pages", staticmethod(recording))
    return on_gui
