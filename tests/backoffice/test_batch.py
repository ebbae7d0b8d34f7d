"""``POST /v1/case-packets/batch`` against the real back office (PostgreSQL): several cases in one
request and one transaction, each answered on its own — one bad case never fails or loses the others,
a replayed batch is a replay per case, the older routes and the batch agree on idempotency."""

from __future__ import annotations

import base64
import hashlib
import threading

import pytest
from sqlalchemy import func, select

from backoffice.models import AttachmentChunk, StatusEvent
from tests.backoffice.test_api import _close_clients, packet, station_client  # noqa: F401

pytestmark = pytest.mark.postgres

URL = "/v1/case-packets/batch"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def item(p: dict, files: list[bytes], key: str | None = None) -> dict:
    return {
        "idempotency_key": key or p["case_id"] + ":packet",
        "packet": p,
        "pages": {hashlib.sha256(f).hexdigest(): b64(f) for f in files},
    }


def _events(backoffice) -> int:
    with backoffice.sessions() as s:
        return s.scalar(select(func.count()).select_from(StatusEvent))


def test_a_batch_stores_every_case_once_and_a_replay_is_a_replay_per_case(backoffice):
    c = station_client(backoffice)
    cases = [[f"case {n} page {k}".encode() * 50 for k in range(1 + n % 3)] for n in range(6)]
    packets = [packet("S01", files) for files in cases]
    body = {"cases": [item(p, files) for p, files in zip(packets, cases, strict=True)]}
    r = c.post(URL, json=body)
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["case_id"] for x in results] == [p["case_id"] for p in packets]  # the order sent
    assert [x["idempotency_key"] for x in results] == [p["case_id"] + ":packet" for p in packets]
    assert all(x["status"] == 201 and x["error"] is None for x in results)
    assert all(x["receipt"]["status"] == "received" and x["receipt"]["missing_attachments"] == [] for x in results)
    assert all(x["receipt"]["created"] for x in results)
    assert backoffice.case_count() == 6 and _events(backoffice) == 6
    digests = backoffice.attachment_digests()
    assert len(digests) == sum(len(files) for files in cases)
    assert all(complete for complete, _digest, _nbytes in digests.values())

    # The same batch again (its answer was lost): each case a replay, nothing stored twice.
    again = c.post(URL, json=body).json()["results"]
    assert all(x["status"] == 200 and not x["receipt"]["created"] for x in again)
    assert all(x["receipt"]["status"] == "received" for x in again)
    assert backoffice.case_count() == 6 and _events(backoffice) == 6
    with backoffice.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AttachmentChunk)) == len(digests)

    # The single-case route sees the batch's cases as the same cases (same key + packet = replay).
    p = packets[0]
    assert c.post("/v1/case-packets", json=p, headers={"Idempotency-Key": p["case_id"] + ":packet"}).status_code == 200


def test_one_bad_case_is_refused_alone_and_the_others_are_stored(backoffice):
    c = station_client(backoffice)
    good = [packet("S01", [f"good {n}".encode() * 40]) for n in range(3)]
    tampered = packet("S01", [b"real page" * 30])
    foreign = packet("S99", [b"other station" * 30])
    unlisted = packet("S01", [b"listed" * 30])
    unlisted["lines"][0]["pages"].append({"position": 9, "sha256": "e" * 64})
    schema_bad = packet("S01", [b"bad schema" * 30])
    schema_bad["decision"] = "maybe"
    existing = packet("S01", [b"earlier" * 30])
    c.post("/v1/case-packets", json=existing, headers={"Idempotency-Key": "earlier-key"})
    body = {
        "cases": [
            item(good[0], [f"good {0}".encode() * 40]),
            item(tampered, [b"real page" * 30]) | {"pages": {tampered["attachments"][0]["sha256"]: b64(b"forged")}},
            item(good[1], [f"good {1}".encode() * 40]),
            item(foreign, [b"other station" * 30]),
            item(unlisted, [b"listed" * 30]),
            item(schema_bad, [b"bad schema" * 30]),
            "not an object",
            item(good[0], [f"good {0}".encode() * 40]),  # the same case twice in one batch
            item(existing, [b"earlier" * 30], key="another-key"),  # the case under another key
            item(good[2], [f"good {2}".encode() * 40]) | {"pages": {"f" * 64: "not base64!"}},
        ]
    }
    results = c.post(URL, json=body).json()["results"]
    assert len(results) == 10
    assert [x["status"] for x in results] == [201, 422, 201, 403, 422, 422, 422, 422, 409, 422]
    assert [x["error"] for x in results] == [
        None,
        "hash_mismatch",
        None,
        "forbidden",
        "invalid_packet",
        "invalid_packet",
        "invalid_packet",
        "duplicate_in_batch",
        "case_exists",
        "invalid_packet",
    ]
    assert results[1]["sha256"] == tampered["attachments"][0]["sha256"] and results[1]["receipt"] is None
    assert results[5]["case_id"] == schema_bad["case_id"] and results[5]["problems"]
    assert results[6]["case_id"] is None and results[6]["idempotency_key"] is None
    # Exactly the good ones (and the earlier case) are stored, complete.
    assert sorted(backoffice.case_ids()) == sorted([good[0]["case_id"], good[1]["case_id"], existing["case_id"]])
    # good[2] was refused for its pages only: sent again correctly it is stored.
    fixed = c.post(URL, json={"cases": [item(good[2], [b"good 2" * 40])]}).json()["results"]
    assert fixed[0]["status"] == 201 and fixed[0]["receipt"]["status"] == "received"


def test_a_replay_in_a_batch_completes_pages_a_chunked_upload_left_missing(backoffice):
    c = station_client(backoffice)
    files = [b"A" * 5000, b"B" * 7000]
    p = packet("S01", files)
    key = {"Idempotency-Key": p["case_id"] + ":packet"}
    first = c.post("/v1/case-packets", json=p, headers=key).json()
    assert first["status"] == "receiving"
    sha_b = p["attachments"][1]["sha256"]
    c.put(f"/v1/cases/{p['case_id']}/attachments/{sha_b}", params={"offset": 0}, content=files[1][:3000])  # partial
    changed = dict(p, window_no="09")
    twice = item(changed, files, key=key["Idempotency-Key"])  # the same key again in the batch
    results = c.post(URL, json={"cases": [item(p, files), twice]}).json()["results"]
    assert results[0]["status"] == 200 and results[0]["receipt"]["status"] == "received"
    assert results[0]["receipt"]["missing_attachments"] == []
    assert results[1]["status"] == 422 and results[1]["error"] == "duplicate_in_batch"
    conflict = c.post(URL, json={"cases": [item(changed, files, key=key["Idempotency-Key"])]}).json()["results"]
    assert conflict[0]["status"] == 409 and conflict[0]["error"] == "idempotency_conflict"
    for (complete, digest, nbytes), f in zip(
        [backoffice.attachment_digests()[(p["case_id"], a["sha256"])] for a in p["attachments"]], files, strict=True
    ):
        assert complete and digest == hashlib.sha256(f).hexdigest() and nbytes == len(f)
    assert [e["status"] for e in c.get("/v1/status-feed").json()["events"]] == ["received"]


def test_concurrent_duplicate_batches_converge(backoffice):
    c = station_client(backoffice)
    cases = [[f"dup {n}".encode() * 100] for n in range(8)]
    body = {"cases": [item(packet("S01", files, case_id=None), files) for files in cases]}
    answers: list[list[dict]] = []

    def send() -> None:
        answers.append(c.post(URL, json=body).json()["results"])

    threads = [threading.Thread(target=send) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 3
    for results in answers:
        assert all(x["status"] in (200, 201) and x["receipt"]["status"] == "received" for x in results), results
    # each case created by exactly one of the requests
    for n in range(8):
        assert sum(a[n]["status"] == 201 for a in answers) == 1
    assert backoffice.case_count() == 8 and _events(backoffice) == 8


def test_envelope_limits(backoffice):
    c = station_client(backoffice)
    assert c.post(URL, json={"cases": []}).status_code == 422
    assert c.post(URL, json={"cases": [{}] * 101}).status_code == 422
    assert c.post(URL, json={"cases": [{}], "extra": 1}).status_code == 422
    one = c.post(URL, json={"cases": [{}]}).json()["results"]
    assert one[0]["status"] == 422 and one[0]["error"] == "invalid_packet"
