"""Chip reads from the intake page over the simulated reader (the device layer itself is tested
against the real pcscd + vpcd stack in tests/devices/cards)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from clerk_app.lifecycle import CaseStatus
from devices.cards.mrz import mrz_key
from testsupport.ui import ScriptedPrompts, open_window, settle

K = Qt.Key


@pytest.fixture
def page_with_case(qtbot, demo_ctx, translations):
    window = open_window(qtbot, demo_ctx, translations, "clerk")
    window.show_page("intake")
    page = window.pages["intake"]
    page.prompts = ScriptedPrompts()
    page.picker.query.setText("gtgsh")
    page.picker.pick_current()
    settle(qtbot, page)
    return window, page


def test_resident_id_read_fills_and_saves_the_applicant(qtbot, page_with_case, demo_ctx):
    window, page = page_with_case
    qtbot.waitUntil(lambda: "已放卡" in window.card_label.text() or "card present" in window.card_label.text())
    qtbot.keyClick(page, K.Key_F6)
    qtbot.waitUntil(lambda: demo_ctx.cases.get(page.actor, page.case_id).applicant is not None, timeout=5000)
    settle(qtbot, page)
    applicant = demo_ctx.cases.get(page.actor, page.case_id).applicant
    assert applicant.verified_by == "chip" and applicant.document_number == "1101**********002X"
    assert "芯片读取（未验签）" in page.applicant.source.text()
    assert page.prompts.errors == []


def test_passport_asks_for_the_mrz_then_reads(qtbot, page_with_case, demo_ctx):
    window, page = page_with_case
    service = window.card_service()
    service.insert("passport")
    page.prompts.mrz_keys = [
        mrz_key("E00000000", "900115", "340620"),  # wrong: BAC fails, asked again
        mrz_key("E12345678", "900115", "340620"),
    ]
    page.read_card()
    qtbot.waitUntil(lambda: demo_ctx.cases.get(page.actor, page.case_id).applicant is not None, timeout=5000)
    settle(qtbot, page)
    assert page.prompts.errors and "访问密钥" in page.prompts.errors[0]
    applicant = demo_ctx.cases.get(page.actor, page.case_id).applicant
    assert applicant.document_type == "passport" and applicant.verified_by == "chip"
    assert applicant.passive_auth == "verified"
    assert demo_ctx.cases.get(page.actor, page.case_id).status is CaseStatus.DRAFT


def test_card_pulled_mid_read_is_explained_and_nothing_is_saved(qtbot, page_with_case, demo_ctx):
    window, page = page_with_case
    service = window.card_service()
    service.remove_during_next_read()
    page.read_card()
    qtbot.waitUntil(lambda: bool(page.prompts.errors), timeout=5000)
    assert "移开" in page.prompts.errors[0]
    assert demo_ctx.cases.get(page.actor, page.case_id).applicant is None
    assert page.applicant.read_button.isEnabled()


def test_diagnostics_dialog_lists_readers_and_atr(qtbot, page_with_case):
    window, page = page_with_case
    qtbot.keyClick(window, K.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = window.card_diagnostics
    qtbot.addWidget(dialog)
    settle(qtbot, dialog)  # read off the GUI thread
    text = dialog.text.toPlainText()
    assert "读卡器数量：1" in text and "已放卡" in text and "ATR 3B 80 80 01 01" in text
    window.card_service().remove()
    dialog.refresh()
    qtbot.waitUntil(lambda: "未放卡" in dialog.text.toPlainText())


def test_diagnostics_text_of_the_pcsc_backend_without_a_daemon():
    from clerk_app import i18n
    from clerk_app.card_diagnostics import diagnostics_text
    from devices.cards.emrtd import describe_atr
    from devices.cards.pcsc import PcscDiagnostics

    class Stub:  # the shape of PcscCardService when pcscd is gone (no real daemon needed for text)
        family = "pcsc"
        diagnostics = PcscDiagnostics(pcscd_running=False, context_rebuilds=3, last_errors=["ReaderGone"])

        def monitor_alive(self):
            return True

        def list_readers(self):
            from devices.cards.api import ReaderGoneError

            raise ReaderGoneError(reader="ACS ACR39U")

    i18n.set_language("en")
    try:
        text = diagnostics_text(Stub(), describe_atr)
    finally:
        i18n.set_language("zh_CN")
    assert "not reachable" in text and "Context rebuilds: 3" in text and "ReaderGone" in text
    assert "Listing readers failed" in text


def test_chip_read_shows_the_face_for_comparison_and_records_the_clerks_verdict(qtbot, page_with_case, demo_ctx):
    """人证比对: the chip photo large with the full name and number (an audited full view), one key
    for "matches"; the decision's audit names the verdict; the customer screen never shows the face."""
    from PySide6.QtWidgets import QLabel

    window, page = page_with_case
    qtbot.waitUntil(lambda: "已放卡" in window.card_label.text() or "card present" in window.card_label.text())
    qtbot.keyClick(page, K.Key_F6)
    qtbot.waitUntil(lambda: page.identity_check.isVisible(), timeout=5000)
    panel = page.identity_check
    assert panel.name.text() == "测试样例" and panel.number.text() == "11010519491231002X"
    assert not panel.photo.pixmap().isNull() and panel.photo.pixmap().height() > 100
    actions = [e.action for e in demo_ctx.auditor.events(page.actor, case_id=page.case_id)]
    assert "pii.view" in actions  # the full view is audited

    qtbot.keyClick(page, K.Key_F10)
    settle(qtbot, page)
    assert "一致" in panel.outcome.text() and "不" not in panel.outcome.text()
    events = demo_ctx.auditor.events(page.actor, case_id=page.case_id)
    check = next(e for e in events if e.action == "case.identity_check")
    assert check.detail["result"] == "match"
    qtbot.keyClick(page, K.Key_F10, Qt.KeyboardModifier.ShiftModifier)  # changed its mind: recorded again
    settle(qtbot, page)
    assert "不一致" in panel.outcome.text()

    customer = getattr(window, "customer_window", None)
    if customer is not None:  # the applicant's screen: no face, no full name
        for label in customer.findChildren(QLabel):
            assert "测试样例" not in label.text()
            pix = label.pixmap()
            assert pix is None or pix.isNull() or pix.height() < 200


def test_prereview_staff_get_no_comparison_view(demo_ctx):
    from clerk_app.errors import PermissionDenied

    helper = demo_ctx.users.authenticate("prereview", "Helper2026")
    cid = demo_ctx.cases.start_case(helper, "SC-GTGSH-SL", {"premises": "rented"})
    with pytest.raises(PermissionDenied):
        demo_ctx.identity_checks.for_comparison(helper, cid)
    with pytest.raises(PermissionDenied):
        demo_ctx.identity_checks.record(helper, cid, True)


def test_a_card_read_can_be_cancelled_with_esc(qtbot, page_with_case, demo_ctx):
    window, page = page_with_case
    service = window.card_service()
    service.read_delay = 5.0  # a slow chip
    qtbot.keyClick(page, K.Key_F6)
    qtbot.waitUntil(lambda: page._card_op is not None, timeout=2000)
    qtbot.keyClick(page, K.Key_Escape)
    qtbot.waitUntil(lambda: page._card_op is None, timeout=3000)
    assert demo_ctx.cases.get(page.actor, page.case_id).applicant is None
    assert page.applicant.read_button.isEnabled() and page.prompts.errors == []


def test_card_read_tells_of_earlier_cases_and_ctrl_o_opens_one(qtbot, page_with_case, demo_ctx):
    """The chip's holder had a case returned with a notice: said after the read, Ctrl+O opens it."""
    from clerk_app.lifecycle import Decision
    from clerk_app.persons import PersonData

    window, page = page_with_case
    earlier = demo_ctx.cases.start_case(page.actor, "SH-JSZG-RD")
    demo_ctx.cases.set_applicant(
        page.actor, earlier, PersonData(name="张三", document_number="11010519491231002X", address="北京市东城区")
    )
    demo_ctx.cases.decide(earlier, Decision.RETURN_WITH_NOTICE, page.actor)
    assert not page.matters_note.isVisible()
    qtbot.waitUntil(lambda: "已放卡" in window.card_label.text() or "card present" in window.card_label.text())
    qtbot.keyClick(page, K.Key_F6)
    qtbot.waitUntil(lambda: page.matters_note.isVisible(), timeout=5000)
    assert "已一次性告知" in page.matters_note.text() and "Ctrl+O" in page.matters_note.text()
    assert [m.id for m in page.matters] == [earlier]
    qtbot.keyClick(page, K.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert page.matter_dialog.isVisible()
    page.matter_dialog.close()
    # the next applicant starts clean
    qtbot.keyClick(page, K.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert not page.matters_note.isVisible() and page.matters == []


@pytest.fixture
def placement_ctx(tmp_path):
    from clerk_app.app_context import build_context
    from clerk_app.demo import seed_demo_users
    from clerk_app.settings import Settings

    ctx = build_context(Settings(demo=True, data_dir=str(tmp_path), card_read_on_placement=True))
    seed_demo_users(ctx)
    yield ctx
    ctx.close()


def test_read_on_placement_reads_the_card_put_down_and_not_the_one_already_there(qtbot, placement_ctx, translations):
    """Setting card_read_on_placement: placing a card reads it (no F6); the card lying on the reader
    when the session started is not read by itself; off the intake page nothing is read."""
    window = open_window(qtbot, placement_ctx, translations, "clerk")
    service = window.card_service()
    window.show_page("intake")
    page = window.pages["intake"]
    page.prompts = ScriptedPrompts()
    page.picker.query.setText("gtgsh")
    page.picker.pick_current()
    settle(qtbot, page)
    qtbot.wait(200)
    assert placement_ctx.cases.get(page.actor, page.case_id).applicant is None  # the card already there

    service.remove()
    window.show_page("home")
    service.insert("resident_id")  # placed while the clerk is elsewhere: nothing happens
    qtbot.wait(200)
    assert placement_ctx.cases.get(page.actor, page.case_id).applicant is None

    service.remove()
    window.show_page("intake")
    service.insert("resident_id")
    qtbot.waitUntil(lambda: placement_ctx.cases.get(page.actor, page.case_id).applicant is not None, timeout=5000)
    settle(qtbot, page)
    assert placement_ctx.cases.get(page.actor, page.case_id).applicant.verified_by == "chip"
    assert page.prompts.errors == []


def test_without_the_setting_placing_a_card_does_not_read(qtbot, page_with_case, demo_ctx):
    window, page = page_with_case
    service = window.card_service()
    service.remove()
    service.insert("resident_id")
    qtbot.wait(300)
    assert demo_ctx.cases.get(page.actor, page.case_id).applicant is None


def test_hk_macao_taiwan_residence_permit_read_is_filed_as_that_document(qtbot, page_with_case, demo_ctx):
    """A 港澳台居民居住证 read by a resident ID reader: the panel names the document (it used to fall back
    to 居民身份证) and the number is checked like a resident ID with the 81/82/83 region."""
    import datetime as dt

    from clerk_app.identity import resident_id_check_char
    from devices.cards.api import DocumentType, IdentityDocument, Sex

    window, page = page_with_case
    first17 = "81000019900101123"
    number = first17 + resident_id_check_char(first17)
    doc = IdentityDocument(
        document_type=DocumentType.HMT_RESIDENCE_PERMIT,
        document_number=number,
        surname="",
        given_names="",
        full_name="陈大文",
        sex=Sex.MALE,
        birth_date=dt.date(1990, 1, 1),
        nationality="CHN",
        expiry_date=dt.date(2030, 1, 1),
        related_document_number="H01234567",
    )
    service = window.card_service()
    service.remove()
    service.insert(doc)
    page.read_card()

    def settled() -> bool:
        return demo_ctx.cases.get(page.actor, page.case_id).applicant is not None or bool(page.prompts.errors)

    qtbot.waitUntil(settled, timeout=5000)
    settle(qtbot, page)
    assert page.prompts.errors == []
    assert demo_ctx.cases.get(page.actor, page.case_id).applicant.document_type == "hmt_residence_permit"
    assert page.applicant.doc_type.currentText() == "港澳台居民居住证"
    assert page.prompts.errors == []


def test_hmt_residence_permit_numbers_are_checked():
    from clerk_app.identity import InvalidIdentityNumber, resident_id_check_char, validate_hmt_residence_permit

    first17 = "82000019851203456"
    good = first17 + resident_id_check_char(first17)
    assert validate_hmt_residence_permit(good.lower()) == good
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    mainland = "11010519491231002X"  # a valid resident ID, but not a 港澳台 region
    for bad in (wrong_check, mainland, good[:17]):
        with pytest.raises(InvalidIdentityNumber):
            validate_hmt_residence_permit(bad)
