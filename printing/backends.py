"""Printer backends by name, for the composition root: ``create_printer("cups", queue="Front")``.

Names follow the settings (``printer_backend``: ``pdf-folder`` | ``cups`` | ``none``). The CUPS
backend is imported only when chosen; without pycups it is "unavailable, because ..." rather than an
ImportError at start-up.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from clerk_app import i18n
from printing.dispatch import FolderPrinter, Printer
from printing.errors import PrintingError

BACKENDS = ("pdf-folder", "cups", "none")


class PrinterBackendUnavailable(PrintingError):
    key = i18n.register(
        "printing.backend_unavailable",
        "打印方式“{backend}”不可用：{why}",
        "Printer backend {backend} is unavailable: {why}",
    )


def availability(backend: str) -> str | None:
    """None when ``backend`` can be used here, else why not (English, for settings and the log)."""
    if backend not in BACKENDS:
        return f"unknown backend; choose one of {', '.join(BACKENDS)}"
    if backend == "cups":
        try:
            module = importlib.import_module("printing.cups_backend")
        except ImportError as exc:  # pragma: no cover - the module itself guards its import
            return str(exc)
        ok, why = module.available()
        return None if ok else str(why)
    return None


def create_printer(
    backend: str,
    *,
    queue: str = "",
    folder: Path | str | None = None,
    name: str | None = None,
    server: str | None = None,
) -> Printer | None:
    """The printer for the settings; None for ``none`` (printing switched off)."""
    why = availability(backend)
    if why is not None:
        raise PrinterBackendUnavailable(backend=backend, why=why)
    if backend == "none":
        return None
    if backend == "pdf-folder":
        if folder is None:
            raise PrinterBackendUnavailable(backend=backend, why="no folder configured")
        return FolderPrinter(folder, name=name or "保存为PDF")
    from printing.cups_backend import CupsPrinter

    if not queue:
        raise PrinterBackendUnavailable(backend=backend, why="no CUPS queue configured")
    return CupsPrinter(queue, name=name or queue, server=server)
