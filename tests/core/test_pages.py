"""Pages filed under checklist lines (PageService) over a real SQLite store and attachment store."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select

from clerk_app.attachments import AttachmentStore
from clerk_app.errors import DomainError, NotFound, PermissionDenied
from clerk_app.pages import PageService, total_pages
from clerk_app.persons import PersonData
from clerk_app.security.crypto import FieldCipher
from clerk_app.store.models import AuditEvent

ITEM = "SC-GTGSH-SL"  # 个体工商户设立登记
APPLICANT = PersonData(
    name="张三丰",
    document_number="11010519491231002X",
    address="湖北省武汉市江岸区胜利街100号",
    phone="13800138000",
    verified_by="chip",
    passive_auth="verified",
)


def page_bytes(number: int) -> bytes:
    image = Image.new("L", (827, 1169), 255)
    ImageDraw.Draw(image).rectangle((100, 100, 100 + number * 50, 150), fill=0)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(100, 100))
    return out.getvalue()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One store for the module (seeding the demo users hashes passwords: ~1.5 s); every test
    works on a case of its own, so they stay independent."""
    from tests.helpers.core import make_world

    w = make_world(tmp_path_factory.mktemp("pages"))
    yield w
    w.ctx.close()


@pytest.fixture
def service(world, tmp_path) -> PageService:
    ctx = world.ctx
    store = AttachmentStore(tmp_path / "attachments", FieldCipher(ctx.keys, "attachments"))
    return PageService(ctx.sessions, ctx.clock, ctx.auditor, store)


@pytest.fixture
def case(world):
    clerk = world.login("clerk")
    case_id = world.ctx.cases.start_case(clerk, ITEM, {"premises": "rented"})
    world.ctx.cases.set_applicant(clerk, case_id, APPLICANT)
    lines = [line.code for line in world.ctx.cases.get(clerk, case_id).lines]
    return clerk, case_id, lines


def positions(pages) -> list[tuple[int, str]]:
    return [(p.position, p.sha256) for p in pages]


def test_add_pages_in_order_and_counts_follow(world, service, case):
    clerk, case_id, lines = case
    added = [
        service.add(clerk, case_id, lines[0], page_bytes(n), "image/png", width=827, height=1169) for n in (1, 2, 3)
    ]
    assert [p.position for p in added] == [0, 1, 2]
    listed = service.pages(case_id, lines[0])
    assert [p.sha256 for p in listed] == [p.sha256 for p in added]
    assert service.counts(case_id)[lines[0]] == 3
    view = world.ctx.cases.get(clerk, case_id)
    assert next(line for line in view.lines if line.code == lines[0]).page_count == 3
    data, mime, rotation = service.image(clerk, added[1].id)
    assert data == page_bytes(2) and mime == "image/png" and rotation == 0
    with world.ctx.sessions() as s:
        assert total_pages(s, case_id) == 3


def test_insert_at_a_position(service, case):
    clerk, case_id, lines = case
    first = service.add(clerk, case_id, lines[0], page_bytes(1), "image/png")
    last = service.add(clerk, case_id, lines[0], page_bytes(3), "image/png")
    middle = service.add(clerk, case_id, lines[0], page_bytes(2), "image/png", position=1)
    assert [p.id for p in service.pages(case_id, lines[0])] == [first.id, middle.id, last.id]


def test_reorder(service, case):
    clerk, case_id, lines = case
    a, b, c = (service.add(clerk, case_id, lines[0], page_bytes(n), "image/png") for n in (1, 2, 3))
    reordered = service.move(clerk, c.id, 0)
    assert [p.id for p in reordered] == [c.id, a.id, b.id]
    assert [p.position for p in service.pages(case_id, lines[0])] == [0, 1, 2]
    assert [p.id for p in service.pages(case_id, lines[0])] == [c.id, a.id, b.id]


def test_move_to_another_line(service, case):
    clerk, case_id, lines = case
    a, b = (service.add(clerk, case_id, lines[0], page_bytes(n), "image/png") for n in (1, 2))
    moved = service.move_to_line(clerk, a.id, lines[1])
    assert moved.line_code == lines[1] and moved.position == 0
    assert [p.id for p in service.pages(case_id, lines[0])] == [b.id]
    assert service.pages(case_id, lines[0])[0].position == 0
    counts = service.counts(case_id)
    assert counts[lines[0]] == 1 and counts[lines[1]] == 1


def test_rotate_is_metadata_only(service, case):
    clerk, case_id, lines = case
    page = service.add(clerk, case_id, lines[0], page_bytes(1), "image/png")
    assert service.rotate(clerk, page.id).rotation == 90
    assert service.rotate(clerk, page.id, 270).rotation == 0
    assert service.rotate(clerk, page.id, -90).rotation == 270
    assert service.pages(case_id, lines[0])[0].sha256 == page.sha256
    with pytest.raises(DomainError):
        service.rotate(clerk, page.id, 45)


def test_delete_renumbers_and_counts(service, case):
    clerk, case_id, lines = case
    # Image content of its own: another test's pages in the shared store must not refer to it.
    a, b, c = (service.add(clerk, case_id, lines[0], page_bytes(n), "image/png") for n in (11, 12, 13))
    service.delete(clerk, b.id)
    assert positions(service.pages(case_id, lines[0])) == [(0, a.sha256), (1, c.sha256)]
    assert service.counts(case_id)[lines[0]] == 2
    assert service.orphans() == [b.sha256]
    with pytest.raises(NotFound):
        service.delete(clerk, b.id)


def test_rescan_keeps_the_place(service, case):
    clerk, case_id, lines = case
    a, b = (service.add(clerk, case_id, lines[0], page_bytes(n), "image/png") for n in (1, 2))
    service.rotate(clerk, a.id)
    new = service.replace(clerk, a.id, page_bytes(9), "image/png", width=827, height=1169)
    assert new.id == a.id and new.position == 0 and new.rotation == 0
    assert service.image(clerk, a.id)[0] == page_bytes(9)
    assert service.counts(case_id)[lines[0]] == 2


def test_line_pdf_in_page_order_with_rotation(service, case):
    from pypdf import PdfReader

    clerk, case_id, lines = case
    a, b = (service.add(clerk, case_id, lines[0], page_bytes(n), "image/png") for n in (1, 2))
    service.move(clerk, b.id, 0)
    service.rotate(clerk, a.id, 90)
    reader = PdfReader(io.BytesIO(service.line_pdf(case_id, lines[0])))
    assert len(reader.pages) == 2
    assert [page.rotation for page in reader.pages] == [0, 90]
    with pytest.raises(DomainError):
        service.line_pdf(case_id, lines[1])


def test_audit_events_without_image_content(world, service, case):
    clerk, case_id, lines = case
    page = service.add(clerk, case_id, lines[0], page_bytes(1), "image/png")
    service.rotate(clerk, page.id)
    service.delete(clerk, page.id)
    with world.ctx.sessions() as s:
        events = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.like("page.%"), AuditEvent.case_id == case_id)
            .order_by(AuditEvent.seq)
        ).all()
        assert [e.action for e in events] == ["page.add", "page.rotate", "page.delete"]
        assert all(len(e.detail.get("sha256", "")) <= 12 for e in events)
    assert world.ctx.auditor.verify() is None


def test_only_open_cases_take_pages(world, service, case):
    clerk, case_id, lines = case
    supervisor = world.login("supervisor")
    with pytest.raises(PermissionDenied):
        service.add(supervisor, case_id, lines[0], page_bytes(1), "image/png")
    world.ctx.cases.void(supervisor, case_id, "测试作废")
    with pytest.raises(DomainError):
        service.add(clerk, case_id, lines[0], page_bytes(1), "image/png")


def test_refuses_unknown_mime_and_line(service, case):
    clerk, case_id, lines = case
    with pytest.raises(DomainError):
        service.add(clerk, case_id, lines[0], b"%PDF-1.7", "application/pdf")
    with pytest.raises(NotFound):
        service.add(clerk, case_id, "NO-SUCH-LINE", page_bytes(1), "image/png")


def _decide(world, clerk, case_id, *, defer: str | None = None):
    """Every line received (``defer``: that one owed, 容缺), then decided."""
    import datetime as dt

    from clerk_app.lifecycle import Decision, LineStatus

    cases = world.ctx.cases
    for line in cases.get(clerk, case_id).lines:
        if line.status is LineStatus.NOT_REQUIRED or line.code == defer:
            continue
        cases.update_line(
            clerk, case_id, line.code, originals_received=line.originals_required, copies_received=line.copies_required
        )
    if defer is None:
        cases.decide(case_id, Decision.ACCEPT, clerk)
        return
    due = dt.date(2026, 10, 15)
    cases.update_line(clerk, case_id, defer, status=LineStatus.DEFERRED, due_date=due)
    cases.decide(case_id, Decision.ACCEPT_WITH_DEFICIENCIES, clerk, due_date=due)


def _page_views(world, case_id):
    with world.ctx.sessions() as s:
        return s.scalars(select(AuditEvent).where(AuditEvent.action == "pii.view", AuditEvent.case_id == case_id)).all()


def test_page_images_only_for_roles_that_may_see_the_case(world, service, case):
    """Issue 16 finding 6: pre-review and admin read ID-card scans of others' decided cases."""
    clerk, case_id, lines = case
    page = service.add(clerk, case_id, lines[0], page_bytes(1), "image/png")
    prereview, admin, supervisor = (world.login(u) for u in ("prereview", "admin", "supervisor"))
    assert service.image(prereview, page.id)[0] == page_bytes(1)  # an open draft of the hall: 帮办 work on it
    with pytest.raises(PermissionDenied):
        service.image(admin, page.id)  # no case content for the administrator, ever
    _decide(world, clerk, case_id)
    for actor in (prereview, admin):
        with pytest.raises(PermissionDenied) as refused:
            service.image(actor, page.id, full_view=True)
        assert "扫描材料" in refused.value.user_message("zh_CN")
    assert service.image(clerk, page.id)[0] == page_bytes(1)
    assert service.image(supervisor, page.id)[0] == page_bytes(1)
    assert _page_views(world, case_id) == []  # thumbnails and refusals are not views


def test_a_full_page_view_is_an_audited_personal_data_view(world, service, case):
    clerk, case_id, lines = case
    page = service.add(clerk, case_id, lines[0], page_bytes(1), "image/png")
    service.image(clerk, page.id)  # a thumbnail
    data, _, _ = service.image(clerk, page.id, full_view=True)
    assert data == page_bytes(1)
    [event] = _page_views(world, case_id)
    assert event.actor == "clerk"
    assert event.detail == {"purpose": "page_image", "line": lines[0], "position": 0}
    assert world.ctx.auditor.verify() is None


def test_pages_of_decided_lines_are_frozen_owed_lines_stay_open(world, service, case):
    """Issue 16 finding 6: after 容缺 every page stayed editable, so the case packet changed under
    its idempotency key (409 for good). Only the owed line takes pages now."""
    clerk, case_id, lines = case
    kept = service.add(clerk, case_id, lines[0], page_bytes(1), "image/png")
    service.add(clerk, case_id, lines[0], page_bytes(2), "image/png")
    _decide(world, clerk, case_id, defer="PREMISES")
    assert lines[0] != "PREMISES"
    frozen = [
        lambda: service.add(clerk, case_id, lines[0], page_bytes(3), "image/png"),
        lambda: service.rotate(clerk, kept.id),
        lambda: service.move(clerk, kept.id, 1),
        lambda: service.delete(clerk, kept.id),
        lambda: service.replace(clerk, kept.id, page_bytes(4), "image/png"),
        lambda: service.move_to_line(clerk, kept.id, "PREMISES"),
    ]
    for change in frozen:
        with pytest.raises(DomainError) as refused:
            change()
        assert "不能再修改" in refused.value.user_message("zh_CN")
    assert [p.sha256 for p in service.pages(case_id, lines[0])][0] == kept.sha256
    assert service.image(clerk, kept.id)[0] == page_bytes(1)  # untouched
    owed = service.add(clerk, case_id, "PREMISES", page_bytes(5), "image/png")  # the supplement
    service.rotate(clerk, owed.id)
    with pytest.raises(DomainError):  # nor onto a decided line from an owed one
        service.move_to_line(clerk, owed.id, lines[0])
    world.ctx.cases.record_supplements(clerk, case_id, ["PREMISES"])
    with pytest.raises(DomainError):  # recorded and sent: frozen too
        service.delete(clerk, owed.id)
