"""Migrations on SQLite and a real PostgreSQL; SQLite pragmas; the whole intake flow on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from clerk_app.lifecycle import CaseStatus, Decision
from clerk_app.store.db import alembic_config, create_store_engine, migrate
from clerk_app.store.models import Base
from tests.core.test_cases import new_case, receive_all
from tests.helpers.core import make_world


def _head(engine):
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def test_sqlite_is_wal_with_foreign_keys(tmp_path):
    engine = create_store_engine(f"sqlite:///{tmp_path}/x.db")
    migrate(engine)
    with engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
        with pytest.raises(Exception, match="FOREIGN KEY"):
            c.execute(
                text(
                    "INSERT INTO case_lines (case_id, position, requirement_code, name, form, "
                    "originals_required, copies_required, originals_received, copies_received, necessity, "
                    "key_material, \"deferrable\", status, page_count) VALUES ('nope', 0, 'A', 'A', 'copy', 0, 0, "
                    "0, 0, 'required', 0, 0, 'pending', 0)"
                )
            )
    engine.dispose()


def _migrations_round_trip(url):
    engine = create_store_engine(url)
    migrate(engine)
    with engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == _head(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    command.downgrade(alembic_config(engine), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)  # and up again
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_migrations_on_sqlite(tmp_path):
    _migrations_round_trip(f"sqlite:///{tmp_path}/m.db")


@pytest.mark.postgres
def test_migrations_on_postgresql(postgres_url):
    _migrations_round_trip(postgres_url)


@pytest.mark.postgres
def test_intake_flow_on_postgresql(tmp_path, postgres_url):
    world = make_world(tmp_path, database_url=postgres_url)
    try:
        clerk = world.login("clerk")
        numbers = []
        for _ in range(3):
            cid = new_case(world, clerk)
            receive_all(world, clerk, cid)
            numbers.append(world.ctx.cases.decide(cid, Decision.ACCEPT, clerk).case_number)
        assert len(set(numbers)) == 3
        assert world.ctx.cases.get(clerk, cid).status is CaseStatus.ACCEPTED
        assert world.ctx.auditor.verify() is None
        with world.ctx.engine.begin() as c:
            c.execute(text("UPDATE audit_events SET station = 'XX' WHERE seq = 3"))
        assert world.ctx.auditor.verify().seq == 3
    finally:
        world.ctx.close()


def test_model_and_migrations_agree(tmp_path):
    """Autogenerate against a migrated DB finds nothing to do: nobody forgot a migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = create_store_engine(f"sqlite:///{tmp_path}/a.db")
    migrate(engine)
    from sqlalchemy import MetaData

    from clerk_app.stats_aggregates import metadata as stats_metadata  # per-day statistics, own MetaData
    from clerk_app.sync.state import sync_state  # the sync worker's table lives on its own MetaData

    everything = MetaData()
    for table in [*Base.metadata.tables.values(), sync_state, *stats_metadata.tables.values()]:
        table.to_metadata(everything)
    with engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), everything)
    engine.dispose()
    assert diff == []


def test_cheap_head_check_agrees_with_alembic(tmp_path):
    from clerk_app.store.db import current_revision, migration_head

    engine = create_store_engine(f"sqlite:///{tmp_path}/h.db")
    assert current_revision(engine) is None
    migrate(engine)
    assert migration_head() == _head(engine) == current_revision(engine)
    engine.dispose()
