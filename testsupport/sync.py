"""Seeding decided cases with scanned pages straight into a local store, and wiring a station."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clerk_app.store.models import Case, CaseLine, CaseTransition, OutboxEntry, Page, Person, User
from clerk_app.sync import (
    BackOfficeClient,
    FolderAttachments,
    PacketBuilder,
    StationCredentials,
    SyncSettings,
    SyncWorker,
    TransportSettings,
)


class MemoryKeyring:
    """Stands in for the OS keyring (same two calls)."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, name: str) -> str | None:
        return self.entries.get((service, name))

    def set_password(self, service: str, name: str, value: str) -> None:
        self.entries[(service, name)] = value


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def seed_cases(
    sessions: sessionmaker[Session],
    folder: Path,
    n: int,
    rng: random.Random,
    *,
    station: str = "S01",
    pages: tuple[int, int] = (1, 3),
    size: tuple[int, int] = (500, 40_000),
) -> list[str]:
    """``n`` accepted cases, each with an outbox entry and ``pages`` random page files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    t = now()
    ids = []
    with sessions.begin() as s:
        user = s.scalar(select(User).limit(1))
        if user is None:
            user = User(
                username="clerk1",
                display_name="窗口一",
                staff_no="001",
                role="clerk",
                password_hash="-",
                failed_attempts=0,
                active=True,
                created_at=t,
                password_changed_at=t,
            )
            s.add(user)
            s.flush()
        for _ in range(n):
            cid = str(uuid.uuid4())
            person = Person(
                id=str(uuid.uuid4()),
                kind="person",
                pii=b"\0" * 32,
                id_masked="110101********1234",
                name_masked="张*",
                verified_by="manual",
                created_at=t,
            )
            s.add(person)
            s.flush()
            case = Case(
                id=cid,
                case_number=f"{station}-{cid[:13]}",
                station_code=station,
                window_no="01",
                item_code="SC-GTGSH-SL",
                item_name="个体工商户设立登记",
                catalogue_version="2026.1",
                status="accepted",
                applicant_id=person.id,
                answers={"applicant_type": "person"},
                created_by=user.id,
                decided_by=user.id,
                started_at=t,
                decided_at=t,
                created_at=t,
                updated_at=t,
                promised_date=t.date() + dt.timedelta(days=5),
            )
            case.transitions.append(
                CaseTransition(from_status="draft", to_status="accepted", actor_id=user.id, actor_role="clerk", at=t)
            )
            line = CaseLine(
                position=0,
                requirement_code="ID",
                name="身份证明",
                form="original",
                necessity="required",
                status="verified",
                originals_required=1,
                originals_received=1,
                copies_required=0,
                copies_received=0,
                key_material=True,
                deferrable=False,
                page_count=0,
            )
            case.lines.append(line)
            s.add(case)
            s.flush()
            count = rng.randint(*pages)
            for p in range(count):
                data = rng.randbytes(rng.randint(*size))
                sha = hashlib.sha256(data).hexdigest()
                (folder / sha).write_bytes(data)
                s.add(Page(line_id=line.id, position=p, sha256=sha, size=len(data), mime="image/png", created_at=t))
            line.page_count = count
            s.add(
                OutboxEntry(
                    case_id=cid,
                    kind="case_packet",
                    idempotency_key=f"{cid}:packet",
                    payload={"case_id": cid},
                    state="pending",
                    attempts=0,
                    next_attempt_at=t,
                    created_at=t,
                )
            )
            ids.append(cid)
    return ids


def masked_decoder(person: Person) -> dict[str, Any]:
    return {"kind": person.kind, "name": person.name_masked, "document_number": person.id_masked}


def local_pages(sessions: sessionmaker[Session]) -> dict[tuple[str, str], int]:
    with sessions() as s:
        rows = s.execute(select(CaseLine.case_id, Page.sha256, Page.size).join(Page, Page.line_id == CaseLine.id)).all()
    return {(case_id, sha): size for case_id, sha, size in rows}


@dataclass
class Station:
    client: BackOfficeClient
    worker: SyncWorker
    keyring: MemoryKeyring


def make_station(
    url: str,
    sessions: sessionmaker[Session],
    folder: Path,
    *,
    code: str = "S01",
    enrolment: str | None = None,
    register_url: str | None = None,
    keyring: MemoryKeyring | None = None,
    settings: SyncSettings | None = None,
    read_timeout: float = 5.0,
    attachments: Any = None,
    decoder: Any = None,
    ca_file: str | None = None,
    **worker_kw: Any,
) -> Station:
    keyring = keyring or MemoryKeyring()
    client = BackOfficeClient(
        TransportSettings(url, ca_file=ca_file, connect_timeout=2.0, read_timeout=read_timeout, write_timeout=2.0),
        StationCredentials(code, keyring_module=keyring),
    )
    if enrolment:
        # Registration is a one-off at installation; do it directly when the test's route is hostile.
        registrar = BackOfficeClient(TransportSettings(register_url or url), StationCredentials(code, keyring))
        registrar.register(enrolment)
        registrar.close()
    worker = SyncWorker(
        sessions,
        client,
        PacketBuilder(decoder or masked_decoder),
        attachments or FolderAttachments(folder),
        station_code=code,
        # Chunked uploads unless a test asks for inline pages (tests/sync/test_faults.py does both; the
        # app's own SyncSettings default sends small pages inline).
        settings=settings
        or SyncSettings(chunk_size=16 * 1024, backoff_base=0.005, backoff_max=0.05, inline_pages_max_bytes=0),
        rng=random.Random(3),
        **worker_kw,
    )
    return Station(client, worker, keyring)
