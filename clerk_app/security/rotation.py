"""Data-key rotation: a new master key version, then every ciphertext re-encrypted under it.

``KeyRotation.rotate(actor)`` = ``HallKeys.rotate()`` (a new hall key version with its key-check
value, wrapped for every enrolled station, used for every new write at once) + ``resume(actor)``.
``resume`` walks ``persons.pii`` in batches (keyset on the primary key, one transaction per batch)
and then every attachment, re-encrypting what
is still under an older version; it skips what is current, so after a crash or a cancel it simply
continues (``status()`` says how much is left). Old key versions stay in the hall's key table
(wrapped for every station); version 1 stays for good because the search-index key derives from it
(rotating that key would mean recomputing every token: see docs/security.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clerk_app.attachments import AttachmentStore
from clerk_app.audit import Auditor
from clerk_app.persons import TOMBSTONE
from clerk_app.roles import Actor, Permission
from clerk_app.security.crypto import FieldCipher
from clerk_app.store.models import Person

log = logging.getLogger(__name__)


class RotatableKeys(Protocol):
    """``HallKeys`` (the app: a new hall key version wrapped for every enrolled station) or the
    stand-alone ``DataKeyService``."""

    def current_version(self) -> int: ...

    def rotate(self) -> int: ...


Progress = Callable[[str, int], None]  # (phase "persons" | "attachments", items done so far)


@dataclass(frozen=True)
class RotationStatus:
    version: int
    persons_old: int
    files_old: int

    @property
    def complete(self) -> bool:
        return self.persons_old == 0 and self.files_old == 0


@dataclass(frozen=True)
class RotationResult:
    version: int
    persons: int
    files: int


class KeyRotation:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        keys: RotatableKeys,
        fields: FieldCipher,
        attachments: AttachmentStore | None,
        auditor: Auditor,
    ) -> None:
        self._sessions = session_factory
        self._keys = keys
        self._fields = fields
        self._attachments = attachments
        self._auditor = auditor

    def rotate(self, actor: Actor, *, batch: int = 500, progress: Progress | None = None) -> RotationResult:
        actor.require(Permission.KEY_ROTATE)
        version = self._keys.rotate()
        self._auditor.record_now(actor, "key.rotate", version=version)
        return self.resume(actor, batch=batch, progress=progress)

    def resume(self, actor: Actor, *, batch: int = 500, progress: Progress | None = None) -> RotationResult:
        actor.require(Permission.KEY_ROTATE)
        current = self._keys.current_version()
        persons = 0
        last = ""
        while True:
            with self._sessions.begin() as s:
                rows = s.scalars(select(Person).where(Person.id > last).order_by(Person.id).limit(batch)).all()
                if not rows:
                    break
                for row in rows:
                    if row.pii != TOMBSTONE and FieldCipher.key_version_of(row.pii) != current:
                        aad = f"person:{row.id}".encode()
                        row.pii = self._fields.encrypt(self._fields.decrypt(row.pii, aad), aad)
                        persons += 1
                last = rows[-1].id
            if progress:
                progress("persons", persons)
        files = 0
        if self._attachments is not None:
            for sha in list(self._attachments.hashes()):
                if self._attachments.reencrypt(sha):
                    files += 1
                    if progress and files % 50 == 0:
                        progress("attachments", files)
        self._auditor.record_now(actor, "key.reencrypt", version=current, persons=persons, files=files)
        log.info("key rotation to v%d: %d person records, %d files re-encrypted", current, persons, files)
        return RotationResult(current, persons, files)

    def status(self) -> RotationStatus:
        current = self._keys.current_version()
        with self._sessions() as s:
            persons_old = sum(
                1
                for pii in s.scalars(select(Person.pii))
                if pii != TOMBSTONE and FieldCipher.key_version_of(pii) != current
            )
        files_old = 0
        if self._attachments is not None:
            files_old = sum(1 for sha in self._attachments.hashes() if self._attachments.key_version(sha) != current)
        return RotationStatus(current, persons_old, files_old)
