"""Issue 14 part 6 — the hall-day acceptance test. Two window stations (WH01, WH02) and one 帮办 desk
(HB01), each its own process (tests/hall/station.py: the real composition root), on one real
PostgreSQL, with the reference back office over loopback. A scripted day through the core APIs:
drafts handed over from the 帮办 desk and taken at either window (通办, claims: the other window sees
it read-only), accept / 容缺 / return / reject, sync, approval in the back office (admin API),
supplements after the case synced and while it is in approval (at the other window), result ready,
delivery at a *different* window than the one that accepted it (its 送达回证 job queued for that
window's printer in the handover transaction), a void by the supervisor; then the
statuses, the back office's records (every outcome exactly once), the statistics and the audit chain
are checked against what happened. WH02 is killed with SIGKILL right after a decision it had not
synced yet, restarted, and nothing is lost. About 40 s on 2 cores."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from backoffice.models import CaseOutcome, Supplement
from clerk_app.app_context import build_context, file_keyring
from clerk_app.roles import Role
from clerk_app.security.hall_keys import StationNotEnrolled
from clerk_app.settings import Settings
from tests.helpers.case_factory import ITEM, resident_id
from tests.helpers.core import make_world

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


class Station:
    """A station process spoken to over stdin/stdout."""

    def __init__(self, data_dir: Path, url: str, code: str, window: str, backoffice_url: str = "") -> None:
        self.args = [sys.executable, "-m", "tests.hall.station", str(data_dir), url, code, window, backoffice_url]
        self.code = code
        self.start()

    def start(self) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
        self.proc = subprocess.Popen(
            self.args, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8"
        )
        assert self._read()["value"] == "ready"

    def _read(self) -> dict:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, f"station {self.code} died"
        return json.loads(line)

    def call(self, op: str, **kw: object) -> object:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"op": op, **kw}, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        answer = self._read()
        assert answer["ok"], f"{self.code} {op}: {answer}"
        return answer["value"]

    def refused(self, op: str, **kw: object) -> dict:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"op": op, **kw}, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        answer = self._read()
        assert not answer["ok"], f"{self.code} {op} should have been refused"
        return answer

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._close_pipes()

    def _close_pipes(self) -> None:
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None and not pipe.closed:
                try:
                    pipe.close()
                except BrokenPipeError:
                    pass

    def stop(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._close_pipes()


def _enrol(first, tmp_path: Path, url: str, code: str, window: str) -> None:
    settings = Settings(data_dir=str(tmp_path / code), database_url=url, station_code=code, window_no=window)
    with pytest.raises(StationNotEnrolled) as info:
        build_context(settings, keyring_module=file_keyring(tmp_path / code / "keyring.cfg"), start_sync=False)
    first.ctx.keys.enrol_station(first.ctx.auditor, first.login("admin"), code, str(info.value.params["fingerprint"]))


@pytest.fixture
def hall(tmp_path, postgres_url, backoffice):
    first = make_world(tmp_path / "WH01", database_url=postgres_url, station_code="WH01", window_no="01")
    admin = first.login("admin")
    first.ctx.users.create_user(admin, "clerk2", "Clerk2026x", Role.CLERK, "赵敏", "0102")
    for code, window in (("WH02", "02"), ("HB01", "帮办")):
        _enrol(first, tmp_path, postgres_url, code, window)
    first.ctx.close()
    stations = {
        "WH01": Station(tmp_path / "WH01", postgres_url, "WH01", "01", backoffice.url),
        "WH02": Station(tmp_path / "WH02", postgres_url, "WH02", "02", backoffice.url),
        "HB01": Station(tmp_path / "HB01", postgres_url, "HB01", "帮办"),
    }
    for code in ("WH01", "WH02"):
        stations[code].call("register", enrolment=backoffice.add_station(code))
    yield stations
    for st in stations.values():
        st.stop()


def test_hall_day(hall, backoffice, postgres_url):
    wh01, wh02, desk = hall["WH01"], hall["WH02"], hall["HB01"]
    due = (dt.datetime.now(dt.UTC) + dt.timedelta(days=5)).date().isoformat()

    # 帮办 desk prepares two cases and hands them over to the hall's window queue.
    a = desk.call("start", **{"as": "prereview"}, item=ITEM, name="周一", seq=21)
    desk.call("receive_all", **{"as": "prereview"}, case=a)
    desk.call("hand_over", **{"as": "prereview"}, case=a)
    b = desk.call("start", **{"as": "prereview"}, item=ITEM, name="钱二", seq=22)
    desk.call("hand_over", **{"as": "prereview"}, case=b)
    assert set(wh01.call("queue", **{"as": "clerk"}, ready_only=True)) == {a, b}
    assert set(wh02.call("queue", **{"as": "clerk2"}, ready_only=True)) == {a, b}

    # WH01 opens A (claimed); WH02 sees it read-only and cannot change it.
    assert wh01.call("claim", **{"as": "clerk"}, case=a) is False
    assert wh02.call("claim", **{"as": "clerk2"}, case=a) is True
    refused = wh02.refused("decide", **{"as": "clerk2"}, case=a, decision="accept")
    assert refused["error"] == "CaseClaimed" and "王晓敏" in refused["message"]
    wh01.call("decide", **{"as": "clerk"}, case=a, decision="accept")

    # WH02 takes B: 容缺 (premises deferred), then is killed before it synced — and restarted.
    assert wh02.call("claim", **{"as": "clerk2"}, case=b) is False
    wh02.call("receive_all", **{"as": "clerk2"}, case=b, defer=["PREMISES"], due=due)
    wh02.call("decide", **{"as": "clerk2"}, case=b, decision="accept_with_deficiencies", due=due)
    wh02.kill9()
    wh02.start()

    # WH01: a return with notice, a rejection, and an acceptance that will be voided.
    c = wh01.call("start", **{"as": "clerk"}, item=ITEM, name="孙三", seq=23)
    wh01.call("decide", **{"as": "clerk"}, case=c, decision="return_with_notice")
    d = wh01.call("start", **{"as": "clerk"}, item=ITEM, name="李四", seq=24)
    wh01.call("decide", **{"as": "clerk"}, case=d, decision="reject", reason="不属于本机关职权范围")
    e = wh01.call("start", **{"as": "clerk"}, item=ITEM, name="周五", seq=25)
    wh01.call("receive_all", **{"as": "clerk"}, case=e)
    wh01.call("decide", **{"as": "clerk"}, case=e, decision="accept")

    # Sync: each window sends what it decided (WH02's 容缺 case survived the kill).
    assert wh01.call("sync")["failed"] == 0
    assert wh02.call("sync") == {"sent": 1, "failed": 0}
    assert set(backoffice.case_ids()) == {a, b, e}

    # Approval in the back office; the windows learn it from the feed.
    for status in ("in_approval", "approved", "result_ready"):
        assert backoffice.admin("POST", f"/v1/admin/cases/{a}/status", json={"status": status}).status_code == 200
    assert backoffice.admin("POST", f"/v1/admin/cases/{b}/status", json={"status": "in_approval"}).status_code == 200
    wh01.call("sync")
    wh02.call("sync")
    assert wh02.call("status", **{"as": "clerk2"}, case=a) == "result_ready"
    assert wh01.call("status", **{"as": "clerk"}, case=b) == "in_approval"

    # 容缺 supplements at the other window while B is in approval: status stays, the record goes once.
    wh01.call("add_page", **{"as": "clerk"}, case=b, line="PREMISES")
    wh01.call("supplements", **{"as": "clerk"}, case=b, lines=["PREMISES"])
    assert wh01.call("status", **{"as": "clerk"}, case=b) == "in_approval"
    assert wh01.call("owed", **{"as": "clerk"}) == []
    wh02.call("sync")  # B is WH02's case: its worker sends the supplement

    # A is ready for pickup anywhere in the hall; handed out at WH02 (accepted at WH01).
    assert a in wh02.call("ready", **{"as": "clerk2"})
    wh02.call("deliver", **{"as": "clerk2"}, case=a, id_number=resident_id(21))
    assert wh01.call("status", **{"as": "clerk"}, case=a) == "delivered"
    assert a not in wh01.call("ready", **{"as": "clerk"})

    # The supervisor voids E.
    wh01.call("void", **{"as": "supervisor"}, case=e, reason="申请人撤回申请")
    wh01.call("sync")
    wh02.call("sync")

    # The back office learnt every outcome exactly once, and the supplement once.
    with backoffice.sessions() as s:
        got = Counter((r.case_id, r.outcome) for r in s.scalars(select(CaseOutcome)))
        sup = [(r.case_id, r.lines) for r in s.scalars(select(Supplement))]
    assert got == Counter({(a, "delivery"): 1, (c, "return_with_notice"): 1, (d, "rejection"): 1, (e, "void"): 1})
    assert sup == [(b, ["PREMISES"])]

    # Statistics and the audit chain against what happened.
    stats = wh01.call("stats", **{"as": "supervisor"})
    assert (stats["decided"], stats["voided"]) == (4, 1)
    assert stats["outcomes"] == {"accepted": 1, "accepted_with_deficiencies": 1, "returned": 1, "rejected": 1}
    assert wh02.call("verify_audit", **{"as": "clerk2"}) is True
    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT action, case_id FROM audit_events ORDER BY seq")).all()
        owners = dict(conn.execute(text("SELECT id, station_code FROM cases")).all())
        a_jobs = conn.execute(
            text("SELECT document_kind, workstation FROM print_jobs WHERE case_id = :a"), {"a": a}
        ).all()
    engine.dispose()
    acts = Counter(action for action, _ in rows)
    assert acts["case.ready_for_window"] == 2 and acts["case.claim"] >= 2
    assert (acts["case.accepted"], acts["case.accepted_with_deficiencies"]) == (2, 1)
    assert (acts["case.returned_with_notice"], acts["case.rejected"], acts["case.void"]) == (1, 1, 1)
    assert acts["case.supplements"] == 1 and acts["case.handover"] == 1 and acts["case.delivered"] == 1
    assert owners[a] == "WH01" and owners[b] == "WH02"  # the deciding window owns the case
    # The 送达回证 was queued with the handover, for the printer of the window that handed it out.
    assert ("delivery_receipt", "WH02/02") in [tuple(r) for r in a_jobs]
