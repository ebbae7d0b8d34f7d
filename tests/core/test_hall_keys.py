"""Issue 16 item 1 and issue 14 part 1: the hall data key.

- a lost or wrong keyring stops the start with the recovery steps, never a new key over data;
- an escrow file restores a lost keyring (every old case and page readable again);
- a pre-hall single-station store keeps working (its station key becomes hall key v1);
- an attachment that fails to decrypt is quarantined, never overwritten.
The two-station PostgreSQL tests are in test_hall_postgres.py.
"""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from sqlalchemy import delete, select

from clerk_app.app_context import build_context, file_keyring
from clerk_app.attachments import AttachmentCorrupt, AttachmentMissing
from clerk_app.cli import main as cli_main
from clerk_app.security.escrow import (
    EscrowError,
    EscrowPassphraseWeak,
    EscrowPassphraseWrong,
    export_escrow,
    import_escrow,
)
from clerk_app.security.hall_keys import (
    DataKeyMissing,
    DataKeyWrong,
    HallKeys,
)
from clerk_app.security.keys import KEYRING_SERVICE
from clerk_app.settings import Settings
from clerk_app.store.models import AuditEvent, DataKeyVersion, HallKeyWrap, HallStation, Page, Person
from tests.helpers.core import make_world
from tests.helpers.supervision import ID_NUMBER, NAME, accepted_case

PASSPHRASE = "correct horse battery 9"


def _settings(tmp_path) -> Settings:
    return Settings(data_dir=str(tmp_path))


def _start(tmp_path, keyring_file="keyring.cfg"):
    return build_context(_settings(tmp_path), keyring_module=file_keyring(tmp_path / keyring_file))


@pytest.fixture
def hall(tmp_path):
    """A station with three accepted cases (two pages each), closed again."""
    world = make_world(tmp_path)
    clerk = world.login("clerk")
    cids = [accepted_case(world, clerk, world.ctx.pages.store, pages=2, page_seed=i) for i in range(1, 3)]
    with world.ctx.sessions() as s:
        checks = {r.version: r.check_value for r in s.scalars(select(DataKeyVersion))}
        pages = list(s.scalars(select(Page.sha256)))
    world.ctx.close()
    return {"cids": cids, "checks": checks, "pages": pages, "clock": world.clock}


def _readable(ctx, cids, pages) -> None:
    """Every applicant decrypts and every page verifies; ID search finds the cases."""
    with ctx.sessions() as s:
        for row in s.scalars(select(Person)):
            assert ctx.persons.load(row).document_number == ID_NUMBER
        found = s.scalars(select(Person.id).where(Person.id_token == ctx.persons.id_token(ID_NUMBER))).all()
    assert len(found) == len(cids)
    for sha in pages:
        assert hashlib.sha256(ctx.pages.store.get(sha)).hexdigest() == sha


def _checks(ctx) -> dict[int, str]:
    with ctx.sessions() as s:
        return {r.version: r.check_value for r in s.scalars(select(DataKeyVersion))}


# -- issue 16.1: a lost keyring ------------------------------------------------------------------


def test_lost_keyring_stops_the_start_and_makes_no_new_key(tmp_path, hall):
    (tmp_path / "keyring.cfg").unlink()  # the OS keyring was wiped / the profile recreated
    with pytest.raises(DataKeyMissing) as info:
        _start(tmp_path)
    message = info.value.user_message("zh_CN")
    assert "没有生成新密钥" in message
    assert "clerk-app admin key-import" in message and "clerk-app admin enrol-hall-station WH01" in message
    assert ID_NUMBER not in str(info.value) and NAME not in message


def test_lost_keyring_store_unchanged(tmp_path, hall):
    (tmp_path / "keyring.cfg").unlink()
    for _ in range(2):  # a clerk trying again changes nothing either
        with pytest.raises(DataKeyMissing):
            _start(tmp_path)
    from clerk_app.store.db import open_store

    engine, sessions = open_store(_settings(tmp_path).resolved_database_url())
    with sessions() as s:
        assert {r.version: r.check_value for r in s.scalars(select(DataKeyVersion))} == hall["checks"]
        station = s.get(HallStation, "WH01")
        assert station is not None and station.pending_public_key is not None  # the request for re-enrolment
    engine.dispose()


def test_wrong_keyring_stops_the_start(tmp_path, hall):
    other = tmp_path / "elsewhere"
    make_world(other).ctx.close()  # another installation's keyring for the same station code
    (tmp_path / "keyring.cfg").write_bytes((other / "keyring.cfg").read_bytes())
    with pytest.raises(DataKeyWrong) as info:
        _start(tmp_path)
    assert "密钥校验值不符" in info.value.user_message("zh_CN")


def test_a_new_key_only_for_an_empty_store(tmp_path):
    ctx = _start(tmp_path)
    assert ctx.keys.versions() == [1]
    with ctx.sessions() as s:
        assert s.get(HallStation, "WH01").status == "enrolled"
        assert s.scalar(select(HallKeyWrap.version).where(HallKeyWrap.station_code == "WH01")) == 1
    ctx.close()


def test_empty_store_but_attachments_present_makes_no_new_key(tmp_path, hall):
    """Persons purged from the database but pages still in the folder: still data, still no key."""
    from clerk_app.store.db import open_store

    engine, sessions = open_store(_settings(tmp_path).resolved_database_url())
    with sessions.begin() as s:  # as if the store were rebuilt without the key tables
        s.execute(delete(HallKeyWrap))
        s.execute(delete(HallStation))
        s.execute(delete(DataKeyVersion))
        s.execute(Person.__table__.update().values(pii=b"PURGED"))
    engine.dispose()
    (tmp_path / "keyring.cfg").unlink()
    with pytest.raises(DataKeyMissing):
        _start(tmp_path)


# -- escrow backup and restore -------------------------------------------------------------------


def test_escrow_restores_a_lost_keyring(tmp_path, hall):
    import base64

    ctx = _start(tmp_path)
    blob = export_escrow(ctx.keys, PASSPHRASE)
    key = ctx.keys.master_key(1)
    ctx.close()
    text = blob.decode()
    assert json.loads(text)["format"] == "clerk-app-hall-key-escrow"
    assert hall["checks"][1] in text  # key-check values in the clear, the key itself not
    for form in (key, key.hex().encode(), base64.b64encode(key)):
        assert form not in blob
    (tmp_path / "keyring.cfg").unlink()
    with pytest.raises(DataKeyMissing):
        _start(tmp_path)
    from clerk_app.store.db import open_store

    engine, sessions = open_store(_settings(tmp_path).resolved_database_url())
    keys = HallKeys(sessions, file_keyring(tmp_path / "keyring.cfg"), "WH01")
    with pytest.raises(EscrowPassphraseWrong):
        import_escrow(keys, blob, "not the passphrase")
    assert import_escrow(keys, blob, PASSPHRASE) == [1]
    engine.dispose()
    ctx = _start(tmp_path)
    _readable(ctx, hall["cids"], hall["pages"])
    assert _checks(ctx) == hall["checks"]
    ctx.close()


def test_escrow_file_problems_are_typed(tmp_path, hall):
    ctx = _start(tmp_path)
    with pytest.raises(EscrowPassphraseWeak) as info:
        export_escrow(ctx.keys, "short")
    assert "至少需要" in info.value.user_message("zh_CN")
    good = export_escrow(ctx.keys, PASSPHRASE)
    for bad in (b"", b"not json", b'{"format": "something else"}', b"[]", good.replace(b'"t": 3', b'"t": 1')):
        with pytest.raises(EscrowError):
            import_escrow(ctx.keys, bad, PASSPHRASE)
    # another hall's escrow file: refused, nothing changed
    other = tmp_path / "other-hall"
    other_ctx = make_world(other).ctx
    foreign = export_escrow(other_ctx.keys, PASSPHRASE)
    other_ctx.close()
    with pytest.raises(EscrowError) as info:
        import_escrow(ctx.keys, foreign, PASSPHRASE)
    assert "另一个大厅" in info.value.user_message("zh_CN")
    assert _checks(ctx) == hall["checks"]
    ctx.close()


def test_escrow_older_than_a_rotation_is_refused(tmp_path, hall):
    from clerk_app.security.crypto import FieldCipher
    from clerk_app.security.rotation import KeyRotation

    ctx = _start(tmp_path)
    old = export_escrow(ctx.keys, PASSPHRASE)
    admin = ctx.users.authenticate("admin", "Admin2026")
    KeyRotation(ctx.sessions, ctx.keys, FieldCipher(ctx.keys, "fields"), ctx.pages.store, ctx.auditor).rotate(admin)
    with pytest.raises(EscrowError) as info:
        import_escrow(ctx.keys, old, PASSPHRASE)
    assert "最新的密钥备份" in info.value.user_message("zh_CN")
    new = export_escrow(ctx.keys, PASSPHRASE)
    ctx.close()
    (tmp_path / "keyring.cfg").unlink()
    from clerk_app.store.db import open_store

    engine, sessions = open_store(_settings(tmp_path).resolved_database_url())
    assert import_escrow(HallKeys(sessions, file_keyring(tmp_path / "keyring.cfg"), "WH01"), new, PASSPHRASE) == [1, 2]
    engine.dispose()
    ctx = _start(tmp_path)
    _readable(ctx, hall["cids"], hall["pages"])
    ctx.close()


def test_cli_key_export_and_import(tmp_path, hall, monkeypatch, capsys):
    escrow = tmp_path / "escrow.json"
    base = ["--data-dir", str(tmp_path), "admin"]
    monkeypatch.setattr("clerk_app.app_context.system_keyring", lambda: file_keyring(tmp_path / "keyring.cfg"))
    monkeypatch.setattr("sys.stdin", io.StringIO(f"Admin2026\n{PASSPHRASE}\n{PASSPHRASE}\n"))
    assert cli_main(base + ["key-export", str(escrow), "--admin-user", "admin"]) == 0
    assert oct(escrow.stat().st_mode & 0o777) == "0o600"
    monkeypatch.setattr("sys.stdin", io.StringIO(f"Admin2026\n{PASSPHRASE}\n{PASSPHRASE}\n"))
    assert cli_main(base + ["key-export", str(escrow), "--admin-user", "admin"]) == 2  # never overwritten
    (tmp_path / "keyring.cfg").unlink()
    assert cli_main(base + ["hall-stations"]) == 2  # cannot start: the message says what to do
    assert "clerk-app admin key-import" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("Admin2026\nwrong passphrase!!\n"))
    assert cli_main(base + ["key-import", str(escrow), "--admin-user", "admin"]) == 2
    assert "口令不正确" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(f"Admin2026\n{PASSPHRASE}\n"))
    assert cli_main(base + ["key-import", str(escrow), "--admin-user", "admin"]) == 0
    assert cli_main(base + ["hall-stations"]) == 0
    assert "WH01\tenrolled" in capsys.readouterr().out
    ctx = _start(tmp_path)
    _readable(ctx, hall["cids"], hall["pages"])
    with ctx.sessions() as s:
        actions = set(s.scalars(select(AuditEvent.action)))
    ctx.close()
    assert {"key.export", "key.import"} <= actions
    assert ctx.auditor.verify() is None


# -- a pre-hall store (per-station key in the keyring) -------------------------------------------


def _make_pre_hall(tmp_path) -> None:
    """Turn the store into what a station had before the hall key: no key tables, the key under
    the old keyring entry ``data-key:<station>:v1``."""
    ring = file_keyring(tmp_path / "keyring.cfg")
    ctx = _start(tmp_path)
    key = ctx.keys.master_key(1)
    with ctx.sessions.begin() as s:
        s.execute(delete(HallKeyWrap))
        s.execute(delete(HallStation))
        s.execute(delete(DataKeyVersion))
    ctx.close()
    import base64

    ring.delete_password(KEYRING_SERVICE, "hall-station-key:WH01")
    ring.set_password(KEYRING_SERVICE, "data-key:WH01:v1", base64.b64encode(key).decode())


def test_pre_hall_station_key_becomes_hall_key_v1(tmp_path, hall):
    _make_pre_hall(tmp_path)
    ctx = _start(tmp_path)
    _readable(ctx, hall["cids"], hall["pages"])
    assert _checks(ctx) == hall["checks"]  # the same key: nothing re-encrypted, tokens unchanged
    ctx.close()


def test_pre_hall_store_with_a_wrong_old_key_stops(tmp_path, hall):
    import base64
    import os

    _make_pre_hall(tmp_path)
    ring = file_keyring(tmp_path / "keyring.cfg")
    ring.set_password(KEYRING_SERVICE, "data-key:WH01:v1", base64.b64encode(os.urandom(32)).decode())
    with pytest.raises(DataKeyWrong) as info:
        _start(tmp_path)
    assert len(info.value.params["fingerprint"]) == 19  # the station's key, for a re-enrolment
    assert _rows(tmp_path) == 0  # nothing recorded for the wrong key


def test_pre_hall_store_without_its_key_stops(tmp_path, hall):
    _make_pre_hall(tmp_path)
    file_keyring(tmp_path / "keyring.cfg").delete_password(KEYRING_SERVICE, "data-key:WH01:v1")
    with pytest.raises(DataKeyMissing):
        _start(tmp_path)
    assert _rows(tmp_path) == 0


def _rows(tmp_path) -> int:
    from clerk_app.store.db import open_store

    engine, sessions = open_store(_settings(tmp_path).resolved_database_url())
    with sessions() as s:
        n = len(s.scalars(select(DataKeyVersion)).all())
    engine.dispose()
    return n


# -- quarantine instead of overwrite -------------------------------------------------------------


def test_page_that_fails_to_decrypt_is_quarantined_not_overwritten(tmp_path, hall):
    ctx = _start(tmp_path)
    store = ctx.pages.store
    sha = hall["pages"][0]
    path = store.path_of(sha)
    damaged = bytearray(path.read_bytes())
    damaged[40] ^= 0xFF
    path.write_bytes(bytes(damaged))
    with pytest.raises(AttachmentCorrupt) as info:
        store.get(sha)
    assert "隔离" in info.value.user_message("zh_CN")
    entries = store.quarantined()
    assert [e.sha256 for e in entries] == [sha]
    from pathlib import Path

    assert Path(entries[0].where).read_bytes() == bytes(damaged)  # kept as it was
    assert not path.exists()
    with pytest.raises(AttachmentMissing):
        store.get(sha)  # missing now (rescan the page), not silently replaced
    ctx.close()


def test_put_over_a_damaged_copy_keeps_the_damaged_one_aside(tmp_path):
    ctx = _start(tmp_path)
    store = ctx.pages.store
    data = b"\x89PNG page " * 100
    sha = store.put(data, "image/png").sha256
    store.path_of(sha).write_bytes(b"garbage" * 10)
    store.put(data, "image/png")
    assert store.get(sha) == data
    (entry,) = store.quarantined()
    from pathlib import Path

    assert Path(entry.where).read_bytes() == b"garbage" * 10
    assert entry.reason.startswith(sha[:12])
    ctx.close()
