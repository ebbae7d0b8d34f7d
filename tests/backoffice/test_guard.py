"""Issue 16 items 6 (back office) and 7: bodies refused before they are read, ratings kept per station
without an existence oracle, /v1/health touching the database, a start timeout that stops uvicorn."""

from __future__ import annotations

import socket
import subprocess
import time
import uuid

import httpx
import pytest
from sqlalchemy import select

from backoffice.models import Rating

pytestmark = pytest.mark.postgres

HUNDRED_MB = 100 * 1024 * 1024


def _raw(port: int, head: str, body: bytes = b"", wait: float = 5.0) -> tuple[bytes, float]:
    """Send a request head (and optionally a little body) and read the answer without sending the
    rest; returns (answer, seconds until it came)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        t0 = time.monotonic()
        sock.sendall(head.encode() + b"\r\n" + body)
        data = b""
        while b"\r\n\r\n" not in data:
            part = sock.recv(65536)
            if not part:
                break
            data += part
        seconds = time.monotonic() - t0
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")), 0
        )
        while len(body) < length:
            part = sock.recv(65536)
            if not part:
                break
            body += part
        return head + b"\r\n\r\n" + body, seconds


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _server_pids(backoffice) -> list[int]:
    """uvicorn's process and its workers."""
    pid = backoffice._proc.pid
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid, *map(int, out)]


@pytest.mark.parametrize(
    "path, auth",
    [
        ("/v1/case-packets", ""),
        ("/v1/case-packets", "Authorization: Bearer not-a-token\r\n"),
        ("/v1/cases/" + str(uuid.uuid4()) + "/attachments/" + "a" * 64 + "?offset=0", ""),
        ("/v1/auth/token", ""),
        ("/v1/admin/catalogue", ""),
    ],
    ids=["packet, no token", "packet, bad token", "chunk, no token", "token endpoint", "admin publication"],
)
def test_hundred_megabyte_body_refused_before_it_is_read(backoffice, path, auth):
    """Was: the whole body read (111 → 416 MB) before the 401."""
    method = "PUT" if "/attachments/" in path else "POST"
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: x\r\n{auth}"
        f"Content-Type: application/json\r\nContent-Length: {HUNDRED_MB}\r\n"
    )
    rss_before = sum(_rss_kib(p) for p in _server_pids(backoffice))
    answer, seconds = _raw(backoffice.port, head, b"{")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"too_large"' in answer
    assert seconds < 2.0
    assert sum(_rss_kib(p) for p in _server_pids(backoffice)) - rss_before < 20 * 1024


def test_unauthenticated_streamed_body_refused_before_it_is_read(backoffice):
    """Chunked (no length to judge by): a call without a token is answered 401 at once."""
    head = (
        "POST /v1/case-packets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
    )
    answer, seconds = _raw(backoffice.port, head, b"10000\r\n" + b" " * 1000)
    assert answer.startswith(b"HTTP/1.1 401") and seconds < 2.0, answer[:200]


def test_streamed_body_over_the_limit_is_cut_off(backoffice):
    """An authenticated station streaming more than the limit gets 413 when it crosses it."""
    secret = httpx.post(
        backoffice.url + "/v1/stations/register",
        json={"station_code": "G01", "enrolment_code": backoffice.add_station("G01")},
    ).json()["station_secret"]
    token = httpx.post(
        backoffice.url + "/v1/auth/token", json={"station_code": "G01", "station_secret": secret}
    ).json()["access_token"]

    def chunks():
        yield b"{"
        for _ in range(6):
            yield b" " * (1024 * 1024)

    r = httpx.post(
        backoffice.url + "/v1/case-packets",
        content=chunks(),
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k", "Content-Type": "application/json"},
        timeout=30,
    )
    assert r.status_code == 413 and r.json()["error"] == "too_large"
    # A token that is wrong (not missing) still gets a readable 401 (the body is discarded, bounded),
    # so a station whose token expired mid-upload refreshes instead of seeing a reset connection.
    r = httpx.post(
        backoffice.url + "/v1/case-packets",
        content=b"{" + b" " * 500_000 + b"}",
        headers={"Authorization": "Bearer expired", "Idempotency-Key": "k", "Content-Type": "application/json"},
    )
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"


def _station(backoffice, code: str) -> httpx.Client:
    secret = httpx.post(
        backoffice.url + "/v1/stations/register",
        json={"station_code": code, "enrolment_code": backoffice.add_station(code)},
    ).json()["station_secret"]
    token = httpx.post(backoffice.url + "/v1/auth/token", json={"station_code": code, "station_secret": secret}).json()[
        "access_token"
    ]
    return httpx.Client(base_url=backoffice.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def _rating(case_id: str, level: int) -> dict:
    return {"case_id": case_id, "rating": level, "rated_at": "2026-12-03T09:00:00+08:00"}


def test_rating_of_another_stations_case_neither_lands_there_nor_reveals_it(backoffice):
    """Was: station B could rate station A's case (and its 409 told B the id existed / was rated),
    and a rating B stored first under A's key blocked A's own rating for good."""
    a, b = _station(backoffice, "RA1"), _station(backoffice, "RB1")
    case_a, unknown = str(uuid.uuid4()), str(uuid.uuid4())
    try:
        assert (
            a.post(
                f"/v1/cases/{case_a}/rating", json=_rating(case_a, 5), headers={"Idempotency-Key": f"{case_a}:rating"}
            ).status_code
            == 201
        )
        answers = []
        for cid in (case_a, unknown):
            r = b.post(f"/v1/cases/{cid}/rating", json=_rating(cid, 1), headers={"Idempotency-Key": f"{cid}:rating"})
            answers.append((r.status_code, sorted(r.json())))
        assert answers[0] == answers[1] == (201, ["case_id", "created"])  # same answer: no oracle
        # B first, then A, on a fresh id: A's rating is stored, not a 409.
        case_c = str(uuid.uuid4())
        assert (
            b.post(
                f"/v1/cases/{case_c}/rating", json=_rating(case_c, 1), headers={"Idempotency-Key": f"{case_c}:rating"}
            ).status_code
            == 201
        )
        assert (
            a.post(
                f"/v1/cases/{case_c}/rating", json=_rating(case_c, 4), headers={"Idempotency-Key": f"{case_c}:rating"}
            ).status_code
            == 201
        )
        # A's replay still answers 200; A's ratings are its own.
        assert (
            a.post(
                f"/v1/cases/{case_a}/rating", json=_rating(case_a, 5), headers={"Idempotency-Key": f"{case_a}:rating"}
            ).status_code
            == 200
        )
        with backoffice.sessions() as s:
            by_station: dict[int, set[tuple[str, int]]] = {}
            for r in s.scalars(select(Rating)):
                by_station.setdefault(r.station_id, set()).add((r.case_id, r.rating))
        assert len(by_station) == 2
        assert {(case_a, 5), (case_c, 4)} in by_station.values()
        assert {(case_a, 1), (unknown, 1), (case_c, 1)} in by_station.values()
    finally:
        a.close()
        b.close()


def test_health_checks_the_database(own_backoffice, postgres_server):
    assert httpx.get(own_backoffice.url + "/v1/health").json() == {"status": "ok", "api_version": "1", "database": "ok"}
    name = own_backoffice.database_url.rsplit("/", 1)[1]
    own_backoffice.engine.dispose()
    postgres_server._run(
        [
            f"{postgres_server.bindir}/psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(postgres_server.port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-q",
            "-c",
            f'DROP DATABASE "{name}" WITH (FORCE)',
        ]
    )
    r = httpx.get(own_backoffice.url + "/v1/health", timeout=30)
    assert r.status_code == 503 and r.json()["database"] == "unreachable"


def test_start_timeout_does_not_leave_uvicorn_running(postgres_url):
    from testsupport.backoffice_server import RunningBackOffice

    server = RunningBackOffice(postgres_url)
    server.start_timeout = 0.0  # gives up before uvicorn can answer
    with pytest.raises(RuntimeError, match="did not start"):
        server.start()
    assert server._proc is None
    server.close()
