"""Scanned pages filed under checklist lines: add, reorder, move, rotate, delete, rescan, and the
per-line PDF for the back office.

The image bytes go to the attachment store first (durable, encrypted) and only then is the page row
committed, so a crash leaves at most an unreferenced file (``orphans()``), never a row without its
image. Each change keeps ``CaseLine.page_count`` equal to the number of pages and writes an audit
event (hash prefix and positions only: no image content, no personal data).

Rotation is metadata: the stored image is never re-encoded; the viewer turns it, and the line PDF
sets the page's /Rotate entry.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n
from clerk_app.attachments import AttachmentStore, assemble_pdf
from clerk_app.audit import Auditor
from clerk_app.case_access import require_pages_visible
from clerk_app.clock import Clock
from clerk_app.errors import DomainError, NotFound
from clerk_app.lifecycle import CaseStatus, LineStatus
from clerk_app.roles import Actor, Permission
from clerk_app.store.models import Case, CaseClaim, CaseLine, Page

_E_PAGES_LOCKED = i18n.register(
    "error.pages_locked",
    "案件当前状态下不能再修改扫描页",
    "Scanned pages cannot be changed in the case's current state",
)
_E_PAGES_FROZEN = i18n.register(
    "error.pages_frozen",
    "材料“{name}”已随受理决定提交，扫描页不能再修改；只有容缺或补正的材料可以补扫",
    "Material “{name}” was decided with the case: its pages are frozen; only owed materials take new pages",
)
# Decided cases whose owed (deferred) lines still take pages for the supplements.
_SUPPLEMENT_STATES = frozenset(
    {
        CaseStatus.ACCEPTED_WITH_DEFICIENCIES,
        CaseStatus.SYNCED,
        CaseStatus.IN_APPROVAL,
        CaseStatus.SUPPLEMENTS_RECEIVED,
    }
)
_E_ROTATION = i18n.register("error.page_rotation", "页面只能按 90 度旋转", "Pages turn in steps of 90 degrees")
_E_NO_PAGES = i18n.register(
    "error.line_no_pages", "材料“{name}”还没有扫描页", "Material “{name}” has no scanned pages yet"
)

ALLOWED_MIME = ("image/jpeg", "image/png", "image/tiff")


@dataclass(frozen=True)
class PageView:
    id: int
    line_id: int
    line_code: str
    position: int  # 0-based within the line
    sha256: str
    size: int
    mime: str
    width: int
    height: int
    rotation: int  # clockwise degrees for display: 0, 90, 180, 270
    blank: bool
    created_at: dt.datetime


class PageService:
    def __init__(
        self, session_factory: sessionmaker[Session], clock: Clock, auditor: Auditor, store: AttachmentStore
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._auditor = auditor
        self._store = store
        self.claim_expiry = dt.timedelta(hours=8)  # as CaseService.claim_expiry (the composition root sets both)

    @property
    def store(self) -> AttachmentStore:
        """The encrypted attachment store (the sync worker streams pages from it)."""
        return self._store

    # -- reading ------------------------------------------------------------------------------
    def pages(self, case_id: str, line_code: str) -> list[PageView]:
        with self._sessions() as s:
            line = self._line(s, case_id, line_code)
            return [self._view(p, line) for p in self._rows(s, line.id)]

    def counts(self, case_id: str) -> dict[str, int]:
        """Pages per line code (the checklist shows these)."""
        with self._sessions() as s:
            return {
                line.requirement_code: line.page_count
                for line in s.scalars(select(CaseLine).where(CaseLine.case_id == case_id))
            }

    def image(self, actor: Actor, page_id: int, *, full_view: bool = False) -> tuple[bytes, str, int]:
        """(image bytes, mime, rotation); the hash is verified on the way. Only for an actor who may
        see the case's pages (``clerk_app.case_access``: pre-review only open drafts, admin never).
        ``full_view`` (the page viewer, not a thumbnail): a scanned page may be an ID card, so the
        full view is a personal-data view and audited (``pii.view``, purpose ``page_image``, the
        line and position; never the content). Thumbnails are not audited: they are the checklist
        the clerk is working on, redrawn on every refresh."""
        with self._sessions.begin() if full_view else self._sessions() as s:
            page = self._page(s, page_id)
            line = s.get(CaseLine, page.line_id)
            case = s.get(Case, line.case_id) if line is not None else None
            if line is None or case is None:
                raise NotFound(what="页面", detail=f"page {page_id} without its case")
            require_pages_visible(actor, case)
            sha, mime, rotation = page.sha256, page.mime, page.rotation
            if full_view:
                self._auditor.record(
                    s,
                    actor,
                    "pii.view",
                    case.id,
                    purpose="page_image",
                    line=line.requirement_code,
                    position=page.position,
                )
        return self._store.get(sha), mime, rotation

    # -- changing -----------------------------------------------------------------------------
    def add(
        self,
        actor: Actor,
        case_id: str,
        line_code: str,
        data: bytes,
        mime: str,
        *,
        width: int = 0,
        height: int = 0,
        blank: bool = False,
        position: int | None = None,
    ) -> PageView:
        """File a page under a line (at the end, or at ``position``)."""
        if mime not in ALLOWED_MIME:
            raise DomainError(detail=f"page mime {mime!r} not accepted")
        stored = self._store.put(data, mime)  # durable before the row exists
        with self._sessions.begin() as s:
            line = self._line(s, case_id, line_code)
            case = self._editable(s, actor, line.case_id, line)
            rows = self._rows(s, line.id)
            position = len(rows) if position is None else max(0, min(position, len(rows)))
            page = Page(
                line_id=line.id,
                position=position,
                sha256=stored.sha256,
                size=stored.size,
                mime=mime,
                width=width,
                height=height,
                rotation=0,
                blank_flag=blank,
                created_at=self._clock.now(),
            )
            rows.insert(position, page)
            s.add(page)
            self._renumber(rows)
            line.page_count = len(rows)
            self._touch(case)
            s.flush()
            self._auditor.record(
                s, actor, "page.add", case_id, line=line_code, position=position, sha256=stored.sha256[:12], blank=blank
            )
            return self._view(page, line)

    def move(self, actor: Actor, page_id: int, position: int) -> list[PageView]:
        """Reorder a page within its line; returns the line's pages in the new order."""
        with self._sessions.begin() as s:
            page = self._page(s, page_id)
            line = s.get(CaseLine, page.line_id)
            assert line is not None
            case = self._editable(s, actor, line.case_id, line)
            rows = [r for r in self._rows(s, line.id) if r.id != page.id]
            position = max(0, min(position, len(rows)))
            old = page.position
            rows.insert(position, page)
            self._renumber(rows)
            self._touch(case)
            self._auditor.record(
                s, actor, "page.move", case.id, line=line.requirement_code, from_position=old, to_position=position
            )
            return [self._view(r, line) for r in rows]

    def move_to_line(self, actor: Actor, page_id: int, line_code: str) -> PageView:
        """File a page under another line of the same case (scanned into the wrong one)."""
        with self._sessions.begin() as s:
            page = self._page(s, page_id)
            source = s.get(CaseLine, page.line_id)
            assert source is not None
            target = self._line(s, source.case_id, line_code)
            case = self._editable(s, actor, source.case_id, source, target)
            if target.id == source.id:
                return self._view(page, source)
            remaining = [r for r in self._rows(s, source.id) if r.id != page.id]
            self._renumber(remaining)
            source.page_count = len(remaining)
            rows = self._rows(s, target.id)
            page.line_id = target.id
            rows.append(page)
            self._renumber(rows)
            target.page_count = len(rows)
            self._touch(case)
            self._auditor.record(
                s,
                actor,
                "page.refile",
                case.id,
                from_line=source.requirement_code,
                line=line_code,
                sha256=page.sha256[:12],
            )
            s.flush()
            return self._view(page, target)

    def rotate(self, actor: Actor, page_id: int, degrees: int = 90) -> PageView:
        """Turn a page clockwise by a multiple of 90° (metadata only: no re-encoding)."""
        if degrees % 90:
            raise DomainError(_E_ROTATION, detail=f"rotate by {degrees}")
        with self._sessions.begin() as s:
            page = self._page(s, page_id)
            line = s.get(CaseLine, page.line_id)
            assert line is not None
            case = self._editable(s, actor, line.case_id, line)
            page.rotation = (page.rotation + degrees) % 360
            self._touch(case)
            self._auditor.record(
                s,
                actor,
                "page.rotate",
                case.id,
                line=line.requirement_code,
                position=page.position,
                rotation=page.rotation,
            )
            return self._view(page, line)

    def delete(self, actor: Actor, page_id: int) -> None:
        """Remove a page from its line. The file stays until ``orphans()`` says nobody uses it."""
        with self._sessions.begin() as s:
            page = self._page(s, page_id)
            line = s.get(CaseLine, page.line_id)
            assert line is not None
            case = self._editable(s, actor, line.case_id, line)
            rows = [r for r in self._rows(s, line.id) if r.id != page.id]
            s.delete(page)
            self._renumber(rows)
            line.page_count = len(rows)
            self._touch(case)
            self._auditor.record(
                s,
                actor,
                "page.delete",
                case.id,
                line=line.requirement_code,
                position=page.position,
                sha256=page.sha256[:12],
            )

    def replace(
        self,
        actor: Actor,
        page_id: int,
        data: bytes,
        mime: str,
        *,
        width: int = 0,
        height: int = 0,
        blank: bool = False,
    ) -> PageView:
        """Rescan: the page keeps its place; image, size and flags are the new scan's."""
        if mime not in ALLOWED_MIME:
            raise DomainError(detail=f"page mime {mime!r} not accepted")
        stored = self._store.put(data, mime)
        with self._sessions.begin() as s:
            page = self._page(s, page_id)
            line = s.get(CaseLine, page.line_id)
            assert line is not None
            case = self._editable(s, actor, line.case_id, line)
            old = page.sha256
            page.sha256, page.size, page.mime = stored.sha256, stored.size, mime
            page.width, page.height, page.rotation, page.blank_flag = width, height, 0, blank
            self._touch(case)
            self._auditor.record(
                s,
                actor,
                "page.rescan",
                case.id,
                line=line.requirement_code,
                position=page.position,
                old=old[:12],
                sha256=stored.sha256[:12],
            )
            return self._view(page, line)

    # -- export and housekeeping ------------------------------------------------------------------
    def line_pdf(self, case_id: str, line_code: str) -> bytes:
        """The line's pages as one PDF, image data embedded as stored (img2pdf), rotation applied
        through each page's /Rotate entry."""
        pages = self.pages(case_id, line_code)
        if not pages:
            with self._sessions() as s:
                name = self._line(s, case_id, line_code).name
            raise DomainError(_E_NO_PAGES, name=name, detail=f"line {line_code} empty")
        pdf = assemble_pdf(self._store, [p.sha256 for p in pages])
        if not any(p.rotation for p in pages):
            return pdf
        import pikepdf  # img2pdf's own dependency

        with pikepdf.open(io.BytesIO(pdf)) as document:
            for page, view in zip(document.pages, pages):
                if view.rotation:
                    page.Rotate = view.rotation
            out = io.BytesIO()
            document.save(out, deterministic_id=True)
        return out.getvalue()

    def orphans(self) -> list[str]:
        """Stored files no page refers to (a crash between store and commit, deleted pages)."""
        with self._sessions() as s:
            used = set(s.scalars(select(Page.sha256).distinct()))
        return sorted(sha for sha in self._store.hashes() if sha not in used)

    # -- helpers ------------------------------------------------------------------------------
    def _line(self, s: Session, case_id: str, line_code: str) -> CaseLine:
        line = s.scalar(select(CaseLine).where(CaseLine.case_id == case_id, CaseLine.requirement_code == line_code))
        if line is None:
            raise NotFound(what=line_code, detail=f"line {line_code} not in case")
        return line

    def _page(self, s: Session, page_id: int) -> Page:
        page = s.get(Page, page_id)
        if page is None:
            raise NotFound(what="页面", detail=f"page {page_id}")
        return page

    @staticmethod
    def _rows(s: Session, line_id: int) -> list[Page]:
        return list(s.scalars(select(Page).where(Page.line_id == line_id).order_by(Page.position, Page.id)))

    @staticmethod
    def _renumber(rows: list[Page]) -> None:
        for index, row in enumerate(rows):
            row.position = index

    def _editable(self, s: Session, actor: Actor, case_id: str, *lines: CaseLine) -> Case:
        """Pages change while the intake is open. Once the case is decided, the pages of the lines it
        was accepted with are frozen (they went to the back office in the case packet under its
        idempotency key: a changed page would make the packet differ under the same key); only the
        lines still owed (deferred 容缺 / requested 补正 lines) take pages, for the supplements, while
        the case is accepted_with_deficiencies, synced, in approval or supplements_received.
        ``lines``: every line the change touches (a move between lines: both)."""
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(what="案件", detail=f"case {case_id}")
        from clerk_app.cases import CaseClaimed, live_claim_view

        claim = live_claim_view(s.get(CaseClaim, case_id), self._clock.now(), self.claim_expiry)
        if claim is not None and claim.user_id != actor.user_id and actor.user_id is not None:
            raise CaseClaimed(claim)  # someone else works on it: read-only
        status = CaseStatus(case.status)
        if status in _SUPPLEMENT_STATES:
            if lines and all(line.status == LineStatus.DEFERRED.value for line in lines):
                actor.require(Permission.CASE_SUPPLEMENT)
                return case
            actor.require(Permission.CASE_SUPPLEMENT)  # a role without it hears that first
            frozen = next((line for line in lines if line.status != LineStatus.DEFERRED.value), None)
            raise DomainError(
                _E_PAGES_FROZEN,
                name=frozen.name if frozen is not None else "—",
                detail=f"case is {status.value}: line {frozen.requirement_code if frozen else '?'} was decided",
            )
        actor.require(Permission.CASE_EDIT_DRAFT)
        if status not in (CaseStatus.DRAFT, CaseStatus.READY_FOR_WINDOW):
            raise DomainError(_E_PAGES_LOCKED, detail=f"case is {status.value}")
        if status is CaseStatus.READY_FOR_WINDOW and not actor.can(Permission.CASE_DECIDE):
            raise DomainError(_E_PAGES_LOCKED, detail="handed over: only the window edits it now")
        return case

    def _touch(self, case: Case) -> None:
        case.updated_at = self._clock.now()

    @staticmethod
    def _view(page: Page, line: CaseLine) -> PageView:
        return PageView(
            id=page.id,
            line_id=line.id,
            line_code=line.requirement_code,
            position=page.position,
            sha256=page.sha256,
            size=page.size,
            mime=page.mime,
            width=page.width,
            height=page.height,
            rotation=page.rotation,
            blank=page.blank_flag,
            created_at=page.created_at,
        )


def total_pages(s: Session, case_id: str) -> int:
    """All pages of a case (for the receipt's material list)."""
    return int(
        s.scalar(
            select(func.count(Page.id)).join(CaseLine, Page.line_id == CaseLine.id).where(CaseLine.case_id == case_id)
        )
        or 0
    )
