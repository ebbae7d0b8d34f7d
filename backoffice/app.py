"""The back office HTTP API (v1) and the approver workbench (``/bench``), FastAPI.
``create_app(session_factory, admin_token)``; ``from_environment()`` for ``uvicorn --workers N``.

Station calls authenticate with a short-lived bearer token obtained from the station code and
secret (see docs/sync.md for why tokens rather than signed requests). Admin calls take a per-person
bearer token (``POST /v1/admin/session`` with a back-office admin's user name and password); the old
shared admin token (``BACKOFFICE_ADMIN_TOKEN``) is still accepted when configured — tests and the demo
use it — and is off when unset.

No state that matters lives in the process: sessions, lockouts, form tokens and station tokens are in
the database. The only in-process cache is validated station tokens for 30 s (a revocation reaches every
worker within that time).
"""

import base64
import hmac
import os
import re
import time
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from backoffice import accounts, batch, schemas, service, workflow
from backoffice.db import open_database
from backoffice.guard import BodyGuard
from backoffice.models import Station
from backoffice.service import ApiProblem

T = TypeVar("T")
SHA_PATH = Path(pattern=schemas.SHA256)
CASE_PATH = Path(pattern=schemas.UUID_RE)
MAX_INT64 = 2**63 - 1
TOKEN_CACHE_SECONDS = 30.0
_ERROR_NAMES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_request",
}


def _bearer(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise ApiProblem(401, "unauthorized", "missing bearer token")
    return authorization[7:].strip()


def _batch_refusal(raw: Any, problem: ApiProblem) -> schemas.BatchResultOut:
    """A case of a batch refused before it reached the database: its key and case id echoed only when
    they are well-formed (they identify the case to the station; nothing else is echoed)."""
    key = raw.get("idempotency_key") if isinstance(raw, dict) else None
    packet = raw.get("packet") if isinstance(raw, dict) else None
    case_id = packet.get("case_id") if isinstance(packet, dict) else None
    return schemas.BatchResultOut(
        idempotency_key=key if isinstance(key, str) and 0 < len(key) <= 128 and key.isprintable() else None,
        case_id=case_id if isinstance(case_id, str) and re.fullmatch(schemas.UUID_RE, case_id) else None,
        status=problem.status,
        error=problem.error,
        message=problem.message,
        problems=problem.extra.get("problems"),
    )


def from_environment() -> FastAPI:
    """The app for ``uvicorn backoffice.app:from_environment --factory`` (each worker process builds its
    own engine; migrations are run once by ``serve`` before the workers start)."""
    url = os.environ["BACKOFFICE_DATABASE_URL"]
    _engine, factory = open_database(url, run_migrations=False)
    limit = int(os.environ.get("BACKOFFICE_MAX_RESULT_MB", "20")) * 1024 * 1024
    return create_app(factory, admin_token=os.environ.get("BACKOFFICE_ADMIN_TOKEN") or None, max_result_bytes=limit)


def create_app(
    session_factory: sessionmaker[Session],
    admin_token: str | None = None,
    *,
    max_result_bytes: int = workflow.MAX_RESULT_BYTES,
) -> FastAPI:
    app = FastAPI(
        title="一窗受理 back office", version="1.0.0", docs_url=None, redoc_url=None, openapi_url=None
    )  # the contract is docs/api/openapi.yaml, not the generated schema

    def run(fn: Callable[..., T], *args: Any) -> T:
        with session_factory() as session:
            return fn(session, *args)

    async def in_db(fn: Callable[..., T], *args: Any) -> T:
        return await run_in_threadpool(run, fn, *args)

    # Validated tokens are cached in memory briefly, so a chunk upload costs one database round trip
    # instead of three. Revocation (re-registration) takes effect within TOKEN_CACHE_SECONDS.
    token_cache: dict[str, tuple[Station, float]] = {}

    async def station_auth(authorization: Annotated[str | None, Header()] = None) -> Station:
        token = _bearer(authorization)
        now = time.monotonic()
        hit = token_cache.get(token)
        if hit is not None and hit[1] > now:
            return hit[0]
        station = await in_db(service.station_for_token, token)
        if len(token_cache) > 1000:
            token_cache.clear()
        token_cache[token] = (station, now + TOKEN_CACHE_SECONDS)
        return station

    async def admin_auth(authorization: Annotated[str | None, Header()] = None) -> None:
        token = _bearer(authorization)
        if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
            return  # the legacy shared token (tests, demo); off when BACKOFFICE_ADMIN_TOKEN is unset
        person = await in_db(accounts.person_for_token, token, "api")
        if person is None:
            raise ApiProblem(401, "unauthorized", "unknown or expired admin credentials")
        if person.role != "admin":
            raise ApiProblem(403, "forbidden", "back-office admins only")

    StationDep = Annotated[Station, Depends(station_auth)]  # noqa: N806 - a type alias for FastAPI
    # Size limits and authentication before a body is read (backoffice/guard.py).
    app.add_middleware(BodyGuard, station_auth=station_auth, admin_auth=admin_auth)

    if os.environ.get("BACKOFFICE_EXPOSE_PID") == "1":  # tests of several workers: which process answered

        @app.middleware("http")
        async def _pid(request: Request, call_next: Callable[..., Any]) -> Any:
            response = await call_next(request)
            response.headers["X-Backoffice-Pid"] = str(os.getpid())
            return response

    @app.exception_handler(ApiProblem)
    async def _problem(_request: Request, exc: ApiProblem) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse({"error": exc.error, "message": exc.message, **exc.extra}, exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # Never echo the input back: packets carry personal data.
        problems = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()]
        return JSONResponse(
            {"error": "invalid_request", "message": "request does not match the schema", "problems": problems}, 422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": _ERROR_NAMES.get(exc.status_code, "error"), "message": str(exc.detail)},
            exc.status_code,
            headers=exc.headers,
        )

    # -- public ---------------------------------------------------------------------------------
    @app.get("/v1/health", response_model=None)
    async def health() -> dict[str, str] | JSONResponse:
        """Healthy only when the database answers: a load balancer must not send stations to a
        process whose database is gone."""
        try:
            await in_db(lambda session: session.execute(text("SELECT 1")))
        except Exception:  # any database failure: unavailable, no detail to the caller
            return JSONResponse({"status": "unavailable", "api_version": "1", "database": "unreachable"}, 503)
        return {"status": "ok", "api_version": "1", "database": "ok"}

    @app.post("/v1/stations/register", status_code=201)
    async def register(body: schemas.RegisterRequest) -> schemas.RegisterResponse:
        secret = await in_db(service.register_station, body.station_code, body.enrolment_code)
        return schemas.RegisterResponse(station_code=body.station_code, station_secret=secret)

    @app.post("/v1/auth/token")
    async def token(body: schemas.TokenRequest) -> schemas.TokenResponse:
        tok, ttl = await in_db(service.issue_token, body.station_code, body.station_secret)
        return schemas.TokenResponse(access_token=tok, expires_in=ttl)

    # -- station --------------------------------------------------------------------------------
    async def _receive_packet(
        station: Any, key: str, packet: schemas.CasePacket, pages: dict[str, bytes], response: Response
    ) -> schemas.PacketReceiptOut:
        """One receiver for both packet routes: the station check, the idempotent receipt (201 new,
        200 replay)."""
        if packet.station_code != station.code:
            raise ApiProblem(403, "forbidden", "packet names another station")
        receipt = await in_db(service.receive_packet, station, key, packet.model_dump(mode="json"), pages)
        if not receipt.created:
            response.status_code = 200
        return schemas.PacketReceiptOut(**receipt.__dict__)

    @app.post("/v1/case-packets", status_code=201)
    async def upload_packet(
        body: schemas.CasePacket,
        station: StationDep,
        response: Response,
        idempotency_key: Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=128)],
    ) -> schemas.PacketReceiptOut:
        return await _receive_packet(station, idempotency_key, body, {}, response)

    @app.post("/v1/case-packets/with-pages", status_code=201)
    async def upload_packet_with_pages(
        body: schemas.PacketWithPages,
        station: StationDep,
        response: Response,
        idempotency_key: Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=128)],
    ) -> schemas.PacketReceiptOut:
        pages: dict[str, bytes] = {}
        for sha, encoded in body.pages.items():
            try:
                pages[sha] = base64.b64decode(encoded, validate=True)
            except ValueError:
                raise ApiProblem(422, "invalid_packet", "an inline page is not base64", {"sha256": sha}) from None
        return await _receive_packet(station, idempotency_key, body.packet, pages, response)

    @app.post("/v1/case-packets/batch")
    async def upload_packet_batch(request: Request, station: StationDep) -> schemas.PacketBatchOut:
        """Several cases, one transaction, one answer per case (backoffice/batch.py). JSON with base64
        pages, or the binary form (a JSON head, then the pages' bytes) that stations send."""
        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media not in ("application/json", batch.BINARY_MEDIA_TYPE):
            raise ApiProblem(422, "invalid_request", f"send application/json or {batch.BINARY_MEDIA_TYPE}")
        raw = await request.body()  # bounded by the body guard (LIMIT_BATCH)
        cases = batch.parse_binary(raw) if media == batch.BINARY_MEDIA_TYPE else batch.parse_json(raw)
        del raw
        checked = [batch.validate(case, pages) for case, pages in cases]
        items = [c for c in checked if isinstance(c, batch.BatchItem)]
        answers = iter(await in_db(batch.receive_packet_batch, station, items) if items else [])
        results = []
        for (case, _pages), check in zip(cases, checked, strict=True):
            if isinstance(check, ApiProblem):
                results.append(_batch_refusal(case, check))
                continue
            answer = next(answers)
            key, case_id = check.key, str(check.packet["case_id"])
            if isinstance(answer, ApiProblem):
                results.append(
                    schemas.BatchResultOut(
                        idempotency_key=key,
                        case_id=case_id,
                        status=answer.status,
                        error=answer.error,
                        message=answer.message,
                        sha256=answer.extra.get("sha256"),
                    )
                )
            else:
                results.append(
                    schemas.BatchResultOut(
                        idempotency_key=key,
                        case_id=case_id,
                        status=201 if answer.created else 200,
                        receipt=schemas.PacketReceiptOut(**answer.__dict__),
                    )
                )
        return schemas.PacketBatchOut(results=results)

    @app.post("/v1/cases/{case_id}/rating", status_code=201)
    async def upload_rating(
        case_id: Annotated[str, CASE_PATH],
        body: schemas.RatingIn,
        station: StationDep,
        response: Response,
        idempotency_key: Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=128)],
    ) -> schemas.RatingReceiptOut:
        if body.case_id != case_id:
            raise ApiProblem(422, "invalid_request", "case_id in the body differs from the path")
        created = await in_db(service.receive_rating, station, idempotency_key, body.model_dump(mode="json"))
        if not created:
            response.status_code = 200
        return schemas.RatingReceiptOut(case_id=case_id, created=created)

    @app.post("/v1/cases/{case_id}/supplements", status_code=201)
    async def upload_supplements(
        case_id: Annotated[str, CASE_PATH],
        body: schemas.SupplementsIn,
        station: StationDep,
        response: Response,
        idempotency_key: Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=128)],
    ) -> schemas.PacketReceiptOut:
        if body.case_id != case_id:
            raise ApiProblem(422, "invalid_request", "case_id in the body differs from the path")
        receipt = await in_db(service.receive_supplements, station, idempotency_key, body.model_dump(mode="json"))
        if not receipt.created:
            response.status_code = 200
        return schemas.PacketReceiptOut(**receipt.__dict__)

    @app.post("/v1/cases/{case_id}/outcomes", status_code=201)
    async def upload_outcome(
        case_id: Annotated[str, CASE_PATH],
        body: schemas.OutcomeIn,
        station: StationDep,
        response: Response,
        idempotency_key: Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=128)],
    ) -> schemas.OutcomeReceiptOut:
        if body.case_id != case_id:
            raise ApiProblem(422, "invalid_request", "case_id in the body differs from the path")
        if body.station_code != station.code:
            raise ApiProblem(403, "forbidden", "outcome names another station")
        created = await in_db(
            service.receive_outcome, station, idempotency_key, body.model_dump(mode="json", exclude_none=True)
        )
        if not created:
            response.status_code = 200
        return schemas.OutcomeReceiptOut(case_id=case_id, outcome=body.outcome, created=created)

    @app.get("/v1/cases/{case_id}/attachments/{sha256}")
    async def attachment_state(
        station: StationDep, case_id: Annotated[str, CASE_PATH], sha256: Annotated[str, SHA_PATH]
    ) -> schemas.AttachmentStateOut:
        return schemas.AttachmentStateOut(**await in_db(service.get_attachment, station, case_id, sha256))

    @app.put("/v1/cases/{case_id}/attachments/{sha256}")
    async def put_chunk(
        request: Request,
        station: StationDep,
        case_id: Annotated[str, CASE_PATH],
        sha256: Annotated[str, SHA_PATH],
        offset: Annotated[int, Query(ge=0, le=MAX_INT64)],
    ) -> schemas.AttachmentStateOut:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > service.MAX_CHUNK:
            raise ApiProblem(413, "too_large", f"a chunk may be at most {service.MAX_CHUNK} bytes")
        data = bytearray()
        async for part in request.stream():
            data += part
            if len(data) > service.MAX_CHUNK:
                raise ApiProblem(413, "too_large", f"a chunk may be at most {service.MAX_CHUNK} bytes")
        return schemas.AttachmentStateOut(
            **await in_db(service.put_chunk, station, case_id, sha256, offset, bytes(data))
        )

    @app.post("/v1/cases/{case_id}/attachments/{sha256}/finalize")
    async def finalize(
        station: StationDep, case_id: Annotated[str, CASE_PATH], sha256: Annotated[str, SHA_PATH]
    ) -> schemas.AttachmentStateOut:
        return schemas.AttachmentStateOut(**await in_db(service.finalize_attachment, station, case_id, sha256))

    @app.post("/v1/stations/anchor")
    async def anchor(body: schemas.AnchorIn, station: StationDep) -> schemas.AnchorOut:
        return schemas.AnchorOut(**await in_db(service.record_anchor, station, body.model_dump()))

    @app.get("/v1/status-feed")
    async def status_feed(
        station: StationDep,
        after: Annotated[int, Query(ge=0, le=MAX_INT64)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> schemas.StatusFeedOut:
        return schemas.StatusFeedOut(**await in_db(service.status_feed, station, after, limit))

    @app.get("/v1/cases/{case_id}/result-document")
    async def result_document(station: StationDep, case_id: Annotated[str, CASE_PATH]) -> Response:
        doc = await in_db(service.result_document_for_station, station, case_id)
        return Response(
            doc.data,
            media_type="application/pdf",
            headers={"X-Content-SHA256": doc.sha256, "X-Result-Document-Id": str(doc.id)},
        )

    def _publication(kind: str) -> Callable[..., Any]:
        async def latest(request: Request, _station: StationDep) -> Any:
            pub = await in_db(service.latest_publication, kind)
            if pub is None:
                raise ApiProblem(404, "not_found", f"no {kind} has been published")
            etag = f'"{pub.sha256}"'
            if request.headers.get("if-none-match") == etag:
                return Response(status_code=304, headers={"ETag": etag})
            body = schemas.PublicationOut(
                kind=kind,
                version=pub.version,
                sha256=pub.sha256,
                published_at=service._aware(pub.published_at).isoformat(),
                content=pub.content,
            )
            return JSONResponse(body.model_dump(mode="json"), headers={"ETag": etag})

        latest.__name__ = f"latest_{kind}"
        return latest

    app.get("/v1/catalogue/current", response_model=None)(_publication("catalogue"))
    app.get("/v1/calendar/current", response_model=None)(_publication("calendar"))
    app.get("/v1/trust/current", response_model=None)(_publication("trust"))

    # -- admin ----------------------------------------------------------------------------------
    AdminDep = Depends(admin_auth)  # noqa: N806 - a FastAPI dependency used like a constant

    @app.post("/v1/admin/session")
    async def admin_session(body: schemas.AdminSignIn) -> schemas.TokenResponse:
        try:
            signed = await in_db(accounts.sign_in, body.username, body.password, "api")
        except accounts.SignInRefused as exc:
            raise ApiProblem(
                401, "unauthorized", "account locked, try again later" if exc.locked else "wrong user name or password"
            ) from None
        if signed.person.role != "admin":
            raise ApiProblem(403, "forbidden", "back-office admins only")
        return schemas.TokenResponse(access_token=signed.token, expires_in=int(accounts.API_TTL.total_seconds()))

    @app.post("/v1/admin/stations", status_code=201, dependencies=[AdminDep])
    async def add_station(body: schemas.StationCreate) -> schemas.StationCreated:
        code = await in_db(service.add_station, body.station_code, body.name)
        return schemas.StationCreated(station_code=body.station_code, enrolment_code=code)

    @app.get("/v1/admin/cases/{case_id}/outcomes", dependencies=[AdminDep])
    async def list_outcomes(case_id: Annotated[str, CASE_PATH]) -> list[dict[str, Any]]:
        return await in_db(service.case_outcomes, case_id)

    @app.get("/v1/admin/cases", dependencies=[AdminDep])
    async def list_cases() -> list[schemas.CaseSummary]:
        return [schemas.CaseSummary(**row) for row in await in_db(service.case_summaries)]

    @app.post("/v1/admin/cases/{case_id}/status", dependencies=[AdminDep])
    async def advance(case_id: Annotated[str, CASE_PATH], body: schemas.AdvanceRequest) -> schemas.CaseSummary:
        def _advance(session: Session) -> dict[str, Any]:
            case = service.advance_case(session, case_id, body.status, body.reason)
            return service.case_summaries(session, case.id)[0]

        return schemas.CaseSummary(**await in_db(_advance))

    def _publisher(kind: str) -> Callable[..., Any]:
        async def publish(body: schemas.PublishRequest) -> schemas.PublicationOut:
            pub = await in_db(service.publish, kind, body.version, body.content)
            return schemas.PublicationOut(
                kind=kind,
                version=pub.version,
                sha256=pub.sha256,
                published_at=service._aware(pub.published_at).isoformat(),
                content=pub.content,
            )

        publish.__name__ = f"publish_{kind}"
        return publish

    app.post("/v1/admin/catalogue", status_code=201, dependencies=[AdminDep])(_publisher("catalogue"))
    app.post("/v1/admin/calendar", status_code=201, dependencies=[AdminDep])(_publisher("calendar"))
    app.post("/v1/admin/trust", status_code=201, dependencies=[AdminDep])(_publisher("trust"))

    from backoffice.web import mount_workbench

    mount_workbench(app, in_db, max_result_bytes=max_result_bytes)
    return app
