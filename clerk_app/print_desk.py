"""What the workstation says about printing, decided without Qt (ui/printing_ui.py only shows it):
the document names, the printer's line in the status bar (its state, the waiting count, whether it
asks for attention), what became of a job, and the print queue's messages, in the clerk's language
(``clerk_app.i18n``; the document names are the case view's, ``clerk_app.case_sheet.DOCUMENTS``).

The core never imports ``printing``: kinds are given by their value (``DocumentKind.value``)."""

from __future__ import annotations

from dataclasses import dataclass

from clerk_app import i18n
from clerk_app.case_sheet import DOCUMENTS

_WORDS = {
    key: i18n.register(f"print_desk.{key}", zh, en)
    for key, zh, en in (
        ("printer", "打印机：{name} · {state}", "Printer: {name} · {state}"),
        ("ready", "就绪", "ready"),
        ("not_ready", "未就绪", "not ready"),
        ("not_configured", "未配置", "not configured"),
        ("unavailable", "不可用", "unavailable"),
        ("waiting", "{n} 份等待打印", "{n} waiting"),
        ("printed", "已打印：{kind}（{case}）", "Printed: {kind} ({case})"),
        (
            "queued",
            "办件 {case} 的{kind}未能打印，已留在打印队列中。",
            "{kind} for case {case} was not printed and is waiting.",
        ),
        ("documents_waiting", "等待打印的文书：{n} 份", "Documents waiting: {n}"),
        ("cannot_print", "该案件不能打印此文书。", "This document cannot be printed for this case."),
        ("no_case", "当前没有已作出决定的案件。", "No decided case on the desk."),
        (
            "not_decided",
            "该案件尚未作出决定，没有可补打的文书。",
            "The case has no printed documents yet (it is not decided).",
        ),
    )
}


def say(key: str, **params: object) -> str:
    """One of the messages above (``cannot_print``, ``no_case``, ``not_decided``, ``documents_waiting`` …)."""
    return i18n.text(_WORDS[key], None, **params)


def kind_label(kind: str) -> str:
    """A document's name, as the case view's documents tab says it."""
    return i18n.text(DOCUMENTS[kind]) if kind in DOCUMENTS else kind


@dataclass(frozen=True)
class PrinterLine:
    text: str
    alarm: bool  # shown in red: the printer is not ready, or documents wait


def printer_line(name: str, *, configured: bool, present: bool, ready: bool, waiting: int) -> PrinterLine:
    """The status bar's printer: ``configured`` — a printer backend is set (not ``none``); ``present``
    — it could be built; ``ready`` — its last state; ``waiting`` — documents it still owes."""
    if not present:
        state = "unavailable" if configured else "not_configured"
    else:
        state = "ready" if ready else "not_ready"
    text = say("printer", name=name or "—", state=say(state))
    if waiting:
        text += " · " + say("waiting", n=waiting)
    return PrinterLine(text, alarm=not (present and ready) or waiting > 0)


def printed_text(kind: str, case_number: str) -> str:
    return say("printed", kind=kind_label(kind), case=case_number)


def queued_text(kind: str, case_number: str, message: str, waiting: int) -> str:
    """A job that was not printed (printer stopped, offline, out of paper): it waits for Retry."""
    head = say("queued", kind=kind_label(kind), case=case_number)
    return f"{head}\n{message}\n{say('documents_waiting', n=max(waiting, 1))}"
