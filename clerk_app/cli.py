"""``clerk-app``: start the workstation (``--demo`` for demo mode) and a few admin commands.

clerk-app [--demo] [--settings FILE] [--data-dir DIR] [--lang zh_CN|en]
clerk-app admin create-user USERNAME --role ROLE --name NAME --staff-no NO   (password on stdin or prompted)
clerk-app admin verify-audit          (prints "audit chain intact" or "audit chain BROKEN …", exit 1)
clerk-app admin check-store           (full integrity check: structure, foreign keys, schema, audit chain)
clerk-app admin backup FOLDER         (online backup: database incl. WAL + attachments; pg_dump for PostgreSQL)
clerk-app admin restore FOLDER        (SQLite: puts a backup back; the workstation must be closed)
clerk-app admin rotate-key --admin-user ADMIN [--resume]
clerk-app admin purge-expired        (retention: settings.retention_days; also run at each start)
clerk-app admin import-catalogue FOLDER
clerk-app admin enrol-station [CODE]     (enrolment code from the back office; stdin or prompted if omitted)
clerk-app admin key-export FILE --admin-user ADMIN        (hall data key escrow, passphrase asked twice)
clerk-app admin key-import FILE --admin-user ADMIN        (restore the hall key here from an escrow file)
clerk-app admin enrol-hall-station CODE --admin-user ADMIN [--fingerprint FP]   (let a station in)
clerk-app admin revoke-hall-station CODE --admin-user ADMIN
clerk-app admin hall-stations            (stations of the hall, their state and key fingerprints)
docs/hall-deployment.md describes the key commands.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from clerk_app.errors import ClerkAppError
from clerk_app.roles import Role, system_actor
from clerk_app.settings import Settings, default_settings_path, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(Path(args.settings) if args.settings else None)
    overrides: dict[str, object] = {}
    if args.demo:
        overrides.update(demo=True, card_backend="simulated", scanner_backend="simulated", printer_backend="pdf-folder")
        if not args.data_dir and not settings.data_dir:
            overrides["data_dir"] = tempfile.mkdtemp(prefix="clerk-app-demo-")
    if args.data_dir:
        overrides["data_dir"] = args.data_dir
    if args.lang:
        overrides["language"] = args.lang
    return dataclasses.replace(settings, **overrides)  # type: ignore[arg-type]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="clerk-app", description="一窗受理工作台")
    p.add_argument("--demo", action="store_true", help="demo mode: temp SQLite, simulated devices, demo users")
    p.add_argument("--settings", help=f"settings file (default {default_settings_path()})")
    p.add_argument("--data-dir", help="data folder (database, attachments)")
    p.add_argument("--lang", choices=["zh_CN", "en"], help="interface language")
    sub = p.add_subparsers(dest="command")
    admin = sub.add_parser("admin", help="administration")
    asub = admin.add_subparsers(dest="admin_command", required=True)
    cu = asub.add_parser("create-user", help="create an account (the first one must be an admin)")
    cu.add_argument("username")
    cu.add_argument("--role", required=True, choices=[r.value for r in Role if r is not Role.SYSTEM])
    cu.add_argument("--name", required=True)
    cu.add_argument("--staff-no", required=True)
    cu.add_argument("--admin-user", help="existing admin creating this account (asked for a password)")
    asub.add_parser("verify-audit", help="verify the audit hash chain")
    asub.add_parser(
        "check-store", help="full integrity check of the store and the audit chain, with what to do (docs/security.md)"
    )
    bk = asub.add_parser("backup", help="online backup of the store and attachments into FOLDER (docs/security.md)")
    bk.add_argument("folder")
    rs = asub.add_parser("restore", help="restore a backup FOLDER (SQLite; close the workstation first)")
    rs.add_argument("folder")
    asub.add_parser(
        "purge-expired",
        help="purge personal data and page images of cases handed out more than retention_days ago (docs/security.md)",
    )
    rk = asub.add_parser(
        "rotate-key",
        help="new data key version, then re-encrypt personal data and "
        "attachments (--resume continues an interrupted run); docs/security.md",
    )
    rk.add_argument("--admin-user", required=True, help="administrator (asked for a password)")
    rk.add_argument("--resume", action="store_true", help="do not create a new version, just continue")
    ic = asub.add_parser("import-catalogue", help="validate and activate a catalogue folder")
    ic.add_argument("folder")
    es = asub.add_parser(
        "enrol-station",
        help="register this station with the back office using the one-time "
        "enrolment code (python -m backoffice add-station); the station secret goes to the keyring",
    )
    es.add_argument("code", nargs="?", help="enrolment code (omit to type it, so it stays out of the shell history)")
    ke = asub.add_parser(
        "key-export", help="write every hall data key version to FILE, protected by a passphrase (asked twice)"
    )
    ke.add_argument("file")
    ke.add_argument("--admin-user", required=True, help="administrator (asked for a password)")
    ki = asub.add_parser(
        "key-import",
        help="restore the hall data key at this station from an escrow file (lost keyring, single "
        "station); works while the station cannot start",
    )
    ki.add_argument("file")
    ki.add_argument("--admin-user", required=True, help="administrator (asked for a password)")
    eh = asub.add_parser(
        "enrol-hall-station",
        help="at an enrolled station: give station CODE the hall data key after comparing the "
        "fingerprint that station shows",
    )
    eh.add_argument("station")
    eh.add_argument("--admin-user", required=True, help="administrator (asked for a password)")
    eh.add_argument("--fingerprint", help="fingerprint shown at that station (asked for if omitted)")
    rh = asub.add_parser("revoke-hall-station", help="take the hall data key away from station CODE")
    rh.add_argument("station")
    rh.add_argument("--admin-user", required=True, help="administrator (asked for a password)")
    asub.add_parser("hall-stations", help="stations of the hall, their state and key fingerprints")
    return p


def _read_password(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\n")


def main(argv: list[str] | None = None, gui: Callable[[Settings], int] | None = None) -> int:
    """Entry point. ``gui`` starts the interface; it is passed in by ``ui.launcher`` because the
    core never imports Qt (the console script ``clerk-app`` points at ui.launcher:run)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        settings = _settings(args)
        from clerk_app.logging_setup import setup_logging

        setup_logging(settings.resolved_data_dir())  # rotating file + personal-data filter
        if args.command == "admin":
            return _admin(args, settings)
        if gui is None:
            print("no user interface available: start clerk-app through ui.launcher", file=sys.stderr)
            return 2
        return gui(settings)
    except ClerkAppError as exc:
        print(exc.user_message(), file=sys.stderr)
        logging.getLogger("clerk_app").error("start-up failed: %s", exc)
        return 2


def _key_import(args: argparse.Namespace, settings: Settings) -> int:
    """Runs without the composition root: the station cannot start until it has the key."""
    from clerk_app.app_context import file_keyring, system_keyring
    from clerk_app.audit import Auditor
    from clerk_app.clock import SystemClock
    from clerk_app.security.escrow import import_escrow
    from clerk_app.security.hall_keys import HallKeys
    from clerk_app.store.db import open_store
    from clerk_app.users import UserService

    data_dir = settings.resolved_data_dir()
    ring = file_keyring(data_dir / "demo-keyring.cfg") if settings.demo else system_keyring()
    engine, sessions = open_store(settings.resolved_database_url())
    try:
        clock = SystemClock()
        auditor = Auditor(sessions, clock)
        actor = UserService(sessions, clock, auditor, settings.station_code).authenticate(
            args.admin_user, _read_password("admin password: ")
        )
        from clerk_app.roles import Permission

        actor.require(Permission.KEY_ROTATE)
        blob = Path(args.file).read_bytes()
        versions = import_escrow(HallKeys(sessions, ring, settings.station_code), blob, _read_password("passphrase: "))
        auditor.record_now(actor, "key.import", versions=versions)
        print(f"hall data key versions {versions} imported; station {settings.station_code} enrolled")
        return 0
    finally:
        engine.dispose()


def _store_admin(args: argparse.Namespace, settings: Settings) -> int | None:
    """The commands that must work on a damaged store, so they do not build the app context (which
    refuses a damaged store at its start check)."""
    from clerk_app.store import maintenance

    url = settings.resolved_database_url()
    attachments = settings.resolved_data_dir() / "attachments"
    if args.admin_command in ("verify-audit", "check-store"):
        report = maintenance.full_check(url)
        audit = report.audit
        print(f"audit chain {audit}")
        if args.admin_command == "verify-audit":
            return 0 if audit == "intact" else 1
        for problem in report.problems:
            print(f"store problem: {problem}")
        if report.healthy:
            print("store OK")
            return 0
        print(
            "store DAMAGED: stop working on this station; keep the damaged files for analysis; restore the latest "
            "backup with 'clerk-app admin restore FOLDER' (docs/security.md, Backups and restore)"
        )
        return 1
    if args.admin_command == "backup":
        manifest = maintenance.backup(url, attachments, Path(args.folder))
        print(
            f"backup written to {args.folder}: {manifest['database']}, {manifest['files_copied']} new files, "
            f"audit chain {manifest['audit']}"
        )
        return 0 if manifest["audit"] == "intact" else 1
    if args.admin_command == "restore":
        kept = maintenance.restore(url, attachments, Path(args.folder))
        print(f"restored from {args.folder}" + (f"; the replaced store is kept as {kept}" if kept else ""))
        print(
            "the next sync checks the store against the back office's anchor and moves case numbers past "
            "every number already used"
        )
        return 0
    return None


def _admin(args: argparse.Namespace, settings: Settings) -> int:
    handled = _store_admin(args, settings)
    if handled is not None:
        return handled
    from clerk_app.app_context import build_context

    if args.admin_command == "key-import":
        return _key_import(args, settings)
    ctx = build_context(settings, start_sync=False)  # admin commands never start the sync thread
    try:
        if args.admin_command == "create-user":
            actor = None
            if args.admin_user:
                actor = ctx.users.authenticate(args.admin_user, _read_password("admin password: "))
            password = _read_password(f"password for {args.username}: ")
            ctx.users.create_user(actor, args.username, password, Role(args.role), args.name, args.staff_no)
            print(f"created {args.username} ({args.role})")
        elif args.admin_command == "purge-expired":
            purged = ctx.retention.purge(system_actor(settings.station_code), settings.retention_days)
            print(f"purged {purged.cases} cases ({purged.persons} personal records, {purged.files} files)")
        elif args.admin_command == "rotate-key":
            from clerk_app.security.crypto import FieldCipher
            from clerk_app.security.rotation import KeyRotation

            actor = ctx.users.authenticate(args.admin_user, _read_password("admin password: "))
            store = ctx.pages.store
            rotation = KeyRotation(ctx.sessions, ctx.keys, FieldCipher(ctx.keys, "fields"), store, ctx.auditor)
            result = (rotation.resume if args.resume else rotation.rotate)(actor)
            left = rotation.status()
            print(
                f"data key v{result.version}: {result.persons} person records and {result.files} files "
                f"re-encrypted; still old: {left.persons_old} records, {left.files_old} files"
            )
            return 0 if left.complete else 1
        elif args.admin_command == "import-catalogue":
            cat = ctx.catalogue.import_folder(args.folder, system_actor(settings.station_code))
            print(f"catalogue {cat.version} active ({len(cat.items)} items)")
        elif args.admin_command == "enrol-station":
            if ctx.sync is None:
                print("no back office configured: set backoffice_url in the settings", file=sys.stderr)
                return 2
            code = args.code or _read_password("enrolment code: ").strip()
            ctx.sync.client.register(code)  # the returned secret goes straight into the keyring
            print(
                f"station {settings.station_code} registered with {settings.backoffice_url}; "
                "its secret is in the keyring"
            )
        elif args.admin_command == "key-export":
            from clerk_app.security.escrow import export_escrow

            actor = ctx.users.authenticate(args.admin_user, _read_password("admin password: "))
            from clerk_app.roles import Permission

            actor.require(Permission.KEY_ROTATE)
            target = Path(args.file)
            if target.exists():
                print(f"{target} exists: not overwritten", file=sys.stderr)
                return 2
            passphrase = _read_password("escrow passphrase: ")
            if _read_password("again: ") != passphrase:
                print("the two passphrases differ: nothing written", file=sys.stderr)
                return 2
            blob = export_escrow(ctx.keys, passphrase)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
                fh.flush()
                os.fsync(fh.fileno())
            versions = ctx.keys.versions()
            ctx.auditor.record_now(actor, "key.export", versions=versions)
            print(f"hall data key versions {versions} written to {target}; keep it apart from the passphrase")
        elif args.admin_command == "enrol-hall-station":
            actor = ctx.users.authenticate(args.admin_user, _read_password("admin password: "))
            fp = args.fingerprint or _read_password(f"fingerprint shown at station {args.station}: ").strip()
            info = ctx.keys.enrol_station(ctx.auditor, actor, args.station, fp)
            print(f"station {info.station_code} enrolled (key {info.fingerprint}); it can start now")
        elif args.admin_command == "revoke-hall-station":
            actor = ctx.users.authenticate(args.admin_user, _read_password("admin password: "))
            ctx.keys.revoke_station(ctx.auditor, actor, args.station)
            print(
                f"station {args.station} revoked; now run 'clerk-app admin rotate-key' so data is "
                "re-encrypted under a key it never had"
            )
        elif args.admin_command == "hall-stations":
            for st in ctx.keys.stations():
                pending = f" pending {st.pending_fingerprint}" if st.pending_fingerprint else ""
                print(f"{st.station_code}\t{st.status}\t{st.fingerprint or '-'}{pending}")
        return 0
    finally:
        ctx.close()


if __name__ == "__main__":  # admin commands work without Qt: python -m clerk_app.cli admin ...
    sys.exit(main())
