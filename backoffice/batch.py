"""Several case packets (with their small pages inline) in one request and ONE database transaction,
each case answered on its own (``POST /v1/case-packets/batch``, docs/sync.md).

Every case is checked on its own first (schema, station, inline pages against its manifest, pages
listed in the manifest, a key or case id used twice in the batch): a bad case gets its own refusal and
never fails the others. The good ones are then written with set-based statements — one lookup of the
existing keys and case ids, one ``INSERT … ON CONFLICT DO NOTHING RETURNING`` per table (executemany:
SQLAlchemy sends the rows as multi-row VALUES with a statement compiled once and cached),
one ``UPDATE … RETURNING`` turning the complete cases ``received`` — and committed once. No ORM objects,
no lazy loads. Idempotency is per case, exactly as for the single-case routes: same key + same packet →
the receipt (200, completing pages a chunked upload left missing), same key + another packet →
409 ``idempotency_conflict``, the case id under another key → 409 ``case_exists``. A concurrent request
inserting the same case wins the row; this one then answers as for a replay.
"""

from __future__ import annotations

import binascii
import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Table, and_, delete, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backoffice import schemas
from backoffice.models import Attachment, AttachmentChunk, ReceivedCase, Station, StatusEvent
from backoffice.service import (
    ApiProblem,
    PacketReceipt,
    _check_inline_pages,
    _check_pages_listed,
    packet_digest,
    utcnow,
)

MAX_BATCH_CASES = 100
MAX_PAGES_PER_CASE = 200
BINARY_MEDIA_TYPE = "application/vnd.clerk.case-batch"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class BatchItem:
    key: str
    packet: dict[str, Any]  # validated against schemas.CasePacket, JSON form
    pages: dict[str, bytes]  # decoded inline pages by SHA-256


BatchResult = PacketReceipt | ApiProblem

# -- the two forms of the request ------------------------------------------------------------------
Pages = dict[str, bytes] | ApiProblem  # a case's decoded pages, or why they cannot be read


def _envelope(problem: str) -> ApiProblem:
    return ApiProblem(422, "invalid_request", f"batch envelope: {problem}")


def _cases_of(head: Any) -> list[Any]:
    if not isinstance(head, dict) or set(head) != {"cases"}:
        raise _envelope("an object with exactly the key 'cases' is expected")
    cases = head["cases"]
    if not isinstance(cases, list) or not 1 <= len(cases) <= MAX_BATCH_CASES:
        raise _envelope(f"'cases' must be a list of 1 to {MAX_BATCH_CASES} cases")
    return cases


def parse_json(raw: bytes) -> list[tuple[Any, Pages]]:
    """``application/json``: ``{"cases": [{idempotency_key, packet, pages: {sha256: base64}}]}``. Each
    case's pages are decoded on their own (strict base64: a NUL, a surrogate or a stray character is
    that case's 422, not the batch's)."""
    try:
        cases = _cases_of(json.loads(raw))
    except ValueError:
        raise _envelope("body is not JSON") from None
    out: list[tuple[Any, Pages]] = []
    for case in cases:
        pages: Pages = {}
        encoded = case.get("pages", {}) if isinstance(case, dict) else {}
        if not isinstance(encoded, dict) or len(encoded) > MAX_PAGES_PER_CASE:
            pages = ApiProblem(422, "invalid_packet", f"pages must be an object of at most {MAX_PAGES_PER_CASE}")
        else:
            decoded: dict[str, bytes] = {}
            try:
                for sha, text in encoded.items():
                    if not isinstance(text, str) or not _SHA256.match(sha):
                        raise ValueError
                    decoded[sha] = binascii.a2b_base64(text, strict_mode=True)
                pages = decoded
            except ValueError:  # binascii.Error too
                pages = ApiProblem(422, "invalid_packet", "an inline page is not base64 under its SHA-256")
        out.append((case, pages))
    return out


def parse_binary(raw: bytes) -> list[tuple[Any, Pages]]:
    """``application/vnd.clerk.case-batch``: a JSON head, one newline, then the pages' bytes one after
    another. The head is ``{"cases": [{idempotency_key, packet, pages: [{sha256, size}]}]}``; the bytes
    follow in the order of the cases and of their ``pages`` lists. No base64 and no JSON scan of page
    bytes on either side. The sizes frame the bytes, so they are checked for the whole request (a
    framing error is 422 for the batch: no case could be located); everything else per case."""
    end = raw.find(b"\n")
    if end < 0:
        raise _envelope("no newline after the JSON head")
    try:
        cases = _cases_of(json.loads(raw[:end]))
    except ValueError:
        raise _envelope("head is not JSON") from None
    frames: list[list[tuple[Any, int]]] = []
    for case in cases:
        listed = case.get("pages") if isinstance(case, dict) else None
        if not isinstance(listed, list) or len(listed) > MAX_PAGES_PER_CASE:
            raise _envelope(f"each case needs 'pages': a list of at most {MAX_PAGES_PER_CASE}")
        sizes = []
        for page in listed:
            size = page.get("size") if isinstance(page, dict) else None
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                raise _envelope("each page needs a 'size' (a non-negative integer)")
            sizes.append((page.get("sha256"), size))
        frames.append(sizes)
    data = memoryview(raw)[end + 1 :]
    if sum(size for sizes in frames for _sha, size in sizes) != len(data):
        raise _envelope("the page sizes do not add up to the bytes after the head")
    out: list[tuple[Any, Pages]] = []
    offset = 0
    for case, sizes in zip(cases, frames, strict=True):
        pages: Pages = {}
        for sha, size in sizes:
            if isinstance(pages, dict):
                if isinstance(sha, str) and _SHA256.match(sha):
                    pages[sha] = bytes(data[offset : offset + size])
                else:
                    pages = ApiProblem(422, "invalid_packet", "a page's sha256 is not a SHA-256 hex digest")
            offset += size
        out.append(({k: v for k, v in case.items() if k != "pages"}, pages))
    return out


def validate(raw: Any, pages: Pages) -> BatchItem | ApiProblem:
    """One case of either form: the key and the packet against the schema (``BatchItemIn``)."""
    if isinstance(pages, ApiProblem):
        return pages
    if not isinstance(raw, dict):
        return ApiProblem(422, "invalid_packet", "a case must be an object")
    try:
        valid = schemas.BatchItemIn.model_validate({k: v for k, v in raw.items() if k != "pages"})
    except ValidationError as exc:
        problems = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()]
        return ApiProblem(422, "invalid_packet", "case does not match the schema", {"problems": problems[:20]})
    return BatchItem(valid.idempotency_key, valid.packet.model_dump(mode="json"), pages)


_CASES: Table = ReceivedCase.__table__  # type: ignore[assignment]
_ATTACHMENTS: Table = Attachment.__table__  # type: ignore[assignment]
_CHUNKS: Table = AttachmentChunk.__table__  # type: ignore[assignment]
_EVENTS: Table = StatusEvent.__table__  # type: ignore[assignment]


def _insert(session: Session, table: Table) -> postgresql.Insert | sqlite.Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` in the session's dialect (PostgreSQL; SQLite for a pilot)."""
    name = session.get_bind().dialect.name
    module = postgresql if name == "postgresql" else sqlite
    return module.insert(table)


def receive_packet_batch(session: Session, station: Station, items: list[BatchItem]) -> list[BatchResult]:
    """Store the cases of a batch, each once; one result per item, in the items' order."""
    results: list[BatchResult | None] = [None] * len(items)
    digests: dict[int, str] = {}
    manifests: dict[int, dict[str, dict[str, Any]]] = {}
    keys_seen: set[str] = set()
    cases_seen: set[str] = set()
    for i, item in enumerate(items):
        case_id = item.packet["case_id"]
        try:
            if item.packet.get("station_code") != station.code:
                raise ApiProblem(403, "forbidden", "packet names another station")
            if item.key in keys_seen or case_id in cases_seen:
                raise ApiProblem(422, "duplicate_in_batch", "this key or case is already in the batch")
            manifest = _check_inline_pages(item.packet, item.pages)
            _check_pages_listed(item.packet, manifest)
        except ApiProblem as problem:
            results[i] = problem
            continue
        keys_seen.add(item.key)
        cases_seen.add(case_id)
        manifests[i] = manifest
        digests[i] = packet_digest(item.packet)
    live = sorted(manifests, key=lambda i: items[i].packet["case_id"])  # one lock order for all writers
    inserted: set[str] = set()
    if live:
        now = utcnow()
        new = _classify(session, station, items, digests, results, live)
        if new:
            inserted = _insert_cases(session, station, items, digests, manifests, new, now)
            lost = [i for i in new if items[i].packet["case_id"] not in inserted]
            if lost:  # a concurrent request stored these first: answer as for a replay (or a conflict)
                _classify(session, station, items, digests, results, lost, after_race=True)
        touched = [i for i in live if results[i] is None]
        _store_inline_pages(session, {items[i].packet["case_id"]: items[i].pages for i in touched}, now)
        for i, receipt in zip(
            touched, _receipts(session, [items[i].packet["case_id"] for i in touched], inserted, now)
        ):
            results[i] = receipt
        session.commit()
    return [r if r is not None else ApiProblem(500, "error", "not answered") for r in results]


def _classify(
    session: Session,
    station: Station,
    items: list[BatchItem],
    digests: dict[int, str],
    results: list[BatchResult | None],
    indices: list[int],
    *,
    after_race: bool = False,
) -> list[int]:
    """One lookup of the items' keys and case ids: a replay stays unanswered (it is completed and
    answered with the new ones), a conflict gets its 409; returns the items that are new."""
    keys = [items[i].key for i in indices]
    case_ids = [items[i].packet["case_id"] for i in indices]
    rows = session.execute(
        select(_CASES.c.id, _CASES.c.idempotency_key, _CASES.c.station_id, _CASES.c.packet_sha256).where(
            or_(_CASES.c.idempotency_key.in_(keys), _CASES.c.id.in_(case_ids))
        )
    ).all()
    by_key = {row.idempotency_key: row for row in rows}
    by_id = {row.id: row for row in rows}
    new: list[int] = []
    for i in indices:
        item = items[i]
        row = by_key.get(item.key)
        if row is not None:
            if row.station_id != station.id or row.packet_sha256 != digests[i] or row.id != item.packet["case_id"]:
                results[i] = ApiProblem(
                    409, "idempotency_conflict", "this idempotency key was used for a different packet"
                )
        elif item.packet["case_id"] in by_id:
            results[i] = ApiProblem(409, "case_exists", "this case was already received under another key")
        elif after_race:  # the conflicting row is not visible (yet): let the station try again
            results[i] = ApiProblem(409, "retry_later", "a concurrent upload of this case is in progress")
        else:
            new.append(i)
    return new


def _insert_cases(
    session: Session,
    station: Station,
    items: list[BatchItem],
    digests: dict[int, str],
    manifests: dict[int, dict[str, dict[str, Any]]],
    new: list[int],
    now: dt.datetime,
) -> set[str]:
    """The new cases (``receiving``) and their manifests, one multi-row INSERT each; returns the ids
    this transaction inserted (a concurrent duplicate's row is left alone: ON CONFLICT DO NOTHING)."""
    rows = [
        {
            "id": items[i].packet["case_id"],
            "station_id": station.id,
            "idempotency_key": items[i].key,
            "packet_sha256": digests[i],
            "packet": items[i].packet,
            "case_number": items[i].packet.get("case_number"),
            "item_code": items[i].packet["item_code"],
            "status": "receiving",
            "received_at": now,
            "updated_at": now,
        }
        for i in new
    ]
    inserted = set(session.scalars(_insert(session, _CASES).on_conflict_do_nothing().returning(_CASES.c.id), rows))
    attachments = [
        {
            "case_id": items[i].packet["case_id"],
            "sha256": sha,
            "size": entry["size"],
            "mime": entry["mime"],
            "received_bytes": 0,
            "complete": False,
        }
        for i in new
        if items[i].packet["case_id"] in inserted
        for sha, entry in manifests[i].items()
    ]
    if attachments:
        session.execute(_ATTACHMENTS.insert(), attachments)
    return inserted


def _store_inline_pages(session: Session, pages: dict[str, dict[str, bytes]], now: dt.datetime) -> None:
    """Each attachment still incomplete for which a page came inline (verified against the manifest):
    locked, any chunks of an interrupted chunked upload replaced by the whole page, completed."""
    pages = {case_id: p for case_id, p in pages.items() if p}
    if not pages:
        return
    open_rows = session.execute(
        select(_ATTACHMENTS.c.id, _ATTACHMENTS.c.case_id, _ATTACHMENTS.c.sha256)
        .where(_ATTACHMENTS.c.case_id.in_(list(pages)), _ATTACHMENTS.c.complete.is_(False))
        .order_by(_ATTACHMENTS.c.id)
        .with_for_update()
    ).all()
    fill = [(row.id, pages[row.case_id][row.sha256]) for row in open_rows if row.sha256 in pages[row.case_id]]
    if not fill:
        return
    ids = [att_id for att_id, _data in fill]
    session.execute(delete(_CHUNKS).where(_CHUNKS.c.attachment_id.in_(ids)))
    session.execute(_CHUNKS.insert(), [{"attachment_id": a, "offset": 0, "data": data} for a, data in fill])
    session.execute(
        update(_ATTACHMENTS)
        .where(_ATTACHMENTS.c.id.in_(ids))
        .values(received_bytes=_ATTACHMENTS.c.size, complete=True, completed_at=now)
    )


def _receipts(session: Session, case_ids: list[str], inserted: set[str], now: dt.datetime) -> list[PacketReceipt]:
    """Cases whose every file is now complete become ``received`` (one UPDATE … RETURNING, one status
    event each); then one receipt per case: its status and the files it still misses."""
    if not case_ids:
        return []
    incomplete = exists().where(and_(_ATTACHMENTS.c.case_id == _CASES.c.id, _ATTACHMENTS.c.complete.is_(False)))
    now_received = session.execute(
        update(_CASES)
        .where(_CASES.c.id.in_(case_ids), _CASES.c.status == "receiving", ~incomplete)
        .values(status="received", updated_at=now)
        .returning(_CASES.c.id, _CASES.c.station_id)
    ).all()
    if now_received:
        session.execute(
            _EVENTS.insert(),
            [
                {"station_id": station_id, "case_id": case_id, "status": "received", "at": now}
                for case_id, station_id in sorted(now_received)
            ],
        )
    status = dict(session.execute(select(_CASES.c.id, _CASES.c.status).where(_CASES.c.id.in_(case_ids))).all())
    missing: dict[str, list[str]] = {case_id: [] for case_id in case_ids}
    for case_id, sha in session.execute(
        select(_ATTACHMENTS.c.case_id, _ATTACHMENTS.c.sha256)
        .where(_ATTACHMENTS.c.case_id.in_(case_ids), _ATTACHMENTS.c.complete.is_(False))
        .order_by(_ATTACHMENTS.c.id)
    ):
        missing[case_id].append(sha)
    return [PacketReceipt(c, status[c], c in inserted, missing[c]) for c in case_ids]
