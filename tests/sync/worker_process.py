"""A workstation sync process for the SIGKILL test: ``python -m tests.sync.worker_process DB ATT URL CODE
[--enrol CODE]``. Uses the real keyring API (file backend chosen by PYTHON_KEYRING_BACKEND)."""

from __future__ import annotations

import argparse
import sys
import time

from clerk_app.store.db import open_store
from clerk_app.sync import (
    BackOfficeClient,
    FolderAttachments,
    PacketBuilder,
    StationCredentials,
    SyncSettings,
    SyncWorker,
    TransportSettings,
)
from testsupport.sync import masked_decoder


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("db")
    p.add_argument("attachments")
    p.add_argument("url")
    p.add_argument("station")
    p.add_argument("--enrol")
    args = p.parse_args()
    _engine, sessions = open_store(f"sqlite:///{args.db}")
    client = BackOfficeClient(TransportSettings(args.url), StationCredentials(args.station))
    if args.enrol:
        client.register(args.enrol)
    worker = SyncWorker(
        sessions,
        client,
        PacketBuilder(masked_decoder),
        FolderAttachments(args.attachments),
        station_code=args.station,
        # chunked on purpose (no inline pages): the kill must land in the middle of an attachment
        settings=SyncSettings(chunk_size=32 * 1024, backoff_base=0.01, backoff_max=0.1, inline_pages_max_bytes=0),
    )
    deadline = time.monotonic() + 50
    while time.monotonic() < deadline:
        worker.run_once()
        if worker.counts() == (0, 0):
            return 0
        time.sleep(0.01)
    return 1


if __name__ == "__main__":
    sys.exit(main())
