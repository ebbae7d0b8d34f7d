"""Several uvicorn worker processes on one PostgreSQL: a browser session, its CSRF token, the one-time form
tokens, the sign-in lockout and station tokens hold whichever process answers (nothing that matters is
kept in a process). Each request below goes over a fresh connection, so the kernel spreads them over the
workers; the test checks that both workers answered."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.backoffice.workbench_helpers import ITEM, PASSWORD, Bench, feed, hidden, station_client, upload_case
from testsupport.backoffice_server import RunningBackOffice

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture(scope="module")
def two_workers(postgres_server):
    server = RunningBackOffice(
        postgres_server.create_database("w_" + uuid.uuid4().hex[:10]), workers=2, env={"BACKOFFICE_EXPOSE_PID": "1"}
    )
    server.start()
    server.add_department("SCJG", "市场监管科", [ITEM])
    server.add_user("li", "approver", "SCJG", PASSWORD)
    server.add_user("wang", "approver", "SCJG", PASSWORD)
    yield server
    server.close()


def fresh(server, cookies: httpx.Cookies, method: str, path: str, **kw) -> httpx.Response:
    with httpx.Client(base_url=server.url, timeout=10, cookies=cookies) as c:
        return c.request(method, path, **kw)


def test_sessions_csrf_form_tokens_and_lockout_hold_across_workers(two_workers):
    server = two_workers
    station = station_client(server, "WH01")
    bench = Bench(server.url)
    try:
        cases = [upload_case(station, "WH01", pages=1) for _ in range(3)]
        assert bench.sign_in("li").status_code == 303
        cookies = bench.http.cookies
        pids: set[str] = set()
        for i in range(200):
            r = fresh(server, cookies, "GET", "/bench/queue/new")
            assert r.status_code == 200 and cases[0] in r.text, r.status_code
            pids.add(r.headers["x-backoffice-pid"])
            if len(pids) == 2 and i >= 10:
                break
        assert len(pids) == 2, "all requests went to one worker"

        # Actions with the page fetched on one connection and the form posted on another.
        for cid in cases:
            page = fresh(server, cookies, "GET", f"/bench/cases/{cid}")
            form = {"csrf_token": hidden(page.text, "csrf_token"), "form_token": hidden(page.text, "form_token")}
            assert fresh(server, cookies, "POST", f"/bench/cases/{cid}/act/start", data=form).status_code == 303
            replay = fresh(server, cookies, "POST", f"/bench/cases/{cid}/act/start", data=form)
            assert replay.status_code == 409  # whichever worker gets the replay refuses it
        assert [e["status"] for e in feed(station)].count("in_approval") == 3

        # The lockout counts failures from every worker.
        for _ in range(5):
            with httpx.Client(base_url=server.url, timeout=10) as c:
                nonce = hidden(c.get("/bench/login").text, "csrf_token")
                c.post("/bench/login", data={"username": "wang", "password": "wrong", "csrf_token": nonce})
        with httpx.Client(base_url=server.url, timeout=10) as c:
            nonce = hidden(c.get("/bench/login").text, "csrf_token")
            r = c.post("/bench/login", data={"username": "wang", "password": PASSWORD, "csrf_token": nonce})
            assert r.status_code == 401 and "锁定" in r.text

        # Sign-out on one worker ends the session on all.
        page = fresh(server, cookies, "GET", "/bench/queue/new")
        fresh(server, cookies, "POST", "/bench/logout", data={"csrf_token": hidden(page.text, "csrf_token")})
        for _ in range(6):
            assert fresh(server, cookies, "GET", "/bench/queue/new").status_code == 303
    finally:
        bench.close()
        station.close()
