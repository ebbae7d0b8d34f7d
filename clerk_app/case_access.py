"""Who may read which case, and its scanned pages: one rule for every read of case content.

- Clerks and supervisors (``pii.view_full``) and the station's own workers (system) read every case
  of the hall (通办: any window takes any case).
- Pre-review staff (帮办, ``case.edit_draft`` without ``pii.view_full``) read the hall's open drafts
  (draft, ready_for_window: the same list ``CaseService.drafts`` shows them) and, masked, the cases
  they started or pre-reviewed themselves (what ``CaseSearch`` finds for them). The scanned pages
  (ID-card scans among them) only of open drafts: once decided, a case's documents are the window's.
- Administrators, and any other role: no case content at all.

Personal data stays masked in every ``CaseView``; the full record needs ``reveal_applicant``.
"""

from __future__ import annotations

from clerk_app import i18n
from clerk_app.errors import PermissionDenied
from clerk_app.lifecycle import CaseStatus
from clerk_app.roles import ROLE_LABELS, Actor, Permission, Role
from clerk_app.store.models import Case

OPEN_DRAFTS = frozenset({CaseStatus.DRAFT.value, CaseStatus.READY_FOR_WINDOW.value})

_A_READ_CASE = i18n.register("perm.case_read", "查看该案件", "read this case")
_A_READ_PAGES = i18n.register("perm.case_pages", "查看该案件的扫描材料", "view this case's scanned pages")


def _hall_wide(actor: Actor) -> bool:
    return actor.role is Role.SYSTEM or actor.can(Permission.PII_VIEW_FULL)


def may_read_case(actor: Actor, case: Case) -> bool:
    """The case's (masked) view: see the module docstring."""
    if _hall_wide(actor):
        return True
    if not actor.can(Permission.CASE_EDIT_DRAFT):  # admin: users and settings, no case content
        return False
    if case.status in OPEN_DRAFTS:
        return True
    return actor.user_id is not None and actor.user_id in (case.created_by, case.prereviewed_by)


def may_see_pages(actor: Actor, case: Case) -> bool:
    """The scanned images of the case's pages (thumbnails and full views)."""
    if _hall_wide(actor):
        return True
    return actor.can(Permission.CASE_EDIT_DRAFT) and case.status in OPEN_DRAFTS


def require_case_readable(actor: Actor, case: Case) -> None:
    if not may_read_case(actor, case):
        raise PermissionDenied(
            role=i18n.Msg(ROLE_LABELS[actor.role]),
            action=i18n.Msg(_A_READ_CASE),
            detail=f"{actor.role.value} may not read case {case.id} ({case.status})",
        )


def require_pages_visible(actor: Actor, case: Case) -> None:
    if not may_see_pages(actor, case):
        raise PermissionDenied(
            role=i18n.Msg(ROLE_LABELS[actor.role]),
            action=i18n.Msg(_A_READ_PAGES),
            detail=f"{actor.role.value} may not see the pages of case {case.id} ({case.status})",
        )
