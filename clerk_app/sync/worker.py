"""The background sync worker: a plain, stoppable thread (no Qt) that empties the outbox and pulls
what the back office publishes.

One cycle (``run_once``):
 1. **Upload** — each due outbox entry of this station, case packets first, then other kinds (a rating:
    one POST of its outbox payload, idempotent by key; an outcome — return, rejection, delivery, void,
    correction — likewise; supplements (容缺): only once the case packet is
    sent — otherwise rescheduled, never failed — the record, then its missing pages like a packet's
    attachments), oldest first: the case packet (idempotency
    key from the outbox), then every attachment the server still misses, chunk by chunk from the
    server's offset, streamed from the attachment source, then finalize (server checks SHA-256).
    The entry is marked ``sent`` only after all of that. A transient failure (network, timeout,
    5xx) reschedules the entry with exponential backoff + jitter and ends the upload phase; a
    permanent refusal (4xx) marks the entry ``failed`` with a log-safe reason and moves on.
 2. **Status feed** — events after the stored cursor are applied through the case lifecycle
    (``StatusApplier``), then the cursor advances (same transaction as nothing else: applying is
    idempotent, so a crash between the two only re-applies).
 3. **Publications** — catalogue and holiday calendar: a new version is handed to its installer,
    which validates it completely and activates it atomically or raises (old one stays active);
    a refused version is remembered and reported, not retried every cycle.
Phases 2 and 3 run even when phase 1 failed, and their failures never block uploads.

The UI gets ``SyncState`` (online/offline, pending, failed, last success, problem) and ``SyncProgress``
callbacks from the worker thread; the UI layer marshals them onto the GUI thread (Qt signal).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import Select, case, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from clerk_app.audit import CHAIN as AUDIT_CHAIN
from clerk_app.audit import GENESIS as AUDIT_GENESIS
from clerk_app.errors import ClerkAppError
from clerk_app.store.models import AuditEvent, AuditHead, Case, CaseNumberSequence, OutboxEntry
from clerk_app.sync import state as sync_state
from clerk_app.sync.errors import (
    AttachmentMissing,
    BackOfficeUnavailable,
    FeedCursorAhead,
    InvalidAnswer,
    RequestRejected,
    ResultDocumentMismatch,
    StationNotAuthorised,
    StoreRolledBack,
    SyncError,
)
from clerk_app.sync.packet import AttachmentSource, BuiltPacket, ManifestFile, PacketBuilder
from clerk_app.sync.transport import BackOfficeClient, BatchCase, PacketReceipt, ResultDocumentRef

log = logging.getLogger(__name__)

SERVER_STATUSES = ("received", "in_approval", "approved", "disapproved", "result_ready", "delivered")


class ResultSink(Protocol):
    """Keeps a case's result document (already verified against the feed's SHA-256) for 出件."""

    def store_result(self, case_id: str, ref: ResultDocumentRef, data: bytes) -> None: ...


class StatusApplier(Protocol):
    """Applies a back-office status to a local case through the core lifecycle (idempotent:
    applying the status a case already has is a no-op)."""

    def apply_server_status(self, case_id: str, status: str, reason: str | None) -> None: ...


@runtime_checkable
class MaterialRequestApplier(Protocol):
    """Records the back office's request for more material (补正, feed status ``material_requested``):
    the requested materials become owed lines of the local case (idempotent by the event's ``seq``)."""

    def apply_material_request(
        self, case_id: str, seq: int, reason: str | None, materials: tuple[tuple[str, str | None], ...]
    ) -> None: ...


class PublicationInstaller(Protocol):
    """Validates a pushed catalogue/calendar completely and activates it atomically, or raises a
    ClerkAppError (the active version stays)."""

    def install(self, version: str, content: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class SyncSettings:
    chunk_size: int = 1024 * 1024
    inline_pages_max_bytes: int = 2 * 1024 * 1024  # a case's pages up to this go inline with its packet
    batch_size: int = 50  # outbox entries per cycle
    in_flight: int = 3  # groups of case packets sent at once (each group its own requests)
    batch_cases: int = 16  # small cases per request and back-office transaction (1: case by case)
    batch_bytes: int = 8 * 1024 * 1024  # at most this much of pages in one batch request
    poll_interval: float = 30.0  # seconds between cycles when idle
    publication_interval: float = 300.0
    feed_page: int = 200
    backoff_base: float = 2.0
    backoff_max: float = 300.0


@dataclass(frozen=True)
class SyncState:
    online: bool | None = None  # None: not tried yet
    pending: int = 0
    failed: int = 0
    last_success: dt.datetime | None = None
    problem: str | None = None  # user-facing text of the last failure
    catalogue_problem: str | None = None  # a refused catalogue/calendar push


@dataclass(frozen=True)
class SyncProgress:
    case_id: str
    files_done: int
    files_total: int
    bytes_sent: int
    bytes_total: int


@dataclass
class CycleReport:
    contacted: bool = False  # at least one exchange with the back office succeeded
    sent: int = 0
    failed: int = 0
    upload_error: ClerkAppError | None = None
    statuses_applied: int = 0
    results_fetched: int = 0  # result documents downloaded, verified and kept
    pull_error: ClerkAppError | None = None
    installed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    cancelled: bool = False  # a manual cycle stopped by the clerk (no pulls this time)
    feed_resynced: bool = False  # the stored feed cursor was ahead of the back office: read again from 0
    rollback_detected: bool = False  # the back office has seen more of this station than its store holds


_WAITING_FOR_PACKET = BackOfficeUnavailable(problem="waiting for the case packet to be delivered first")
# What the back office says once it holds a case completely (every later status implies it).
_RECEIVED_OR_LATER = SERVER_STATUSES + ("material_requested",)


# Per-case refusals in a batch that a later attempt can overcome: bytes corrupted in transit (the
# station checked them against the manifest before sending), a concurrent upload of the same case.
_TRANSIENT_REFUSALS = ("hash_mismatch", "retry_later")


@dataclass
class _GroupResult:
    """What became of a group of case packets (settled in one local transaction)."""

    sent: list[tuple[int, BuiltPacket]] = field(default_factory=list)
    failed: list[tuple[int, Exception]] = field(default_factory=list)
    transient: list[tuple[int, ClerkAppError]] = field(default_factory=list)


def _unexpected(exc: Exception) -> SyncError:
    """An unforeseen failure inside a cycle, as a typed error (type name only: no values, no PII)."""
    return SyncError(problem=f"internal error {type(exc).__name__}", detail=type(exc).__name__)


def backoff_delay(attempts: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with jitter: uniform in [d/2, d], d = min(cap, base·2^(attempts-1))."""
    d = min(cap, base * (2 ** max(0, attempts - 1)))
    return rng.uniform(d / 2, d)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


class SyncWorker:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        client: BackOfficeClient,
        packets: PacketBuilder,
        attachments: AttachmentSource,
        *,
        station_code: str,
        status_applier: StatusApplier | None = None,
        result_sink: ResultSink | None = None,
        installers: dict[str, PublicationInstaller] | None = None,
        settings: SyncSettings = SyncSettings(),
        on_state: Callable[[SyncState], None] | None = None,
        on_progress: Callable[[SyncProgress], None] | None = None,
        clock: Callable[[], dt.datetime] = _utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self._sessions = sessions
        self._client = client
        self._packets = packets
        self._attachments = attachments
        self.station_code = station_code
        self._applier = status_applier
        self._result_sink = result_sink
        self._installers = dict(installers or {})
        self.settings = settings
        self._on_state = on_state
        self._on_progress = on_progress
        self._clock = clock
        self._rng = rng or random.Random()
        self._cycle_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._cancel: threading.Event | None = None  # set by run_once(cancel=...) for its cycle
        self._failures = 0  # consecutive failed cycles (worker-level backoff)
        self._next_publication_pull = 0.0
        self._state = SyncState()
        self._batch_route = settings.batch_cases > 1  # off for the cycle once a back office lacks it

    # -- thread control -----------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sync-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop the thread and wait until it has ended. The request in flight is interrupted (its
        socket shut down); every request also has an overall deadline, so the join always returns."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is None:
            return
        limit = timeout if timeout is not None else self._client.settings.request_deadline + 10.0
        end = time.monotonic() + limit
        thread.join(min(1.0, limit))  # a request about to finish may finish
        while thread.is_alive() and time.monotonic() < end:
            self._client.abort()
            thread.join(0.2)
        if thread.is_alive():  # cannot happen with the deadlines; say so loudly if it does
            log.error("sync worker did not stop within %.0f s", limit)
        else:
            self._thread = None

    def wake(self) -> None:
        """'Sync now': start a cycle immediately (ignoring backoff)."""
        self._failures = 0
        self._wake.set()

    @property
    def state(self) -> SyncState:
        return self._state

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                report = self.run_once()
                ok = report.upload_error is None and report.pull_error is None
            except Exception:  # never let the thread die; the next cycle tries again
                log.exception("sync cycle crashed")
                ok = False
            self._failures = 0 if ok else self._failures + 1
            if self._failures:
                delay = backoff_delay(self._failures, self.settings.backoff_base, self.settings.backoff_max, self._rng)
            else:
                delay = self.settings.poll_interval if not self._has_due_work() else 0.0
            self._wake.wait(delay)
            self._wake.clear()

    def _has_due_work(self) -> bool:
        with self._sessions() as s:
            return s.scalar(self._due_query(self._clock()).with_only_columns(OutboxEntry.id).limit(1)) is not None

    # -- one cycle ----------------------------------------------------------------------------
    def run_once(self, cancel: threading.Event | None = None) -> CycleReport:
        """Upload due entries, then pull statuses and publications. Safe to call from any thread;
        cycles never overlap. ``cancel`` (a manual "sync now" the clerk stopped) ends the cycle after
        the entry being sent, without the pulls."""
        with self._cycle_lock:
            report = CycleReport()
            self._cancel = cancel
            try:
                self._upload(report)
            finally:
                self._cancel = None
            if self._stop.is_set() or (cancel is not None and cancel.is_set()):
                report.cancelled = cancel is not None and cancel.is_set()
                self._publish_state(report)
                return report
            for pull in (self._pull_statuses, self._pull_publications, self._anchor):
                try:
                    pull(report)
                except Exception as exc:  # a bug or an unforeseen answer: reported, never raised
                    log.exception("sync pull failed")
                    report.pull_error = report.pull_error or _unexpected(exc)
            self._publish_state(report)
            return report

    def _due_query(self, now: dt.datetime) -> Select[OutboxEntry]:
        return (
            select(OutboxEntry)
            .join(Case, Case.id == OutboxEntry.case_id)
            .where(
                OutboxEntry.state == "pending",
                Case.station_code == self.station_code,
                (OutboxEntry.next_attempt_at.is_(None)) | (OutboxEntry.next_attempt_at <= now),
            )
            # Case packets first: a rating (or any other kind) that fails never delays a case.
            .order_by(case((OutboxEntry.kind == "case_packet", 0), else_=1), OutboxEntry.id)
        )

    def _upload(self, report: CycleReport) -> None:
        with self._sessions() as s:
            due = [
                (e.id, e.case_id, e.idempotency_key, e.kind)
                for e in s.scalars(self._due_query(self._clock()).limit(self.settings.batch_size))
            ]
        # Case packets come first (the due query orders them so); other kinds after them, one by one.
        packets = [(entry_id, case_id, key) for entry_id, case_id, key, kind in due if kind == "case_packet"]
        if packets and not self._upload_packets(packets, report):
            return
        self._upload_others([d for d in due if d[3] != "case_packet"], report)

    # -- case packets -------------------------------------------------------------------------
    def _upload_packets(self, packets: list[tuple[int, str, str]], report: CycleReport) -> bool:
        """Case packets in groups of ``settings.batch_cases``: each group's small cases go as batch
        requests (several cases, one back-office transaction, a receipt or refusal per case), its large
        cases one by one with chunked pages. Groups go ``settings.in_flight`` at a time on a small pool;
        their results are settled in outbox order, each group in ONE local transaction. An outage (or a
        wrong answer) stops the cycle after settling what was done; False then."""
        self._batch_route = self.settings.batch_cases > 1  # an upgraded back office is used again next cycle
        size = max(1, self.settings.batch_cases)
        groups = [packets[i : i + size] for i in range(0, len(packets), size)]
        pool = None
        if self.settings.in_flight > 1 and len(groups) > 1:
            pool = ThreadPoolExecutor(min(self.settings.in_flight, len(groups)), thread_name_prefix="sync-send")
        futures: dict[int, Future[_GroupResult]] = {}
        try:
            for index, group in enumerate(groups):
                if self._stop.is_set() or (self._cancel is not None and self._cancel.is_set()):
                    return False
                if pool is None:
                    result = self._send_group(group)
                else:
                    for ahead in range(index, min(len(groups), index + self.settings.in_flight)):
                        if ahead not in futures and not self._stop.is_set():
                            futures[ahead] = pool.submit(self._send_group, groups[ahead])
                    result = futures.pop(index).result()
                if not self._settle(result, report):
                    return False
            return True
        finally:
            if pool is not None:
                for future in futures.values():
                    future.cancel()  # a group already on the wire finishes; it is replayed next cycle
                pool.shutdown(wait=True)  # nothing of this cycle keeps running after it

    def _send_group(self, group: list[tuple[int, str, str]]) -> _GroupResult:
        """Builds the packets of a group (one local read transaction) and sends them; never raises:
        every entry ends in the result as sent, failed (permanent), transient, or untouched (after a
        transient failure the rest of the group waits for the next cycle)."""
        result = _GroupResult()
        try:
            built: list[tuple[int, str, BuiltPacket]] = []
            with self._sessions() as s:  # one read transaction, a fixed number of queries for the group
                packets = self._packets.build_many(s, [case_id for _e, case_id, _k in group])
            for entry_id, case_id, key in group:
                packet = packets[case_id]
                if isinstance(packet, LookupError):
                    result.failed.append((entry_id, packet))
                else:
                    built.append((entry_id, key, packet))
            small: list[tuple[int, str, BuiltPacket]] = []
            large: list[tuple[int, str, BuiltPacket]] = []
            for entry in built:
                fits = sum(f.size for f in entry[2].files) <= self.settings.inline_pages_max_bytes
                (small if self._batch_route and fits else large).append(entry)
            for batch in self._split(small):
                if not self._send_batch(batch, result, large):
                    return result
            for entry_id, key, packet in large:
                if self._cancel is not None and self._cancel.is_set():
                    return result  # the clerk stopped the cycle: the rest of the group stays pending
                try:
                    self._send_case(packet.case_id, key, packet)
                except (BackOfficeUnavailable, StationNotAuthorised, InvalidAnswer) as exc:
                    result.transient.append((entry_id, exc))
                    return result
                except (RequestRejected, AttachmentMissing, LookupError) as exc:
                    result.failed.append((entry_id, exc))
                    continue
                result.sent.append((entry_id, packet))
        except Exception as exc:  # never out of the pool, never "sent": retried like an outage
            log.exception("sending case packets crashed")
            done = {e for e, *_ in result.sent} | {e for e, _ in result.failed} | {e for e, _ in result.transient}
            result.transient.extend((entry_id, _unexpected(exc)) for entry_id, _c, _k in group if entry_id not in done)
        return result

    def _split(self, small: list[tuple[int, str, BuiltPacket]]) -> list[list[tuple[int, str, BuiltPacket]]]:
        """Batches of at most ``batch_cases`` cases and ``batch_bytes`` of pages (a case never split)."""
        batches: list[list[tuple[int, str, BuiltPacket]]] = []
        current: list[tuple[int, str, BuiltPacket]] = []
        weight = 0
        for entry in small:
            size = sum(f.size for f in entry[2].files)
            if current and (len(current) >= self.settings.batch_cases or weight + size > self.settings.batch_bytes):
                batches.append(current)
                current, weight = [], 0
            current.append(entry)
            weight += size
        if current:
            batches.append(current)
        return batches

    def _send_batch(
        self,
        batch: list[tuple[int, str, BuiltPacket]],
        result: _GroupResult,
        large: list[tuple[int, str, BuiltPacket]],
    ) -> bool:
        """One batch request; each case's answer goes into ``result``. False after a transient failure
        (the group stops there). An older back office (no batch route) or a batch refused as a whole
        sends its cases one by one instead (appended to ``large``)."""
        cases: list[BatchCase] = []
        sending: list[tuple[int, str, BuiltPacket]] = []
        for entry_id, key, packet in batch:
            try:
                pages = self._read_pages(packet.files)
            except AttachmentMissing as exc:
                result.failed.append((entry_id, exc))
                continue
            cases.append(BatchCase(key, packet.body, pages))
            sending.append((entry_id, key, packet))
        if not cases:
            return True
        try:
            answers = self._client.upload_packet_batch(cases)
        except (BackOfficeUnavailable, StationNotAuthorised, InvalidAnswer) as exc:
            result.transient.extend((entry_id, exc) for entry_id, _k, _p in sending)
            return False
        except RequestRejected as exc:  # the batch as a whole (e.g. too large for this back office)
            log.warning("case packet batch refused as a whole (%s): sending case by case", exc.code)
            large.extend(sending)
            return True
        if answers is None:
            self._batch_route = False
            large.extend(sending)
            return True
        transient = False
        for (entry_id, key, packet), answer in zip(sending, answers, strict=True):
            try:
                if isinstance(answer, RequestRejected):
                    if answer.code in _TRANSIENT_REFUSALS:  # corrupted in transit (checked here before sending)
                        raise BackOfficeUnavailable(problem=answer.code)
                    raise answer
                self._finish_case(packet, key, answer)
            except (BackOfficeUnavailable, StationNotAuthorised, InvalidAnswer) as exc:
                result.transient.append((entry_id, exc))
                transient = True
                continue
            except (RequestRejected, AttachmentMissing, LookupError) as exc:
                result.failed.append((entry_id, exc))
                continue
            result.sent.append((entry_id, packet))
        return not transient

    def _settle(self, result: _GroupResult, report: CycleReport) -> bool:
        """A group's outcome in ONE local transaction: the sent entries marked sent with one statement,
        refusals failed, transient ones rescheduled with backoff. False if the cycle must stop."""
        now = self._clock()
        with self._sessions.begin() as s:
            if result.sent:
                s.execute(
                    update(OutboxEntry)
                    .where(OutboxEntry.id.in_([entry_id for entry_id, _p in result.sent]))
                    .values(state="sent", sent_at=now, attempts=OutboxEntry.attempts + 1, last_error=None)
                )
            for entry_id, exc in result.failed:
                text = str(exc) if isinstance(exc, ClerkAppError) else type(exc).__name__
                log.warning("outbox entry %s refused: %s", entry_id, text)
                s.execute(
                    update(OutboxEntry)
                    .where(OutboxEntry.id == entry_id)
                    .values(state="failed", attempts=OutboxEntry.attempts + 1, last_error=text[:500])
                )
            for entry_id, error in result.transient:
                entry = s.get(OutboxEntry, entry_id)
                if entry is not None:
                    entry.attempts += 1
                    delay = backoff_delay(
                        entry.attempts, self.settings.backoff_base, self.settings.backoff_max, self._rng
                    )
                    entry.next_attempt_at = now + dt.timedelta(seconds=delay)
                    entry.last_error = str(error)[:500]
        report.sent += len(result.sent)
        report.failed += len(result.failed)
        report.contacted = report.contacted or bool(result.sent)
        for _entry_id, packet in result.sent:
            total = sum(f.size for f in packet.files)
            self._progress(SyncProgress(packet.case_id, len(packet.files), len(packet.files), total, total))
        if result.transient:
            report.upload_error = result.transient[0][1]
            return False
        return True

    def _upload_others(self, due: list[tuple[int, str, str, str]], report: CycleReport) -> None:
        for entry_id, case_id, key, kind in due:
            if self._stop.is_set() or (self._cancel is not None and self._cancel.is_set()):
                return
            try:
                if kind == "rating":
                    self._send_rating(entry_id, case_id, key)
                elif kind == "outcome":
                    self._send_outcome(entry_id, case_id, key)
                elif kind == "supplements":
                    if not self._packet_sent(case_id):
                        # The back office must know the case first: wait (backoff), never fail.
                        self._reschedule(entry_id, _WAITING_FOR_PACKET)
                        continue
                    self._send_supplements(entry_id, case_id, key)
                else:
                    raise RequestRejected(status=0, code=f"unsupported outbox kind {kind}")
            except (BackOfficeUnavailable, StationNotAuthorised, InvalidAnswer) as exc:
                self._reschedule(entry_id, exc)
                report.upload_error = exc
                return  # the back office is away or answers wrongly: stop hammering it, keep the order
            except (RequestRejected, AttachmentMissing, LookupError) as exc:
                self._mark_failed(entry_id, exc)
                report.failed += 1
                continue
            except Exception as exc:  # never out of run_once, never "sent": retried like an outage
                log.exception("sending outbox entry %s crashed", entry_id)
                error = _unexpected(exc)
                self._reschedule(entry_id, error)
                report.upload_error = error
                return
            self._mark_sent(entry_id)
            report.sent += 1
            report.contacted = True

    def _send_case(self, case_id: str, key: str, built: BuiltPacket | None = None) -> None:
        """One case on its own: small pages inline with the packet (one request), else the packet
        and then its pages chunked."""
        if built is None:
            with self._sessions() as s:
                built = self._packets.build(s, case_id)
        receipt = None
        if built.files and sum(f.size for f in built.files) <= self.settings.inline_pages_max_bytes:
            # Small pages travel with the packet: one request instead of 2 + one per page.
            receipt = self._client.upload_packet_with_pages(key, built.body, self._read_pages(built.files))
        if receipt is None:
            receipt = self._client.upload_packet(key, built.body)
        self._finish_case(built, key, receipt)

    def _finish_case(self, built: BuiltPacket, key: str, receipt: PacketReceipt) -> None:
        """Sends what the receipt says is missing (chunked), asks again, and checks the back office
        holds the whole case; raises unless it does."""
        if receipt.missing_attachments:
            self._send_files(built.case_id, built.files, set(receipt.missing_attachments))
            # Ask again (an idempotent replay of the same packet): only a back office that now
            # holds the whole case marks the entry sent.
            receipt = self._client.upload_packet(key, built.body)
        if receipt.status not in _RECEIVED_OR_LATER or receipt.missing_attachments:
            raise InvalidAnswer(problem=f"case not received by the back office (status {receipt.status})")

    def _read_pages(self, files: tuple[ManifestFile, ...]) -> dict[str, bytes]:
        pages: dict[str, bytes] = {}
        for f in files:
            try:
                with self._attachments.open(f.sha256) as fh:
                    data = fh.read(f.size + 1)
            except (OSError, ClerkAppError) as exc:  # missing file, or the store found it damaged
                raise AttachmentMissing(sha=f.sha256[:12], detail=type(exc).__name__) from exc
            if len(data) != f.size or hashlib.sha256(data).hexdigest() != f.sha256:
                raise AttachmentMissing(sha=f.sha256[:12], detail="file differs from its manifest")
            pages[f.sha256] = data
        return pages

    def _send_files(self, case_id: str, manifest: tuple[ManifestFile, ...], missing: set[str]) -> None:
        files = [f for f in manifest if f.sha256 in missing]
        total = sum(f.size for f in files)
        sent = 0
        for i, f in enumerate(files):
            self._send_file(case_id, f, sent, total, i, len(files))
            sent += f.size
            self._progress(SyncProgress(case_id, i + 1, len(files), sent, total))

    def _packet_sent(self, case_id: str) -> bool:
        with self._sessions() as s:
            return (
                s.scalar(
                    select(OutboxEntry.id)
                    .where(
                        OutboxEntry.case_id == case_id, OutboxEntry.kind == "case_packet", OutboxEntry.state == "sent"
                    )
                    .limit(1)
                )
                is not None
            )

    def _send_supplements(self, entry_id: int, case_id: str, key: str) -> None:
        """容缺 materials that arrived later: the record (lines + pages + manifest, rebuilt
        deterministically from the store), then the files the server still misses, chunked like a
        packet's attachments."""
        with self._sessions() as s:
            entry = s.get(OutboxEntry, entry_id)
            payload = dict(entry.payload or {}) if entry is not None else {}
            codes = payload.get("lines")
            if payload.get("case_id") != case_id or not isinstance(codes, list) or not codes:
                raise LookupError(f"supplements entry {entry_id} has no lines for its case")
            built = self._packets.build_supplements(s, case_id, [str(c) for c in codes])
        receipt = self._client.upload_supplements(key, case_id, built.body)
        if receipt.missing_attachments:
            self._send_files(case_id, built.files, set(receipt.missing_attachments))
            receipt = self._client.upload_supplements(key, case_id, built.body)
        if receipt.missing_attachments:
            raise InvalidAnswer(problem="supplement pages still missing at the back office after upload")

    def _send_rating(self, entry_id: int, case_id: str, key: str) -> None:
        """The rating as the customer window stored it in the outbox payload (deterministic, so a
        retry is recognised by the server)."""
        with self._sessions() as s:
            entry = s.get(OutboxEntry, entry_id)
            payload = dict(entry.payload or {}) if entry is not None else {}
            if payload.get("case_id") == case_id and "comment" not in payload:
                # Sealed on the case (personal data), opened here in memory for the wire only.
                payload["comment"] = self._packets.rating_comment(s, case_id)
        if payload.get("case_id") != case_id:
            raise LookupError(f"rating entry {entry_id} has no payload for its case")
        self._client.upload_rating(key, case_id, payload)

    def _send_outcome(self, entry_id: int, case_id: str, key: str) -> None:
        """An outcome (return, rejection, delivery, void, correction) as stored in the outbox in the
        transaction of the change (clerk_app/outcomes.py): sent as stored, so a retry is a replay."""
        with self._sessions() as s:
            entry = s.get(OutboxEntry, entry_id)
            payload = dict(entry.payload or {}) if entry is not None else {}
        if payload.get("case_id") != case_id:
            raise LookupError(f"outcome entry {entry_id} has no payload for its case")
        self._client.upload_outcome(key, case_id, payload)

    def _send_file(self, case_id: str, f: ManifestFile, base: int, total: int, index: int, count: int) -> None:
        # Start at 0 without asking: a chunk the server already holds is acknowledged with its real
        # offset, and a gap answers 409 with it, so a resumed upload costs no extra round trip.
        offset = 0
        chunk = self.settings.chunk_size
        try:
            fh = self._attachments.open(f.sha256)
        except (OSError, ClerkAppError) as exc:  # missing file, or the store found it damaged
            raise AttachmentMissing(sha=f.sha256[:12], detail=type(exc).__name__) from exc
        with fh:
            while offset < f.size:  # (an empty file needs no chunk, only finalize)
                if self._stop.is_set():
                    raise BackOfficeUnavailable(problem="stopping")
                fh.seek(offset)
                data = fh.read(chunk)
                if not data:
                    raise AttachmentMissing(sha=f.sha256[:12], detail="file shorter than its manifest size")
                try:
                    state = self._client.put_chunk(case_id, f.sha256, offset, data)
                except RequestRejected as exc:
                    if exc.code == "offset_mismatch" and exc.offset is not None:
                        offset = exc.offset  # resume where the server really is
                        continue
                    if exc.code == "hash_mismatch":
                        self._hash_refused(fh, f, exc)
                    raise
                offset = state.offset
                if state.complete:
                    return
                self._progress(SyncProgress(case_id, index, count, base + offset, total))
            try:
                self._client.finalize(case_id, f.sha256)
            except RequestRejected as exc:
                if exc.code == "hash_mismatch":
                    self._hash_refused(fh, f, exc)
                if exc.code == "incomplete":
                    raise BackOfficeUnavailable(problem="server lost bytes") from exc
                raise

    def _hash_refused(self, fh: Any, f: ManifestFile, exc: RequestRejected) -> None:
        """The server found other bytes than the manifest's SHA-256 and discarded them. If the local
        file is damaged, this entry cannot succeed (permanent); otherwise it was corrupted in transit
        and a later attempt starts again from 0."""
        fh.seek(0)
        if self._sha256(fh) != f.sha256:
            raise AttachmentMissing(sha=f.sha256[:12], detail="local file does not match its hash") from exc
        raise BackOfficeUnavailable(problem="hash mismatch in transit") from exc

    @staticmethod
    def _sha256(fh: Any) -> str:
        digest = hashlib.sha256()
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
        return digest.hexdigest()

    def _progress(self, progress: SyncProgress) -> None:
        if self._on_progress is not None:
            self._on_progress(progress)

    # -- outbox bookkeeping -------------------------------------------------------------------
    def _reschedule(self, entry_id: int, exc: ClerkAppError) -> None:
        with self._sessions.begin() as s:
            entry = s.get(OutboxEntry, entry_id)
            if entry is None:
                return
            entry.attempts += 1
            delay = backoff_delay(entry.attempts, self.settings.backoff_base, self.settings.backoff_max, self._rng)
            entry.next_attempt_at = self._clock() + dt.timedelta(seconds=delay)
            entry.last_error = str(exc)[:500]

    def _mark_failed(self, entry_id: int, exc: Exception) -> None:
        text = str(exc) if isinstance(exc, ClerkAppError) else type(exc).__name__
        log.warning("outbox entry %s refused: %s", entry_id, text)
        with self._sessions.begin() as s:
            entry = s.get(OutboxEntry, entry_id)
            if entry is not None:
                entry.attempts += 1
                entry.state = "failed"
                entry.last_error = text[:500]

    def _mark_sent(self, entry_id: int) -> None:
        with self._sessions.begin() as s:
            entry = s.get(OutboxEntry, entry_id)
            if entry is not None:
                entry.attempts += 1
                entry.state = "sent"
                entry.sent_at = self._clock()
                entry.last_error = None

    def retry_failed(self) -> int:
        """Put refused entries back in the queue (after an administrator fixed the cause)."""
        with self._sessions.begin() as s:
            rows = s.scalars(
                select(OutboxEntry)
                .join(Case, Case.id == OutboxEntry.case_id)
                .where(OutboxEntry.state == "failed", Case.station_code == self.station_code)
            ).all()
            for row in rows:
                row.state, row.next_attempt_at = "pending", None
        self.wake()
        return len(rows)

    # -- pulls --------------------------------------------------------------------------------
    def _cursor_key(self) -> str:
        return f"status_cursor:{self.station_code}"

    def _pull_statuses(self, report: CycleReport) -> None:
        if self._applier is None:
            return
        try:
            with self._sessions() as s:
                stored = sync_state.get_value(s, self._cursor_key()) or "0"
            cursor = int(stored) if stored.isdigit() else 0
            for _page in range(50):  # bounded per cycle
                page = self._client.status_feed(cursor, self.settings.feed_page)
                report.contacted = True
                if page.head_seq is not None and page.head_seq < cursor:
                    # The back office has fewer events than this station already read: it was
                    # restored or replaced. Read everything again (applying is idempotent).
                    log.warning(
                        "status feed cursor %s ahead of the back office (%s): re-reading", cursor, page.head_seq
                    )
                    report.feed_resynced = True
                    self._state = replace(self._state, problem=FeedCursorAhead().user_message())
                    cursor = 0
                    with self._sessions.begin() as s:
                        sync_state.set_value(s, self._cursor_key(), "0")
                    continue
                for event in page.events:
                    if event.status == "material_requested" and isinstance(self._applier, MaterialRequestApplier):
                        try:
                            self._applier.apply_material_request(
                                event.case_id, event.seq, event.reason, event.materials
                            )
                            report.statuses_applied += 1
                        except ClerkAppError as exc:  # e.g. a case voided locally: note and go on
                            log.warning("material request for a case not applied: %s", exc)
                        continue
                    if event.status not in SERVER_STATUSES:
                        continue
                    try:
                        self._applier.apply_server_status(event.case_id, event.status, event.reason)
                        report.statuses_applied += 1
                    except ClerkAppError as exc:  # e.g. a case voided locally: note and go on
                        log.warning("status %s for a case not applied: %s", event.status, exc)
                    if event.result_document is not None and self._result_sink is not None:
                        self._fetch_result(event.case_id, event.result_document, report)
                # Only as far as what was seen: a next_cursor beyond the last event would skip events.
                if page.events:
                    cursor = page.events[-1].seq
                with self._sessions.begin() as s:
                    sync_state.set_value(s, self._cursor_key(), str(cursor))
                if not page.has_more:
                    break
        except SyncError as exc:
            report.pull_error = exc

    def _fetch_result(self, case_id: str, ref: ResultDocumentRef, report: CycleReport) -> None:
        """Downloads, verifies and keeps a result document. A transient failure propagates (the page's
        cursor is not advanced, the event is applied again next cycle: idempotent); a document that does
        not match its reference or is refused is logged and skipped, so it never blocks the feed."""
        assert self._result_sink is not None
        try:
            data = self._client.result_document(case_id, ref)
        except (ResultDocumentMismatch, RequestRejected) as exc:
            log.warning("result document of a case not kept: %s", exc)
            report.refused.append(f"result {ref.id}")
            return
        try:
            self._result_sink.store_result(case_id, ref, data)
        except SyncError:
            raise
        except ClerkAppError as exc:  # e.g. the attachment store is full: reported, the feed goes on
            log.warning("result document of a case not stored: %s", exc)
            report.refused.append(f"result {ref.id}")
            return
        report.results_fetched += 1

    def _pull_publications(self, report: CycleReport) -> None:
        if not self._installers:
            return
        now = self._clock().timestamp()
        if now < self._next_publication_pull:
            return
        for kind, installer in self._installers.items():
            try:
                with self._sessions() as s:
                    known = sync_state.get_value(s, f"{kind}_etag")
                    refused = sync_state.get_value(s, f"{kind}_refused_etag")
                pub = self._client.publication(kind, known)
                report.contacted = True
                if pub is None or pub.etag == refused:
                    continue
                try:
                    installer.install(pub.version, pub.content)
                except ClerkAppError as exc:
                    report.refused.append(f"{kind} {pub.version}")
                    self._state = replace(self._state, catalogue_problem=exc.user_message())
                    log.warning("%s version %s refused: %s", kind, pub.version, exc)
                    with self._sessions.begin() as s:
                        sync_state.set_value(s, f"{kind}_refused_etag", pub.etag)
                    continue
                report.installed.append(f"{kind} {pub.version}")
                self._state = replace(self._state, catalogue_problem=None)
                with self._sessions.begin() as s:
                    sync_state.set_value(s, f"{kind}_etag", pub.etag)
            except SyncError as exc:
                report.pull_error = report.pull_error or exc
                return  # try again next cycle
        self._next_publication_pull = now + self.settings.publication_interval

    # -- anchor -------------------------------------------------------------------------------
    ANCHOR_DAYS = 3  # counters of the newest days in the store (numbers are only given out for today)

    def _anchor(self, report: CycleReport) -> None:
        """Send the audit chain head and case-number counters; compare with what the back office had
        seen. A back office that saw a longer chain, another hash at its seq, or higher counters means
        this store was rolled back: counters move past every number seen, the state says so."""
        if isinstance(report.upload_error, BackOfficeUnavailable):
            return  # away: nothing to compare with
        with self._sessions() as s:
            head = s.get(AuditHead, AUDIT_CHAIN)
            seq, digest = (head.last_seq, head.last_hash) if head is not None else (0, AUDIT_GENESIS)
            counters = {
                day: value
                for day, value in s.execute(
                    select(CaseNumberSequence.day, CaseNumberSequence.last_value)
                    .where(CaseNumberSequence.station_code == self.station_code)
                    .order_by(CaseNumberSequence.day.desc())
                    .limit(self.ANCHOR_DAYS)  # the newest days held (not by clock: clocks can be wrong)
                ).all()
            }
        try:
            seen = self._client.anchor(seq, digest, counters)
        except SyncError as exc:
            report.pull_error = report.pull_error or exc
            return
        report.contacted = True
        if seen is None:
            return
        diverged = False
        if seen.audit_seq > 0:
            with self._sessions() as s:
                local = s.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seen.audit_seq))
            diverged = local != seen.audit_hash
        behind = {day: n for day, n in seen.case_counters.items() if n > counters.get(day, 0)}
        if behind:
            with self._sessions.begin() as s:
                for day, value in behind.items():
                    row = s.get(CaseNumberSequence, (self.station_code, day))
                    if row is None:
                        s.add(CaseNumberSequence(station_code=self.station_code, day=day, last_value=value))
                    elif row.last_value < value:
                        row.last_value = value
        if diverged or behind:
            report.rollback_detected = True
            error = StoreRolledBack(
                detail=f"back office saw audit seq {seen.audit_seq} (local head {seq}); counters moved: {behind}"
            )
            log.error("%s", error)
            report.pull_error = report.pull_error or error
            with self._sessions.begin() as s:
                sync_state.set_value(s, "store_rollback_detected", f"{self._clock().isoformat()} {error.detail}")

    def force_publication_pull(self) -> None:
        self._next_publication_pull = 0.0
        self.wake()

    # -- state for the UI ---------------------------------------------------------------------
    def counts(self) -> tuple[int, int]:
        with self._sessions() as s:
            rows = dict(
                s.execute(
                    select(OutboxEntry.state, func.count())
                    .join(Case, Case.id == OutboxEntry.case_id)
                    .where(Case.station_code == self.station_code)
                    .group_by(OutboxEntry.state)
                ).all()
            )
        return rows.get("pending", 0), rows.get("failed", 0)

    def _publish_state(self, report: CycleReport) -> None:
        pending, failed = self.counts()
        error = report.upload_error or report.pull_error
        if self._stop.is_set():
            error = None  # a request cut short by stop() says nothing about the back office
        online, last, problem = self._state.online, self._state.last_success, self._state.problem
        if isinstance(error, BackOfficeUnavailable):
            online, problem = False, error.user_message()
        elif error is not None:  # reachable but refusing (e.g. station not authorised), or not asked
            online, problem = (True if report.contacted else online), error.user_message()
        elif report.contacted:
            online, last, problem = True, self._clock(), None
        # else: nothing was due and nothing pulled — what we knew still stands.
        self._state = replace(
            self._state, online=online, pending=pending, failed=failed, last_success=last, problem=problem
        )
        if self._on_state is not None:
            try:
                self._on_state(self._state)
            except Exception:  # a UI callback must not kill the worker
                log.exception("sync state callback failed")
