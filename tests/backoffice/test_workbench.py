"""The approver workbench and per-person accounts against the real back office (own process, PostgreSQL),
driven over HTTP like a browser without JavaScript: sign-in and lockout, queues, masked personal data and
audited reveals, the actions and what the stations' status feed then carries, the result document a
station downloads; and the refusals: non-PDF or oversized uploads, a forged CSRF token, another
department's case, a replayed form — each with nothing changed."""

from __future__ import annotations

import datetime as dt
import hashlib

import httpx
import pytest
from sqlalchemy import func, select

from backoffice.models import BackOfficeAudit, BackOfficeUser, ReceivedCase, ResultDocument, StatusEvent
from tests.backoffice.workbench_helpers import (
    ITEM,
    PASSWORD,
    Bench,
    feed,
    pdf_bytes,
    station_client,
    upload_case,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def bo(backoffice):
    backoffice.add_department("SCJG", "市场监管科", [ITEM])
    backoffice.add_department("WSJ", "卫生健康科", ["WS-JKZ"])
    for user, role, dept in (
        ("li", "approver", "SCJG"),
        ("wang", "department_head", "SCJG"),
        ("zhao", "approver", "WSJ"),
        ("root", "admin", None),
    ):
        backoffice.add_user(user, role, dept, PASSWORD)
    yield backoffice


@pytest.fixture
def bench(bo):
    opened: list[Bench] = []

    def open_as(username: str) -> Bench:
        b = Bench(bo.url)
        opened.append(b)
        assert b.sign_in(username).status_code == 303
        return b

    yield open_as
    for b in opened:
        b.close()


def case_state(bo, case_id: str) -> tuple[str, int, int]:
    with bo.sessions() as s:
        case = s.get(ReceivedCase, case_id)
        events = s.scalar(select(func.count()).select_from(StatusEvent).where(StatusEvent.case_id == case_id))
        docs = s.scalar(select(func.count()).select_from(ResultDocument).where(ResultDocument.case_id == case_id))
        return case.status, events, docs


def test_sign_in_lockout_and_per_person_admin_api(bo):
    b = Bench(bo.url)
    try:
        assert b.http.get("/bench/queue/new").status_code == 303  # to the sign-in page
        r = b.sign_in("li", "wrong-password")
        assert r.status_code == 401 and "用户名或密码错误" in r.text
        for _ in range(4):
            b.sign_in("li", "wrong-password")
        r = b.sign_in("li", PASSWORD)  # locked now, even with the right password
        assert r.status_code == 401 and "锁定" in r.text
        with bo.sessions() as s:
            user = s.scalar(select(BackOfficeUser).where(BackOfficeUser.username == "li"))
            assert user.locked_until is not None and user.password_hash.startswith("$argon2id$")
            assert PASSWORD not in user.password_hash
        assert b.sign_in("wang").status_code == 303  # other accounts are not affected
        assert b.http.get("/bench/queue/new").status_code == 200
        # Sign-in without the login form's nonce (cross-site login) is refused.
        other = httpx.post(bo.url + "/bench/login", data={"username": "wang", "password": PASSWORD, "csrf_token": "x"})
        assert other.status_code == 403
    finally:
        b.close()

    with httpx.Client(base_url=bo.url, timeout=10) as c:
        r = c.post("/v1/admin/session", json={"username": "root", "password": PASSWORD})
        assert r.status_code == 200, r.text
        token = r.json()["access_token"]
        assert c.get("/v1/admin/cases", headers={"Authorization": "Bearer " + token}).status_code == 200
        assert c.post("/v1/admin/session", json={"username": "wang", "password": PASSWORD}).status_code == 403
        assert c.post("/v1/admin/session", json={"username": "root", "password": "nope"}).status_code == 401
        assert c.get("/v1/admin/cases", headers={"Authorization": "Bearer forged"}).status_code == 401
        # A web session cookie's token is not an admin API token.
        r = c.post(
            "/v1/admin/stations",
            json={"station_code": "WH9", "name": "九号窗口"},
            headers={"Authorization": "Bearer " + token},
        )
        assert r.status_code == 201 and r.json()["enrolment_code"]


def test_case_from_a_station_through_the_workbench_to_the_feed(bo, bench):
    station = station_client(bo, "WH01")
    try:
        cid = upload_case(station, "WH01")
        li = bench("li")
        queue = li.http.get("/bench/queue/new")
        assert queue.status_code == 200 and cid in queue.text
        assert "张**" in queue.text and "张三丰" not in queue.text  # masked in the queue

        page, csrf, _token = li.case(cid)
        assert "110101********1234" in page.text and "110101199003071234" not in page.text
        assert "138****5678" in page.text
        revealed = li.http.post(f"/bench/cases/{cid}/reveal", data={"csrf_token": csrf, "reason": "核对身份证明"})
        assert revealed.status_code == 200 and "110101199003071234" in revealed.text and "张三丰" in revealed.text
        with bo.sessions() as s:
            row = s.scalar(select(BackOfficeAudit).where(BackOfficeAudit.action == "pii.reveal"))
            assert row.case_id == cid and row.detail == {"reason": "核对身份证明"} and row.username == "li"
        # Page viewer: the scanned page bytes, audited.
        sha = page.text.split(f"/bench/cases/{cid}/view/")[1][:64]
        viewer = li.http.get(f"/bench/cases/{cid}/view/{sha}")
        assert viewer.status_code == 200 and "第 1 / 2 页" in viewer.text
        img = li.http.get(f"/bench/cases/{cid}/pages/{sha}")
        assert img.headers["content-type"] == "image/png" and hashlib.sha256(img.content).hexdigest() == sha

        assert li.act(cid, "start").status_code == 303
        r = li.act(cid, "request_material", materials="营业场所使用证明\n租赁合同复印件", reason="场所证明缺失")
        assert r.status_code == 303
        assert cid in li.http.get("/bench/queue/returned").text
        assert li.act(cid, "start").status_code == 303
        assert li.act(cid, "approve", opinion="符合条件，准予登记").status_code == 303
        doc = pdf_bytes(2)
        assert li.upload(cid, doc).status_code == 303
        assert li.act(cid, "result_ready").status_code == 303
        page, _c, _t = li.case(cid)
        for text in ("已退回补正", "营业场所使用证明", "准予许可", "结果已出", "上传结果文书", "查看完整个人信息"):
            assert text in page.text, text

        events = feed(station)
        assert [e["status"] for e in events] == [
            "received",
            "in_approval",
            "material_requested",
            "in_approval",
            "approved",
            "result_ready",
        ]
        asked = events[2]
        assert asked["reason"] == "场所证明缺失"
        assert asked["materials"] == [
            {"name": "营业场所使用证明", "note": None},
            {"name": "租赁合同复印件", "note": None},
        ]
        ref = events[-1]["result_document"]
        assert ref["sha256"] == hashlib.sha256(doc).hexdigest() and ref["size"] == len(doc)
        assert events[0]["result_document"] is None and events[0]["materials"] is None

        got = station.get(f"/v1/cases/{cid}/result-document")
        assert got.status_code == 200 and got.content == doc
        assert got.headers["x-content-sha256"] == ref["sha256"]
        other = station_client(bo, "WH02")
        try:
            assert other.get(f"/v1/cases/{cid}/result-document").status_code == 404
        finally:
            other.close()
    finally:
        station.close()


def test_disapproval_needs_the_head_a_reason_and_the_legal_basis(bo, bench):
    station = station_client(bo, "WH01")
    try:
        cid = upload_case(station, "WH01")
        li, wang = bench("li"), bench("wang")
        assert li.act(cid, "start").status_code == 303
        r = li.act(cid, "disapprove", reason="场所不符", legal_basis="行政许可法第三十八条")
        assert r.status_code == 403 and "无权" in r.text
        r = wang.act(cid, "disapprove", reason="场所不符", legal_basis=" ")
        assert r.status_code == 422 and "法律依据" in r.text
        assert case_state(bo, cid)[0] == "in_approval"
        r = wang.act(cid, "disapprove", reason="经营场所不符合规划用途", legal_basis="《行政许可法》第三十八条第二款")
        assert r.status_code == 303
        last = feed(station)[-1]
        assert (last["status"], last["reason"], last["legal_basis"]) == (
            "disapproved",
            "经营场所不符合规划用途",
            "《行政许可法》第三十八条第二款",
        )
    finally:
        station.close()


def test_due_soon_and_overdue_queue(bo, bench):
    station = station_client(bo, "WH01")
    try:
        today = dt.date.today()
        late = upload_case(station, "WH01", promised=today - dt.timedelta(days=1), pages=1)
        soon = upload_case(station, "WH01", promised=today + dt.timedelta(days=1), pages=1)
        later = upload_case(station, "WH01", promised=today + dt.timedelta(days=20), pages=1)
        page = bench("li").http.get("/bench/queue/due").text
        assert late in page and soon in page and later not in page
        assert page.index(late) < page.index(soon)
        assert "已超期" in page and "即将到期" in page
    finally:
        station.close()


def test_bad_input_is_refused_and_nothing_changes(bo, bench):
    station = station_client(bo, "WH01")
    try:
        cid = upload_case(station, "WH01")
        li = bench("li")
        li.act(cid, "start")
        li.act(cid, "approve")
        before = case_state(bo, cid)
        assert before == ("approved", 3, 0)

        # Not a PDF (a PNG renamed), a "PDF" that does not parse, an oversized file.
        for data, code in (
            (b"\x89PNG\r\n\x1a\n" + b"0" * 1000, 422),
            (b"%PDF-1.7\n" + b"garbage " * 500, 422),
            (b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024 + 10), 413),
        ):
            r = li.upload(cid, data, "结果.pdf")
            assert r.status_code == code and ("PDF" in r.text or "大小限制" in r.text), r.text[:500]
        assert case_state(bo, cid) == before

        # A forged CSRF token: refused, nothing changes.
        _page, _csrf, token = li.case(cid)
        r = li.http.post(
            f"/bench/cases/{cid}/result",
            data={"csrf_token": "forged", "form_token": token},
            files={"document": ("r.pdf", pdf_bytes(), "application/pdf")},
        )
        assert r.status_code == 403 and "安全校验失败" in r.text
        r = li.http.post(f"/bench/cases/{cid}/act/result_ready", data={"form_token": token})
        assert r.status_code == 403
        assert case_state(bo, cid) == before

        # Another department's approver: cannot see the case or act on it.
        zhao = bench("zhao")
        r, _c, _t = zhao.case(cid)
        assert r.status_code == 403 and "不属于您所在的科室" in r.text
        assert cid not in zhao.http.get("/bench/queue/done").text
        _p, zcsrf, _zt = zhao.case(upload_case(station, "WH01", item="WS-JKZ", pages=1))
        r = zhao.http.post(f"/bench/cases/{cid}/act/result_ready", data={"csrf_token": zcsrf, "form_token": token})
        assert r.status_code == 403
        sha = next(iter(bo.attachment_digests()))[1]
        assert zhao.http.get(f"/bench/cases/{cid}/pages/{sha}").status_code == 403
        assert case_state(bo, cid) == before

        # A replayed form: the same upload form sent twice stores one document.
        _page, csrf, token = li.case(cid)
        form = {"csrf_token": csrf, "form_token": token}
        doc = pdf_bytes()
        assert (
            li.http.post(f"/bench/cases/{cid}/result", data=form, files={"document": ("r.pdf", doc)}).status_code == 303
        )
        r = li.http.post(f"/bench/cases/{cid}/result", data=form, files={"document": ("r.pdf", doc)})
        assert r.status_code == 409 and "已经提交过" in r.text
        assert case_state(bo, cid) == ("approved", 3, 1)
        # ... and a material request replayed after the case came back into approval is refused too.
        cid2 = upload_case(station, "WH01", pages=1)
        li.act(cid2, "start")
        _page, csrf, token = li.case(cid2)
        ask = {"csrf_token": csrf, "form_token": token, "materials": "租赁合同", "reason": "缺少"}
        assert li.http.post(f"/bench/cases/{cid2}/act/request_material", data=ask).status_code == 303
        li.act(cid2, "start")
        state = case_state(bo, cid2)
        r = li.http.post(f"/bench/cases/{cid2}/act/request_material", data=ask)
        assert r.status_code == 409 and "已经提交过" in r.text
        assert case_state(bo, cid2) == state == ("in_approval", 4, 0)
    finally:
        station.close()


def test_admin_pages_create_department_user_and_station(bo, bench):
    root = bench("root")
    page = root.http.get("/bench/admin")
    assert page.status_code == 200 and "系统管理" in page.text
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = root.http.post(
        "/bench/admin/departments", data={"csrf_token": csrf, "code": "JY", "name": "教育科", "items": "JY-1, JY-2"}
    )
    assert r.status_code == 303
    r = root.http.post(
        "/bench/admin/users",
        data={
            "csrf_token": csrf,
            "username": "qian",
            "display_name": "钱审批",
            "role": "approver",
            "department": "JY",
            "password": "short",
        },
    )
    assert r.status_code == 422 and "密码至少" in r.text
    r = root.http.post(
        "/bench/admin/users",
        data={
            "csrf_token": csrf,
            "username": "qian",
            "display_name": "钱审批",
            "role": "approver",
            "department": "JY",
            "password": PASSWORD,
        },
    )
    assert r.status_code == 303
    r = root.http.post("/bench/admin/stations", data={"csrf_token": csrf, "code": "WH7", "name": "七号窗口"})
    assert r.status_code == 200 and "一次性注册码" in r.text
    assert bench("qian").http.get("/bench/queue/new").status_code == 200
    # Publishing a catalogue from the workbench: stations get it; bad JSON is refused and nothing is published.
    r = root.http.post(
        "/bench/admin/publish", data={"csrf_token": csrf, "kind": "calendar", "version": "2027", "content": "{oops"}
    )
    assert r.status_code == 422 and "未发布" in r.text
    content = '{"years": {"2027": {"source": "国务院办公厅通知", "holidays": ["2027-10-01"], "workdays": []}}}'
    r = root.http.post(
        "/bench/admin/publish", data={"csrf_token": csrf, "kind": "calendar", "version": "2027", "content": content}
    )
    assert r.status_code == 303
    station = station_client(bo, "WH8")
    try:
        got = station.get("/v1/calendar/current").json()
        assert got["version"] == "2027" and got["content"]["years"]["2027"]["holidays"] == ["2027-10-01"]
    finally:
        station.close()
    # An approver has no admin pages; the admin sees no case content.
    assert bench("li").http.get("/bench/admin").status_code == 403
    assert root.http.get("/bench/queue/new").status_code == 303


def test_cli_creates_the_first_admin(bo):
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "backoffice", "--db", bo.database_url, "create-admin", "boss", "--name", "管理员"]
    short = subprocess.run(cmd, check=False, input="short\n", capture_output=True, text=True, timeout=60)
    assert short.returncode == 1 and "at least" in short.stderr
    done = subprocess.run(cmd, check=False, input=PASSWORD + "\n", capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    with httpx.Client(base_url=bo.url, timeout=10) as c:
        assert c.post("/v1/admin/session", json={"username": "boss", "password": PASSWORD}).status_code == 200
