"""Opening the store: engine with the right pragmas, a session factory, migrations on start.

SQLite (embedded default): WAL journal, foreign keys on, a busy timeout so a second connection
waits instead of failing. PostgreSQL: a hall-wide shared database. Same Alembic migrations for both.
"""
from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n
from clerk_app.errors import ClerkAppError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")


class StoreError(ClerkAppError):
    key = i18n.register("error.store", "本地数据库无法打开：{problem}", "The local database cannot be opened: {problem}")


def create_store_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (the app calls this on every start)."""
    try:
        command.upgrade(alembic_config(engine), revision)
    except ClerkAppError:
        raise
    except Exception as exc:
        raise StoreError(problem=type(exc).__name__, detail=str(exc)) from exc


def open_store(url: str, *, run_migrations: bool = True) -> tuple[Engine, sessionmaker[Session]]:
    engine = create_store_engine(url)
    if run_migrations:
        migrate(engine)
    return engine, sessionmaker(engine, expire_on_commit=False)
