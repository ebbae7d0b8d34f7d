"""Claims in the window (issue 14 item 2): who works on a case now.

Opening a case for work claims it (``CaseService.claim``). A case someone else holds opens read-only,
and :class:`ClaimBanner` says who holds it, at which station and window, since when, and when the claim
lapses by itself (``claim_expiry_minutes``, end of the day at the latest). A supervisor
(``Permission.CASE_RELEASE_CLAIM``) releases a stale claim from the banner with a reason; the core
records it in the audit trail with the holder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QDialogButtonBox, QHBoxLayout, QWidget

from clerk_app.cases import CaseService, CaseView, ClaimView
from clerk_app.roles import Actor, Permission
from clerk_app.worklists import claim_notice
from ui.operations import CoreOp, error_text
from ui.widgets.common import ERROR_TEXT_STYLE, ReasonDialog, Retranslating, add, arg, button, label

if TYPE_CHECKING:
    from ui.pages import PageHost

_STYLE = "background: #fff4e0; color: #8a4b00; padding: 6px; border: 1px solid #e0b070;"


class ClaimBanner(Retranslating, QWidget):
    """ "Being handled by …: read-only" above a case someone else holds; a release button for supervisors.
    Hidden while nobody else holds the case."""

    released = Signal(str)  # case id: the claim was released (audited by the core)

    def __init__(self, cases: CaseService, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("claimBanner")
        self._cases, self._actor = cases, actor
        self.claim: ClaimView | None = None
        # How the reason is asked (tests answer it directly).
        self.ask_reason: Callable[[QWidget, ClaimView], str | None] = self.ask_release_reason
        self.label = label(name="claimHolder", style=_STYLE, wrap=True)
        self.release_button = button("releaseClaim", self.release)
        self.release_button.setVisible(actor.can(Permission.CASE_RELEASE_CLAIM))
        self.error = label(style=ERROR_TEXT_STYLE, visible=False)
        row = add(QHBoxLayout(self), (self.label, 1), self.release_button, self.error)
        row.setContentsMargins(0, 0, 0, 0)
        self.retranslate()
        self.set_claim(None)

    def retranslate(self) -> None:
        self.release_button.setText(self.tr("&Release claim…"))
        self._show()

    def ask_release_reason(self, parent: QWidget, claim: ClaimView) -> str | None:
        """Asks the supervisor why the claim is released (the reason goes to the audit)."""
        dialog = ReasonDialog(
            parent,
            name="releaseClaimDialog",
            field_name="releaseClaimReason",
            title=self.tr("Release the claim"),
            text=arg(
                self.tr("Release %1's claim on this case? Give the reason; it is recorded in the audit trail."),
                claim.user_name,
            ),
            placeholder=self.tr("e.g. the station crashed; the clerk has gone home"),
        )
        dialog.ok.setText(self.tr("Release"))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        return dialog.ask()

    def set_claim(self, claim: ClaimView | None) -> None:
        """Show ``claim`` when it is someone else's; hide otherwise."""
        self.claim = claim if claim is not None and claim.user_id != self._actor.user_id else None
        self.error.setVisible(False)
        self._show()

    def _show(self) -> None:
        self.setVisible(self.claim is not None)
        self.label.setText(claim_notice(self.claim) if self.claim is not None else "")

    def release(self) -> bool:
        """Ask the reason, then release the claim off the GUI thread (``released`` when done); False when
        there is nothing to release or the supervisor cancelled."""
        c = self.claim
        if c is None or not self._actor.can(Permission.CASE_RELEASE_CLAIM):
            return False
        reason = self.ask_reason(self, c)
        if not reason:
            return False
        CoreOp(
            self,
            lambda _report, _cancel: self._cases.release(self._actor, c.case_id, reason),
            lambda _result: self._released(c.case_id),
            title=self.tr("Release the claim"),
            on_failure=self._refused,
            ordered=True,
        ).run()
        return True

    def _released(self, case_id: str) -> None:
        self.set_claim(None)
        self.released.emit(case_id)

    def _refused(self, exc: BaseException) -> None:
        self.error.setText(error_text(exc))
        self.error.setVisible(True)


def open_for_work(host: PageHost, case_id: str, on_claimed: Callable[[], None], owner: QWidget) -> CoreOp:
    """Claim the case for the signed-in clerk off the GUI thread (a write: on the ordered core-writes
    thread), then ``on_claimed()`` to work on it. When another window holds it, the case view opens
    read-only with the holder (and, for a supervisor, the release button) instead. ``owner``: the widget
    the result goes to (the intake page; tests settle on it)."""
    ctx, actor = host.ctx, host.actor

    def opened(view: CaseView) -> None:
        if not view.read_only_for(actor):
            on_claimed()
            return
        from ui.search.case_view import CaseViewDialog

        parent = host if isinstance(host, QWidget) else owner
        dialog = CaseViewDialog(ctx.cases, ctx.search, actor, case_id, parent, results=ctx.results)
        host.claimed_case_dialog = dialog  # type: ignore[attr-defined]  # kept alive while shown
        dialog.show()

    return CoreOp(
        owner,
        lambda _report, _cancel: ctx.cases.open_for_work(actor, case_id),
        opened,
        title=QCoreApplication.translate("ClaimBanner", "Opening the case"),
        on_failure=lambda exc: host.show_status(error_text(exc), 8000),
        ordered=True,
        progress=False,
    ).run()
