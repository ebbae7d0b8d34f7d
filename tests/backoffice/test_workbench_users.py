"""User management on the workbench's admin page (issue 18 item 3), against the real back office (own
process, PostgreSQL), driven over HTTP like a browser without JavaScript: a back-office admin disables an
approver (whose open session ends at once) and enables them again, unlocks an account locked by failed
sign-ins, sets a new password (the old one and the old sessions stop working); a forged or missing CSRF
token, an approver trying it, disabling oneself, an unknown user and a too-short password are refused
with nothing changed; every change is in the back-office audit log without the password."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backoffice.models import BackOfficeAudit, BackOfficeUser
from tests.backoffice.workbench_helpers import ITEM, PASSWORD, Bench, hidden

pytestmark = pytest.mark.postgres
NEW_PASSWORD = "新的审批密码-2027-xyz"


@pytest.fixture
def bo(backoffice):
    backoffice.add_department("SCJG", "市场监管科", [ITEM])
    for user, role, dept in (("li", "approver", "SCJG"), ("wang", "department_head", "SCJG"), ("root", "admin", None)):
        backoffice.add_user(user, role, dept, PASSWORD)
    yield backoffice


@pytest.fixture
def bench(bo):
    opened: list[Bench] = []

    def open_as(username: str, password: str = PASSWORD) -> Bench:
        b = Bench(bo.url)
        opened.append(b)
        assert b.sign_in(username, password).status_code == 303
        return b

    yield open_as
    for b in opened:
        b.close()


def user_state(bo, username: str) -> tuple[bool, bool, str, int]:
    with bo.sessions() as s:
        u = s.scalar(select(BackOfficeUser).where(BackOfficeUser.username == username))
        return u.active, u.locked_until is not None, u.password_hash, u.failed_attempts


def audit_actions(bo) -> list[tuple[str, str, dict]]:
    with bo.sessions() as s:
        rows = s.scalars(select(BackOfficeAudit).order_by(BackOfficeAudit.id))
        return [(a.username, a.action, a.detail) for a in rows]


def sign_in_status(bo, username: str, password: str = PASSWORD) -> int:
    b = Bench(bo.url)
    try:
        return b.sign_in(username, password).status_code
    finally:
        b.close()


def manage(root: Bench, username: str, operation: str, csrf: str | None = None, **fields: str):
    if csrf is None:
        csrf = hidden(root.http.get("/bench/admin").text, "csrf_token")
    data = {"csrf_token": csrf, "username": username, "operation": operation, **fields}
    return root.http.post("/bench/admin/user", data=data)


def test_admin_disables_unlocks_and_resets_users_on_the_workbench(bo, bench):
    root = bench("root")
    page = root.http.get("/bench/admin")
    assert page.status_code == 200 and 'id="user-li"' in page.text and "重置密码" in page.text
    li = bench("li")
    assert li.http.get("/bench/queue/new").status_code == 200

    # Disable: li's open session ends at once, li cannot sign in; then enabled again.
    r = manage(root, "li", "disable")
    assert r.status_code == 303 and r.headers["location"] == "/bench/admin?notice=disable"
    assert "账户已停用" in root.http.get(r.headers["location"]).text
    assert user_state(bo, "li")[0] is False
    assert li.http.get("/bench/queue/new").status_code == 303  # back to the sign-in page
    assert sign_in_status(bo, "li") == 401
    row = root.http.get("/bench/admin").text.split('id="user-li"')[1].split("</tr>")[0]
    assert "停用" in row and 'value="enable"' in row
    assert manage(root, "li", "enable").status_code == 303
    assert user_state(bo, "li")[0] is True
    assert bench("li").http.get("/bench/queue/new").status_code == 200

    # Locked out by failed sign-ins, unlocked by the admin before the 15 minutes are up.
    for _ in range(5):
        sign_in_status(bo, "wang", "wrong-password")
    assert user_state(bo, "wang")[1] is True
    row = root.http.get("/bench/admin").text.split('id="user-wang"')[1].split("</tr>")[0]
    assert "锁定至" in row and 'value="unlock"' in row
    assert manage(root, "wang", "unlock").status_code == 303
    assert user_state(bo, "wang")[1] is False
    assert sign_in_status(bo, "wang") == 303

    # A new password: the old one and li's sessions stop working, the new one works.
    old_hash = user_state(bo, "li")[2]
    li2 = bench("li")
    r = manage(root, "li", "reset_password", password="short")
    assert r.status_code == 422 and "密码至少" in r.text
    assert user_state(bo, "li")[2] == old_hash
    assert manage(root, "li", "reset_password", password=NEW_PASSWORD).status_code == 303
    assert user_state(bo, "li")[2] != old_hash
    assert li2.http.get("/bench/queue/new").status_code == 303
    assert sign_in_status(bo, "li") == 401
    assert bench("li", NEW_PASSWORD).http.get("/bench/queue/new").status_code == 200

    recent = root.http.get("/bench/admin").text.split("最近操作记录")[1]
    assert "root · 重置密码</span> · li" in recent and "root · 停用账户</span> · li" in recent
    trail = audit_actions(bo)
    done = [(who, action, d.get("username")) for who, action, d in trail if action.startswith("user.")]
    assert ("root", "user.disable", "li") in done and ("root", "user.enable", "li") in done
    assert ("root", "user.unlock", "wang") in done and ("root", "user.password_reset", "li") in done
    assert not any(NEW_PASSWORD in str(d) or "short" in str(d) for _, _, d in trail)


def test_user_management_refusals_change_nothing(bo, bench):
    root = bench("root")
    before = {u: user_state(bo, u) for u in ("li", "wang", "root")}
    events = len(audit_actions(bo))

    # Forged and missing CSRF tokens.
    assert manage(root, "li", "disable", csrf="forged").status_code == 403
    r = root.http.post("/bench/admin/user", data={"username": "li", "operation": "disable"})
    assert r.status_code == 403 and "安全校验失败" in r.text
    # An approver is not an admin (with their own valid CSRF token).
    li = bench("li")
    csrf = hidden(li.http.get("/bench/queue/new").text, "csrf_token")
    r = li.http.post("/bench/admin/user", data={"csrf_token": csrf, "username": "wang", "operation": "disable"})
    assert r.status_code == 403
    # Oneself, the last admin, an unknown user, an unknown operation.
    r = manage(root, "root", "disable")
    assert r.status_code == 409 and "不能停用自己的账户" in r.text
    r = manage(root, "nobody", "disable")
    assert r.status_code == 404 and "没有这个用户" in r.text
    assert manage(root, "li", "delete").status_code == 404
    assert {u: user_state(bo, u) for u in ("li", "wang", "root")} == before
    after = [a for _, a, _ in audit_actions(bo)[events:]]
    assert not any(a.startswith("user.") for a in after)
