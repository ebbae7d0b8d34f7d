"""Store maintenance for administrators: full integrity check, online backup, restore (docs/security.md,
"Backups and restore"). Used by ``clerk-app admin check-store | backup | restore``; no Qt, no services.

Backup of the embedded SQLite store is *online*: the SQLite backup API copies the database page by page
through SQLite itself, so it includes what is still in the WAL and is consistent while the app keeps
working (a plain file copy of ``clerk.db`` without its ``-wal`` would silently lose recent decisions).
The attachments folder (content-addressed, encrypted) is copied alongside; files are immutable, so
only new names are copied. A hall on PostgreSQL is backed up with ``pg_dump`` (custom format),
restored with ``pg_restore``.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from clerk_app import i18n
from clerk_app.audit import Auditor
from clerk_app.clock import SystemClock
from clerk_app.store.db import StoreError, check_store, create_store_engine

MANIFEST = "backup.json"
DB_NAME = "clerk.db"
DUMP_NAME = "clerk.dump"


class BackupError(StoreError):
    key = i18n.register("error.store.backup", "备份或恢复失败：{problem}", "Backup or restore failed: {problem}")


@dataclass(frozen=True)
class CheckReport:
    problems: list[str]
    audit: str  # "intact" | "BROKEN at event N: reason" | "unreadable: …"

    @property
    def healthy(self) -> bool:
        return not self.problems and self.audit == "intact"


def full_check(url: str) -> CheckReport:
    """Everything ``check-store`` prints: structure, foreign keys, schema head, the audit chain."""
    engine = create_store_engine(url)
    try:
        problems = check_store(engine, full=True)
        return CheckReport(problems, audit_state(engine))
    finally:
        engine.dispose()


def audit_state(engine: Engine) -> str:
    try:
        broken = Auditor(sessionmaker(engine), SystemClock()).verify()
    except Exception as exc:  # a damaged store: reported as such, never a traceback
        return f"BROKEN: the audit log cannot be read ({type(exc).__name__})"
    return "intact" if broken is None else f"BROKEN at event {broken.seq}: {broken.reason}"


def _sqlite_path(url: str) -> Path:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        raise BackupError(problem="not a SQLite file store")
    return Path(parsed.database)


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _copy_new_files(source: Path, target: Path) -> int:
    if not source.is_dir():
        return 0
    copied = 0
    for path in source.rglob("*"):
        if path.is_file():
            dest = target / path.relative_to(source)
            if not dest.exists() or dest.stat().st_size != path.stat().st_size:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest.with_suffix(dest.suffix + ".part"))
                dest.with_suffix(dest.suffix + ".part").replace(dest)
                copied += 1
    return copied


def backup(url: str, attachments: Path, target: Path) -> dict[str, object]:
    """Online backup into the folder ``target`` (created; an existing backup there is replaced).
    Returns the manifest written as ``backup.json``."""
    target.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        source = _sqlite_path(url)
        if not source.exists():
            raise BackupError(problem="no store to back up")
        partial = target / (DB_NAME + ".part")
        partial.unlink(missing_ok=True)
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=1024)  # steps of 4 MB: writers of the app are not held up
        finally:
            dst.close()
            src.close()
        check = sqlite3.connect(partial)
        try:
            ok = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            check.close()
        if not ok:
            partial.unlink(missing_ok=True)
            raise BackupError(problem="the copy failed its integrity check (is the store damaged? run check-store)")
        partial.replace(target / DB_NAME)
        database = DB_NAME
    elif backend == "postgresql":
        dump = target / DUMP_NAME
        result = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(dump) + ".part", _libpq_url(url)],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(problem="pg_dump failed", detail=result.stderr[-500:])
        Path(str(dump) + ".part").replace(dump)
        database = DUMP_NAME
    else:
        raise BackupError(problem=f"unsupported database {backend}")
    files = _copy_new_files(attachments, target / "attachments")
    engine = create_store_engine(url if backend != "sqlite" else f"sqlite:///{target / DB_NAME}")
    try:
        audit = audit_state(engine)
    finally:
        engine.dispose()
    manifest: dict[str, object] = {"created_at": now, "database": database, "files_copied": files, "audit": audit}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return manifest


def restore(url: str, attachments: Path, source: Path) -> Path | None:
    """Put a SQLite backup back in place. The app must not be running. The current store (with its WAL)
    is kept next to it as ``clerk.db.before-restore-<time>``; returns that path (None: there was none).
    After a restore the workstation is behind what the back office has seen: its next sync detects it
    (audit anchor) and moves case numbers past every number already used (docs/security.md)."""
    db = _sqlite_path(url)
    backup_db = source / DB_NAME
    if not backup_db.exists():
        raise BackupError(problem=f"no {DB_NAME} in the backup folder")
    check = sqlite3.connect(f"file:{backup_db}?mode=ro", uri=True)
    try:
        ok = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        check.close()
    if not ok:
        raise BackupError(problem="the backup failed its integrity check")
    db.parent.mkdir(parents=True, exist_ok=True)
    if db.exists():
        # Refuse while another program writes: an exclusive lock is only granted when nobody else holds one.
        probe = sqlite3.connect(db, timeout=1)
        try:
            probe.execute("BEGIN EXCLUSIVE")
            probe.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            raise BackupError(problem="the store is in use: close the workstation first") from exc
        finally:
            probe.close()
    kept = None
    staged = db.with_name(db.name + ".restoring")
    shutil.copy2(backup_db, staged)
    if db.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = db.with_name(f"{db.name}.before-restore-{stamp}")
        db.replace(kept)
        for suffix in ("-wal", "-shm"):
            side = db.with_name(db.name + suffix)
            if side.exists():
                side.replace(kept.with_name(kept.name + suffix))
    staged.replace(db)
    _copy_new_files(source / "attachments", attachments)
    return kept
