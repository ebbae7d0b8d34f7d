"""Encryption at rest and key rotation: no plaintext on disk, ID search on keyed tokens, and after a
rotation (also an interrupted one) everything re-encrypted and readable."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clerk_app.errors import PermissionDenied
from clerk_app.persons import PersonData
from clerk_app.security.crypto import FieldCipher
from clerk_app.security.rotation import KeyRotation
from clerk_app.store.models import Case, Person
from tests.helpers.supervision import ADDRESS, ID_NUMBER, NAME, accepted_case, attachment_store

OTHER_ID = "110105198001010016"
SECRET_PAGE_MARK = "身份证号 11010519491231002X 张三丰".encode()


def _all_bytes(world, att_root) -> bytes:
    world.ctx.engine.dispose()  # checkpoint nothing away: read db + WAL as they are on disk
    data = b""
    for p in sorted(world.ctx.settings.resolved_data_dir().glob("clerk.db*")):
        data += p.read_bytes()
    for p in sorted(att_root.rglob("*")):
        if p.is_file():
            data += p.read_bytes()
    return data


def _needles():
    out = []
    for text in (ID_NUMBER, NAME, ADDRESS, "13800138000"):
        for enc in ("utf-8", "utf-16-le", "utf-16-be", "gb18030"):
            out.append(text.encode(enc))
    return out


@pytest.fixture
def setup(world, tmp_path):
    store = attachment_store(world, tmp_path / "att")
    clerk = world.login("clerk")
    cids = [accepted_case(world, clerk, store, pages=2, page_seed=i) for i in range(1, 4)]
    # a page whose image bytes carry the ID number and name in plain text (e.g. a text-only scan)
    marked = store.put(b"\x89PNG fake " + SECRET_PAGE_MARK, "image/png").sha256
    rot = KeyRotation(
        world.ctx.sessions, world.ctx.keys, FieldCipher(world.ctx.keys, "fields"), store, world.ctx.auditor
    )
    return store, clerk, cids, marked, rot, tmp_path / "att"


def test_nothing_personal_in_plaintext_on_disk(world, setup):
    store, clerk, cids, marked, rot, root = setup
    blob = _all_bytes(world, root)
    assert len(blob) > 10_000
    for needle in _needles() + [SECRET_PAGE_MARK]:
        assert needle not in blob, needle


def test_id_search_works_on_encrypted_data(world, setup):
    store, clerk, cids, marked, rot, root = setup
    other = PersonData(name="李四", document_number=OTHER_ID)
    with world.ctx.sessions.begin() as s:
        world.ctx.persons.save(s, other)
    token = world.ctx.persons.id_token(ID_NUMBER.lower())  # the check char typed in lower case
    with world.ctx.sessions() as s:
        found = s.scalars(
            select(Case.id).join(Person, Person.id == Case.applicant_id).where(Person.id_token == token)
        ).all()
    assert sorted(found) == sorted(cids)


def test_rotation_reencrypts_everything_and_it_still_reads(world, setup):
    store, clerk, cids, marked, rot, root = setup
    with pytest.raises(PermissionDenied):
        rot.rotate(world.login("supervisor"))
    admin = world.login("admin")
    before = {sha: store.get(sha) for sha in store.hashes()}
    assert rot.status().complete and rot.status().version == 1
    result = rot.rotate(admin, batch=2)
    assert result.version == 2 and result.persons == 3 and result.files == len(before)
    status = rot.status()
    assert status.complete and status.version == 2
    with world.ctx.sessions() as s:
        assert {FieldCipher.key_version_of(p) for p in s.scalars(select(Person.pii))} == {2}
    assert {store.key_version(sha) for sha in store.hashes()} == {2}
    assert {sha: store.get(sha) for sha in store.hashes()} == before
    sup = world.login("supervisor")
    assert world.ctx.cases.reveal_applicant(sup, cids[0], "轮换后核对").document_number == ID_NUMBER
    # search tokens are unaffected by rotation
    with world.ctx.sessions() as s:
        assert s.scalar(select(Person.id).where(Person.id_token == world.ctx.persons.id_token(ID_NUMBER)).limit(1))
    # a new case after the rotation is written under v2
    new = accepted_case(world, clerk, store, pages=1, page_seed=9)
    assert world.ctx.cases.reveal_applicant(sup, new, "核对").name == NAME
    for needle in _needles():
        assert needle not in _all_bytes(world, root)


def test_interrupted_rotation_resumes(world, setup, monkeypatch):
    store, clerk, cids, marked, rot, root = setup
    admin = world.login("admin")
    calls = {"n": 0}
    real = store.reencrypt

    def flaky(sha):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("power cut")
        return real(sha)

    monkeypatch.setattr(store, "reencrypt", flaky)
    with pytest.raises(OSError):
        rot.rotate(admin)
    left = rot.status()
    assert left.version == 2 and left.persons_old == 0 and left.files_old > 0
    monkeypatch.setattr(store, "reencrypt", real)
    again = rot.resume(admin)
    assert again.persons == 0 and again.files == left.files_old
    assert rot.status().complete
    assert all(store.get(sha) for sha in store.hashes())


def test_cli_rotate_key(world, tmp_path, monkeypatch, capsys):
    import io

    from clerk_app import cli
    from clerk_app.attachments import AttachmentStore

    data = world.ctx.settings.resolved_data_dir()
    store = AttachmentStore(data / "attachments", FieldCipher(world.ctx.keys, "attachments"))
    accepted_case(world, world.login("clerk"), store, pages=1)
    world.ctx.close()
    settings = tmp_path / "settings.toml"
    settings.write_text(f'data_dir = "{data}"\ndemo = true\n', encoding="utf-8")
    # demo mode reads the demo file keyring in the data folder: point it at the test's keyring
    (data / "demo-keyring.cfg").write_bytes((tmp_path / "keyring.cfg").read_bytes())
    monkeypatch.setattr("sys.stdin", io.StringIO("Admin2026\n"))
    assert cli.main(["--settings", str(settings), "admin", "rotate-key", "--admin-user", "admin"]) == 0
    out = capsys.readouterr().out
    assert "data key v2: 1 person records and 1 files re-encrypted; still old: 0 records, 0 files" in out
