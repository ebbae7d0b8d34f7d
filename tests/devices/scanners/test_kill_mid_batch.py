"""Kill the app in the middle of an ADF batch: every page reported stored before the kill is there,
intact, after a restart; nothing half-written is visible."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from keyrings.alt.file import PlaintextKeyring

from clerk_app.attachments import AttachmentStore
from clerk_app.roles import system_actor
from clerk_app.security.crypto import FieldCipher
from clerk_app.security.keys import DataKeyService

REPO = Path(__file__).resolve().parents[3]

SCAN_SCRIPT = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, sys.argv[1])
    from keyrings.alt.file import PlaintextKeyring
    from clerk_app.attachments import AttachmentStore
    from clerk_app.security.crypto import FieldCipher
    from clerk_app.security.keys import DataKeyService
    from devices.imaging.pipeline import PagePipeline
    from devices.scanners.base import ScanOptions, ScanSource
    from devices.scanners.factory import create_backend

    config_dir, work = sys.argv[2], sys.argv[3]
    keyring = PlaintextKeyring(); keyring.file_path = os.path.join(work, "keyring.cfg")
    store = AttachmentStore(os.path.join(work, "att"),
                            FieldCipher(DataKeyService("test", keyring_module=keyring), "attachments"))
    pipeline = PagePipeline()
    scanner = create_backend("sane", config_dir=config_dir).open("test:0")
    scanner.set_device_option("test_picture", "Grid")
    scanner.set_device_option("read_delay", True)          # a slow feeder: time to kill us
    scanner.set_device_option("read_delay_duration", 40000)

    def on_page(page):
        processed = pipeline.process(page.image, page.dpi)
        stored = store.put(processed.data, processed.mime)
        # What the page service commits to the database after the file is durable.
        print(page.index, stored.sha256, flush=True)

    scanner.scan_batch(ScanOptions(source=ScanSource.ADF, dpi=100), on_page)
    print("finished", flush=True)
""")


def test_pages_before_a_kill_survive(tmp_path: Path, sane_config_dir: Path):
    script = tmp_path / "scan.py"
    script.write_text(SCAN_SCRIPT)
    reported: list[tuple[int, str]] = []
    deadline = time.monotonic() + 60
    with (
        (tmp_path / "stderr.txt").open("w") as errors,
        subprocess.Popen(
            [sys.executable, str(script), str(REPO), str(sane_config_dir), str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        ) as proc,
    ):
        assert proc.stdout is not None
        try:
            while len(reported) < 3 and time.monotonic() < deadline:
                line = proc.stdout.readline()
                if not line:
                    break
                index, sha = line.split()
                reported.append((int(index), sha))
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
    assert proc.returncode == -signal.SIGKILL, (tmp_path / "stderr.txt").read_text()
    assert [index for index, _ in reported] == [0, 1, 2]

    # "Restart": open the store again with the same key.
    keyring = PlaintextKeyring()
    keyring.file_path = str(tmp_path / "keyring.cfg")
    store = AttachmentStore(
        tmp_path / "att", FieldCipher(DataKeyService("test", keyring_module=keyring), "attachments")
    )
    store.cleanup()
    for _, sha in reported:
        assert len(store.get(sha)) > 0  # present, decrypts, hash verified
    for sha in store.hashes():  # and whatever else got durable is intact too
        store.get(sha)
    assert not list(store.root.glob("??/??/.tmp-*"))


CASE_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    from clerk_app.app_context import build_context
    from clerk_app.scan_session import ScanRequest
    from clerk_app.settings import Settings
    from devices.scanners.base import ScanOptions, ScanSource
    from devices.scanners.factory import create_backend

    config_dir, data_dir, case_id, line = sys.argv[2:6]
    ctx = build_context(Settings(demo=True, data_dir=data_dir))
    actor = ctx.users.authenticate("clerk", "Clerk2026")
    scanner = create_backend("sane", config_dir=config_dir).open("test:0")
    scanner.set_device_option("test_picture", "Grid")
    scanner.set_device_option("read_delay", True)
    scanner.set_device_option("read_delay_duration", 40000)

    # The app's own path: the scan service, pages processed on the pipeline's two threads and filed
    # from there in scan order; each filed page is reported once it is committed.
    ctx.scans.run(
        actor, scanner, ScanOptions(source=ScanSource.ADF, dpi=100), ScanRequest(case_id, line),
        on_filed=lambda view: print(view.id, view.position, view.sha256, flush=True),
    )
    print("finished", flush=True)
""")


def test_case_pages_before_a_kill_survive_with_counts_and_order(tmp_path: Path, sane_config_dir: Path):
    """The whole path the app takes (ctx.scans): SANE → pipelined processing → PageService; after a
    SIGKILL and a restart the line holds every page reported, in order, with a matching count."""
    from clerk_app.app_context import build_context
    from clerk_app.demo import seed_demo_users
    from clerk_app.settings import Settings

    ctx = build_context(Settings(demo=True, data_dir=str(tmp_path)))
    seed_demo_users(ctx)
    clerk = ctx.users.authenticate("clerk", "Clerk2026")
    case_id = ctx.cases.start_case(clerk, "SC-GTGSH-SL", {"premises": "rented"})
    line = ctx.cases.get(clerk, case_id).lines[0].code
    ctx.close()

    script = tmp_path / "scan_case.py"
    script.write_text(CASE_SCRIPT)
    reported: list[tuple[int, int, str]] = []
    with (
        (tmp_path / "stderr.txt").open("w") as errors,
        subprocess.Popen(
            [sys.executable, str(script), str(REPO), str(sane_config_dir), str(tmp_path), case_id, line],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        ) as proc,
    ):
        assert proc.stdout is not None
        try:
            while len(reported) < 3:
                text = proc.stdout.readline()
                if not text:
                    break
                page_id, position, sha = text.split()
                reported.append((int(page_id), int(position), sha))
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
    assert proc.returncode == -signal.SIGKILL, (tmp_path / "stderr.txt").read_text()
    assert [position for _, position, _ in reported] == [0, 1, 2]

    ctx = build_context(Settings(demo=True, data_dir=str(tmp_path)))  # restart
    try:
        pages = ctx.pages
        stored = pages.pages(case_id, line)
        # Every reported page is there, in scan order; a page committed after the last report
        # may be there too, never a gap or a row without its image.
        assert [(p.id, p.position, p.sha256) for p in stored[:3]] == reported
        assert [p.position for p in stored] == list(range(len(stored)))
        assert pages.counts(case_id)[line] == len(stored)
        for page in stored:
            assert len(pages.image(system_actor("S"), page.id)[0]) == page.size
    finally:
        ctx.close()
