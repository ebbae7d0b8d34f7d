"""Building the case packet at send time: case JSON + material manifest with SHA-256 per file.

The packet is rebuilt from the store on every attempt, so it must be deterministic for a decided
case (the back office compares retried packets by hash): it holds only what is fixed at the decision
(no later status, no timestamps of the sync itself). Applicant fields are decrypted here, in memory,
for the back office only; they never reach a log or an error text.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerk_app.customer import CommentSealer, open_comment
from clerk_app.store.models import Case, CaseLine, CaseTransition, Page, Person
from clerk_app.version import app_version

PACKET_SCHEMA = "case-packet/1"
SUPPLEMENTS_SCHEMA = "supplements/1"
DECISION_STATUSES = ("accepted", "accepted_with_deficiencies", "returned_with_notice", "rejected")


class AttachmentSource(Protocol):
    """Plaintext bytes of stored attachments, by SHA-256 (the attachment store implements this;
    ``open`` must stream — a seekable file object — so large scans never sit in memory whole)."""

    def open(self, sha256: str) -> BinaryIO: ...

    def size(self, sha256: str) -> int: ...


class FolderAttachments:
    """Plain files named by their SHA-256 in one folder (tests, bench, a scanner drop folder)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / sha256

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path(sha256), "rb")

    def size(self, sha256: str) -> int:
        return self.path(sha256).stat().st_size


ApplicantDecoder = Callable[[Person], dict[str, Any]]
"""Turns a stored person into the plain fields sent to the back office (decrypts ``Person.pii``)."""


def person_repository_decoder(persons: Any) -> ApplicantDecoder:
    """Adapter for clerk_app.persons.PersonRepository (``load(row) -> PersonData``)."""

    def decode(row: Person) -> dict[str, Any]:
        data = dataclasses.asdict(persons.load(row))
        data["kind"] = row.kind
        return data

    return decode


@dataclass(frozen=True)
class ManifestFile:
    sha256: str
    size: int
    mime: str


@dataclass(frozen=True)
class BuiltPacket:
    case_id: str
    body: dict[str, Any]
    files: tuple[ManifestFile, ...]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


class PacketBuilder:
    def __init__(self, decode_person: ApplicantDecoder, comments: CommentSealer | None = None) -> None:
        self._decode = decode_person
        self._comments = comments  # the hall key for the applicant's sealed rating comment

    def rating_comment(self, session: Session, case_id: str) -> str:
        """The applicant's rating comment in clear, for the back office only (sealed on the case,
        never in the outbox payload, never logged); "" when there is none."""
        case = session.get(Case, case_id)
        if case is None or not case.rating_comment:
            return ""
        if self._comments is None:
            raise LookupError(f"case {case_id}: no key to open the rating comment")
        return open_comment(self._comments, case_id, case.rating_comment)

    def build(self, session: Session, case_id: str) -> BuiltPacket:
        built = self.build_many(session, [case_id])[case_id]
        if isinstance(built, LookupError):
            raise built
        return built

    def build_many(self, session: Session, case_ids: list[str]) -> dict[str, BuiltPacket | LookupError]:
        """The packets of several cases with a fixed number of queries (cases, decisions, lines, pages,
        persons — not a handful per case); a case that cannot be built gets its LookupError instead."""
        ids = list(dict.fromkeys(case_ids))
        cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(ids)))}
        decisions: dict[str, str] = {}
        for cid, status in session.execute(
            select(CaseTransition.case_id, CaseTransition.to_status)
            .where(CaseTransition.case_id.in_(ids), CaseTransition.to_status.in_(DECISION_STATUSES))
            .order_by(CaseTransition.id)
        ):
            decisions.setdefault(cid, status)
        lines_of: dict[str, list[CaseLine]] = {}
        for line in session.scalars(
            select(CaseLine).where(CaseLine.case_id.in_(ids)).order_by(CaseLine.case_id, CaseLine.position, CaseLine.id)
        ):
            lines_of.setdefault(line.case_id, []).append(line)
        pages_of: dict[int, list[Page]] = {}
        line_ids = [line.id for lines in lines_of.values() for line in lines]
        if line_ids:
            for page in session.scalars(
                select(Page).where(Page.line_id.in_(line_ids)).order_by(Page.line_id, Page.position, Page.id)
            ):
                pages_of.setdefault(page.line_id, []).append(page)
        person_ids = {pid for c in cases.values() for pid in (c.applicant_id, c.agent_id) if pid}
        persons = (
            {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids)))} if person_ids else {}
        )
        out: dict[str, BuiltPacket | LookupError] = {}
        for case_id in ids:
            case = cases.get(case_id)
            if case is None:
                out[case_id] = LookupError(f"case {case_id} not in the store")
                continue
            decision = decisions.get(case_id) or case.status
            if decision not in DECISION_STATUSES:
                out[case_id] = LookupError(f"case {case_id} has no decision")
                continue
            out[case_id] = self._assemble(case, decision, lines_of.get(case_id, []), pages_of, persons)
        return out

    def _assemble(
        self,
        case: Case,
        decision: str,
        lines: list[CaseLine],
        pages_of: dict[int, list[Page]],
        persons: dict[Any, Person],
    ) -> BuiltPacket:
        lines_out: list[dict[str, Any]] = []
        files: dict[str, ManifestFile] = {}
        for line in lines:
            pages = pages_of.get(line.id, [])
            for page in pages:
                files.setdefault(page.sha256, ManifestFile(page.sha256, page.size, page.mime))
            lines_out.append(
                {
                    "requirement_code": line.requirement_code,
                    "name": line.name,
                    "form": line.form,
                    "status": line.status,
                    "reason": line.reason,
                    "due_date": _iso(line.due_date),
                    "originals_received": line.originals_received,
                    "copies_received": line.copies_received,
                    "pages": [{"position": p.position, "sha256": p.sha256} for p in pages],
                }
            )
        applicant = agent = None
        if case.applicant_id:
            person = persons.get(case.applicant_id)
            applicant = self._decode(person) if person is not None else None
        if case.agent_id:
            person = persons.get(case.agent_id)
            agent = self._decode(person) if person is not None else None
        body = {
            "schema_version": PACKET_SCHEMA,
            "case_id": case.id,
            "case_number": case.case_number,
            "station_code": case.station_code,
            "window_no": case.window_no,
            "item_code": case.item_code,
            "item_name": case.item_name,
            "catalogue_version": case.catalogue_version,
            "decision": decision,
            "decision_reason": case.decision_reason,
            "legal_basis": case.legal_basis,
            "decided_at": _iso(case.decided_at),
            "promised_date": _iso(case.promised_date),
            "deficiency_due": _iso(case.deficiency_due),
            "answers": dict(case.answers or {}),
            "applicant": applicant,
            "agent": agent,
            "lines": lines_out,
            "attachments": [dataclasses.asdict(f) for f in files.values()],
            # the sending workstation's version (pyproject); the back office leaves it out of the replay
            # hash, so a retry after an upgrade is still the same packet
            "app_version": app_version(),
        }
        return BuiltPacket(case.id, body, tuple(files.values()))

    def build_supplements(self, session: Session, case_id: str, codes: list[str]) -> BuiltPacket:
        """The supplement record of a case (容缺): the given lines with their pages and the manifest of
        those pages' files. Deterministic for the same lines and pages (no timestamps)."""
        if session.get(Case, case_id) is None:
            raise LookupError(f"case {case_id} not in the store")
        lines_out: list[dict[str, Any]] = []
        files: dict[str, ManifestFile] = {}
        for code in sorted(set(codes)):
            line = session.scalar(
                select(CaseLine).where(CaseLine.case_id == case_id, CaseLine.requirement_code == code)
            )
            if line is None:
                raise LookupError(f"case {case_id} has no line {code}")
            pages = session.scalars(select(Page).where(Page.line_id == line.id).order_by(Page.position, Page.id)).all()
            for page in pages:
                files.setdefault(page.sha256, ManifestFile(page.sha256, page.size, page.mime))
            lines_out.append(
                {"requirement_code": code, "pages": [{"position": p.position, "sha256": p.sha256} for p in pages]}
            )
        body = {
            "schema_version": SUPPLEMENTS_SCHEMA,
            "case_id": case_id,
            "lines": lines_out,
            "attachments": [dataclasses.asdict(f) for f in files.values()],
        }
        return BuiltPacket(case_id, body, tuple(files.values()))
