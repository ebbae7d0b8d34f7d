"""``POST /v1/case-packets/batch`` against the real back office (PostgreSQL): several cases in one
request and one transaction, each answered on its own — one bad case never fails or loses the others,
a replayed batch is a replay per case, the older routes and the batch agree on idempotency."""

from __future__ import annotations

import base64
import hashlib
import json
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


def test_text_that_cannot_be_stored_is_refused_for_its_case_only(backoffice):
    """A NUL or a lone surrogate in a key, the packet or a page, or an unknown field, is a 422 for that
    case (never a 500 at commit that would fail the whole batch)."""
    c = station_client(backoffice)
    ok = packet("S01", [b"fine" * 10])
    bad_text = packet("S01", [b"text" * 10])
    bad_text["item_name"] = "零\x00"
    page = b"page" * 10
    bad_page = packet("S01", [page])
    sha = bad_page["attachments"][0]["sha256"]
    cases = [
        item(ok, [b"fine" * 10]),
        item(packet("S01", [b"key" * 10]), [b"key" * 10], key="k\x00"),
        item(packet("S01", [b"sur" * 10]), [b"sur" * 10], key="k\ud800"),
        item(bad_text, [b"text" * 10]),
        item(bad_page, [page]) | {"pages": {sha: b64(page)[:-4] + "\ud800AA="}},
        item(bad_page, [page]) | {"extra": 1},
    ]
    body = json.dumps({"cases": cases})  # ensure_ascii: the surrogates travel as \ud800 escapes
    r = c.post(URL, content=body.encode(), headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == [201, 422, 422, 422, 422, 422]
    assert backoffice.case_ids() == [ok["case_id"]]


def frame(cases: list[tuple[str, dict, list[bytes]]], shas: list[list[str]] | None = None) -> bytes:
    """The binary form: a JSON head, a newline, the pages' bytes in order."""
    head = {
        "cases": [
            {
                "idempotency_key": key,
                "packet": p,
                "pages": [
                    {"sha256": (shas[n][k] if shas else hashlib.sha256(f).hexdigest()), "size": len(f)}
                    for k, f in enumerate(files)
                ],
            }
            for n, (key, p, files) in enumerate(cases)
        ]
    }
    return json.dumps(head).encode() + b"\n" + b"".join(f for _k, _p, files in cases for f in files)


BINARY = {"Content-Type": "application/vnd.clerk.case-batch"}


def test_the_binary_form_frames_pages_without_base64(backoffice):
    c = station_client(backoffice)
    files = [[b"\n\x00binary" * 90, b""], [b"second" * 70], [b"third" * 50]]
    packets = [packet("S01", f) for f in files]
    cases = [(p["case_id"] + ":packet", p, f) for p, f in zip(packets, files, strict=True)]
    shas = [[hashlib.sha256(x).hexdigest() for x in f] for f in files]
    shas[1] = ["nothex"]  # that case's page is not named by a SHA-256: refused alone
    results = c.post(URL, content=frame(cases, shas), headers=BINARY).json()["results"]
    assert [x["status"] for x in results] == [201, 422, 201]
    assert results[0]["receipt"]["status"] == "received" and results[0]["receipt"]["missing_attachments"] == []
    stored = backoffice.attachment_digests()
    assert stored[(packets[0]["case_id"], shas[0][0])][2] == len(files[0][0])
    assert sorted(backoffice.case_ids()) == sorted([packets[0]["case_id"], packets[2]["case_id"]])
    # replayed in the binary form: replays
    again = c.post(URL, content=frame([cases[0], cases[2]]), headers=BINARY).json()["results"]
    assert [x["status"] for x in again] == [200, 200]

    # framing errors are the request's (no case could be located): 422, nothing stored
    body = frame([cases[1]])
    for broken in (body[:-1], body + b"x", body.replace(b"\n", b" ", 1), b"[]\n", b"{}\n"):
        r = c.post(URL, content=broken, headers=BINARY)
        assert r.status_code == 422 and r.json()["error"] == "invalid_request", broken[:40]
    r = c.post(URL, content=body, headers={"Content-Type": "text/plain"})
    assert r.status_code == 422
    assert len(backoffice.case_ids()) == 2
