"""The approver workbench in a real browser: Debian's Chromium (/usr/bin/chromium) driven by Playwright
(no browser download), against the real back office process on PostgreSQL, with a real workstation
(clerk_app's core + sync worker) on the other side: the workstation decides a case with a scanned page
and syncs it; an approver signs in, finds it in the queue, looks at the page, starts approval, approves,
uploads the result PDF and marks the result ready; the workstation sees approved and result_ready, and
its sync worker downloads the result document, verifies it against the SHA-256 the feed carried and keeps
it in the encrypted attachment store (the clerk prints it at 出件 next to the 送达回证 in
tests/printing/test_ready_pickup_ui.py).
A second test requests more material and checks the refusal of a non-PDF upload in the browser.

Screenshots go to $WORKBENCH_SCREENSHOTS when set (docs/screenshots/ when regenerating the docs)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.backoffice.workbench_helpers import PASSWORD, pdf_bytes, png_page, station_client, upload_case

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
ITEM = "SC-GTGSH-SL"


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: apt-get install chromium chromium-driver (deps/apt-test.txt)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def shot(pg, name: str) -> None:
    folder = os.environ.get("WORKBENCH_SCREENSHOTS")
    if folder:
        pg.screenshot(path=str(Path(folder) / f"workbench-{name}.png"), full_page=True)


def sign_in(pg, url: str, username: str) -> None:
    pg.goto(url + "/bench/")
    assert "/bench/login" in pg.url
    pg.fill("#username", username)
    pg.fill("#password", PASSWORD)
    if username == "li":
        shot(pg, "login")
    pg.click("#signin")
    pg.wait_for_url("**/bench/queue/new")


@pytest.fixture
def departments(backoffice):
    backoffice.add_department("SCJG", "市场监管科", [ITEM])
    backoffice.add_user("li", "approver", "SCJG", PASSWORD, "李审批")
    return backoffice


def test_browser_approves_a_case_the_workstation_synced_and_the_workstation_sees_it(departments, page, tmp_path):
    from clerk_app.sync.packet import person_repository_decoder
    from clerk_app.sync.wiring import AttachmentResultStore, CaseServiceStatusApplier, result_document_of
    from tests.helpers.core import make_world
    from tests.sync.test_lifecycle import decide_with_page
    from testsupport.sync import make_station

    bo = departments
    world = make_world(tmp_path / "ws")
    ctx = world.ctx
    code = ctx.settings.station_code
    clerk = world.login("clerk")
    store = ctx.pages.store  # the station's own store: the result document is printed from it at 出件
    pages = ctx.pages
    scan = png_page(7)
    cid = decide_with_page(ctx, pages, clerk, "张三", 1, scan)
    station = make_station(
        bo.url,
        ctx.sessions,
        tmp_path / "unused",
        code=code,
        enrolment=bo.add_station(code),
        attachments=store,
        decoder=person_repository_decoder(ctx.persons),
        status_applier=CaseServiceStatusApplier(ctx.cases, ctx.sessions, code),
        result_sink=AttachmentResultStore(store, ctx.sessions),
    )
    try:
        report = station.worker.run_once()
        assert (report.sent, report.failed) == (1, 0)
        assert ctx.cases.get(clerk, cid).status.value == "synced"
        number = ctx.cases.get(clerk, cid).case_number

        sign_in(page, bo.url, "li")
        row = page.locator("#queue tr", has_text=number)
        assert row.count() == 1 and "张*" in row.inner_text() and "张三" not in row.inner_text()
        shot(page, "queue")
        row.locator("a").click()
        page.wait_for_selector("#act-start")
        assert page.inner_text("#status") == "新收件"
        page.click("#lines a.thumb")
        page.wait_for_selector("#page")
        for _ in range(200):  # wait for the image (wait_for_function would need 'unsafe-eval', which CSP forbids)
            if page.evaluate("document.querySelector('#page').complete"):
                break
            page.wait_for_timeout(50)
        assert page.evaluate("document.querySelector('#page').naturalWidth") == 320  # the scanned page shows
        shot(page, "page-viewer")
        page.go_back()
        page.click("#act-start")
        page.wait_for_selector("#act-approve")
        assert page.inner_text("#status") == "审批中"
        page.fill("#opinion", "材料齐全，符合法定条件，准予登记")
        page.click("#act-approve")
        page.wait_for_selector("#done")
        assert page.inner_text("#status") == "准予许可"

        station.worker.run_once()
        assert ctx.cases.get(clerk, cid).status.value == "approved"  # the window sees it approved

        doc = pdf_bytes(1, "准予个体工商户登记通知书")
        path = tmp_path / "准予登记通知书.pdf"
        path.write_bytes(doc)
        page.set_input_files("#document", str(path))
        page.click("#act-upload")
        page.wait_for_selector("#act-ready")
        assert "准予登记通知书.pdf" in page.inner_text("#result")
        page.click("#act-ready")
        page.wait_for_selector("#done")
        assert page.inner_text("#status") == "结果已出"
        shot(page, "case-result-ready")

        report = station.worker.run_once()
        assert ctx.cases.get(clerk, cid).status.value == "result_ready"
        # The workstation downloaded the result document, checked it against the feed's SHA-256 and
        # keeps it encrypted in its attachment store for 出件.
        assert report.results_fetched == 1
        ref = result_document_of(ctx.sessions, cid)
        assert ref is not None and ref["sha256"] == hashlib.sha256(doc).hexdigest()
        assert store.get(ref["sha256"]) == doc

        # 出件 at the window: the 送达回证 and the department's result document are printed, each a job.
        from clerk_app.delivery import DeliveryMethod, Handover
        from printing.dispatch import JobStatus
        from printing.model import DocumentKind
        from tests.helpers.case_factory import person

        runtime = ctx.printing
        assert runtime is not None
        ctx.delivery.hand_over(clerk, cid, Handover(DeliveryMethod.WINDOW, person("张三", 1).document_number))
        assert ctx.cases.get(clerk, cid).status.value == "delivered"
        kinds = [j.kind for j in runtime.pending()]  # after the decision's own receipt
        assert kinds[-2:] == [DocumentKind.DELIVERY_RECEIPT, DocumentKind.RESULT_DOCUMENT], kinds
        done = runtime.worker.drain_once()
        assert {j.status for j in done} == {JobStatus.DONE}, [j.detail for j in done]
        assert {j.kind for j in done} >= {DocumentKind.DELIVERY_RECEIPT, DocumentKind.RESULT_DOCUMENT}
        printed = sorted(Path(ctx.settings.resolved_data_dir()).rglob("*.pdf"))
        assert any(p.read_bytes() == doc for p in printed), printed  # the result document as it came
    finally:
        station.client.close()
        ctx.close()


def test_browser_requests_material_and_refuses_a_non_pdf(departments, page, tmp_path):
    bo = departments
    st = station_client(bo, "WH01")
    try:
        cid = upload_case(st, "WH01", pages=1)
        other = upload_case(st, "WH01", pages=1)
        sign_in(page, bo.url, "li")
        page.goto(f"{bo.url}/bench/cases/{cid}")
        page.click("#act-start")
        page.wait_for_selector("#act-request")
        page.fill("#materials", "经营场所使用证明\n租赁合同复印件（加盖出租方公章）")
        page.fill("#material-reason", "经营场所证明材料缺失，请申请人补正")
        shot(page, "request-material")
        page.click("#act-request")
        page.wait_for_selector("#done")
        assert page.inner_text("#status") == "已退回补正"
        assert "经营场所使用证明" in page.inner_text("#history")
        page.goto(f"{bo.url}/bench/queue/returned")
        assert page.locator("#queue a").count() == 1
        event = [e for e in st.get("/v1/status-feed").json()["events"] if e["case_id"] == cid][-1]
        assert event["status"] == "material_requested" and len(event["materials"]) == 2

        # Reveal personal data with a reason.
        page.goto(f"{bo.url}/bench/cases/{other}")
        assert "110101********1234" in page.inner_text("#applicant")
        page.fill("#reveal-reason", "核对身份证明材料")
        page.click("#reveal")
        page.wait_for_selector(".tag.revealed")
        assert "110101199003071234" in page.inner_text("#applicant")

        # A non-PDF result upload is refused in the browser too.
        page.goto(f"{bo.url}/bench/cases/{other}")
        page.click("#act-start")
        page.wait_for_selector("#act-approve")
        page.click("#act-approve")
        page.wait_for_selector("#act-upload")
        fake = tmp_path / "扫描件.pdf"
        fake.write_bytes(png_page(1))
        page.set_input_files("#document", str(fake))
        page.click("#act-upload")
        page.wait_for_selector("#problem")
        assert "PDF" in page.inner_text("#problem")
        shot(page, "upload-refused")
        page.click("#back")
        assert page.locator("#result").count() == 0 and page.locator("#act-ready").count() == 0
    finally:
        st.close()
