"""The sync worker as the app builds it (clerk_app.app_context.build_context with backoffice_url set)
against the real back office on loopback: enrolment through the CLI (secret into the keyring), a case
decided in the core reaches the server through the running worker thread, a rating arrives exactly once,
a failing outbox kind never blocks case packets, the back office down shows "offline" with the pending
count in the status bar, and a pushed holiday calendar is applied (or refused, keeping the old one)."""

from __future__ import annotations

import datetime as dt
import threading
import time
import types
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backoffice.models import Rating, ReceivedCase
from clerk_app import cli
from clerk_app.app_context import PUSHED_CALENDAR, build_context, file_keyring
from clerk_app.clock import CHINA_TZ, FixedClock
from clerk_app.demo import seed_demo_users
from clerk_app.settings import Settings, save_settings
from clerk_app.store.models import OutboxEntry
from clerk_app.sync import StationCredentials
from tests.sync.test_lifecycle import decide_with_page
from testsupport.postgres import free_port

pytestmark = pytest.mark.postgres

STATION = "WS07"
PAGE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


def app_settings(tmp_path: Path, url: str, **extra: object) -> Settings:
    # demo=True only picks the file keyring in the data folder (the one the CLI uses too); devices off.
    return Settings(
        demo=True,
        data_dir=str(tmp_path / "ws"),
        station_code=STATION,
        backoffice_url=url,
        sync_interval_seconds=5,
        customer_window=False,
        card_backend="none",
        scanner_backend="none",
        printer_backend="none",
        **extra,
    )  # type: ignore[arg-type]


def open_app(settings: Settings, *, start_sync: bool = True):
    ctx = build_context(
        settings, clock=FixedClock(dt.datetime(2026, 9, 28, 9, 30, tzinfo=CHINA_TZ)), start_sync=start_sync
    )
    seed_demo_users(ctx)
    return ctx


def enrol(tmp_path: Path, backoffice, settings: Settings, capsys) -> None:
    path = save_settings(settings, tmp_path / "settings.toml")
    code = backoffice.add_station(STATION)
    # "--": a random code may begin with "-" (token_urlsafe), which argparse would take for an option
    assert cli.main(["--settings", str(path), "admin", "enrol-station", "--", code]) == 0
    out = capsys.readouterr()
    assert "registered" in out.out and code not in out.out + out.err


def wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def login(ctx, username: str = "clerk"):
    from clerk_app.demo import DEMO_USERS

    return ctx.users.authenticate(username, next(p for u, p, *_ in DEMO_USERS if u == username))


def test_enrolled_app_sends_decided_case_and_rating_once(backoffice, tmp_path, capsys):
    settings = app_settings(tmp_path, backoffice.url)
    enrol(tmp_path, backoffice, settings, capsys)
    secret = StationCredentials(STATION, file_keyring(Path(settings.data_dir) / "demo-keyring.cfg")).secret()
    assert secret and not any(
        secret in p.read_text(errors="replace")
        for p in Path(settings.data_dir).rglob("*")
        if p.is_file() and p.suffix != ".cfg"
    )
    ctx = open_app(settings)
    try:
        assert ctx.sync is not None and ctx.sync.worker._thread is not None  # started by build_context
        clerk = login(ctx)
        cid = decide_with_page(ctx, ctx.pages, clerk, "王五", 7, PAGE)
        ctx.customer.rate(clerk, cid, 2, ["wait_long"], "等了很久")
        ctx.sync.worker.wake()  # "sync now" without the UI: the running thread does the work

        def delivered() -> bool:
            with ctx.sessions() as s:
                states = dict(
                    s.execute(select(OutboxEntry.kind, OutboxEntry.state).where(OutboxEntry.case_id == cid)).all()
                )
            return states == {"case_packet": "sent", "rating": "sent"}

        wait_for(delivered)
        wait_for(lambda: ctx.cases.get(clerk, cid).status.value == "synced")  # "received" came back
        with backoffice.sessions() as s:
            assert s.get(ReceivedCase, cid).status == "received"
            rows = s.scalars(select(Rating)).all()
            assert [(r.case_id, r.rating, r.body["reasons"]) for r in rows] == [(cid, 2, ["wait_long"])]
            assert rows[0].body["comment"] == "等了很久"  # sealed at the station, in clear over TLS only
        # A replay of the same key is recognised, never stored twice.
        with ctx.sessions() as s:
            payload = s.scalar(select(OutboxEntry.payload).where(OutboxEntry.kind == "rating"))
            assert "comment" not in payload  # the outbox holds no comment: the worker adds it at send time
            payload = dict(payload, comment=ctx.sync.worker._packets.rating_comment(s, cid))
        assert ctx.sync.client.upload_rating(f"{cid}:rating", cid, payload) is False
        ctx.sync.run_once()
        with backoffice.sessions() as s:
            assert s.scalar(select(func.count()).select_from(Rating)) == 1
        state = ctx.sync.last_state
        assert (state.online, state.pending, state.failed) == (True, 0, 0) and state.last_success is not None
    finally:
        ctx.close()
    assert ctx.sync is None  # stopped with the context


def test_failed_kind_never_blocks_case_packets_and_cancel(backoffice, tmp_path, capsys):
    settings = app_settings(tmp_path, backoffice.url)
    enrol(tmp_path, backoffice, settings, capsys)
    ctx = open_app(settings, start_sync=False)
    try:
        clerk = login(ctx)
        first = decide_with_page(ctx, ctx.pages, clerk, "赵六", 8, PAGE)
        now = ctx.clock.now()
        with ctx.sessions.begin() as s:  # an entry of a kind the worker cannot send, older than the next packet
            s.add(
                OutboxEntry(
                    case_id=first,
                    kind="case_update",
                    idempotency_key=f"{first}:update:1",
                    payload={},
                    state="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
        second = decide_with_page(ctx, ctx.pages, clerk, "钱七", 9, PAGE[::-1])

        cancel = threading.Event()
        cancel.set()  # the clerk stopped a manual sync before it began: nothing sent, nothing lost
        report = ctx.sync.run_once(cancel)
        assert report.cancelled and report.sent == 0 and ctx.sync.worker.counts() == (3, 0)

        report = ctx.sync.run_once()
        assert (report.sent, report.failed) == (2, 1)
        assert set(backoffice.case_ids()) == {first, second}
        assert ctx.sync.last_state.failed == 1
        assert ctx.sync.retry_failed() == 1 and ctx.sync.worker.counts() == (1, 0)
    finally:
        ctx.close()


def test_back_office_down_shows_offline_with_pending_count(tmp_path, qtbot):
    from testsupport.ui import open_window

    settings = app_settings(tmp_path, f"http://127.0.0.1:{free_port()}")  # nobody listens there
    StationCredentials(STATION, file_keyring(Path(settings.data_dir) / "demo-keyring.cfg")).store("s" * 43)
    ctx = open_app(settings)
    try:
        clerk = login(ctx)
        decide_with_page(ctx, ctx.pages, clerk, "孙八", 10, PAGE)
        window = open_window(qtbot, ctx, types.SimpleNamespace(apply=lambda _lang: None), "clerk")
        ctx.sync.worker.wake()
        label = window.sync_label
        # the line's words come from the core (clerk_app.sync_display) in the app's language, Chinese here
        qtbot.waitUntil(lambda: "离线" in label.text() and "待上传 1" in label.text(), timeout=15000)
        assert "cannot be reached" in label.toolTip() or "无法连接" in label.toolTip()

        def tried() -> bool:  # the entry was tried, and is kept for later with a backoff
            with ctx.sessions() as s:
                entry = s.scalar(select(OutboxEntry))
                return entry.state == "pending" and entry.attempts >= 1 and entry.next_attempt_at is not None

        wait_for(tried)
        assert "待上传 1" in label.text()
        window.close()
    finally:
        ctx.close()


def test_calendar_push_applied_then_invalid_one_refused(backoffice, tmp_path, capsys):
    settings = app_settings(tmp_path, backoffice.url)
    enrol(tmp_path, backoffice, settings, capsys)
    ctx = open_app(settings, start_sync=False)
    national_day = dt.date(2027, 10, 4)  # a Monday
    make_up_day = dt.date(2027, 10, 9)  # a Saturday worked instead (调休)
    try:
        # 2027 is not known before the push: provisional (国庆 10-04 is a make-up day, 10-09 a Saturday)
        assert ctx.calendar.is_provisional(national_day) and not ctx.calendar.is_workday(make_up_day)
        good = {"years": {"2027": {"source": "测试通知", "holidays": ["2027-10-04"], "workdays": ["2027-10-09"]}}}
        assert (
            backoffice.admin("POST", "/v1/admin/calendar", json={"version": "2027.1", "content": good}).status_code
            == 201
        )
        ctx.sync.worker.force_publication_pull()
        report = ctx.sync.run_once()
        assert report.installed == ["calendar 2027.1"]
        assert ctx.calendar.is_workday(national_day) is False and ctx.calendar.is_workday(make_up_day) is True
        assert not ctx.calendar.is_provisional(national_day)
        on_disk = (Path(settings.data_dir) / PUSHED_CALENDAR).read_text(encoding="utf-8")

        bad = {"years": {"2027": {"holidays": ["2028-01-01"]}}}  # a day outside its year: refused as a whole
        assert (
            backoffice.admin("POST", "/v1/admin/calendar", json={"version": "2027.2", "content": bad}).status_code
            == 201
        )
        ctx.sync.worker.force_publication_pull()
        report = ctx.sync.run_once()
        assert report.refused == ["calendar 2027.2"] and not report.installed
        assert ctx.sync.last_state.catalogue_problem  # reported to the UI
        assert ctx.calendar.is_workday(national_day) is False and ctx.calendar.is_workday(make_up_day) is True
        assert (Path(settings.data_dir) / PUSHED_CALENDAR).read_text(encoding="utf-8") == on_disk
    finally:
        ctx.close()
    # After a restart the pushed calendar is still the one in use.
    again = open_app(settings, start_sync=False)
    try:
        assert again.calendar.is_workday(make_up_day) is True
    finally:
        again.close()


def test_rating_endpoint_is_idempotent_by_key(backoffice):
    import httpx

    enrolment = backoffice.add_station("ST9")
    cid = str(uuid.uuid4())
    body = {"case_id": cid, "rating": 5, "reasons": [], "comment": "", "rated_at": "2026-11-23T08:00:00+08:00"}
    with httpx.Client(base_url=backoffice.url) as c:
        secret = c.post("/v1/stations/register", json={"station_code": "ST9", "enrolment_code": enrolment}).json()[
            "station_secret"
        ]
        token = c.post("/v1/auth/token", json={"station_code": "ST9", "station_secret": secret}).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        url = f"/v1/cases/{cid}/rating"
        assert c.post(url, json=body, headers={**auth, "Idempotency-Key": "k1"}).status_code == 201
        assert c.post(url, json=body, headers={**auth, "Idempotency-Key": "k1"}).json() == {
            "case_id": cid,
            "created": False,
        }
        changed = dict(body, rating=1, reasons=["slow"])
        assert c.post(url, json=changed, headers={**auth, "Idempotency-Key": "k1"}).status_code == 409
        assert c.post(url, json=body, headers={**auth, "Idempotency-Key": "k2"}).status_code == 409
        other = f"/v1/cases/{uuid.uuid4()}/rating"
        assert c.post(other, json=body, headers={**auth, "Idempotency-Key": "k3"}).status_code == 422
    with backoffice.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Rating)) == 1
