"""Errors raised by printing: a missing font, a printer that cannot print now, a failed job.

Each carries a message a clerk understands (zh_CN) and an English detail for the log, without
personal data (case numbers are fine; names and ID numbers never appear here).
"""

from __future__ import annotations

from clerk_app import i18n
from clerk_app.errors import DeviceError


class PrintingError(DeviceError):
    """Base of the printing package's errors."""

    key = i18n.register("printing.error", "打印错误：{problem}", "Printing error: {problem}")


class FontMissingError(PrintingError):
    """No usable CJK TrueType font was found; documents cannot be built."""

    key = i18n.register(
        "printing.font_missing",
        "找不到打印用的中文字体（已查找：{searched}）。请安装 fonts-wqy-microhei，或在设置中指定字体文件。",
        "No CJK TrueType font for printing (searched: {searched}). Install fonts-wqy-microhei or set "
        "the font file in the settings.",
    )


class PrinterUnavailable(PrintingError):
    """The printer cannot take the job now (stopped, offline, out of paper ...). The job stays queued."""

    key = i18n.register(
        "printing.printer_unavailable",
        "打印机“{printer}”暂不可用：{reason_zh}。打印任务已保留在队列中，处理后请点击“重试”。",
        "Printer {printer} is unavailable: {reason_en}. The job stays queued; retry when it is fixed.",
    )

    def __init__(self, printer: str, reason: str, detail: str = "") -> None:
        zh, en = PRINTER_REASONS.get(reason, PRINTER_REASONS["other"])
        self.printer = printer
        self.reason = reason
        super().__init__(detail=detail, printer=printer, reason_zh=zh, reason_en=en)


class PrintFailed(PrintingError):
    """The printer (or spooler) refused or aborted the job."""

    key = i18n.register(
        "printing.failed",
        "打印失败（打印机“{printer}”）：{problem}。任务已保留，可重试。",
        "Printing failed on {printer}: {problem}. The job is kept and can be retried.",
    )


class PrintJobNotFound(PrintingError):
    key = i18n.register("printing.job_not_found", "找不到打印任务 {job_id}", "Print job {job_id} not found")


# Printer condition -> (clerk text, log text). Keys follow IPP printer-state-reasons where one exists.
PRINTER_REASONS: dict[str, tuple[str, str]] = {
    "stopped": ("打印机已暂停", "printer is stopped"),
    "not-accepting": ("打印机不接受新任务", "printer is not accepting jobs"),
    "offline": ("打印机离线或未连接", "printer is offline"),
    "media-empty": ("打印机缺纸，请装纸", "out of paper"),
    "media-jam": ("打印机卡纸", "paper jam"),
    "cover-open": ("打印机盖未关闭", "cover open"),
    "toner-empty": ("墨粉或色带已用完", "toner/ribbon empty"),
    "not-found": ("系统中没有这台打印机，请检查设置", "no such printer"),
    "spooler-unreachable": ("无法连接打印服务（CUPS）", "print spooler unreachable"),
    "timeout": ("打印机长时间未完成打印", "printer did not finish in time"),
    "other": ("打印机报告错误", "printer reports an error"),
}
