"""What the workstation shows of the sync with the back office (ui/sync_ui.py): the status bar line, its
tooltip and whether it is shown as a problem, the line of the case being sent, and the summary of a
manual cycle. Decided here from the worker's ``SyncState`` / ``SyncProgress`` / ``CycleReport``, in the
clerk's language (clerk_app.i18n); the window only puts the texts on screen."""

from __future__ import annotations

import datetime as dt

from clerk_app import i18n
from clerk_app.clock import CHINA_TZ
from clerk_app.sync.worker import CycleReport, SyncProgress, SyncState

_CONNECTING = i18n.register("sync.connecting", "后台：正在连接…", "Back office: connecting…")
_NOT_CONNECTED = i18n.register("sync.not_connected", "后台：未连接", "Back office: not connected")
_ONLINE = i18n.register("sync.online", "后台：在线", "Back office: online")
_OFFLINE = i18n.register("sync.offline", "后台：离线", "Back office: offline")
_TO_SEND = i18n.register("sync.to_send", "待上传 {n}", "{n} to send")
_FAILED = i18n.register("sync.failed", "失败 {n}", "{n} failed")
_LAST_SYNC = i18n.register("sync.last_sync", "上次同步 {at}", "last sync {at}")
_LAST_SUCCESS = i18n.register("sync.last_success", "上次成功同步：{at}", "Last successful exchange: {at}")
_PROBLEM = i18n.register("sync.problem", "问题：{problem}", "Problem: {problem}")
_REFUSED_UPDATE = i18n.register("sync.refused_update", "未采用的更新：{problem}", "Refused update: {problem}")
_REFUSED_ENTRIES = i18n.register(
    "sync.refused_entries",
    "有 {n} 条记录被后台拒收；排除原因后，请选择“同步 ▸ 重新提交失败的记录”。",
    "{n} entries were refused by the back office; fix the cause, then Sync ▸ Retry failed entries.",
)
_SYNC_NOW = i18n.register("sync.sync_now_key", "立即同步：{keys}", "Sync now: {keys}")
_SENDING = i18n.register(
    "sync.sending",
    "正在上传 {n} 条待上传记录并获取办件状态变化…",
    "Sending {n} waiting entries and fetching status changes…",
)
_PROGRESS = i18n.register(
    "sync.progress",
    "办件 {case}：第 {done}/{total} 个文件，已传 {sent}/{size} KB",
    "Case {case}: file {done} of {total}, {sent} of {size} KB",
)
_STOPPED = i18n.register(
    "sync.stopped",
    "已停止。已上传 {n} 条，其余将在下次同步时上传。",
    "Stopped. Sent: {n}; the rest waits for the next sync.",
)
_NOT_FINISHED = i18n.register("sync.not_finished", "未完成：{problem}", "Not finished: {problem}")
_DONE = i18n.register("sync.done", "同步完成。", "Done.")
_COUNTS = i18n.register(
    "sync.counts",
    "已上传 {sent} · 被拒收 {failed} · 状态变化 {statuses}",
    "Sent: {sent} · refused: {failed} · status changes: {statuses}",
)
_INSTALLED = i18n.register("sync.installed", "已更新：{names}", "Installed: {names}")
_REFUSED = i18n.register("sync.refused", "未采用：{names}", "Refused: {names}")


def _time(value: dt.datetime | None, with_date: bool = False) -> str:
    if value is None:
        return "—"
    return value.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M")


def status_line(s: SyncState) -> str:
    """``后台：在线 · 待上传 3 · 失败 2 · 上次同步 10:32``."""
    if s.online is None:  # no exchange yet: still trying, or stopped before the network (no secret)
        head = _NOT_CONNECTED if s.problem else _CONNECTING
    else:
        head = _ONLINE if s.online else _OFFLINE
    parts = [i18n.text(head), i18n.text(_TO_SEND, n=s.pending)]
    if s.failed:
        parts.append(i18n.text(_FAILED, n=s.failed))
    if s.last_success is not None:
        parts.append(i18n.text(_LAST_SYNC, at=_time(s.last_success)))
    return " · ".join(parts)


def status_tooltip(s: SyncState, sync_now_keys: str) -> str:
    """The full time of the last successful exchange, the last problem, a refused push, what to do
    about refused entries, and the key of "Sync now"."""
    lines = [i18n.text(_LAST_SUCCESS, at=_time(s.last_success, True))]
    if s.problem:
        lines.append(i18n.text(_PROBLEM, problem=s.problem))
    if s.catalogue_problem:
        lines.append(i18n.text(_REFUSED_UPDATE, problem=s.catalogue_problem))
    if s.failed:
        lines.append(i18n.text(_REFUSED_ENTRIES, n=s.failed))
    lines.append(i18n.text(_SYNC_NOW, keys=sync_now_keys))
    return "\n".join(lines)


def needs_attention(s: SyncState) -> bool:
    """Shown in red: offline, refused entries, or a problem."""
    return s.online is False or bool(s.failed) or bool(s.problem)


def sending_line(pending: int) -> str:
    return i18n.text(_SENDING, n=pending)


def progress_line(p: SyncProgress) -> str:
    return i18n.text(
        _PROGRESS,
        case=p.case_id[:8],
        done=p.files_done,
        total=p.files_total,
        sent=p.bytes_sent // 1024,
        size=p.bytes_total // 1024,
    )


def cycle_summary(report: CycleReport) -> str:
    """How a manual cycle ended (stopped, not finished and why, or done), its counts, and the
    catalogue / calendar updates installed or refused."""
    error = report.upload_error or report.pull_error
    if report.cancelled:
        head = i18n.text(_STOPPED, n=report.sent)
    elif error is not None:
        head = not_finished(error.user_message())
    else:
        head = i18n.text(_DONE)
    lines = [head, i18n.text(_COUNTS, sent=report.sent, failed=report.failed, statuses=report.statuses_applied)]
    if report.installed:
        lines.append(i18n.text(_INSTALLED, names=", ".join(report.installed)))
    if report.refused:
        lines.append(i18n.text(_REFUSED, names=", ".join(report.refused)))
    return "\n".join(lines)


def not_finished(problem: str) -> str:
    return i18n.text(_NOT_FINISHED, problem=problem)
