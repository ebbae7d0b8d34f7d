"""Opening the store: engine with the right pragmas, a session factory, migrations on start.

SQLite (embedded default): WAL journal, foreign keys on. **One writer discipline**: the app's GUI
thread, its sync and print workers and the ``clerk-app admin`` commands (another process) all write.
SQLite ignores ``SELECT … FOR UPDATE``, and a deferred transaction that read before writing loses the
race (``IntegrityError`` on a number it allocated, ``SQLITE_BUSY`` on upgrade). So every transaction
opened with ``Session.begin()`` / ``sessionmaker.begin()`` — which is how every write in clerk_app is
made — starts with ``BEGIN IMMEDIATE``: it takes the write lock first, waits for it up to the busy
timeout, and is retried if that runs out. Plain reads (``with sessions() as s``) stay deferred and
never block writers (WAL). This follows SQLAlchemy's documented pysqlite recipe (the driver's own
BEGIN disabled with ``isolation_level = None``, the BEGIN emitted from the engine's "begin" event).
PostgreSQL: a hall-wide shared database (row locks work there). Same Alembic migrations for both.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import CursorResult, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import Connection, ExceptionContext, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from clerk_app import i18n
from clerk_app.errors import ClerkAppError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")


class StoreError(ClerkAppError):
    key = i18n.register(
        "error.store", "本地数据库无法打开：{problem}", "The local database cannot be opened: {problem}"
    )


class StoreDamaged(StoreError):
    """The database file (or its WAL) is damaged: SQLite reports a malformed image or the integrity
    check fails. Nothing more is written; the clerk is told what to do."""

    key = i18n.register(
        "error.store.damaged",
        "本地数据库已损坏（{problem}）。请停止在本机办件并联系管理员：运行 clerk-app admin check-store 查看详情，"
        "然后用 clerk-app admin restore 从最近的备份恢复（见 docs/security.md）",
        "The local database is damaged ({problem}). Stop working on this station and call an administrator: "
        "run 'clerk-app admin check-store' for details, then restore the latest backup with "
        "'clerk-app admin restore' (docs/security.md)",
    )


class StoreBusy(StoreError):
    key = i18n.register(
        "error.store.busy",
        "本地数据库正被其他程序占用，请稍后重试",
        "The local database is busy with another program; try again in a moment",
    )


class StoreUnavailable(StoreError):
    key = i18n.register(
        "error.store.unavailable",
        "无法连接数据库（{problem}），请检查网络和数据库服务后重试",
        "The database cannot be reached ({problem}); check the network and the database server, then retry",
    )


_DAMAGE = ("malformed", "not a database", "disk i/o error", "corrupt", "unsupported file format")


def _store_error(ctx: ExceptionContext) -> None:
    """Engine "handle_error" event: database failures a clerk can meet become typed, translated
    StoreErrors (the UI shows every ClerkAppError); constraint errors stay SQLAlchemy's, for the code
    that handles them. The original error is chained for the log."""
    if ctx.is_pre_ping or isinstance(ctx.sqlalchemy_exception, IntegrityError):
        return
    text_ = str(ctx.original_exception).lower()
    dialect = ctx.dialect.name if ctx.dialect is not None else ""
    name = type(ctx.original_exception).__name__
    if dialect == "sqlite":
        if any(word in text_ for word in _DAMAGE):
            raise StoreDamaged(problem=name, detail=text_[:200]) from ctx.sqlalchemy_exception
        if _is_busy(ctx.original_exception):
            raise StoreBusy(detail=text_[:200]) from ctx.sqlalchemy_exception
    elif ctx.is_disconnect or isinstance(ctx.sqlalchemy_exception, OperationalError):
        raise StoreUnavailable(problem=name, detail=name) from ctx.sqlalchemy_exception


BUSY_TIMEOUT_SECONDS = 15.0  # SQLite waits this long for the write lock (busy handler) ...
BEGIN_ATTEMPTS = 4  # ... and BEGIN IMMEDIATE is tried this often before SQLITE_BUSY reaches the caller
_IMMEDIATE = "clerk_sqlite_immediate"


def _is_busy(exc: BaseException) -> bool:
    text_ = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text_ or "database is busy" in text_


def _sqlite_begin(conn: Connection) -> None:
    """Engine "begin" event: BEGIN IMMEDIATE for write transactions (see module docstring)."""
    if not conn.get_execution_options().get(_IMMEDIATE):
        conn.exec_driver_sql("BEGIN")
        return
    for attempt in range(1, BEGIN_ATTEMPTS + 1):
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except (OperationalError, StoreBusy) as exc:
            if not (isinstance(exc, StoreBusy) or _is_busy(exc)) or attempt == BEGIN_ATTEMPTS:
                raise
            log.warning("store busy (attempt %d of %d): another writer holds the lock", attempt, BEGIN_ATTEMPTS)
            time.sleep(0.05 * attempt)


class StoreSession(Session):
    """A Session whose explicit transactions (``begin()``, ``sessionmaker.begin()``) take SQLite's
    write lock at once (BEGIN IMMEDIATE). Elsewhere (PostgreSQL) it is a plain Session."""

    def begin(self, nested: bool = False) -> SessionTransaction:
        outermost = not nested and not self.in_transaction()
        trans = super().begin(nested)
        bind = self.get_bind()
        if outermost and isinstance(bind, Engine) and bind.dialect.name == "sqlite":
            self.connection(execution_options={_IMMEDIATE: True})
        return trans


def create_store_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            dbapi_conn.isolation_level = None  # pysqlite emits no BEGIN of its own; _sqlite_begin does
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "handle_error", _store_error)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(parsed, pool_pre_ping=True)
    event.listen(engine, "handle_error", _store_error)
    return engine


def check_store(engine: Engine, *, full: bool = False, before_migrations: bool = False) -> list[str]:
    """Problems found in the store ([] = healthy). SQLite: ``PRAGMA quick_check`` (at every start:
    page structure, O(size), no index cross-check) or ``integrity_check`` + ``foreign_key_check``
    (``full``, from ``clerk-app admin check-store``). PostgreSQL: the server answers and the schema is
    at this app's migration head. ``before_migrations``: the check at start, before ``migrate``: an
    older revision this app knows is fine (the start upgrades it: an upgraded app opening yesterday's
    store); only an unknown one (a newer app's store, or garbage) is a problem. Never raises for a
    damaged store: it reports."""
    problems: list[str] = []
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                pragma = "integrity_check" if full else "quick_check"
                rows = [str(r) for r in conn.exec_driver_sql(f"PRAGMA {pragma}").scalars()]
                if rows != ["ok"]:
                    problems += [f"{pragma}: {r}" for r in rows[:20]]
                if full:
                    for row in conn.exec_driver_sql("PRAGMA foreign_key_check").all()[:20]:
                        problems.append(f"foreign_key_check: table {row[0]} row {row[1]} → {row[2]}")
            else:
                conn.exec_driver_sql("SELECT 1")
            head = migration_head()
            if inspect(conn).has_table("alembic_version"):
                rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                if head is not None and rev != head and not (before_migrations and rev in migration_revisions()):
                    problems.append(f"schema revision {rev}, this app expects {head}")
    except (StoreError, DBAPIError, sqlite3.Error) as exc:
        problems.append(f"cannot read the store: {type(exc).__name__}")
    return problems


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


_REV = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*=\s*(?:['\"]([^'\"]+)['\"]|None)", re.M)


def _revision_chain() -> tuple[set[str], set[str]]:
    revisions, downs = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        src = path.read_text(encoding="utf-8")
        rev, down = _REV.search(src), _DOWN.search(src)
        if rev:
            revisions.add(rev.group(1))
            if down and down.group(1):
                downs.add(down.group(1))
    return revisions, downs


def migration_revisions() -> set[str]:
    """Every revision this app's migrations know (read from the files' headers, like the head)."""
    return _revision_chain()[0]


def migration_head() -> str | None:
    """The newest revision, read from the migration files' headers (linear chain) — cheap, so a
    start with an up-to-date store never imports Alembic (≈ 0.25 s of start-up)."""
    revisions, downs = _revision_chain()
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_revision_or_none(engine: Engine) -> str | None:
    """The store's schema revision, or None for a new (empty) store; a damaged file raises StoreDamaged."""
    try:
        return current_revision(engine)
    except StoreError:
        raise
    except (DBAPIError, sqlite3.Error) as exc:
        raise StoreDamaged(problem=type(exc).__name__, detail=str(exc)[:200]) from exc


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (the app calls this on every start)."""
    try:
        if revision == "head" and migration_head() is not None and current_revision(engine) == migration_head():
            return
        from alembic import command

        command.upgrade(alembic_config(engine), revision)
        if engine.dialect.name == "sqlite":
            # A migration that rebuilt a table (batch mode) drops its planner statistics; without them
            # SQLite picks poor indexes for statistics and search until ANALYZE runs. Only after an
            # actual upgrade (not on every start).
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
    except ClerkAppError:
        raise
    except Exception as exc:
        raise StoreError(problem=type(exc).__name__, detail=str(exc)) from exc


def open_store(url: str, *, run_migrations: bool = True, check: bool = True) -> tuple[Engine, sessionmaker[Session]]:
    """Engine + session factory. ``check``: the quick integrity check at start (issue 16 item 5) —
    a damaged store stops here with StoreDamaged and what to do, instead of failing later on some
    screen with a raw database error."""
    engine = create_store_engine(url)
    if check and engine.dialect.name == "sqlite" and current_revision_or_none(engine) is not None:
        problems = check_store(engine, before_migrations=run_migrations)
        if problems:
            engine.dispose()
            log.error("store integrity check failed: %s", "; ".join(problems))
            raise StoreDamaged(problem="quick_check", detail="; ".join(problems)[:500])
    if run_migrations:
        migrate(engine)
    if check and engine.dialect.name != "sqlite":
        problems = check_store(engine)
        if problems:
            engine.dispose()
            raise StoreUnavailable(problem=problems[0][:120], detail="; ".join(problems)[:500])
    return engine, sessionmaker(engine, class_=StoreSession, expire_on_commit=False)


def rowcount(result: object) -> int:
    """The rows an UPDATE or DELETE matched (``Session.execute`` is typed as returning a plain Result)."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"not the result of a DML statement: {type(result).__name__}")
    return result.rowcount
