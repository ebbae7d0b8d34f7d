"""Choosing a printer backend by its settings name."""

from __future__ import annotations

from pathlib import Path

import pytest

from printing.backends import PrinterBackendUnavailable, availability, create_printer
from printing.cups_backend import CupsPrinter
from printing.dispatch import FolderPrinter, Printer
from printing.model import PageLayout


def test_backends_by_settings_name(tmp_path: Path) -> None:
    assert availability("cups") is None and availability("pdf-folder") is None
    assert "unknown backend" in (availability("lpt1") or "")
    folder = create_printer("pdf-folder", folder=tmp_path)
    assert isinstance(folder, FolderPrinter) and isinstance(folder, Printer)
    cups_printer = create_printer("cups", queue="Front")
    assert isinstance(cups_printer, CupsPrinter) and cups_printer.name == "Front"
    assert create_printer("none") is None
    with pytest.raises(PrinterBackendUnavailable) as info:
        create_printer("cups")
    assert "CUPS queue" in str(info.value) and "不可用" in info.value.user_message("zh_CN")


def test_layout_accepts_the_settings_spelling() -> None:
    assert PageLayout("a4") is PageLayout.A4
    assert PageLayout("roll80") is PageLayout.ROLL_80MM is PageLayout("roll_80mm")
    with pytest.raises(ValueError):
        PageLayout("a5")
