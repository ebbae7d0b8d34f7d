"""HTTP transport to the back office (API v1, docs/api/openapi.yaml) over httpx.

TLS is always verified (system CAs, or a configured CA file for a hall's own PKI); plain http is
accepted only for loopback addresses (tests, a one-machine pilot). Every call has connect/read/
write timeouts. Failures are sorted into transient (``BackOfficeUnavailable``: retry later) and
permanent (``RequestRejected``); authentication is refreshed once on 401.
"""

from __future__ import annotations

import ipaddress
import ssl
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from clerk_app.errors import ConfigurationError
from clerk_app.sync.credentials import StationCredentials
from clerk_app.sync.errors import BackOfficeUnavailable, RequestRejected, StationNotAuthorised

API_PREFIX = "/v1"
_RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class TransportSettings:
    base_url: str
    ca_file: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    write_timeout: float = 30.0


@dataclass(frozen=True)
class PacketReceipt:
    case_id: str
    status: str
    created: bool
    missing_attachments: tuple[str, ...]


@dataclass(frozen=True)
class AttachmentState:
    sha256: str
    size: int
    offset: int
    complete: bool


@dataclass(frozen=True)
class StatusEvent:
    seq: int
    case_id: str
    status: str
    reason: str | None


@dataclass(frozen=True)
class StatusPage:
    events: tuple[StatusEvent, ...]
    next_cursor: int
    has_more: bool


@dataclass(frozen=True)
class Publication:
    kind: str
    version: str
    etag: str
    content: dict[str, Any]


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
        self._credentials = credentials
        timeout = httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.write_timeout,
            pool=settings.connect_timeout,
        )
        self._http = httpx.Client(
            base_url=settings.base_url.rstrip("/"),
            timeout=timeout,
            verify=ssl_context(settings.ca_file),
            transport=transport,
            headers={"User-Agent": "clerk-app-sync/1"},
        )
        self._token: str | None = None
        self._token_lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    # -- low level ----------------------------------------------------------------------------
    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, API_PREFIX + path, **kwargs)
        except httpx.TransportError as exc:  # connect/read/write errors, timeouts, resets, protocol
            raise BackOfficeUnavailable(problem=type(exc).__name__, detail=f"{method} {path.split('/')[1]}") from exc
        if response.status_code in _RETRYABLE_STATUS:
            raise BackOfficeUnavailable(problem=f"HTTP {response.status_code}", detail=f"{method} {path.split('/')[1]}")
        return response

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            # A truncated or garbled body is a transport failure, not an answer.
            raise BackOfficeUnavailable(problem="bad response body") from exc

    def _reject(self, response: httpx.Response) -> RequestRejected:
        try:
            body = response.json()
        except ValueError:
            body = {}
        code = str(body.get("error", "error")) if isinstance(body, dict) else "error"
        offset = body.get("offset") if isinstance(body, dict) else None
        # Field paths of a schema refusal help the log; the server never echoes values.
        fields = (
            [".".join(map(str, p.get("loc", []))) for p in body.get("problems", []) if isinstance(p, dict)]
            if isinstance(body, dict)
            else []
        )
        detail = f"HTTP {response.status_code} {code}" + (f" at {', '.join(fields[:5])}" if fields else "")
        return RequestRejected(
            status=response.status_code, code=code, detail=detail, offset=offset if isinstance(offset, int) else None
        )

    def _authorised(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
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
                self._token = str(self._json(response)["access_token"])
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
        self._credentials.store(str(self._json(response)["station_secret"]))
        with self._token_lock:
            self._token = None

    def upload_packet(self, idempotency_key: str, packet: dict[str, Any]) -> PacketReceipt:
        response = self._authorised("POST", "/case-packets", json=packet, headers={"Idempotency-Key": idempotency_key})
        if response.status_code not in (200, 201):
            raise self._reject(response)
        body = self._json(response)
        return PacketReceipt(body["case_id"], body["status"], bool(body["created"]), tuple(body["missing_attachments"]))

    def upload_rating(self, idempotency_key: str, case_id: str, rating: dict[str, Any]) -> bool:
        """The applicant's rating of a case; True if stored now, False for a replay."""
        response = self._authorised(
            "POST", f"/cases/{quote(case_id)}/rating", json=rating, headers={"Idempotency-Key": idempotency_key}
        )
        if response.status_code not in (200, 201):
            raise self._reject(response)
        return response.status_code == 201

    def upload_supplements(self, idempotency_key: str, case_id: str, body: dict[str, Any]) -> PacketReceipt:
        """容缺 materials that arrived after the decision; the receipt lists the files still missing."""
        response = self._authorised(
            "POST", f"/cases/{quote(case_id)}/supplements", json=body, headers={"Idempotency-Key": idempotency_key}
        )
        if response.status_code not in (200, 201):
            raise self._reject(response)
        data = self._json(response)
        return PacketReceipt(data["case_id"], data["status"], bool(data["created"]), tuple(data["missing_attachments"]))

    def _att_path(self, case_id: str, sha256: str) -> str:
        return f"/cases/{quote(case_id)}/attachments/{quote(sha256)}"

    def _state(self, response: httpx.Response) -> AttachmentState:
        if response.status_code != 200:
            raise self._reject(response)
        body = self._json(response)
        return AttachmentState(body["sha256"], int(body["size"]), int(body["offset"]), bool(body["complete"]))

    def attachment_state(self, case_id: str, sha256: str) -> AttachmentState:
        return self._state(self._authorised("GET", self._att_path(case_id, sha256)))

    def put_chunk(self, case_id: str, sha256: str, offset: int, data: bytes) -> AttachmentState:
        return self._state(
            self._authorised(
                "PUT",
                self._att_path(case_id, sha256),
                params={"offset": offset},
                content=data,
                headers={"Content-Type": "application/octet-stream"},
            )
        )

    def finalize(self, case_id: str, sha256: str) -> AttachmentState:
        return self._state(self._authorised("POST", self._att_path(case_id, sha256) + "/finalize"))

    def status_feed(self, after: int, limit: int = 200) -> StatusPage:
        response = self._authorised("GET", "/status-feed", params={"after": after, "limit": limit})
        if response.status_code != 200:
            raise self._reject(response)
        body = self._json(response)
        events = tuple(
            StatusEvent(int(e["seq"]), str(e["case_id"]), str(e["status"]), e.get("reason")) for e in body["events"]
        )
        return StatusPage(events, int(body["next_cursor"]), bool(body["has_more"]))

    def publication(self, kind: str, known_etag: str | None) -> Publication | None:
        """The latest catalogue/calendar, or None when nothing newer than ``known_etag`` exists."""
        headers = {"If-None-Match": known_etag} if known_etag else {}
        response = self._authorised("GET", f"/{kind}/current", headers=headers)
        if response.status_code in (304, 404):
            return None
        if response.status_code != 200:
            raise self._reject(response)
        body = self._json(response)
        return Publication(kind, str(body["version"]), response.headers.get("ETag", ""), dict(body["content"]))
