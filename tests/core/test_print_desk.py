"""What the workstation says about printing, without Qt: the printer's line in the status bar, a
job's fate, the queue's messages, the document names (the case view's), in the clerk's language."""

from __future__ import annotations

from clerk_app import i18n, print_desk


def test_the_printer_line():
    ready = print_desk.printer_line("保存为PDF", configured=True, present=True, ready=True, waiting=0)
    assert ready.text == "打印机：保存为PDF · 就绪" and not ready.alarm
    waiting = print_desk.printer_line("hall", configured=True, present=True, ready=True, waiting=2)
    assert waiting.text == "打印机：hall · 就绪 · 2 份等待打印" and waiting.alarm
    stopped = print_desk.printer_line("hall", configured=True, present=True, ready=False, waiting=0)
    assert "未就绪" in stopped.text and stopped.alarm
    assert "不可用" in print_desk.printer_line("", configured=True, present=False, ready=False, waiting=0).text
    none = print_desk.printer_line("", configured=False, present=False, ready=False, waiting=0)
    assert none.text == "打印机：— · 未配置" and none.alarm


def test_what_became_of_a_job():
    assert print_desk.printed_text("receipt", "WH01-2026-000001") == "已打印：受理回执（WH01-2026-000001）"
    text = print_desk.queued_text("materials_received", "WH01-2026-000002", "打印机暂不可用", 0)
    assert text.splitlines() == [
        "办件 WH01-2026-000002 的材料接收清单未能打印，已留在打印队列中。",
        "打印机暂不可用",
        "等待打印的文书：1 份",  # at least this one, before the status check counted it
    ]
    assert print_desk.say("cannot_print") == "该案件不能打印此文书。"


def test_in_english():
    i18n.set_language("en")
    try:
        assert print_desk.kind_label("delivery_receipt") == "Delivery receipt"
        assert print_desk.printed_text("receipt", "N1") == "Printed: Acceptance receipt (N1)"
        assert print_desk.say("documents_waiting", n=3) == "Documents waiting: 3"
    finally:
        i18n.set_language("zh_CN")
