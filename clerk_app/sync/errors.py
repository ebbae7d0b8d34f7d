"""Errors of the sync layer. Messages say what the clerk should know (the back office is away,
the station is not enrolled ...); details for the log never carry personal data or secrets."""

from __future__ import annotations

from clerk_app import i18n
from clerk_app.errors import ClerkAppError


class SyncError(ClerkAppError):
    key = i18n.register("error.sync", "与后台同步失败：{problem}", "Sync with the back office failed: {problem}")


class BackOfficeUnavailable(SyncError):
    """Transient: network down, timeout, reset, 5xx, 429. Retried with backoff."""

    key = i18n.register(
        "error.sync.unavailable",
        "后台暂时无法连接，稍后自动重试（{problem}）",
        "The back office cannot be reached; retrying automatically ({problem})",
    )


class StationNotAuthorised(SyncError):
    key = i18n.register(
        "error.sync.auth",
        "本工作站未获后台授权，请联系管理员重新注册工作站",
        "This station is not authorised by the back office; ask an administrator to enrol it",
    )


class RequestRejected(SyncError):
    """Permanent: the back office refused the request (4xx); retrying the same request will not help."""

    key = i18n.register(
        "error.sync.rejected", "后台拒绝了该请求（{problem}）", "The back office refused the request ({problem})"
    )

    def __init__(self, *, status: int, code: str, detail: str = "", offset: int | None = None) -> None:
        self.status = status
        self.code = code
        self.offset = offset
        super().__init__(problem=code, detail=detail or f"HTTP {status} {code}")


class AttachmentMissing(SyncError):
    key = i18n.register(
        "error.sync.attachment_missing",
        "附件文件缺失或已损坏，无法上传（{sha}）",
        "An attachment file is missing or corrupt and cannot be uploaded ({sha})",
    )


class InvalidAnswer(SyncError):
    """Transient: the back office answered, but not as the wire schema (docs/api/openapi.yaml) says —
    wrong type, missing field, an answer too large or too slow. Nothing is marked on such an answer;
    the entry is retried with backoff (a fixed or restarted server then gets it right)."""

    key = i18n.register(
        "error.sync.invalid_answer",
        "后台的答复不符合接口约定，稍后自动重试（{problem}）",
        "The back office sent an answer that does not match the API; retrying automatically ({problem})",
    )


class FeedCursorAhead(SyncError):
    """The stored status-feed cursor is ahead of everything the back office has (a restored or
    replaced back office): the feed is read again from the start so no status is lost."""

    key = i18n.register(
        "error.sync.cursor_ahead",
        "后台状态记录比本机记录的更少（后台可能已从备份恢复），正在重新同步全部状态",
        "The back office has fewer status events than this station saw (restored from a backup?); "
        "re-reading all statuses",
    )


class ResultDocumentMismatch(SyncError):
    """The downloaded result document is not the one the status feed named (size or SHA-256 differ)."""

    key = i18n.register(
        "error.sync.result_mismatch",
        "从后台下载的结果文书与通知不符，未保存（{problem}）",
        "The result document downloaded from the back office does not match its notice; not kept ({problem})",
    )


class StoreRolledBack(SyncError):
    """The back office has seen more of this station than its store holds now (a restore from a backup,
    a lost WAL): decisions after that point are gone from this station. Case numbers were moved past
    every number the back office has seen; an administrator must find out what was lost."""

    key = i18n.register(
        "error.sync.rolled_back",
        "本机数据库比后台记录的旧（可能已从备份恢复或丢失了最近的数据），最近的办件可能缺失；受理编号已跳过已用号码。请联系管理员核对",
        "This station's database is older than what the back office has seen (restored from a backup or "
        "recent data lost); recent cases may be missing. Case numbers now skip the numbers already used. "
        "Ask an administrator to check",
    )
