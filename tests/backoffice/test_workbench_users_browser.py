"""User management on the workbench's admin page in a real browser (Debian's Chromium driven by
Playwright, no browser download) against the real back office on PostgreSQL: the back-office admin
unlocks an approver locked out by failed sign-ins, sets a new password for another and disables them,
each with the page's own buttons (CSRF token from the page), and reads the result in Chinese.
Screenshot workbench-admin-users.png to $WORKBENCH_SCREENSHOTS when set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from backoffice.models import BackOfficeUser
from tests.backoffice.workbench_helpers import ITEM, PASSWORD, Bench

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"


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


def test_admin_unlocks_resets_and_disables_in_the_browser(backoffice, page):
    backoffice.add_department("SCJG", "市场监管科", [ITEM])
    backoffice.add_user("li", "approver", "SCJG", PASSWORD, "李审批")
    backoffice.add_user("wang", "department_head", "SCJG", PASSWORD, "王科长")
    backoffice.add_user("root", "admin", None, PASSWORD, "系统管理员")
    b = Bench(backoffice.url)
    try:
        for _ in range(5):
            b.sign_in("wang", "wrong-password")
    finally:
        b.close()

    page.goto(backoffice.url + "/bench/")
    page.fill("#username", "root")
    page.fill("#password", PASSWORD)
    page.click("#signin")
    page.wait_for_url("**/bench/admin")
    wang = page.locator("#user-wang")
    assert "锁定至" in wang.inner_text()
    wang.get_by_role("button", name="解锁").click()
    page.wait_for_url("**/bench/admin?notice=unlock")
    assert "账户已解锁" in page.locator("p.done").inner_text()
    assert "锁定至" not in page.locator("#user-wang").inner_text()

    li = page.locator("#user-li")
    li.locator('input[name="password"]').fill("李的新密码-2027-abc")
    li.get_by_role("button", name="重置密码").click()
    page.wait_for_url("**/bench/admin?notice=reset_password")
    assert "新密码已设置" in page.locator("p.done").inner_text()
    page.locator("#user-li").get_by_role("button", name="停用").click()
    page.wait_for_url("**/bench/admin?notice=disable")
    assert "账户已停用" in page.locator("p.done").inner_text()
    assert page.locator("#user-li").get_by_role("button", name="启用").is_visible()
    assert page.locator("#user-root").get_by_role("button", name="停用").count() == 0  # not oneself
    folder = os.environ.get("WORKBENCH_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / "workbench-admin-users.png"), full_page=True)

    with backoffice.sessions() as s:
        users = {u.username: u for u in s.scalars(select(BackOfficeUser))}
        assert users["wang"].locked_until is None and users["li"].active is False
