"""Scanner errors a clerk understands. Each carries ``pages_delivered``: the pages handed to
``on_page`` before the failure, which the caller has already stored and must keep."""

from __future__ import annotations

from clerk_app import i18n
from clerk_app.errors import DeviceError, UserCancelled


class ScannerError(DeviceError):
    key = i18n.register("scanner.error", "扫描仪错误：{problem}", "Scanner error: {problem}")

    def __init__(self, key: str | None = None, /, detail: str = "", pages_delivered: int = 0, **params: object) -> None:
        self.pages_delivered = pages_delivered
        params.setdefault("problem", detail or "?")
        params.setdefault("pages", pages_delivered)
        super().__init__(key, detail=detail, **params)


class NoPaper(ScannerError):
    key = i18n.register(
        "scanner.no_paper",
        "进纸器中没有纸张，请放入材料后重试（已扫描的 {pages} 页已保存）",
        "No paper in the feeder; load the documents and retry ({pages} pages already saved)",
    )


class PaperJammed(ScannerError):
    key = i18n.register(
        "scanner.jammed",
        "卡纸：请打开扫描仪取出卡住的纸张，从未扫描的那一页重新开始（已扫描的 {pages} 页已保存）",
        "Paper jam: open the scanner, remove the jammed sheet and rescan from the "
        "first unscanned page ({pages} pages already saved)",
    )


class CoverOpen(ScannerError):
    key = i18n.register(
        "scanner.cover_open",
        "扫描仪盖板未关好，请合上后重试（已扫描的 {pages} 页已保存）",
        "The scanner cover is open; close it and retry ({pages} pages already saved)",
    )


class DeviceGone(ScannerError):
    key = i18n.register(
        "scanner.gone",
        "无法连接扫描仪（已断开或已关机），请检查电源和数据线（已扫描的 {pages} 页已保存）",
        "The scanner cannot be reached (unplugged or switched off); check power and "
        "cable ({pages} pages already saved)",
    )


class DeviceBusy(ScannerError):
    key = i18n.register("scanner.busy", "扫描仪正忙，请稍后重试", "The scanner is busy; try again in a moment")


class OptionUnsupported(ScannerError):
    key = i18n.register(
        "scanner.option", "扫描仪不支持该设置：{option} = {value}", "The scanner does not support {option} = {value}"
    )


class ScanCancelled(ScannerError, UserCancelled):
    """Cancelled by the clerk; pages scanned before the cancel are kept."""

    key = i18n.register(
        "scanner.cancelled", "扫描已取消（已扫描的 {pages} 页已保存）", "Scan cancelled ({pages} pages already saved)"
    )


class BackendUnavailable(ScannerError):
    key = i18n.register(
        "scanner.unavailable",
        "扫描方式“{backend}”不可用：{reason}",
        "Scanner backend \"{backend}\" is unavailable: {reason}",
    )
