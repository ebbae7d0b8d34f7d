"""``python -m backoffice``: run and administer the reference back office.

The database URL comes from ``--db`` or ``BACKOFFICE_DATABASE_URL`` (PostgreSQL, or
``sqlite:///path`` for a one-machine pilot); the admin token for the HTTP admin endpoints from
``BACKOFFICE_ADMIN_TOKEN`` (never a command-line argument, so it does not show in ``ps``).
"""

from __future__ import annotations

import argparse
import base64
import getpass
import json
import os
import sys
from pathlib import Path

from sqlalchemy.orm import Session

from backoffice import accounts, service
from backoffice.db import open_database


def _session(args: argparse.Namespace) -> Session:
    url = args.db or os.environ.get("BACKOFFICE_DATABASE_URL")
    if not url:
        sys.exit("no database: pass --db URL or set BACKOFFICE_DATABASE_URL")
    _engine, factory = open_database(url)
    return factory()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backoffice", description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: $BACKOFFICE_DATABASE_URL)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init-db", help="create or migrate the database")
    p = sub.add_parser("add-station", help="create a station; prints its one-time enrolment code")
    p.add_argument("code")
    p.add_argument("--name", default="")
    p = sub.add_parser("advance", help="move a received case to its next status")
    p.add_argument("case_id")
    p.add_argument("status", choices=["in_approval", "approved", "disapproved", "result_ready", "delivered"])
    p.add_argument("--reason")
    p = sub.add_parser(
        "publish",
        help="publish a catalogue or holiday calendar (JSON file), or trust material for passive "
        "authentication (a folder of CSCA certificates .pem/.crt/.cer/.der, master lists .ml, CRLs .crl)",
    )
    p.add_argument("kind", choices=["catalogue", "calendar", "trust"])
    p.add_argument("file", type=Path)
    p.add_argument("--version", required=True)
    sub.add_parser("list-cases", help="print received cases as JSON lines")
    p = sub.add_parser("create-admin", help="create a back-office admin (password asked, or one line on stdin)")
    p.add_argument("username")
    p.add_argument("--name", default="")
    p = sub.add_parser("add-user", help="create an approver or department head (password as for create-admin)")
    p.add_argument("username")
    p.add_argument("--name", default="")
    p.add_argument("--role", choices=["approver", "department_head", "admin"], default="approver")
    p.add_argument("--department", help="department code (approvers and heads)")
    p = sub.add_parser("add-department", help="create or update a department and the items it approves")
    p.add_argument("code")
    p.add_argument("--name", required=True)
    p.add_argument("--items", default="", help="item codes, comma-separated")
    p = sub.add_parser("serve", help="run the HTTP API with uvicorn")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8700)
    p.add_argument("--ssl-certfile")
    p.add_argument("--ssl-keyfile")
    p.add_argument("--workers", type=int, default=1, help="worker processes (state is in the database)")
    args = parser.parse_args(argv)

    if args.command == "serve":
        import uvicorn

        from backoffice.app import create_app

        url = args.db or os.environ.get("BACKOFFICE_DATABASE_URL")
        if not url:
            sys.exit("no database: pass --db URL or set BACKOFFICE_DATABASE_URL")
        engine, factory = open_database(url)  # migrated once, before any worker starts
        common: dict = {
            "host": args.host,
            "port": args.port,
            "ssl_certfile": args.ssl_certfile,
            "ssl_keyfile": args.ssl_keyfile,
            "log_level": "warning",
        }
        if args.workers > 1:
            engine.dispose()
            os.environ["BACKOFFICE_DATABASE_URL"] = url
            uvicorn.run("backoffice.app:from_environment", factory=True, workers=args.workers, **common)
            return 0
        limit = int(os.environ.get("BACKOFFICE_MAX_RESULT_MB", "20")) * 1024 * 1024
        app = create_app(factory, admin_token=os.environ.get("BACKOFFICE_ADMIN_TOKEN"), max_result_bytes=limit)
        uvicorn.run(
            app,
            host=args.host,
            port=args.port,
            ssl_certfile=args.ssl_certfile,
            ssl_keyfile=args.ssl_keyfile,
            log_level="warning",
        )
        return 0

    try:
        with _session(args) as session:
            if args.command == "init-db":
                print("database is at the latest schema")
            elif args.command == "add-station":
                code = service.add_station(session, args.code, args.name or args.code)
                print(f"station {args.code} enrolment code: {code}")
            elif args.command == "advance":
                case = service.advance_case(session, args.case_id, args.status, args.reason)
                print(f"case {case.id}: {case.status}")
            elif args.command == "publish":
                if args.kind == "trust" and args.file.is_dir():
                    content = {
                        "files": {
                            f.name: base64.b64encode(f.read_bytes()).decode("ascii")
                            for f in sorted(args.file.iterdir())
                            if f.is_file()
                        }
                    }
                else:
                    content = json.loads(args.file.read_text(encoding="utf-8"))
                pub = service.publish(session, args.kind, args.version, content)
                print(f"{args.kind} {pub.version} published (sha256 {pub.sha256})")
            elif args.command in ("create-admin", "add-user"):
                role = "admin" if args.command == "create-admin" else args.role
                password = _new_password()
                accounts.add_user(
                    session,
                    args.username,
                    args.name or args.username,
                    role,
                    password,
                    None if role == "admin" else args.department,
                )
                print(f"user {args.username} created ({accounts.ROLE_NAMES[role]})")
            elif args.command == "add-department":
                items = [i.strip() for i in args.items.split(",") if i.strip()]
                accounts.add_department(session, args.code, args.name, items)
                print(f"department {args.code}: {', '.join(items) or 'no items'}")
            elif args.command == "list-cases":
                for row in service.case_summaries(session):
                    print(json.dumps(row, ensure_ascii=False))
    except service.ApiProblem as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    return 0


def _new_password() -> str:
    """Asked twice on a terminal; otherwise one line on stdin (never a command-line argument)."""
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise service.ApiProblem(422, "mismatch", "the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")
