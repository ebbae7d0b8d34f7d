"""What the card reader diagnostics say (ui/card_diagnostics.py only shows it): the backend, the
monitor thread, the PC/SC daemon, the readers with the ATR of the card on each, the last read's APDU
count and time, the last errors. One fact per line, in the clerk's language; no personal data (the
device layer keeps none in its diagnostics). And the reader's state in the status bar, in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clerk_app import i18n
from clerk_app.errors import ClerkAppError

_r = i18n.register
_FAMILIES = {
    "pcsc": _r("card_diag.family.pcsc", "PC/SC", "PC/SC"),
    "ga467": _r("card_diag.family.ga467", "身份证阅读器", "resident ID reader"),
    "simulated": _r("card_diag.family.simulated", "模拟设备（演示）", "simulated (demo)"),
    "composite": _r("card_diag.family.composite", "PC/SC 读卡器 + 身份证阅读器", "PC/SC + resident ID readers"),
}
# devices.cards.emrtd.describe_atr says these in English (devices have no catalogue of their own).
_ATR_KINDS = {
    "no ATR": _r("card_diag.atr.none", "无 ATR", "no ATR"),
    "contactless storage card (MIFARE/FeliCa class), not an identity document": _r(
        "card_diag.atr.storage",
        "非接触存储卡（MIFARE/FeliCa 类），不是身份证件",
        "contactless storage card (MIFARE/FeliCa class), not an identity document",
    ),
    "contactless ISO 14443-4 card, extended length": _r(
        "card_diag.atr.extended", "非接触 ISO 14443-4 卡，支持扩展长度", "contactless ISO 14443-4 card, extended length"
    ),
    "contactless ISO 14443-4 card": _r("card_diag.atr.14443", "非接触 ISO 14443-4 卡", "contactless ISO 14443-4 card"),
    "contact card (ISO 7816-3)": _r("card_diag.atr.contact", "接触式卡（ISO 7816-3）", "contact card (ISO 7816-3)"),
}
_BACKEND = _r("card_diag.backend", "接口：{family}", "Backend: {family}")
_MONITOR = _r("card_diag.monitor", "监听线程：{state}", "Monitor thread: {state}")
_RUNNING = _r("card_diag.running", "运行中", "running")
_STOPPED = _r("card_diag.stopped", "已停止", "stopped")
_PCSCD = _r("card_diag.pcscd", "PC/SC 服务（pcscd）：{state}", "PC/SC daemon (pcscd): {state}")
_UNREACHABLE = _r("card_diag.unreachable", "无法连接", "not reachable")
_REBUILDS = _r("card_diag.rebuilds", "重建连接次数：{n}", "Context rebuilds: {n}")
_LIST_FAILED = _r("card_diag.list_failed", "列出读卡器失败：{error}", "Listing readers failed: {error}")
_READERS = _r("card_diag.readers", "读卡器数量：{n}", "Readers: {n}")
_PRESENT = _r("card_diag.card_present", "已放卡", "card present")
_NO_CARD = _r("card_diag.no_card", "未放卡", "no card")
_LAST_READ = _r(
    "card_diag.last_read",
    "最近一次读取：{apdus} 条 APDU，{size} 字节，{ms} 毫秒，扩展长度 {extended}",
    "Last read: {apdus} APDUs, {size} bytes, {ms} ms, extended length {extended}",
)
_LAST_ERRORS = _r("card_diag.last_errors", "最近的错误：", "Last errors:")
_NO_ERRORS = _r("card_diag.no_errors", "没有错误记录", "No errors recorded")
# The reader service's states (devices.cards), as the main window's status bar says them.
_STATES = {
    "no_reader": _r("card_state.no_reader", "未连接", "no reader"),
    "reader_ready": _r("card_state.reader_ready", "就绪，未放卡", "ready, no card"),
    "card_present": _r("card_state.card_present", "已放卡", "card present"),
    "reading": _r("card_state.reading", "读取中…", "reading…"),
    "read_ok": _r("card_state.read_ok", "读取成功", "read OK"),
    "error": _r("card_state.error", "错误", "error"),
}


def state_text(state: str) -> str:
    """The reader's state in the clerk's language (a state it does not know, as it is)."""
    return i18n.text(_STATES[state]) if state in _STATES else state


def _family(name: str) -> str:
    return i18n.text(_FAMILIES[name]) if name in _FAMILIES else name


def diagnostics_text(service: Any, describe_atr: Callable[[bytes], str]) -> str:
    """Plain text, one fact per line (also what a clerk copies into a support ticket). ``service`` is
    a card reader service of the device layer (duck-typed: ``family``, ``monitor_alive()``,
    ``diagnostics``, ``list_readers()``); ``describe_atr`` is the device layer's English ATR summary."""
    lines = [i18n.text(_BACKEND, family=_family(getattr(service, "family", type(service).__name__)))]
    alive = getattr(service, "monitor_alive", None)
    if callable(alive):
        lines.append(i18n.text(_MONITOR, state=i18n.text(_RUNNING if alive() else _STOPPED)))
    diag = getattr(service, "diagnostics", None)
    if diag is not None:
        lines.append(i18n.text(_PCSCD, state=i18n.text(_RUNNING if diag.pcscd_running else _UNREACHABLE)))
        lines.append(i18n.text(_REBUILDS, n=diag.context_rebuilds))
    try:
        readers = service.list_readers()
    except Exception as exc:  # the dialog must show the failure, not raise it
        readers = []
        lines.append(i18n.text(_LIST_FAILED, error=exc.user_message() if isinstance(exc, ClerkAppError) else exc))
    lines.append(i18n.text(_READERS, n=len(readers)))
    for reader in readers:
        atr = reader.atr.hex(" ").upper() if reader.atr else "—"
        described = describe_atr(reader.atr) if reader.atr else ""
        kind = f" ({i18n.text(_ATR_KINDS[described]) if described in _ATR_KINDS else described})" if described else ""
        present = i18n.text(_PRESENT if reader.card_present else _NO_CARD)
        lines.append(f"  · {reader.name} [{_family(reader.family)}] {present}  ATR {atr}{kind}")
    if diag is not None:
        if diag.last_read is not None:
            s = diag.last_read
            extended = "✓" if s.extended else "✗"
            lines.append(
                i18n.text(_LAST_READ, apdus=s.apdus, size=s.bytes_read, ms=f"{s.seconds * 1000:.0f}", extended=extended)
            )
        lines.append(i18n.text(_LAST_ERRORS if diag.last_errors else _NO_ERRORS))
        lines.extend(f"  · {e}" for e in diag.last_errors[-20:])
    return "\n".join(lines)
