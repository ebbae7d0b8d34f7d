"""Issue 16 item 5: the audit chain head is anchored at the back office with every sync, so a store that
was rolled back (restored from a backup, or a lost WAL) is detected at its next sync, and case numbers
are never given out twice: the counters move past every number the back office has seen."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backoffice.models import StationAnchor
from clerk_app.lifecycle import Decision
from clerk_app.store import maintenance
from clerk_app.store.models import Case
from clerk_app.sync.errors import StoreRolledBack
from clerk_app.sync.packet import FolderAttachments, person_repository_decoder
from tests.core.test_cases import new_case, receive_all
from tests.helpers.core import make_world
from testsupport.sync import MemoryKeyring, make_station

pytestmark = pytest.mark.postgres


def _decide(world) -> str:
    clerk = world.login("clerk")
    cid = new_case(world, clerk)
    receive_all(world, clerk, cid)
    return world.ctx.cases.decide(cid, Decision.ACCEPT, clerk).case_number


def _station(world, backoffice, tmp_path, keyring, enrol: bool):
    code = world.ctx.settings.station_code
    return make_station(
        backoffice.url,
        world.ctx.sessions,
        tmp_path / "unused",
        code=code,
        keyring=keyring,
        enrolment=backoffice.add_station(code) if enrol else None,
        attachments=FolderAttachments(tmp_path / "unused"),
        decoder=person_repository_decoder(world.ctx.persons),
    )


def test_restored_store_is_detected_and_never_reuses_a_case_number(backoffice, tmp_path):
    ws = tmp_path / "ws"
    world = make_world(ws)
    url = world.ctx.settings.resolved_database_url()
    first = [_decide(world), _decide(world)]
    maintenance.backup(url, ws / "attachments", tmp_path / "backup")

    keyring = MemoryKeyring()
    station = _station(world, backoffice, tmp_path, keyring, enrol=True)
    lost = _decide(world)  # decided after the backup ...
    report = station.worker.run_once()  # ... and delivered: the back office has seen its number
    assert report.sent == 3 and not report.rollback_detected and report.pull_error is None
    with backoffice.sessions() as s:
        anchored = s.scalars(select(StationAnchor)).one()
        assert anchored.audit_seq > 0 and max(anchored.case_counters.values()) == 3
    station.client.close()
    world.ctx.close()

    maintenance.restore(url, ws / "attachments", tmp_path / "backup")  # the rollback
    world = make_world(ws)
    with world.ctx.sessions() as s:
        assert lost not in set(s.scalars(select(Case.case_number)))
    station = _station(world, backoffice, tmp_path, keyring, enrol=False)
    report = station.worker.run_once()
    assert report.rollback_detected
    assert isinstance(report.pull_error, StoreRolledBack)
    assert "备份恢复" in station.worker.state.problem
    again = _decide(world)
    assert again not in first + [lost]  # was: the lost decision's number given out again
    assert int(again[12:17]) == 4
    # The next cycle is quiet: the back office now holds this store's head.
    assert not station.worker.run_once().rollback_detected
    station.client.close()
    world.ctx.close()


def test_an_intact_store_is_never_reported(backoffice, tmp_path):
    world = make_world(tmp_path / "ws")
    station = _station(world, backoffice, tmp_path, MemoryKeyring(), enrol=True)
    for _ in range(3):
        _decide(world)
        report = station.worker.run_once()
        assert not report.rollback_detected and report.pull_error is None
    station.client.close()
    world.ctx.close()
