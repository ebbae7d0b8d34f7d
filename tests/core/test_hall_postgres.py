"""Issue 14 part 1 on a real PostgreSQL: two stations (own keyrings, own data folders) of one hall.

Station B enrols through an admin at station A (fingerprint compared), then reveals an applicant
saved at A, reads A's page from the hall database and finds A's applicant by ID number; a key
rotation at A reaches B; a revoked station cannot start. Pages live in ``attachment_blobs``.
"""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import func, select

from clerk_app.app_context import build_context, file_keyring
from clerk_app.attachments import AttachmentCorrupt, DatabaseAttachmentStore
from clerk_app.cli import main as cli_main
from clerk_app.persons import PersonData
from clerk_app.search import CaseSearch, SearchCriteria
from clerk_app.security.crypto import FieldCipher
from clerk_app.security.hall_keys import EnrolmentError, StationNotEnrolled, StationRevoked
from clerk_app.security.rotation import KeyRotation
from clerk_app.settings import Settings
from clerk_app.store.models import AttachmentBlob, Page
from tests.helpers.core import make_world
from tests.helpers.supervision import ID_NUMBER, accepted_case


def _station_b(tmp_path, url):
    settings = Settings(data_dir=str(tmp_path / "b"), database_url=url, station_code="WH02", window_no="2")
    return build_context(settings, clock=None, keyring_module=file_keyring(tmp_path / "b" / "keyring.cfg"))


@pytest.fixture
def two_stations(tmp_path, postgres_url):
    a = make_world(tmp_path / "a", database_url=postgres_url)
    with pytest.raises(StationNotEnrolled) as info:
        _station_b(tmp_path, postgres_url)
    fp = info.value.params["fingerprint"]
    assert "clerk-app admin enrol-hall-station WH02" in info.value.user_message("zh_CN")
    admin = a.login("admin")
    with pytest.raises(EnrolmentError):
        a.ctx.keys.enrol_station(a.ctx.auditor, admin, "WH02", "0000-0000-0000-0000")
    info_b = a.ctx.keys.enrol_station(a.ctx.auditor, admin, "WH02", str(fp).lower())
    assert info_b.status == "enrolled" and info_b.fingerprint == fp
    b = _station_b(tmp_path, postgres_url)
    yield a, b
    b.close()
    a.ctx.close()


def test_station_b_reads_what_station_a_saved(two_stations):
    a, b = two_stations
    assert isinstance(a.ctx.pages.store, DatabaseAttachmentStore)
    cid = accepted_case(a, a.login("clerk"), a.ctx.pages.store, pages=2)
    clerk_b = b.users.authenticate("clerk", "Clerk2026")
    view = b.cases.reveal_applicant(clerk_b, cid, "核对身份")
    assert view.document_number == ID_NUMBER and not view.masked
    with b.sessions() as s:
        page_ids = list(s.scalars(select(Page.id)))
        assert s.scalar(select(func.count()).select_from(AttachmentBlob)) == 2
    for page_id in page_ids:
        data, mime, _ = b.pages.image(clerk_b, page_id)
        assert mime == "image/png" and data.startswith(b"\x89PNG")
    found = CaseSearch(b.sessions, b.persons, b.auditor).search(clerk_b, SearchCriteria(id_number=ID_NUMBER.lower()))
    assert [r.id for r in found.rows] == [cid]


def test_rotation_at_a_reaches_b(two_stations):
    a, b = two_stations
    store = a.ctx.pages.store
    cid = accepted_case(a, a.login("clerk"), store, pages=1)
    rotation = KeyRotation(a.ctx.sessions, a.ctx.keys, FieldCipher(a.ctx.keys, "fields"), store, a.ctx.auditor)
    result = rotation.rotate(a.login("admin"))
    assert result.version == 2 and result.persons == 1 and result.files == 1 and rotation.status().complete
    # B was running: it opens v2 (wrapped for it at rotation) the first time it meets it
    clerk_b = b.users.authenticate("clerk", "Clerk2026")
    assert b.cases.reveal_applicant(clerk_b, cid, "核对").document_number == ID_NUMBER
    with b.sessions() as s:
        (page_id,) = s.scalars(select(Page.id))
    assert b.pages.image(clerk_b, page_id)[0].startswith(b"\x89PNG")
    # and what B saves now is readable at A
    with b.sessions.begin() as s:
        pid = b.persons.save(s, PersonData(name="李四", document_number="110105198001010016")).id
    with a.ctx.sessions() as s:
        from clerk_app.store.models import Person

        assert a.ctx.persons.load(s.get(Person, pid)).name == "李四"


def test_revoked_station_cannot_start(tmp_path, postgres_url, two_stations):
    a, b = two_stations
    b.close()
    admin = a.login("admin")
    with pytest.raises(EnrolmentError):
        a.ctx.keys.revoke_station(a.ctx.auditor, admin, "WH01")  # not itself
    a.ctx.keys.revoke_station(a.ctx.auditor, admin, "WH02")
    with pytest.raises(StationRevoked) as info:
        _station_b(tmp_path, postgres_url)
    assert "已被管理员从本厅撤销" in info.value.user_message("zh_CN")


def test_database_page_store_quarantines_and_is_shared(two_stations):
    a, b = two_stations
    data = b"\x89PNG page " * 1000
    sha = a.ctx.pages.store.put(data, "image/png").sha256
    assert b.pages.store.get(sha) == data and b.pages.store.size(sha) == len(data)
    assert a.ctx.pages.store.put(data, "image/png").sha256 == sha  # content-addressed: one row
    with a.ctx.sessions.begin() as s:
        row = s.get(AttachmentBlob, sha)
        row.data = row.data[:-1] + bytes([row.data[-1] ^ 1])
    with pytest.raises(AttachmentCorrupt):
        b.pages.store.get(sha)
    (entry,) = a.ctx.pages.store.quarantined()
    assert entry.sha256 == sha and entry.where.startswith("attachment_quarantine:")
    assert not b.pages.store.exists(sha)
    a.ctx.pages.store.put(data, "image/png")  # the rescanned page
    assert hashlib.sha256(b.pages.store.get(sha)).hexdigest() == sha


def test_cli_enrolment(tmp_path, postgres_url, monkeypatch, capsys):
    """The admin commands, as documented in docs/hall-deployment.md."""
    a = make_world(tmp_path / "a", database_url=postgres_url)
    a.ctx.close()
    rings = {"WH01": tmp_path / "a" / "keyring.cfg", "WH02": tmp_path / "b" / "keyring.cfg"}

    def run(station: str, *argv: str, stdin: str = "") -> int:
        monkeypatch.setattr("clerk_app.app_context.system_keyring", lambda: file_keyring(rings[station]))
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        settings_file = tmp_path / f"{station}.toml"
        settings_file.write_text(
            f'station_code = "{station}"\ndatabase_url = "{postgres_url}"\ndata_dir = "{tmp_path / station}"\n',
            encoding="utf-8",
        )
        return cli_main(["--settings", str(settings_file), "admin", *argv])

    assert run("WH02", "hall-stations") == 2
    err = capsys.readouterr().err
    assert "尚未加入" in err
    fp = err.split("指纹 ")[1].split("；")[0]
    assert run("WH01", "enrol-hall-station", "WH02", "--admin-user", "admin", stdin=f"Admin2026\n{fp}\n") == 0
    assert run("WH02", "hall-stations") == 0
    out = capsys.readouterr().out
    assert "WH01\tenrolled" in out and f"WH02\tenrolled\t{fp}" in out


def test_a_key_this_station_lacks_is_not_taken_for_damage(two_stations):
    """Issue 16: a page under a key version this station cannot open is reported as a key problem
    and left where it is — never quarantined, never overwritten."""
    from sqlalchemy import delete

    from clerk_app.security.hall_keys import DataKeyMissing
    from clerk_app.store.models import HallKeyWrap

    a, b = two_stations
    a.ctx.keys.rotate()
    data = b"\x89PNG under v2 " * 500
    sha = a.ctx.pages.store.put(data, "image/png").sha256
    assert a.ctx.pages.store.key_version(sha) == 2
    with a.ctx.sessions.begin() as s:  # as if B had been enrolled from an old state
        s.execute(delete(HallKeyWrap).where(HallKeyWrap.station_code == "WH02", HallKeyWrap.version == 2))
    with pytest.raises(DataKeyMissing):
        b.pages.store.get(sha)
    with pytest.raises(DataKeyMissing):
        b.pages.store.put(data, "image/png")
    assert b.pages.store.quarantined() == []
    assert a.ctx.pages.store.get(sha) == data  # untouched
