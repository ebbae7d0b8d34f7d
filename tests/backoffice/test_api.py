"""The back office's receivers against a real PostgreSQL: idempotent packets, resumable chunks
verified by SHA-256, station credentials, the status feed and publications."""

from __future__ import annotations

import hashlib
import threading
import uuid

import httpx
import pytest

pytestmark = pytest.mark.postgres


_open_clients: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _close_clients():
    yield
    while _open_clients:
        _open_clients.pop().close()


def station_client(backoffice, code: str = "S01") -> httpx.Client:
    enrol = backoffice.add_station(code)
    c = httpx.Client(base_url=backoffice.url, timeout=10)
    _open_clients.append(c)
    r = c.post("/v1/stations/register", json={"station_code": code, "enrolment_code": enrol})
    assert r.status_code == 201
    secret = r.json()["station_secret"]
    r = c.post("/v1/auth/token", json={"station_code": code, "station_secret": secret})
    assert r.status_code == 200
    c.headers["Authorization"] = "Bearer " + r.json()["access_token"]
    return c


def packet(code: str, files: list[bytes], case_id: str | None = None) -> dict:
    shas = [hashlib.sha256(f).hexdigest() for f in files]
    return {
        "schema_version": "case-packet/1",
        "case_id": case_id or str(uuid.uuid4()),
        "case_number": None,
        "station_code": code,
        "window_no": "01",
        "item_code": "SC-GTGSH-SL",
        "item_name": "个体工商户设立登记",
        "catalogue_version": "2026.1",
        "decision": "accepted",
        "answers": {"via_agent": False},
        "applicant": {"kind": "person", "name": "张三"},
        "agent": None,
        "lines": [
            {
                "requirement_code": "ID",
                "name": "身份证明",
                "form": "original",
                "status": "verified",
                "originals_received": 1,
                "copies_received": 0,
                "pages": [{"position": i, "sha256": s} for i, s in enumerate(shas)],
            }
        ],
        "attachments": [{"sha256": s, "size": len(f), "mime": "image/png"} for s, f in zip(shas, files)],
    }


def test_same_packet_twice_is_one_case_and_a_changed_body_is_409(backoffice):
    c = station_client(backoffice)
    p = packet("S01", [b"page"])
    r1 = c.post("/v1/case-packets", json=p, headers={"Idempotency-Key": p["case_id"] + ":packet"})
    r2 = c.post("/v1/case-packets", json=p, headers={"Idempotency-Key": p["case_id"] + ":packet"})
    assert (r1.status_code, r2.status_code) == (201, 200)
    assert r1.json()["missing_attachments"] == r2.json()["missing_attachments"]
    changed = dict(p, window_no="02")
    r3 = c.post("/v1/case-packets", json=changed, headers={"Idempotency-Key": p["case_id"] + ":packet"})
    assert r3.status_code == 409 and r3.json()["error"] == "idempotency_conflict"
    r4 = c.post("/v1/case-packets", json=p, headers={"Idempotency-Key": "another-key"})
    assert r4.status_code == 409 and r4.json()["error"] == "case_exists"
    assert backoffice.case_count() == 1


def test_concurrent_duplicates_converge_on_one_case(backoffice):
    c = station_client(backoffice)
    packets = [packet("S01", [f"p{i}".encode()]) for i in range(10)]
    codes: list[int] = []

    def send(p: dict) -> None:
        with httpx.Client(base_url=backoffice.url, headers=dict(c.headers), timeout=10) as own:
            codes.append(own.post("/v1/case-packets", json=p, headers={"Idempotency-Key": p["case_id"]}).status_code)

    threads = [threading.Thread(target=send, args=(p,)) for p in packets for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200] * 20 + [201] * 10, codes
    assert backoffice.case_count() == 10


def test_chunks_resume_and_the_hash_is_verified(backoffice):
    c = station_client(backoffice)
    data = bytes(range(256)) * 100
    p = packet("S01", [data])
    sha = p["attachments"][0]["sha256"]
    c.post("/v1/case-packets", json=p, headers={"Idempotency-Key": "k"})
    url = f"/v1/cases/{p['case_id']}/attachments/{sha}"
    assert c.get(url).json() == {"sha256": sha, "size": len(data), "offset": 0, "complete": False}
    assert c.put(url, params={"offset": 0}, content=data[:10000]).json()["offset"] == 10000
    # A retry of a chunk already held is acknowledged, not stored twice.
    assert c.put(url, params={"offset": 0}, content=data[:10000]).json()["offset"] == 10000
    gap = c.put(url, params={"offset": 15000}, content=data[15000:])
    assert gap.status_code == 409 and gap.json() == {
        "error": "offset_mismatch",
        "offset": 10000,
        "message": gap.json()["message"],
    }
    assert c.post(url + "/finalize").json()["error"] == "incomplete"
    assert c.put(url, params={"offset": 10000}, content=data[10000:]).json()["offset"] == len(data)
    assert c.post(url + "/finalize").json()["complete"] is True
    assert c.post(url + "/finalize").status_code == 200  # idempotent
    feed = c.get("/v1/status-feed").json()
    assert [e["status"] for e in feed["events"]] == ["received"]
    ((complete, digest, stored),) = backoffice.attachment_digests().values()
    assert complete and digest == sha and stored == len(data)


def test_packet_with_pages_inline_is_one_request_and_checked_against_the_manifest(backoffice):
    import base64

    c = station_client(backoffice)
    files = [b"first page" * 300, b"second page" * 200]
    p = packet("S01", files)
    shas = [a["sha256"] for a in p["attachments"]]

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    url = "/v1/case-packets/with-pages"
    # a page that is not the manifest's (other bytes under its hash), and one not in it: 422, nothing stored
    wrong = c.post(url, json={"packet": p, "pages": {shas[0]: b64(b"other")}}, headers={"Idempotency-Key": "k1"})
    assert wrong.status_code == 422 and wrong.json()["error"] == "hash_mismatch"
    stranger = hashlib.sha256(b"x").hexdigest()
    wrong = c.post(url, json={"packet": p, "pages": {stranger: b64(b"x")}}, headers={"Idempotency-Key": "k1"})
    assert wrong.status_code == 422
    garbled = c.post(url, json={"packet": p, "pages": {shas[0]: "not base64!"}}, headers={"Idempotency-Key": "k1"})
    assert garbled.status_code == 422
    assert backoffice.case_count() == 0

    # one page inline: the case waits for the other; a replay with it completes the case
    first = c.post(url, json={"packet": p, "pages": {shas[0]: b64(files[0])}}, headers={"Idempotency-Key": "k1"})
    assert first.status_code == 201 and first.json()["missing_attachments"] == [shas[1]]
    assert first.json()["status"] == "receiving"
    pages = {sha: b64(f) for sha, f in zip(shas, files, strict=True)}
    again = c.post(url, json={"packet": p, "pages": pages}, headers={"Idempotency-Key": "k1"})
    assert again.status_code == 200 and again.json()["missing_attachments"] == []
    assert again.json()["status"] == "received"
    digests = backoffice.attachment_digests()
    assert sorted(d for _c, d, _n in digests.values()) == sorted(shas)
    assert all(complete for complete, _d, _n in digests.values())

    # a whole case in one request
    q = packet("S01", [b"only page"])
    whole = c.post(
        url,
        json={"packet": q, "pages": {q["attachments"][0]["sha256"]: b64(b"only page")}},
        headers={"Idempotency-Key": "k2"},
    )
    assert whole.status_code == 201 and whole.json()["status"] == "received"
    feed = c.get("/v1/status-feed").json()
    assert [e["status"] for e in feed["events"]] == ["received", "received"]


def test_wrong_bytes_are_discarded_on_finalize(backoffice):
    c = station_client(backoffice)
    p = packet("S01", [b"A" * 100])
    sha = p["attachments"][0]["sha256"]
    c.post("/v1/case-packets", json=p, headers={"Idempotency-Key": "k"})
    url = f"/v1/cases/{p['case_id']}/attachments/{sha}"
    # Whole file in one chunk: checked at once, nothing stored.
    r = c.put(url, params={"offset": 0}, content=b"B" * 100)
    assert r.status_code == 422 and r.json()["error"] == "hash_mismatch"
    assert c.get(url).json()["offset"] == 0
    # In two chunks: checked on finalize, the bytes are discarded.
    c.put(url, params={"offset": 0}, content=b"B" * 50)
    c.put(url, params={"offset": 50}, content=b"B" * 50)
    r = c.post(url + "/finalize")
    assert r.status_code == 422 and r.json()["error"] == "hash_mismatch"
    assert c.get(url).json()["offset"] == 0
    assert c.put(url, params={"offset": 0}, content=b"A" * 100).json()["complete"] is True
    assert [e["status"] for e in c.get("/v1/status-feed").json()["events"]] == ["received"]


def test_credentials(backoffice):
    enrol = backoffice.add_station("S09")
    with httpx.Client(base_url=backoffice.url, timeout=10) as c:
        assert c.get("/v1/status-feed").status_code == 401
        assert c.get("/v1/status-feed", headers={"Authorization": "Bearer forged"}).status_code == 401
        assert (
            c.post("/v1/stations/register", json={"station_code": "S09", "enrolment_code": "guess"}).status_code == 401
        )
        r = c.post("/v1/stations/register", json={"station_code": "S09", "enrolment_code": enrol})
        assert r.status_code == 201
        # The enrolment code works once.
        assert c.post("/v1/stations/register", json={"station_code": "S09", "enrolment_code": enrol}).status_code == 401
        assert c.post("/v1/auth/token", json={"station_code": "S09", "station_secret": "wrong"}).status_code == 401
        secret = r.json()["station_secret"]
        assert c.post("/v1/auth/token", json={"station_code": "S09", "station_secret": secret}).status_code == 200
    with backoffice.sessions() as s:
        from backoffice.models import Station

        row = s.query(Station).filter_by(code="S09").one()
        assert secret not in (row.secret_hash or "") and row.secret_hash.startswith("scrypt$")
    # A station cannot upload in another station's name or touch its cases.
    a, b = station_client(backoffice, "SA"), station_client(backoffice, "SB")
    p = packet("SA", [b"x"])
    assert b.post("/v1/case-packets", json=p, headers={"Idempotency-Key": "k"}).status_code == 403
    assert a.post("/v1/case-packets", json=p, headers={"Idempotency-Key": "k"}).status_code == 201
    sha = p["attachments"][0]["sha256"]
    assert b.get(f"/v1/cases/{p['case_id']}/attachments/{sha}").status_code == 404
    assert b.get("/v1/status-feed").json()["events"] == []


def test_status_feed_and_admin_advance(backoffice):
    c = station_client(backoffice)
    p = packet("S01", [])
    p["lines"][0]["pages"] = []
    c.post("/v1/case-packets", json=p, headers={"Idempotency-Key": "k"})
    cid = p["case_id"]
    assert backoffice.admin("POST", f"/v1/admin/cases/{cid}/status", json={"status": "approved"}).status_code == 409
    for status in ("in_approval", "disapproved", "result_ready", "delivered"):
        r = backoffice.admin(
            "POST",
            f"/v1/admin/cases/{cid}/status",
            json={"status": status, "reason": "材料不符合法定形式" if status == "disapproved" else None},
        )
        assert r.status_code == 200, r.text
    feed = c.get("/v1/status-feed", params={"limit": 2}).json()
    assert [e["status"] for e in feed["events"]] == ["received", "in_approval"] and feed["has_more"]
    rest = c.get("/v1/status-feed", params={"after": feed["next_cursor"]}).json()
    assert [(e["status"], e["reason"]) for e in rest["events"]] == [
        ("disapproved", "材料不符合法定形式"),
        ("result_ready", None),
        ("delivered", None),
    ]
    assert not rest["has_more"]
    assert backoffice.admin("GET", "/v1/admin/cases").json()[0]["status"] == "delivered"
    with httpx.Client(base_url=backoffice.url) as anon:
        assert anon.get("/v1/admin/cases").status_code == 401


def test_publications_with_etag(backoffice):
    c = station_client(backoffice)
    assert c.get("/v1/catalogue/current").status_code == 404
    r = backoffice.admin("POST", "/v1/admin/catalogue", json={"version": "2026.2", "content": {"version": "2026.2"}})
    assert r.status_code == 201
    assert (
        backoffice.admin("POST", "/v1/admin/catalogue", json={"version": "2026.2", "content": {"other": 1}}).status_code
        == 409
    )
    got = c.get("/v1/catalogue/current")
    assert got.json()["version"] == "2026.2"
    assert c.get("/v1/catalogue/current", headers={"If-None-Match": got.headers["ETag"]}).status_code == 304
    assert c.get("/v1/calendar/current").status_code == 404


def test_text_postgresql_cannot_store_is_refused_not_a_500(backoffice):
    # Found by schemathesis: NUL or a lone surrogate (via a JSON escape) used to fail at COMMIT.
    c = station_client(backoffice)
    p = packet("S01", [b"x"])
    p["applicant"]["name"] = "张\u0000三"
    assert c.post("/v1/case-packets", json=p, headers={"Idempotency-Key": "k"}).status_code == 422
    body = '{"version": "\\udbba", "content": {}}'
    r = backoffice.admin("POST", "/v1/admin/catalogue", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert backoffice.case_count() == 0
