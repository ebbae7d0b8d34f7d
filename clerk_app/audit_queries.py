"""Reading the audit trail for supervisors: filters, chain verification with the broken event,
a case timeline, and filtered reports as CSV or PDF (every export is itself an audit event).

Qt-free. The PDF is drawn by a renderer passed in (``printing.audit_report.render_audit_pdf``), so
the core does not depend on the printing implementation.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import audit_labels, i18n
from clerk_app.audit import Auditor, ChainBreak
from clerk_app.clock import CHINA_TZ, Clock, local_time
from clerk_app.corrections import CORRECTABLE
from clerk_app.errors import ClerkAppError, NotFound
from clerk_app.lifecycle import status_label
from clerk_app.roles import Actor, Permission, role_label
from clerk_app.store.models import AuditEvent, Case, CaseCorrection
from clerk_app.version import app_version

EXPORT_LIMIT = 100_000

_INTACT = i18n.register(
    "audit.chain_intact", "哈希链完整：已校验 {n} 条记录。", "Hash chain intact: {n} events verified."
)
_BROKEN = i18n.register(
    "audit.chain_broken", "哈希链断裂于第 {seq} 条（{why}）{where}", "Hash chain BROKEN at event {seq} ({why}){where}"
)
_WHY = {
    reason: i18n.register(f"audit.chain_{key}", zh, en)
    for reason, key, zh, en in (
        ("hash mismatch", "altered", "该记录被篡改", "the event was altered"),
        ("link mismatch", "link", "与上一条记录的链接不符", "the link to the previous event is wrong"),
        ("sequence gap", "gap", "缺少记录", "an event is missing"),
        ("head mismatch", "head", "末尾的记录被删除", "events were removed at the end"),
    )
}
_CASE_HEADER = i18n.register(
    "audit.case_header",
    "案件 {number} · {item}（{code}）· 状态：{status} · {window} 号窗口",
    "Case {number} · {item} ({code}) · status {status} · window {window}",
)
_VOIDED = i18n.register("audit.case_voided", "已作废：{reason}", "Voided: {reason}")


class ExportFailed(ClerkAppError):
    key = i18n.register(
        "audit.export_failed",
        "审计报告无法写入所选位置（磁盘已满或没有写入权限），请换一个位置再试",
        "The audit report could not be written there (disk full or no permission); choose another place",
    )


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    role: str | None = None
    action: str | None = None  # exact action, or a prefix ending in "." / "*" (e.g. "case.")
    case_id: str | None = None
    start: dt.datetime | None = None  # inclusive
    end: dt.datetime | None = None  # exclusive

    def describe(self) -> dict[str, str]:
        """The filter as plain text (for report headers and the export's audit event)."""
        out = {}
        for name in ("actor", "role", "action", "case_id"):
            value = getattr(self, name)
            if value:
                out[name] = str(value)
        if self.start:
            out["start"] = self.start.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
        if self.end:
            out["end"] = self.end.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
        return out


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: dt.datetime
    actor: str
    role: str
    station: str
    action: str
    case_id: str | None
    detail: dict[str, Any]
    hash: str
    case_number: str | None = None  # shown instead of the case id (None: no case, or not decided yet)

    def action_label(self) -> str:
        return audit_labels.action_label(self.action)

    def detail_label(self) -> str:
        """The detail as readable Chinese text (the screen); detail_text() is the exact JSON (exports)."""
        return audit_labels.detail_text(self.detail)

    def case_label(self) -> str:
        """The case number, or for an undecided case 未编号（id prefix）."""
        if self.case_id is None:
            return ""
        return self.case_number or f"未编号（{self.case_id[:8]}）"

    def detail_text(self) -> str:
        return json.dumps(self.detail, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))

    def cells(self) -> tuple[str, ...]:
        """The row as the audit page lists it: No., time, user, role, station, action, case, detail."""
        return (
            str(self.seq),
            local_time(self.at, seconds=True),
            audit_labels.actor_label(self.actor),
            role_label(self.role),
            self.station,
            self.action_label(),
            self.case_label(),
            self.detail_label(),
        )


@dataclass(frozen=True)
class ChainStatus:
    intact: bool
    broken: ChainBreak | None
    broken_row: AuditRow | None
    events: int

    def message(self) -> str:
        """What the supervisor reads: intact with the count, or where and how the chain breaks."""
        if self.broken is None:
            return i18n.text(_INTACT, n=self.events)
        why = _WHY.get(self.broken.reason)
        row = self.broken_row
        where = f" — {local_time(row.at, seconds=True)} · {row.actor} · {row.action_label()}" if row else ""
        return i18n.text(_BROKEN, seq=self.broken.seq, why=i18n.text(why) if why else self.broken.reason, where=where)


@dataclass(frozen=True)
class CaseHeader:
    case_id: str
    case_number: str | None
    item_code: str
    item_name: str
    status: str
    window_no: str
    void_reason: str | None

    def describe(self) -> str:
        """One line about the case (and a second with the void reason, if voided)."""
        text = i18n.text(
            _CASE_HEADER,
            number=self.case_number or "—",
            item=self.item_name,
            code=self.item_code,
            status=status_label(self.status),
            window=self.window_no,
        )
        return text + ("\n" + i18n.text(_VOIDED, reason=self.void_reason) if self.void_reason else "")


@dataclass(frozen=True)
class CorrectionEntry:
    id: int
    field: str
    old_value: str | None
    new_value: str | None
    reason: str
    actor: str
    at: dt.datetime

    def cells(self) -> tuple[str, ...]:
        """Time, user, field, original value, corrected value, reason."""
        field_label = i18n.text(CORRECTABLE[self.field][1]) if self.field in CORRECTABLE else self.field
        return (
            local_time(self.at, seconds=True),
            self.actor,
            field_label,
            self.old_value or "—",
            self.new_value or "—",
            self.reason,
        )


@dataclass(frozen=True)
class CaseTimeline:
    case: CaseHeader
    events: list[AuditRow]
    corrections: list[CorrectionEntry]


@dataclass(frozen=True)
class AuditReport:
    """What a PDF renderer receives: plain data, no personal data (audit details never hold any)."""

    title: str
    generated_at: dt.datetime
    generated_by: str
    station: str
    filter: dict[str, str]
    chain: str
    rows: Sequence[AuditRow] = field(default_factory=list)
    app_version: str = ""  # the exporting workstation's version (clerk_app.version)


PdfRenderer = Callable[[AuditReport], bytes]


def _row(ev: AuditEvent, case_number: str | None = None) -> AuditRow:
    return AuditRow(
        ev.seq, ev.at, ev.actor, ev.role, ev.station, ev.action, ev.case_id, dict(ev.detail or {}), ev.hash, case_number
    )


class AuditQueries:
    def __init__(self, session_factory: sessionmaker[Session], auditor: Auditor, clock: Clock) -> None:
        self._sessions = session_factory
        self._auditor = auditor
        self._clock = clock

    # -- filtered reading ----------------------------------------------------------------------
    def search(
        self, actor: Actor, flt: AuditFilter, *, limit: int = 500, before_seq: int | None = None
    ) -> list[AuditRow]:
        """Newest first; page on with ``before_seq`` = the last row's seq (keyset paging)."""
        actor.require(Permission.AUDIT_READ_ALL)
        stmt = (
            select(AuditEvent, Case.case_number)
            .outerjoin(Case, Case.id == AuditEvent.case_id)
            .where(*self._where(flt))
            .order_by(AuditEvent.seq.desc())
            .limit(limit)
        )
        if before_seq is not None:
            stmt = stmt.where(AuditEvent.seq < before_seq)
        with self._sessions() as s:
            return [_row(ev, number) for ev, number in s.execute(stmt).all()]

    def count(self, actor: Actor, flt: AuditFilter) -> int:
        actor.require(Permission.AUDIT_READ_ALL)
        with self._sessions() as s:
            return s.scalar(select(func.count()).select_from(AuditEvent).where(*self._where(flt))) or 0

    def choices(self, actor: Actor) -> tuple[list[str], list[str], list[str]]:
        """Distinct (users, roles, actions) present in the trail, for the filter drop-downs."""
        actor.require(Permission.AUDIT_READ_ALL)
        with self._sessions() as s:
            users = list(s.scalars(select(AuditEvent.actor).distinct().order_by(AuditEvent.actor)))
            roles = list(s.scalars(select(AuditEvent.role).distinct().order_by(AuditEvent.role)))
            actions = list(s.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
        return users, roles, actions

    @staticmethod
    def _where(flt: AuditFilter) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if flt.actor:
            where.append(AuditEvent.actor == flt.actor)
        if flt.role:
            where.append(AuditEvent.role == flt.role)
        if flt.action:
            if flt.action.endswith("*"):
                where.append(AuditEvent.action.startswith(flt.action[:-1], autoescape=True))
            elif flt.action.endswith("."):
                where.append(AuditEvent.action.startswith(flt.action, autoescape=True))
            else:
                where.append(AuditEvent.action == flt.action)
        if flt.case_id:
            where.append(AuditEvent.case_id == flt.case_id)
        if flt.start:
            where.append(AuditEvent.at >= flt.start)
        if flt.end:
            where.append(AuditEvent.at < flt.end)
        return where

    # -- chain -----------------------------------------------------------------------------------
    def verify(self, actor: Actor) -> ChainStatus:
        """Walk the chain; the result (intact or the first broken seq) is itself audited."""
        actor.require(Permission.AUDIT_READ_ALL)
        broken = self._auditor.verify()
        with self._sessions() as s:
            n = s.scalar(select(func.count()).select_from(AuditEvent)) or 0
            ev = s.get(AuditEvent, broken.seq) if broken else None
            row = _row(ev) if ev is not None else None
        detail: dict[str, Any] = {"intact": broken is None}
        if broken:
            detail.update(broken_seq=broken.seq, reason=broken.reason)
        self._auditor.record_now(actor, "audit.verify", None, **detail)
        return ChainStatus(broken is None, broken, row, n)

    # -- a case -----------------------------------------------------------------------------------
    def find_case(self, actor: Actor, text: str) -> str:
        """Case id from a case number or a case id (UUID)."""
        actor.require(Permission.AUDIT_READ_ALL)
        text = text.strip()
        with self._sessions() as s:
            cid = s.scalar(select(Case.id).where((Case.case_number == text.upper()) | (Case.id == text.lower())))
        if cid is None:
            raise NotFound(what=text[:40], detail="no case with this number or id")
        return cid

    def case_filter(self, actor: Actor, text: str) -> str | None:
        """What a typed case number filters the trail by: the case's id; the text itself when no case
        has it (the trail may still hold its events, e.g. of a case another station numbered); None
        for no text."""
        if not text.strip():
            return None
        try:
            return self.find_case(actor, text)
        except NotFound:
            return text.strip()

    def case_timeline(self, actor: Actor, case_id: str) -> CaseTimeline:
        actor.require(Permission.AUDIT_READ_ALL)
        with self._sessions() as s:
            case = s.get(Case, case_id)
            if case is None:
                raise NotFound(what="案件", detail=f"case {case_id}")
            header = CaseHeader(
                case.id, case.case_number, case.item_code, case.item_name, case.status, case.window_no, case.void_reason
            )
            events = [
                _row(ev, case.case_number)
                for ev in s.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq))
            ]
            corrections = [
                CorrectionEntry(c.id, c.field, c.old_value, c.new_value, c.reason, c.actor, c.at)
                for c in s.scalars(
                    select(CaseCorrection).where(CaseCorrection.case_id == case_id).order_by(CaseCorrection.id)
                )
            ]
        return CaseTimeline(header, events, corrections)

    # -- exports ----------------------------------------------------------------------------------
    def _export_rows(self, flt: AuditFilter) -> list[AuditRow]:
        stmt = select(AuditEvent).where(*self._where(flt)).order_by(AuditEvent.seq).limit(EXPORT_LIMIT)
        with self._sessions() as s:
            return [_row(ev) for ev in s.scalars(stmt)]

    def export_csv(self, actor: Actor, flt: AuditFilter) -> bytes:
        """UTF-8 CSV with a BOM (so Excel on a Chinese Windows opens it correctly); audited."""
        actor.require(Permission.AUDIT_READ_ALL)
        rows = self._export_rows(flt)
        buf = io.StringIO()
        w = csv.writer(buf)
        version = app_version()  # which software exported it: a column, so every row carries it
        w.writerow(["seq", "at", "actor", "role", "station", "action", "case_id", "detail", "hash", "app_version"])
        for r in rows:
            w.writerow(
                [
                    r.seq,
                    r.at.astimezone(CHINA_TZ).isoformat(timespec="seconds"),
                    r.actor,
                    r.role,
                    r.station,
                    r.action,
                    r.case_id or "",
                    r.detail_text(),
                    r.hash,
                    version,
                ]
            )
        data = ("\ufeff" + buf.getvalue()).encode("utf-8")
        self._record_export(actor, flt, "csv", len(rows), data)
        return data

    def export_pdf(self, actor: Actor, flt: AuditFilter, render: PdfRenderer, *, title: str = "审计记录报告") -> bytes:
        actor.require(Permission.AUDIT_READ_ALL)
        rows = self._export_rows(flt)
        broken = self._auditor.verify()
        chain = (
            "完整 / intact"
            if broken is None
            else f"断裂于第 {broken.seq} 条 / broken at {broken.seq} ({broken.reason})"
        )
        report = AuditReport(
            title, self._clock.now(), actor.username, actor.station, flt.describe(), chain, rows, app_version()
        )
        data = render(report)
        self._record_export(actor, flt, "pdf", len(rows), data)
        return data

    def export_file(
        self,
        actor: Actor,
        flt: AuditFilter,
        path: str | Path,
        fmt: str,
        render: PdfRenderer,
        *,
        title: str = "审计记录报告",
    ) -> Path:
        """Write the filtered trail to ``path`` as ``fmt`` ("csv" or "pdf"); audited. A file that
        cannot be written is ExportFailed (disk full, no permission), said in the clerk's words."""
        path = Path(path)
        if fmt == "pdf":
            data = self.export_pdf(actor, flt, render, title=title)
        else:
            data = self.export_csv(actor, flt)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise ExportFailed(detail=type(exc).__name__) from exc
        return path

    def _record_export(self, actor: Actor, flt: AuditFilter, fmt: str, rows: int, data: bytes) -> None:
        self._auditor.record_now(
            actor,
            "audit.export",
            format=fmt,
            rows=rows,
            filter=flt.describe(),
            sha256=hashlib.sha256(data).hexdigest()[:16],
            app_version=app_version(),
        )


def day_range(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local (China time) dates → [start 00:00, end+1 00:00) as aware datetimes."""
    return (
        dt.datetime.combine(start, dt.time(), CHINA_TZ),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), CHINA_TZ),
    )


__all__ = [
    "AuditFilter",
    "AuditQueries",
    "AuditReport",
    "AuditRow",
    "CaseTimeline",
    "ChainStatus",
    "CorrectionEntry",
    "day_range",
]
