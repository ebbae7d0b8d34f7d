"""Refuse a request body before reading it (issue 16 item 6): an ASGI middleware in front of the API.

FastAPI reads and parses a JSON body before it runs the route's dependencies, so an unauthenticated
client could make the server read (and hold) 100 MB before its 401. For every ``/v1/`` request with a
body this middleware, before the first byte of the body is read:

* refuses a declared ``Content-Length`` above the endpoint's limit (413 ``too_large``);
* refuses a request without a bearer token (401), except the three public calls;
* checks the token (station or admin, the app's own checks — cached, one DB lookup at most) and on
  failure answers 401 after discarding at most the endpoint's limit (so a well-behaved client whose
  token just expired reads its 401 instead of a reset connection, and refreshes);
* counts a body sent without a length (chunked) and stops at the limit with 413.
The workbench (``/bench``) has its own limits and sessions.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException

from backoffice import service
from backoffice.service import ApiProblem

PUBLIC = ("/v1/stations/register", "/v1/auth/token", "/v1/admin/session")
KIB, MIB = 1024, 1024 * 1024
LIMIT_PUBLIC = 16 * KIB
LIMIT_JSON = 4 * MIB  # a case packet with its manifest; supplements; a rating
LIMIT_CHUNK = service.MAX_CHUNK  # one attachment chunk
LIMIT_PUBLICATION = 32 * MIB  # a catalogue or holiday calendar (admin)
LIMIT_ADMIN = 1 * MIB
LIMIT_BATCH = 24 * MIB  # several case packets with their small pages inline (base64)

Auth = Callable[[str], Awaitable[Any]]


def body_limit(path: str, method: str) -> int:
    if path in PUBLIC:
        return LIMIT_PUBLIC
    if path in ("/v1/admin/catalogue", "/v1/admin/calendar", "/v1/admin/trust"):
        return LIMIT_PUBLICATION
    if path.startswith("/v1/admin/"):
        return LIMIT_ADMIN
    if path == "/v1/case-packets/batch":
        return LIMIT_BATCH
    if method == "PUT" and "/attachments/" in path:
        return LIMIT_CHUNK
    return LIMIT_JSON


async def _answer(send: Any, status: int, error: str, message: str) -> None:
    body = json.dumps({"error": error, "message": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyGuard:
    def __init__(self, app: Any, *, station_auth: Auth, admin_auth: Auth) -> None:
        self.app = app
        self.station_auth = station_auth
        self.admin_auth = admin_auth

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/v1/") or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = body_limit(path, scope["method"])
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _answer(send, 413, "too_large", f"the body may be at most {limit} bytes")
            return
        if path not in PUBLIC:
            authorization = headers.get(b"authorization", b"").decode("latin-1")
            if not authorization.lower().startswith("bearer "):
                await _answer(send, 401, "unauthorized", "missing bearer token")
                return
            check = self.admin_auth if path.startswith("/v1/admin/") else self.station_auth
            try:
                await check(authorization)
            except ApiProblem as exc:
                await self._discard(receive, limit)
                await _answer(send, exc.status, exc.error, exc.message)
                return

        seen = 0

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # An HTTPException passes FastAPI's body parsing unchanged → the app's 413 answer.
                    raise StarletteHTTPException(413, f"the body may be at most {limit} bytes")
            return message

        await self.app(scope, counted, send)

    @staticmethod
    async def _discard(receive: Any, limit: int) -> None:
        seen = 0
        while seen <= limit:
            message = await receive()
            if message["type"] != "http.request":
                return
            seen += len(message.get("body", b""))
            if not message.get("more_body", False):
                return
