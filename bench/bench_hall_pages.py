"""Pages in the hall database: put/get of one scanned page through the app's stores, and the raw
choice behind ``attachment_blobs`` (a bytea column) against PostgreSQL large objects.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_hall_pages.py [--kb 300] [--runs 15]
Starts a throw-away PostgreSQL (testsupport/postgres.py), opens the hall store with the app's
migrations and hall key (``open_hall``), and reports medians:
- ``DatabaseAttachmentStore.put`` of a new page and ``.get`` (decrypt + hash check), next to the
  local-folder ``AttachmentStore`` (fsync'd file) on the same machine;
- raw bytea INSERT/SELECT vs ``lo_from_bytea``/``lo_get`` of the same ciphertext (no app code);
- floor: ``SELECT 1`` round trip.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench._util import median_seconds  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--kb", type=int, default=300, help="page size in KB (a 200 dpi grey A4 PNG is ~300 KB)")
    p.add_argument("--runs", type=int, default=15)
    args = p.parse_args()

    from sqlalchemy import text

    from clerk_app.app_context import file_keyring
    from clerk_app.attachments import AttachmentStore
    from clerk_app.security.crypto import FieldCipher
    from clerk_app.security.hall_keys import open_hall
    from clerk_app.store.db import open_store
    from testsupport.postgres import start_postgres

    tmp = Path(tempfile.mkdtemp(prefix="bench-hall-"))
    server = start_postgres()
    try:
        url = server.create_database("bench_hall")
        engine, sessions = open_store(url)
        hall = open_hall(sessions, engine.dialect.name, tmp, file_keyring(tmp / "keyring.cfg"), "WH01")
        db_store = hall.attachments
        folder = AttachmentStore(tmp / "folder", FieldCipher(hall.keys, "attachments"))
        size = args.kb * 1024
        counter = iter(range(10**9))

        def page() -> bytes:
            return next(counter).to_bytes(8, "big") + os.urandom(size - 8)  # incompressible, like a PNG

        sample = db_store.put(page()).sha256
        fsample = folder.put(page()).sha256
        results = {
            "floor SELECT 1": median_seconds(lambda: _select1(engine, text), args.runs),
            "hall db put (new page)": median_seconds(lambda: db_store.put(page()), args.runs),
            "hall db get": median_seconds(lambda: db_store.get(sample), args.runs),
            "folder put (new page, fsync)": median_seconds(lambda: folder.put(page()), args.runs),
            "folder get": median_seconds(lambda: folder.get(fsample), args.runs),
        }
        blob = os.urandom(size + 31)
        with engine.begin() as c:
            c.execute(text("CREATE TABLE bench_bytea (id serial primary key, data bytea)"))
        oids: list[int] = []

        def bytea_put() -> None:
            with engine.begin() as c:
                c.execute(text("INSERT INTO bench_bytea (data) VALUES (:d)"), {"d": blob})

        def lo_put() -> None:
            with engine.begin() as c:
                oids.append(int(c.execute(text("SELECT lo_from_bytea(0, :d)"), {"d": blob}).scalar_one()))

        results["raw bytea INSERT"] = median_seconds(bytea_put, args.runs)
        results["raw large object lo_from_bytea"] = median_seconds(lo_put, args.runs)

        def bytea_get() -> None:
            with engine.connect() as c:
                c.execute(text("SELECT data FROM bench_bytea WHERE id = 1")).scalar_one()

        def lo_get() -> None:
            with engine.begin() as c:
                c.execute(text("SELECT lo_get(:o)"), {"o": oids[0]}).scalar_one()

        results["raw bytea SELECT"] = median_seconds(bytea_get, args.runs)
        results["raw large object lo_get"] = median_seconds(lo_get, args.runs)
        floor = results["floor SELECT 1"]
        print(f"page {args.kb} KB, median of {args.runs} runs")
        for name, secs in results.items():
            print(f"{name:34s} {secs * 1000:8.2f} ms  ({secs / floor:6.1f}x floor)")
        engine.dispose()
    finally:
        server.stop()
    return 0


def _select1(engine, text) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as c:
        c.execute(text("SELECT 1")).scalar_one()


if __name__ == "__main__":
    sys.exit(main())
