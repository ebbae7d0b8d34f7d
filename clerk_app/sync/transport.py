"""HTTP transport to the back office (API v1, docs/api/openapi.yaml) over httpx.

TLS is always verified (system CAs, or a configured CA file for a hall's own PKI); plain http is
accepted only for loopback addresses (tests, a one-machine pilot). Every call has connect/read/
write timeouts **and an overall deadline**: each socket read and write is bounded by the time left,
so a server that trickles one byte every few seconds ends at the deadline, not after the sum of the
per-read timeouts. Answers are read as a stream and refused once larger than a bound (never buffered
whole), without content encoding (no decompression bombs), and validated against the wire schema
(``clerk_app.sync.wire``) before anything is returned. Failures are sorted into transient
(``BackOfficeUnavailable``, ``InvalidAnswer``: retry later) and permanent (``RequestRejected``);
authentication is refreshed once on 401.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import socket
import ssl
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpcore
import httpx

from clerk_app.errors import ConfigurationError
from clerk_app.sync import wire
from clerk_app.sync.credentials import StationCredentials
from clerk_app.sync.errors import (
    BackOfficeUnavailable,
    InvalidAnswer,
    RequestRejected,
    ResultDocumentMismatch,
    StationNotAuthorised,
)

API_PREFIX = "/v1"
_RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class TransportSettings:
    base_url: str
    ca_file: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    write_timeout: float = 30.0
    request_deadline: float = 60.0  # overall, per request: connect + send + the whole answer
    max_answer_bytes: int = 1024 * 1024  # receipts, states, feed pages
    max_publication_bytes: int = 32 * 1024 * 1024  # a pushed catalogue or holiday calendar


@dataclass(frozen=True)
class PacketReceipt:
    case_id: str
    status: str
    created: bool
    missing_attachments: tuple[str, ...]


@dataclass(frozen=True)
class BatchCase:
    """One case of a batch upload: its idempotency key, its packet and its (small) pages by SHA-256."""

    key: str
    packet: dict[str, Any]
    pages: dict[str, bytes]


@dataclass(frozen=True)
class AttachmentState:
    sha256: str
    size: int
    offset: int
    complete: bool


@dataclass(frozen=True)
class ResultDocumentRef:
    """The result document a ``result_ready`` event names (API 1.1): download it and check the hash."""

    id: int
    sha256: str
    size: int
    filename: str = ""  # the name the department uploaded ("" when the feed names none)


@dataclass(frozen=True)
class StatusEvent:
    seq: int
    case_id: str
    status: str
    reason: str | None
    result_document: ResultDocumentRef | None = None
    # API 1.1: what a material_requested event asks for, as (name, note) pairs
    materials: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class StatusPage:
    events: tuple[StatusEvent, ...]
    next_cursor: int
    has_more: bool
    head_seq: int | None = None  # the newest event the back office holds for this station (if it says)


@dataclass(frozen=True)
class Publication:
    kind: str
    version: str
    etag: str
    content: dict[str, Any]


_deadline = threading.local()  # .at: monotonic deadline of the request running on this thread


def _bounded(timeout: float | None, kind: type[Exception]) -> float | None:
    """The socket timeout for one read/write: the per-phase timeout, cut to the request's time left."""
    end: float | None = getattr(_deadline, "at", None)
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise kind("request deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, backend: _DeadlineBackend) -> None:
        self._inner = inner
        self._backend = backend
        backend.live.add(self)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._backend.live.discard(self)
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        self._backend.live.discard(self)
        inner = self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(inner, self._backend)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)

    def abort(self) -> None:
        """Wake a read blocked in another thread (shutdown, unlike close, interrupts recv)."""
        sock = self._inner.get_extra_info("socket")
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend with every socket operation bounded by the request deadline."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner
        self.live: weakref.WeakSet[_DeadlineStream] = weakref.WeakSet()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.connect_tcp(
            host, port, _bounded(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return _DeadlineStream(inner, self)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:  # pragma: no cover - not used (http/https only)
        return _DeadlineStream(
            self._inner.connect_unix_socket(path, _bounded(timeout, httpcore.ConnectTimeout), socket_options), self
        )

    def sleep(self, seconds: float) -> None:  # pragma: no cover - used by httpcore retries only
        self._inner.sleep(seconds)

    def abort_all(self) -> None:
        for stream in list(self.live):
            stream.abort()


@dataclass(frozen=True)
class _Answer:
    """A complete, size-bounded answer (the transport never hands out a half-read stream)."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    what: str

    def json(self) -> Any:
        try:
            return json.loads(self.content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidAnswer(problem=f"{self.what}: body is not JSON") from exc


@dataclass(frozen=True)
class Anchor:
    """What the back office had seen from this station before the last anchor call."""

    audit_seq: int
    audit_hash: str
    case_counters: dict[str, int]


def _is_loopback(host: str | None) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def ssl_context(ca_file: str | None) -> ssl.SSLContext:
    """Certificate and host-name verification always on; ``ca_file`` replaces the system CAs."""
    try:
        return ssl.create_default_context(cafile=ca_file) if ca_file else ssl.create_default_context()
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(problem="CA file", detail=f"cannot load CA file: {type(exc).__name__}") from exc


class BackOfficeClient:
    """Thread-safe client of one station. Holds a bearer token in memory only."""

    def __init__(
        self,
        settings: TransportSettings,
        credentials: StationCredentials,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        parts = urlsplit(settings.base_url)
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise ConfigurationError(
                problem="back office URL", detail="plain http is only allowed to a loopback address; use https"
            )
        if parts.scheme not in ("http", "https"):
            raise ConfigurationError(problem="back office URL", detail=f"unsupported scheme {parts.scheme!r}")
        self.station_code = credentials.station_code
        self.settings = settings
        self._credentials = credentials
        timeout = httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.write_timeout,
            pool=settings.connect_timeout,
        )
        self._backend: _DeadlineBackend | None = None
        if transport is None:
            transport = httpx.HTTPTransport(verify=ssl_context(settings.ca_file))
            pool = getattr(transport, "_pool", None)
            # httpcore takes a network backend per pool; httpx does not pass one through, so it is set
            # on the pool it built (checked by tests/sync/test_wire.py::test_trickling_answer_*).
            if pool is not None and hasattr(pool, "_network_backend"):
                self._backend = _DeadlineBackend(pool._network_backend)
                pool._network_backend = self._backend
        self._http = httpx.Client(
            base_url=settings.base_url.rstrip("/"),
            timeout=timeout,
            transport=transport,
            # identity: a compressed answer could inflate far beyond the size bound while being read
            headers={"User-Agent": "clerk-app-sync/1", "Accept-Encoding": "identity"},
        )
        self._token: str | None = None
        self._token_lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    def abort(self) -> None:
        """Interrupt the requests in flight now (they fail as BackOfficeUnavailable): the worker's
        stop() calls this so a thread blocked on a silent server ends at once."""
        if self._backend is not None:
            self._backend.abort_all()

    # -- low level ----------------------------------------------------------------------------
    def _send(self, method: str, path: str, *, limit: int | None = None, **kwargs: Any) -> _Answer:
        what = f"{method} {path.split('/')[1]}"
        limit = limit or self.settings.max_answer_bytes
        deadline = self.settings.request_deadline
        _deadline.at = time.monotonic() + deadline
        try:
            request = self._http.build_request(method, API_PREFIX + path, **kwargs)
            response = self._http.send(request, stream=True)
            try:
                if response.status_code in _RETRYABLE_STATUS:
                    raise BackOfficeUnavailable(problem=f"HTTP {response.status_code}", detail=what)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise InvalidAnswer(problem=f"{what}: answer larger than {limit} bytes")
                body = bytearray()
                for part in response.iter_raw():
                    body += part
                    if len(body) > limit:
                        raise InvalidAnswer(problem=f"{what}: answer larger than {limit} bytes")
            finally:
                response.close()
        except httpx.TransportError as exc:  # connect/read/write errors, timeouts, resets, protocol
            late = time.monotonic() >= _deadline.at
            problem = f"no complete answer within {deadline:g} s" if late else type(exc).__name__
            raise BackOfficeUnavailable(problem=problem, detail=what) from exc
        finally:
            _deadline.at = None
        return _Answer(response.status_code, response.headers, bytes(body), what)

    def _reject(self, response: _Answer) -> RequestRejected:
        try:
            body = response.json()
        except InvalidAnswer:
            body = {}
        code = str(body.get("error", "error"))[:64] if isinstance(body, dict) else "error"
        offset = body.get("offset") if isinstance(body, dict) else None
        # Field paths of a schema refusal help the log; the server never echoes values.
        problems = body.get("problems", []) if isinstance(body, dict) else []
        fields = [
            ".".join(map(str, p.get("loc", []) if isinstance(p.get("loc"), list) else []))
            for p in (problems if isinstance(problems, list) else [])
            if isinstance(p, dict)
        ]
        detail = f"HTTP {response.status_code} {code}" + (f" at {', '.join(fields[:5])}" if fields else "")
        return RequestRejected(
            status=response.status_code,
            code=code,
            detail=detail,
            offset=offset if isinstance(offset, int) and not isinstance(offset, bool) and offset >= 0 else None,
        )

    def _authorised(self, method: str, path: str, **kwargs: Any) -> _Answer:
        """Send with the bearer token; on 401 fetch a new token once and resend."""
        for attempt in (1, 2):
            token = self._ensure_token(force=attempt == 2)
            headers = dict(kwargs.pop("headers", None) or {})
            headers["Authorization"] = f"Bearer {token}"
            response = self._send(method, path, headers=headers, **kwargs)
            if response.status_code != 401:
                return response
            kwargs["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
        raise StationNotAuthorised(detail="401 after token refresh")

    def _ensure_token(self, force: bool = False) -> str:
        with self._token_lock:
            if self._token is None or force:
                secret = self._credentials.secret()
                if not secret:
                    raise StationNotAuthorised(detail="no station secret in the keyring")
                response = self._send(
                    "POST", "/auth/token", json={"station_code": self.station_code, "station_secret": secret}
                )
                if response.status_code == 401:
                    raise StationNotAuthorised(detail="token refused")
                if response.status_code != 200:
                    raise self._reject(response)
                self._token = wire.string(wire.obj(response.json(), "token"), "access_token", "token", max_len=4096)
            return self._token

    # -- API ----------------------------------------------------------------------------------
    def health(self) -> bool:
        response = self._send("GET", "/health")
        return response.status_code == 200

    def register(self, enrolment_code: str) -> None:
        """First start of a station: trade the one-time enrolment code for the station secret, which
        goes straight into the keyring."""
        response = self._send(
            "POST", "/stations/register", json={"station_code": self.station_code, "enrolment_code": enrolment_code}
        )
        if response.status_code == 401:
            raise StationNotAuthorised(detail="enrolment code refused")
        if response.status_code != 201:
            raise self._reject(response)
        body = wire.obj(response.json(), "register")
        self._credentials.store(wire.string(body, "station_secret", "register", max_len=4096))
        with self._token_lock:
            self._token = None

    def _receipt(self, response: _Answer, what: str, case_id: str, body: dict[str, Any]) -> PacketReceipt:
        """A packet/supplements receipt, checked: this case, a known status, and only files of the
        manifest just sent listed as missing (a string there used to be read as its characters)."""
        if response.status_code not in (200, 201):
            raise self._reject(response)
        return _checked_receipt(response.json(), what, case_id, body)

    def upload_packet_batch(self, cases: list[BatchCase]) -> list[PacketReceipt | RequestRejected] | None:
        """Several case packets with their pages inline in one request (one back-office transaction);
        one result per case, in the order sent: its receipt, or its own refusal. None when the back
        office does not offer the route (an older one: 404/405), so the caller sends case by case.

        The answer is checked as a whole before anything is returned: exactly one result per case sent,
        each naming the key and case it answers, a receipt (checked like a single receipt) or a 4xx
        refusal — never both, never neither. Anything else is ``InvalidAnswer`` for the whole batch
        (transient: nothing is marked, the cases are sent again later)."""
        # The answer holds one small receipt per case: bounded by the batch's size, not the default.
        limit = max(self.settings.max_answer_bytes, 64 * 1024 * len(cases))
        response = self._authorised(
            "POST",
            "/case-packets/batch",
            content=_batch_body(cases),
            headers={"Content-Type": BATCH_MEDIA_TYPE},
            limit=limit,
        )
        if response.status_code in (404, 405):
            return None
        if response.status_code != 200:
            raise self._reject(response)
        what = "case packet batch"
        results = wire.array(wire.obj(response.json(), what), "results", what, max_items=len(cases))
        if len(results) != len(cases):
            raise InvalidAnswer(problem=f"{what}: {len(results)} results for {len(cases)} cases sent")
        out: list[PacketReceipt | RequestRejected] = []
        for sent, raw in zip(cases, results, strict=True):
            item = wire.obj(raw, what + " result")
            case_id = str(sent.packet["case_id"])
            # A result for another case, or out of order, must never mark this one.
            if item.get("idempotency_key") != sent.key or item.get("case_id") != case_id:
                raise InvalidAnswer(problem=f"{what}: a result does not answer the case sent at its place")
            status = wire.integer(item, "status", what, low=200, high=499)
            receipt, error = item.get("receipt"), item.get("error")
            if status in (200, 201):
                if error is not None:
                    raise InvalidAnswer(problem=f"{what}: a result has both a receipt and an error")
                checked = _checked_receipt(receipt, what + " receipt", case_id, sent.packet)
                if checked.created != (status == 201):
                    raise InvalidAnswer(problem=f"{what}: created does not match the result's status")
                out.append(checked)
            elif 400 <= status <= 499 and receipt is None:
                code = wire.string(item, "error", what, max_len=64)
                out.append(RequestRejected(status=status, code=code, detail=f"HTTP {status} {code} (in a batch)"))
            else:
                raise InvalidAnswer(problem=f"{what}: a result is neither a receipt nor a refusal")
        return out

    def upload_packet(self, idempotency_key: str, packet: dict[str, Any]) -> PacketReceipt:
        response = self._authorised("POST", "/case-packets", json=packet, headers={"Idempotency-Key": idempotency_key})
        return self._receipt(response, "case packet receipt", str(packet["case_id"]), packet)

    def upload_packet_with_pages(
        self, idempotency_key: str, packet: dict[str, Any], pages: dict[str, bytes]
    ) -> PacketReceipt | None:
        """The packet with its (small) pages inline: one request, one back-office transaction. None
        when the back office does not offer it (404, an older one): the caller uses the chunked path."""
        body = {"packet": packet, "pages": {sha: base64.b64encode(data).decode("ascii") for sha, data in pages.items()}}
        response = self._authorised(
            "POST", "/case-packets/with-pages", json=body, headers={"Idempotency-Key": idempotency_key}
        )
        if response.status_code == 404:
            return None
        return self._receipt(response, "case packet receipt", str(packet["case_id"]), packet)

    def upload_rating(self, idempotency_key: str, case_id: str, rating: dict[str, Any]) -> bool:
        """The applicant's rating of a case; True if stored now, False for a replay."""
        response = self._authorised(
            "POST", f"/cases/{quote(case_id)}/rating", json=rating, headers={"Idempotency-Key": idempotency_key}
        )
        if response.status_code not in (200, 201):
            raise self._reject(response)
        data = wire.obj(response.json(), "rating receipt")
        if wire.string(data, "case_id", "rating receipt") != case_id:
            raise InvalidAnswer(problem="rating receipt: case_id is not the case sent")
        wire.boolean(data, "created", "rating receipt")
        return response.status_code == 201

    def upload_outcome(self, idempotency_key: str, case_id: str, body: dict[str, Any]) -> bool:
        """An outcome after the decision (return, rejection, delivery, void, correction); True if
        stored now, False for a replay of the same key and body."""
        response = self._authorised(
            "POST", f"/cases/{quote(case_id)}/outcomes", json=body, headers={"Idempotency-Key": idempotency_key}
        )
        if response.status_code not in (200, 201):
            raise self._reject(response)
        data = wire.obj(response.json(), "outcome receipt")
        if wire.string(data, "case_id", "outcome receipt") != case_id:
            raise InvalidAnswer(problem="outcome receipt: case_id is not the case sent")
        if wire.string(data, "outcome", "outcome receipt") != body.get("outcome"):
            raise InvalidAnswer(problem="outcome receipt: not the outcome sent")
        wire.boolean(data, "created", "outcome receipt")
        return response.status_code == 201

    def upload_supplements(self, idempotency_key: str, case_id: str, body: dict[str, Any]) -> PacketReceipt:
        """容缺 materials that arrived after the decision; the receipt lists the files still missing."""
        response = self._authorised(
            "POST", f"/cases/{quote(case_id)}/supplements", json=body, headers={"Idempotency-Key": idempotency_key}
        )
        return self._receipt(response, "supplements receipt", case_id, body)

    def _att_path(self, case_id: str, sha256: str) -> str:
        return f"/cases/{quote(case_id)}/attachments/{quote(sha256)}"

    def _state(self, response: _Answer, sha256: str) -> AttachmentState:
        if response.status_code != 200:
            raise self._reject(response)
        what = "attachment state"
        body = wire.obj(response.json(), what)
        if wire.string(body, "sha256", what) != sha256:
            raise InvalidAnswer(problem=f"{what}: sha256 is not the file sent")
        size = wire.integer(body, "size", what)
        offset = wire.integer(body, "offset", what, high=size)
        complete = wire.boolean(body, "complete", what)
        if complete and offset != size:
            raise InvalidAnswer(problem=f"{what}: complete before the last byte")
        return AttachmentState(sha256, size, offset, complete)

    def attachment_state(self, case_id: str, sha256: str) -> AttachmentState:
        return self._state(self._authorised("GET", self._att_path(case_id, sha256)), sha256)

    def put_chunk(self, case_id: str, sha256: str, offset: int, data: bytes) -> AttachmentState:
        return self._state(
            self._authorised(
                "PUT",
                self._att_path(case_id, sha256),
                params={"offset": offset},
                content=data,
                headers={"Content-Type": "application/octet-stream"},
            ),
            sha256,
        )

    def finalize(self, case_id: str, sha256: str) -> AttachmentState:
        return self._state(self._authorised("POST", self._att_path(case_id, sha256) + "/finalize"), sha256)

    def status_feed(self, after: int, limit: int = 200) -> StatusPage:
        """Events after ``after``, checked: each seq above the previous one, at most ``limit``,
        ``has_more`` only with events (else a client would loop), ``next_cursor`` not behind."""
        response = self._authorised("GET", "/status-feed", params={"after": after, "limit": limit})
        if response.status_code != 200:
            raise self._reject(response)
        what = "status feed"
        body = wire.obj(response.json(), what)
        raw = wire.array(body, "events", what, max_items=limit)
        events = []
        last = after
        for item in raw:
            e = wire.obj(item, what + " event")
            seq = wire.integer(e, "seq", what, low=last + 1)
            events.append(
                StatusEvent(
                    seq,
                    wire.string(e, "case_id", what, max_len=64),
                    wire.string(e, "status", what, max_len=32),
                    wire.optional_string(e, "reason", what, max_len=4000),
                    _result_ref(e.get("result_document")),
                    _materials(e.get("materials")),
                )
            )
            last = seq
        next_cursor = wire.integer(body, "next_cursor", what, low=after)
        has_more = wire.boolean(body, "has_more", what)
        if has_more and not events:
            raise InvalidAnswer(problem=f"{what}: has_more without events")
        head = wire.integer(body, "head_seq", what) if body.get("head_seq") is not None else None
        return StatusPage(tuple(events), next_cursor, has_more, head)

    def result_document(self, case_id: str, ref: ResultDocumentRef) -> bytes:
        """The result document of a case, checked against the feed's reference (size and SHA-256)."""
        limit = max(ref.size, self.settings.max_answer_bytes)  # the announced size bounds what is read
        response = self._authorised("GET", f"/cases/{case_id}/result-document", limit=limit)
        if response.status_code != 200:
            raise self._reject(response)
        data = response.content
        if len(data) != ref.size or hashlib.sha256(data).hexdigest() != ref.sha256:
            raise ResultDocumentMismatch(
                problem=f"{len(data)} bytes", detail=f"expected {ref.size} bytes, {ref.sha256}"
            )
        return data

    def publication(self, kind: str, known_etag: str | None) -> Publication | None:
        """The latest catalogue/calendar, or None when nothing newer than ``known_etag`` exists."""
        headers = {"If-None-Match": known_etag} if known_etag else {}
        response = self._authorised(
            "GET", f"/{kind}/current", headers=headers, limit=self.settings.max_publication_bytes
        )
        if response.status_code in (304, 404):
            return None
        if response.status_code != 200:
            raise self._reject(response)
        what = f"{kind} publication"
        body = wire.obj(response.json(), what)
        version = wire.string(body, "version", what, max_len=64)
        content = body.get("content")
        if not isinstance(content, dict):
            raise InvalidAnswer(problem=f"{what}: content is {type(content).__name__}, expected an object")
        return Publication(kind, version, response.headers.get("ETag", ""), content)

    def anchor(self, audit_seq: int, audit_hash: str, case_counters: dict[str, int]) -> Anchor | None:
        """Send this station's audit chain head and case-number counters; returns what the back office
        had seen before (None: a back office without anchors, 404)."""
        response = self._authorised(
            "POST",
            "/stations/anchor",
            json={"audit_seq": audit_seq, "audit_hash": audit_hash, "case_counters": case_counters},
        )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._reject(response)
        what = "anchor"
        body = wire.obj(response.json(), what)
        seq = wire.integer(body, "audit_seq", what)
        digest = wire.string(body, "audit_hash", what, max_len=64)
        if not wire.SHA256_RE.match(digest):
            raise InvalidAnswer(problem=f"{what}: audit_hash is not a SHA-256 hex digest")
        counters = body.get("case_counters")
        if not isinstance(counters, dict) or len(counters) > 366:
            raise InvalidAnswer(problem=f"{what}: case_counters is not an object of days")
        checked: dict[str, int] = {}
        for day in counters:
            if not (isinstance(day, str) and len(day) == 8 and day.isdigit()):
                raise InvalidAnswer(problem=f"{what}: case_counters has a key that is not a day")
            checked[day] = wire.integer(counters, day, what, high=99_999_999)
        return Anchor(seq, digest, checked)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


BATCH_MEDIA_TYPE = "application/vnd.clerk.case-batch"


def _batch_body(cases: list[BatchCase]) -> bytes:
    """The binary form of a batch (docs/api/openapi.yaml): a JSON head naming each case's key, packet
    and pages (SHA-256 and size, in order), one newline, then the pages' bytes one after another. No
    base64 and no JSON escaping of page bytes on either side (the JSON form costs both: ~4/3 the bytes
    and a scan of every page character)."""
    head = {
        "cases": [
            {
                "idempotency_key": case.key,
                "packet": case.packet,
                "pages": [{"sha256": sha, "size": len(data)} for sha, data in case.pages.items()],
            }
            for case in cases
        ]
    }
    return b"".join([_json(head), b"\n", *(data for case in cases for data in case.pages.values())])


def _checked_receipt(raw: Any, what: str, case_id: str, body: dict[str, Any]) -> PacketReceipt:
    """A packet/supplements receipt: this case, a known status, a boolean ``created``, and only files of
    the manifest just sent listed as missing."""
    data = wire.obj(raw, what)
    if wire.string(data, "case_id", what) != case_id:
        raise InvalidAnswer(problem=f"{what}: case_id is not the case sent")
    status = wire.one_of(wire.string(data, "status", what), wire.PACKET_STATUSES, what, "status")
    created = wire.boolean(data, "created", what)
    missing = wire.sha256_list(data, "missing_attachments", what)
    sent = {str(a.get("sha256")) for a in body.get("attachments", []) if isinstance(a, dict)}
    if not set(missing) <= sent:
        raise InvalidAnswer(problem=f"{what}: missing_attachments names a file that was not sent")
    return PacketReceipt(case_id, status, created, missing)


MAX_RESULT_DOCUMENT = 64 * 1024 * 1024


def _result_ref(raw: Any) -> ResultDocumentRef | None:
    """Validates the wire form ``{id, sha256, size}`` of a feed event's result document; anything else
    (missing, null, wrong types, out of range) is treated as no reference."""
    if not isinstance(raw, dict):
        return None
    ident, sha, size = raw.get("id"), raw.get("sha256"), raw.get("size")
    if isinstance(ident, bool) or isinstance(size, bool):
        return None
    if not (isinstance(ident, int) and isinstance(size, int) and isinstance(sha, str)):
        return None
    if not (0 < size <= MAX_RESULT_DOCUMENT) or len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        return None
    return ResultDocumentRef(ident, sha, size, _file_name(raw.get("filename")))


def _materials(raw: Any) -> tuple[tuple[str, str | None], ...]:
    """The wire form ``[{name, note}]`` of a material_requested event (API 1.1), bounded: at most 50
    materials, names cut to 200 and notes to 500 characters; anything malformed is left out."""
    if not isinstance(raw, list):
        return ()
    out: list[tuple[str, str | None]] = []
    for item in raw[:50]:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            continue
        note = item.get("note")
        out.append((item["name"].strip()[:200], note.strip()[:500] if isinstance(note, str) and note.strip() else None))
    return tuple(out)


def _file_name(raw: Any) -> str:
    """A file name as the window may show it: the last path part, printable characters only, at most
    200 of them; anything else is no name."""
    if not isinstance(raw, str):
        return ""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200]
