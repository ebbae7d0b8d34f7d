"""Direct prints through a real CUPS queue (cups-pdf): the printer test page and a blank form are
printed at once, not queued; a stopped queue gives the clerk a Chinese reason and nothing is queued."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from clerk_app.errors import PermissionDenied
from clerk_app.wiring.print_service import DirectPrintFailed
from printing.cups_backend import CupsPrinter
from tests.helpers.core import make_world


def _wait_for_new(cups_server, before: set, timeout: float = 30.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = [p for p in cups_server.outputs() if p not in before]
        if new:
            return new
        time.sleep(0.1)
    raise AssertionError(cups_server.log_tail())


def test_test_page_and_blank_form_through_cups_and_a_stopped_queue(tmp_path, cups_server):
    world = make_world(tmp_path / "ws", customer_window=False)
    runtime = world.ctx.printing
    assert runtime is not None
    runtime.set_printer(CupsPrinter(cups_server.queue, name="窗口打印机", server=str(cups_server.socket), timeout=30))
    admin, clerk = world.login("admin"), world.login("clerk")

    cups_server.disable("paper jam")
    with pytest.raises(DirectPrintFailed) as info:
        runtime.print_test_page(admin)
    message = info.value.user_message("zh_CN")
    assert message.startswith("未能打印“打印测试页”") and "窗口打印机" in message
    assert runtime.pending() == []  # a direct print is never left queued

    cups_server.enable()
    before = set(cups_server.outputs())
    runtime.print_test_page(admin)
    assert len(_wait_for_new(cups_server, before)) == 1

    shipped = Path(__file__).resolve().parents[2] / "resources" / "catalogue" / "forms" / "个体工商户登记申请书.pdf"
    before = set(cups_server.outputs())
    runtime.print_form(clerk, shipped.read_bytes(), shipped.name, "空白表：个体工商户登记（备案）申请书")
    assert len(_wait_for_new(cups_server, before)) == 1
    with pytest.raises(PermissionDenied):  # a 帮办 prints nothing
        runtime.print_form(world.login("prereview"), shipped.read_bytes(), shipped.name, "空白表")
