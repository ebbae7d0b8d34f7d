"""Issue 16 item 5: a damaged store reaches people as a typed, translated error with what to do; the
administrator's commands report instead of crashing; one bad record degrades only its own row;
online backups include the WAL and restore cleanly."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from clerk_app import cli
from clerk_app.errors import ClerkAppError
from clerk_app.lifecycle import Decision
from clerk_app.store.db import StoreDamaged, create_store_engine, open_store
from clerk_app.store.models import AuditEvent, Case, Person
from tests.core.test_cases import new_case, receive_all
from tests.helpers.core import make_world


def _settings_args(world) -> list[str]:
    from clerk_app.settings import save_settings

    path = Path(world.ctx.settings.data_dir) / "settings.toml"
    save_settings(world.ctx.settings, path)
    return ["--settings", str(path)]


def _damage_table(db: Path, table: str) -> None:
    """Overwrite the root page of ``table`` (after a checkpoint, so the damage is in the main file)."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    con.close()
    with open(db, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\x55" * page_size)


def _decided_world(tmp_path: Path, n: int = 2):
    world = make_world(tmp_path)
    clerk = world.login("clerk")
    for _ in range(n):
        cid = new_case(world, clerk)
        receive_all(world, clerk, cid)
        world.ctx.cases.decide(cid, Decision.ACCEPT, clerk)
    return world, clerk


def test_damaged_store_stops_the_start_with_a_translated_message(tmp_path):
    world, _clerk = _decided_world(tmp_path)
    args = _settings_args(world)
    world.ctx.close()
    db = tmp_path / "clerk.db"
    _damage_table(db, "persons")
    with pytest.raises(StoreDamaged) as err:
        open_store(f"sqlite:///{db}")
    assert isinstance(err.value, ClerkAppError)
    message = err.value.user_message("zh_CN")
    assert "已损坏" in message and "check-store" in message and "restore" in message
    with pytest.raises(StoreDamaged):
        make_world(tmp_path)  # the app's own start path
    # The administrator's full check reports, with what to do; exit 1, no traceback.
    assert cli.main(args + ["admin", "check-store"]) == 1


def test_check_store_reports_a_healthy_store(tmp_path, capsys):
    world, _clerk = _decided_world(tmp_path, 1)
    args = _settings_args(world)
    world.ctx.close()
    assert cli.main(args + ["admin", "check-store"]) == 0
    out = capsys.readouterr().out
    assert "store OK" in out and "audit chain intact" in out


def test_verify_audit_prints_broken_for_an_unreadable_audit_log(tmp_path, capsys):
    """Was: a traceback (DatabaseError) out of ``clerk-app admin verify-audit``."""
    world, _clerk = _decided_world(tmp_path, 1)
    args = _settings_args(world)
    world.ctx.close()
    capsys.readouterr()
    _damage_table(tmp_path / "clerk.db", "audit_events")
    assert cli.main(args + ["admin", "verify-audit"]) == 1
    captured = capsys.readouterr()
    assert "audit chain BROKEN" in captured.out and "Traceback" not in captured.out + captured.err
    assert cli.main(args + ["admin", "check-store"]) == 1
    out = capsys.readouterr().out
    assert "store DAMAGED" in out and "restore" in out


def test_runtime_damage_is_a_typed_store_error(tmp_path):
    world, _clerk = _decided_world(tmp_path, 1)
    world.ctx.close()
    db = tmp_path / "clerk.db"
    _damage_table(db, "audit_events")
    engine = create_store_engine(f"sqlite:///{db}")  # opened without the start check
    try:
        with pytest.raises(StoreDamaged) as err:
            with engine.connect() as conn:
                conn.execute(select(AuditEvent.detail, AuditEvent.hash)).all()  # table pages, not an index
        assert "已损坏" in err.value.user_message("zh_CN")
    finally:
        engine.dispose()


def test_one_unreadable_person_degrades_only_its_own_row_of_the_drafts_list(world):
    """Was: one bad person record broke the whole drafts list."""
    clerk = world.login("clerk")
    ids = [new_case(world, clerk) for _ in range(3)]
    with world.ctx.sessions.begin() as s:
        bad = s.scalar(select(Case.applicant_id).where(Case.id == ids[1]))
        s.execute(update(Person).where(Person.id == bad).values(pii=b"\x01" * 64))
    drafts = {d.id: d for d in world.ctx.cases.drafts(clerk)}
    assert set(ids) <= set(drafts)
    assert drafts[ids[1]].applicant is not None and "无法读取" in drafts[ids[1]].applicant.name
    assert all("无法读取" not in drafts[i].applicant.name for i in (ids[0], ids[2]))


def test_online_backup_includes_the_wal_and_a_restore_drill_brings_it_back(tmp_path, capsys):
    """The backup is taken while the app holds the store open with decisions still in the WAL (a copy
    of clerk.db alone would lose them); after more work and a restore, the store is exactly the backup's."""
    world, clerk = _decided_world(tmp_path, 2)
    args = _settings_args(world)
    db = tmp_path / "clerk.db"
    with world.ctx.sessions() as s:
        s.execute(text("SELECT 1"))
    assert Path(str(db) + "-wal").exists() and Path(str(db) + "-wal").stat().st_size > 0
    backup = tmp_path / "backup-1"
    assert cli.main(args + ["admin", "backup", str(backup)]) == 0
    assert "audit chain intact" in capsys.readouterr().out
    with world.ctx.sessions() as s:
        at_backup = sorted(s.scalars(select(Case.case_number).where(Case.case_number.is_not(None))))
        events_at_backup = s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    assert len(at_backup) == 2
    copy = sqlite3.connect(backup / "clerk.db")
    assert (
        sorted(r[0] for r in copy.execute("SELECT case_number FROM cases WHERE case_number IS NOT NULL")) == at_backup
    )
    copy.close()

    # The restore refuses while the store is in use ...
    cid = new_case(world, clerk)
    receive_all(world, clerk, cid)
    world.ctx.cases.decide(cid, Decision.ACCEPT, clerk)
    with world.ctx.sessions.begin() as s:  # hold the write lock like a running app mid-transaction
        s.execute(text("SELECT 1"))
        assert cli.main(args + ["admin", "restore", str(backup)]) == 2
    assert "in use" in capsys.readouterr().err
    world.ctx.close()

    # ... and works once the workstation is closed.
    assert cli.main(args + ["admin", "restore", str(backup)]) == 0
    assert list(tmp_path.glob("clerk.db.before-restore-*"))
    restored = make_world(tmp_path)
    with restored.ctx.sessions() as s:
        assert sorted(s.scalars(select(Case.case_number).where(Case.case_number.is_not(None)))) == at_backup
        assert s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) >= events_at_backup
    assert restored.ctx.auditor.verify() is None
    restored.ctx.close()


@pytest.mark.postgres
def test_pg_dump_backup_of_a_hall_database_restores_with_pg_restore(tmp_path, postgres_url, postgres_server):
    """A hall on PostgreSQL: ``clerk-app admin backup`` runs pg_dump (custom format); pg_restore into
    an empty database gives the same cases and an intact audit chain."""
    import subprocess
    import uuid

    from sqlalchemy.engine import make_url

    pg = make_world(tmp_path / "hall", database_url=postgres_url)
    clerk = pg.login("clerk")
    for _ in range(2):
        cid = new_case(pg, clerk)
        receive_all(pg, clerk, cid)
        pg.ctx.cases.decide(cid, Decision.ACCEPT, clerk)
    args = _settings_args(pg)
    with pg.ctx.sessions() as s:
        numbers = sorted(s.scalars(select(Case.case_number).where(Case.case_number.is_not(None))))
    assert cli.main(args + ["admin", "backup", str(tmp_path / "hall-backup")]) == 0
    dump = tmp_path / "hall-backup" / "clerk.dump"
    assert dump.stat().st_size > 0
    pg.ctx.close()

    target = postgres_server.create_database("r_" + uuid.uuid4().hex[:10])
    libpq = make_url(target).set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(["pg_restore", "--no-owner", "--dbname", libpq, str(dump)], check=True, capture_output=True)
    restored = make_world(tmp_path / "hall", database_url=target)  # same station keyring: the data key
    with restored.ctx.sessions() as s:
        assert sorted(s.scalars(select(Case.case_number).where(Case.case_number.is_not(None)))) == numbers
    assert restored.ctx.auditor.verify() is None
    restored.ctx.close()


def test_an_upgraded_app_opens_yesterdays_store_and_migrates_it(tmp_path):
    """A store at an older revision this app knows is not 'damaged': the start upgrades it (an app
    update that brings a migration must not lock the clerk out of yesterday's store)."""
    from clerk_app.store.db import current_revision, migrate, migration_head, migration_revisions

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_store_engine(url)
    migrate(engine, "0012")  # what the previous release left
    assert current_revision(engine) == "0012" != migration_head()
    assert "0012" in migration_revisions()
    engine.dispose()
    engine, _ = open_store(url)
    assert current_revision(engine) == migration_head()
    with engine.connect() as conn:  # the new migration's index is there
        names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "ix_case_lines_status_due" in names
    engine.dispose()


def test_a_store_of_an_unknown_revision_still_stops_the_start(tmp_path):
    """A revision this app does not know (a newer app's store, or garbage) is refused before anything
    is migrated."""
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    engine, _ = open_store(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreDamaged) as info:
        open_store(url)
    assert "9999" in info.value.detail
