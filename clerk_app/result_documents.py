"""The result document (办理结果文书) a department uploaded in the back office, back at the window.

The sync worker downloads it when the status feed says ``result_ready``, checks its SHA-256 against the
feed's reference, keeps it encrypted in the attachment store and records the reference for the case
(``clerk_app/sync/wiring.py`` ``AttachmentResultStore``). This service is how the window sees it: the case
view says that it exists and what it is called (no personal data in that), opening it is a full view of a
document that names the applicant (``Permission.PII_VIEW_FULL``, audited as ``case.result_document`` with
the purpose), and 出件 prints it next to the 送达回证 as a print job of its own
(``clerk_app/wiring/print_jobs.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n
from clerk_app.attachments import AttachmentStore
from clerk_app.audit import Auditor
from clerk_app.errors import DomainError
from clerk_app.roles import Actor, Permission

RESULT_KEY = "result_document:"  # sync_state key prefix: result_document:<case id> → {"id", "sha256", "size", …}
DEFAULT_NAME = "办理结果文书.pdf"
PURPOSES = ("view", "print")

_E_NONE = i18n.register(
    "error.result_document_none",
    "本案还没有收到审批部门的办理结果文书",
    "No result document from the department has arrived for this case",
)
_E_PURPOSE = i18n.register(
    "error.result_document_purpose", "未知的用途：{purpose}", "Unknown purpose for the result document: {purpose}"
)


@dataclass(frozen=True)
class ResultDocumentInfo:
    """What the window may show of a result document without opening it (no personal data)."""

    case_id: str
    name: str  # the file name the department uploaded (or 办理结果文书.pdf)
    size: int  # bytes
    sha256: str


def _sync_state() -> Any:
    from clerk_app.sync.state import sync_state  # the table only (no HTTP code runs)

    return sync_state


def reference_in(s: Session, case_id: str) -> dict[str, Any] | None:
    """The stored reference of the case's result document within the session ``s``, or None."""
    table = _sync_state()
    raw = s.execute(select(table.c.value).where(table.c.key == RESULT_KEY + case_id)).scalar()
    if not raw:
        return None
    try:
        ref = json.loads(raw)
    except ValueError:
        return None
    return ref if isinstance(ref, dict) and isinstance(ref.get("sha256"), str) else None


class ResultDocumentService:
    def __init__(self, sessions: sessionmaker[Session], store: AttachmentStore, auditor: Auditor) -> None:
        self._sessions = sessions
        self._store = store
        self._auditor = auditor

    def info(self, actor: Actor, case_id: str) -> ResultDocumentInfo | None:
        """The case's result document (name, size), or None when none has arrived (whoever may open
        the case may know that; the name and size carry no personal data)."""
        with self._sessions() as s:
            ref = reference_in(s, case_id)
        return _info(case_id, ref) if ref is not None else None

    def cases_with_document(self, actor: Actor, case_ids: Iterable[str]) -> set[str]:
        """Which of ``case_ids`` have a result document (for lists: one query)."""
        keys = [RESULT_KEY + cid for cid in case_ids]
        if not keys:
            return set()
        table = _sync_state()
        with self._sessions() as s:
            found = s.execute(select(table.c.key).where(table.c.key.in_(keys))).scalars()
            return {k[len(RESULT_KEY) :] for k in found}

    def pdf(self, actor: Actor, case_id: str, purpose: str = "view") -> bytes:
        """The document's bytes (decrypted from the attachment store). It names the applicant: a full
        view (PII_VIEW_FULL), audited as ``case.result_document`` with the purpose (view or print)."""
        if purpose not in PURPOSES:
            raise DomainError(_E_PURPOSE, purpose=purpose)
        actor.require(Permission.PII_VIEW_FULL)
        with self._sessions.begin() as s:
            ref = reference_in(s, case_id)
            if ref is None:
                raise DomainError(_E_NONE, detail=f"no result document for case {case_id}")
            data = self._store.get(ref["sha256"])
            self._auditor.record(
                s, actor, "case.result_document", case_id, purpose=purpose, document_id=ref.get("id"), size=len(data)
            )
        return data


def _info(case_id: str, ref: dict[str, Any]) -> ResultDocumentInfo:
    name = ref.get("filename")
    return ResultDocumentInfo(
        case_id,
        name if isinstance(name, str) and name.strip() else DEFAULT_NAME,
        int(ref.get("size") or 0),
        str(ref["sha256"]),
    )
