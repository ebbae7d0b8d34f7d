"""The attachment store: page images outside the database, named by the SHA-256 of their content.

- Content-addressed: ``<root>/ab/cd/<sha256>`` (two shard levels keep directories small); the same
  page stored twice is one file. The database keeps hash, size, mime and page order.
- Encrypted at rest with the one data-key service (``FieldCipher`` purpose "attachments"); the
  hash is the AES-GCM associated data, so a file renamed to another hash does not decrypt.
- Atomic: written to a temp file in the target directory, fsync'd, renamed, and the directory
  fsync'd (POSIX rename is atomic; without the directory fsync the rename may not survive a power
  cut). A crash leaves at most a ``.tmp-*`` file, which ``AttachmentStore.cleanup()`` removes.
- Read-back verifies the hash: a tampered or damaged file is reported, never returned.
- A stored copy that fails to decrypt or verify is **quarantined**, never overwritten: moved to
  ``<root>/quarantine/`` with a ``.json`` note (reason, time), logged by hash prefix, reported as
  ``AttachmentCorrupt``, listed by ``quarantined()``; a later ``put`` of the same page then stores a
  fresh copy. A key that is missing altogether is a start-up error (clerk_app/security/hall_keys.py),
  so a lost keyring never makes every page look damaged.
- ``DatabaseAttachmentStore``: the same interface over the hall database (table ``attachment_blobs``,
  same encryption, same content addressing), used when the store is PostgreSQL so every station of
  the hall reads every page (docs/hall-deployment.md). Quarantine there is the table
  ``attachment_quarantine``.
- ``assemble_pdf`` makes one PDF per checklist line for the back office, embedding the stored JPEG,
  PNG and CCITT G4 TIFF data as is (img2pdf: no recompression, no generation loss).
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import json
import logging
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n
from clerk_app.errors import ClerkAppError, NotFound
from clerk_app.security.crypto import DecryptionError, FieldCipher
from clerk_app.store.db import rowcount
from clerk_app.store.models import AttachmentBlob, QuarantinedAttachment

log = logging.getLogger(__name__)

_HASH_RE = re.compile(r"^[0-9a-f]{64}$")
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
TEMP_PREFIX = ".tmp-"
_OVERHEAD = 3 + 12 + 16  # FieldCipher: format + key version header, nonce, GCM tag


class AttachmentError(ClerkAppError):
    key = i18n.register("attachment.error", "材料文件存储出错：{problem}", "Attachment storage error: {problem}")


class AttachmentTooLarge(AttachmentError):
    key = i18n.register(
        "attachment.too_large",
        "材料文件过大（{size} 字节，上限 {limit} 字节）",
        "The attachment is too large ({size} bytes, limit {limit} bytes)",
    )


class StorageFull(AttachmentError):
    key = i18n.register(
        "attachment.disk_full",
        "磁盘空间已满，页面未能保存。请联系管理员清理磁盘后重新扫描该页；之前保存的页面不受影响。",
        "The disk is full and the page was not saved. Ask an administrator to free "
        "space, then rescan this page; pages saved before are not affected.",
    )


class AttachmentCorrupt(AttachmentError):
    key = i18n.register(
        "attachment.corrupt",
        "材料文件已损坏或被篡改（校验不符），已移入隔离区保存，请重新扫描该页",
        "The attachment file is damaged or was tampered with (check failed); it was moved to "
        "quarantine. Rescan the page",
    )


class AttachmentMissing(NotFound):
    key = i18n.register(
        "attachment.missing", "材料文件缺失，请重新扫描该页", "The attachment file is missing; rescan the page"
    )


@dataclass(frozen=True)
class StoredAttachment:
    sha256: str
    size: int  # plaintext bytes
    mime: str


@dataclass(frozen=True)
class QuarantineEntry:
    sha256: str
    reason: str
    at: dt.datetime
    where: str  # file path or "attachment_quarantine:<id>"


class AttachmentStore:
    def __init__(self, root: str | Path, cipher: FieldCipher, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = Path(root)
        self._cipher = cipher
        self.max_bytes = max_bytes
        self.root.mkdir(parents=True, exist_ok=True)

    # -- paths ------------------------------------------------------------------------------
    def path_of(self, sha256: str) -> Path:
        if not _HASH_RE.match(sha256):
            raise AttachmentError(problem="invalid hash", detail="not a lowercase SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    # -- write ------------------------------------------------------------------------------
    def put(self, data: bytes, mime: str = "application/octet-stream") -> StoredAttachment:
        """Store ``data`` (idempotent: an existing, intact copy is kept; a damaged one is quarantined
        first, never overwritten) and return its hash."""
        if len(data) > self.max_bytes:
            raise AttachmentTooLarge(size=len(data), limit=self.max_bytes, detail=f"{len(data)} > {self.max_bytes}")
        sha = hashlib.sha256(data).hexdigest()
        if self.exists(sha):
            try:
                self.get(sha)
                return StoredAttachment(sha, len(data), mime)
            except AttachmentCorrupt:
                log.warning("attachment %s was damaged and is quarantined; storing the new copy", sha[:12])
        blob = self._cipher.encrypt(data, aad=sha.encode("ascii"))
        self._store_blob(sha, blob, len(data))
        return StoredAttachment(sha, len(data), mime)

    def _store_blob(self, sha256: str, blob: bytes, size: int) -> None:
        self._write_atomic(self.path_of(sha256), blob)

    def _write_atomic(self, target: Path, blob: bytes) -> None:
        directory = target.parent
        temp = directory / f"{TEMP_PREFIX}{secrets.token_hex(8)}"
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                view = memoryview(blob)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temp, target)
            _fsync_dir(directory)
        except OSError as exc:
            _remove_quietly(temp)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StorageFull(detail=f"{errno.errorcode.get(exc.errno, exc.errno)} writing attachment") from exc
            raise AttachmentError(
                problem=exc.strerror or "I/O error", detail=f"{type(exc).__name__} errno={exc.errno}"
            ) from exc

    # -- read -------------------------------------------------------------------------------
    def get(self, sha256: str) -> bytes:
        blob = self._load_blob(sha256)
        try:
            return self._open_blob(sha256, blob)
        except AttachmentCorrupt as exc:
            self._quarantine(sha256, blob, exc.detail)
            raise

    def verify(self, sha256: str) -> bool:
        """Whether the stored copy decrypts and matches its hash; changes nothing (start-up probe)."""
        try:
            self._open_blob(sha256, self._load_blob(sha256))
            return True
        except AttachmentCorrupt:
            return False

    def _open_blob(self, sha256: str, blob: bytes) -> bytes:
        try:
            data = self._cipher.decrypt(blob, aad=sha256.encode("ascii"))
        except DecryptionError as exc:
            raise AttachmentCorrupt(detail=f"{sha256[:12]}: {exc.detail}") from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise AttachmentCorrupt(detail=f"{sha256[:12]}: content hash mismatch")
        return data

    def _load_blob(self, sha256: str) -> bytes:
        path = self.path_of(sha256)
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise AttachmentMissing(what="attachment", detail=f"{sha256[:12]} missing") from exc

    # -- quarantine ---------------------------------------------------------------------------
    def _quarantine(self, sha256: str, blob: bytes, reason: str) -> None:
        """Move the stored copy aside (same file system: an atomic rename) with a note."""
        qdir = self.root / "quarantine"
        qdir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC)
        target = qdir / f"{sha256}.{stamp.strftime('%Y%m%dT%H%M%S')}.{secrets.token_hex(3)}"
        try:
            os.replace(self.path_of(sha256), target)
        except FileNotFoundError:
            return  # another thread moved it already
        note = {"sha256": sha256, "reason": reason[:200], "at": stamp.isoformat()}
        target.with_name(target.name + ".json").write_text(json.dumps(note), encoding="utf-8")
        _fsync_dir(qdir)
        _fsync_dir(self.path_of(sha256).parent)
        log.warning("attachment %s quarantined (%s)", sha256[:12], reason[:80])

    def quarantined(self) -> list[QuarantineEntry]:
        """Attachments moved aside because they failed to decrypt or verify (oldest first)."""
        out = []
        for note in sorted((self.root / "quarantine").glob("*.json")):
            try:
                raw = json.loads(note.read_text(encoding="utf-8"))
                out.append(
                    QuarantineEntry(
                        raw["sha256"], raw["reason"], dt.datetime.fromisoformat(raw["at"]), str(note.with_suffix(""))
                    )
                )
            except (OSError, ValueError, KeyError):
                continue
        return sorted(out, key=lambda e: e.at)

    def has_any(self) -> bool:
        return next(iter(self.hashes()), None) is not None

    # The sync worker's AttachmentSource protocol (clerk_app.sync.packet). A page file is a few
    # hundred KB, so a verified in-memory copy is the simplest seekable stream.
    def open(self, sha256: str) -> BinaryIO:
        return io.BytesIO(self.get(sha256))

    def size(self, sha256: str) -> int:
        """Plaintext size, from the file size (no decryption)."""
        try:
            stored = self.path_of(sha256).stat().st_size
        except FileNotFoundError as exc:
            raise AttachmentMissing(what="attachment", detail=f"{sha256[:12]} missing") from exc
        return stored - _OVERHEAD

    def key_version(self, sha256: str) -> int:
        """Data-key version the file is encrypted under (header only, no decryption)."""
        try:
            with self.path_of(sha256).open("rb") as fh:
                header = fh.read(3)
        except FileNotFoundError as exc:
            raise AttachmentMissing(what="attachment", detail=f"{sha256[:12]} missing") from exc
        return FieldCipher.key_version_of(header)

    def reencrypt(self, sha256: str) -> bool:
        """Key rotation hook: rewrite one file under the current key version (atomically, content
        verified on the way). Returns False when it already is current; safe to repeat."""
        if self.key_version(sha256) == self._cipher.current_key_version():
            return False
        data = self.get(sha256)
        self._store_blob(sha256, self._cipher.encrypt(data, aad=sha256.encode("ascii")), len(data))
        return True

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).exists()

    def delete(self, sha256: str) -> None:
        """Remove a file no page refers to any more (the caller checks references)."""
        path = self.path_of(sha256)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        _fsync_dir(path.parent)

    def hashes(self) -> Iterable[str]:
        for path in self.root.glob("??/??/*"):
            if _HASH_RE.match(path.name):
                yield path.name

    def cleanup(self) -> int:
        """Remove temp files left by a crash between write and rename; returns how many."""
        removed = 0
        for path in self.root.glob(f"??/??/{TEMP_PREFIX}*"):
            _remove_quietly(path)
            removed += 1
        return removed


class DatabaseAttachmentStore(AttachmentStore):
    """The attachment store in the hall database: table ``attachment_blobs`` (sha256, key version,
    plaintext size, ciphertext as bytea). Same encryption (AAD = hash), same hash check on read,
    same interface; a transaction per write, so there are no temp files to clean.

    ``fallback``: this station's folder store from before the hall store; a page found only there is
    copied into the database the first time it is read (same key, the bytes as they are).
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        cipher: FieldCipher,
        max_bytes: int = DEFAULT_MAX_BYTES,
        fallback: AttachmentStore | None = None,
    ) -> None:
        self._sessions = session_factory
        self._cipher = cipher
        self.max_bytes = max_bytes
        self._fallback = fallback

    def path_of(self, sha256: str) -> Path:
        raise AttachmentError(problem="no file path", detail="pages are in the hall database")

    @staticmethod
    def _check(sha256: str) -> None:
        if not _HASH_RE.match(sha256):
            raise AttachmentError(problem="invalid hash", detail="not a lowercase SHA-256 hex digest")

    def _store_blob(self, sha256: str, blob: bytes, size: int) -> None:
        self._check(sha256)
        version = FieldCipher.key_version_of(blob)
        now = dt.datetime.now(dt.UTC)
        try:
            with self._sessions.begin() as s:
                updated = rowcount(
                    s.execute(
                        update(AttachmentBlob)
                        .where(AttachmentBlob.sha256 == sha256)
                        .values(data=blob, key_version=version, size=size)
                    )
                )
                if not updated:
                    s.add(AttachmentBlob(sha256=sha256, key_version=version, size=size, data=blob, created_at=now))
        except IntegrityError:
            # another station stored the same page at the same moment: same content, keep theirs
            if not self.verify(sha256):
                raise

    def _load_blob(self, sha256: str) -> bytes:
        self._check(sha256)
        with self._sessions() as s:
            conn = s.connection()
            if conn.dialect.driver == "psycopg":
                # binary result format: ~6x faster than hex text for a 300 KB page (bench_hall_pages.py)
                raw: Any = conn.connection.driver_connection
                with raw.cursor(binary=True) as cur:
                    cur.execute("SELECT data FROM attachment_blobs WHERE sha256 = %s", (sha256,))
                    row = cur.fetchone()
                blob = row[0] if row else None
            else:
                blob = s.scalar(select(AttachmentBlob.data).where(AttachmentBlob.sha256 == sha256))
        if blob is not None:
            return bytes(blob)
        if self._fallback is not None and self._fallback.exists(sha256):
            self._fallback.get(sha256)  # only an intact copy moves (a damaged one is quarantined there)
            old = self._fallback._load_blob(sha256)
            self._store_blob(sha256, old, len(old) - _OVERHEAD)
            return old
        raise AttachmentMissing(what="attachment", detail=f"{sha256[:12]} missing")

    def _quarantine(self, sha256: str, blob: bytes, reason: str) -> None:
        with self._sessions.begin() as s:
            gone = rowcount(s.execute(delete(AttachmentBlob).where(AttachmentBlob.sha256 == sha256)))
            if gone:
                s.add(
                    QuarantinedAttachment(
                        sha256=sha256, reason=reason[:200], data=blob, quarantined_at=dt.datetime.now(dt.UTC)
                    )
                )
        if gone:
            log.warning("attachment %s quarantined (%s)", sha256[:12], reason[:80])

    def quarantined(self) -> list[QuarantineEntry]:
        with self._sessions() as s:
            q = QuarantinedAttachment
            rows = s.execute(select(q.id, q.sha256, q.reason, q.quarantined_at).order_by(q.id)).all()
        return [QuarantineEntry(sha, reason, at, f"attachment_quarantine:{qid}") for qid, sha, reason, at in rows]

    def size(self, sha256: str) -> int:
        self._check(sha256)
        with self._sessions() as s:
            size = s.scalar(select(AttachmentBlob.size).where(AttachmentBlob.sha256 == sha256))
        if size is None:
            if self._fallback is not None and self._fallback.exists(sha256):
                return self._fallback.size(sha256)
            raise AttachmentMissing(what="attachment", detail=f"{sha256[:12]} missing")
        return int(size)

    def key_version(self, sha256: str) -> int:
        self._check(sha256)
        with self._sessions() as s:
            version = s.scalar(select(AttachmentBlob.key_version).where(AttachmentBlob.sha256 == sha256))
        if version is None:
            if self._fallback is not None and self._fallback.exists(sha256):
                return self._fallback.key_version(sha256)
            raise AttachmentMissing(what="attachment", detail=f"{sha256[:12]} missing")
        return int(version)

    def exists(self, sha256: str) -> bool:
        self._check(sha256)
        with self._sessions() as s:
            found = s.scalar(select(AttachmentBlob.sha256).where(AttachmentBlob.sha256 == sha256)) is not None
        return found or (self._fallback is not None and self._fallback.exists(sha256))

    def delete(self, sha256: str) -> None:
        self._check(sha256)
        with self._sessions.begin() as s:
            s.execute(delete(AttachmentBlob).where(AttachmentBlob.sha256 == sha256))
        if self._fallback is not None:
            self._fallback.delete(sha256)

    def hashes(self) -> Iterable[str]:
        with self._sessions() as s:
            found = list(s.scalars(select(AttachmentBlob.sha256).order_by(AttachmentBlob.sha256)))
        yield from found
        if self._fallback is not None:
            seen = set(found)
            yield from (sha for sha in self._fallback.hashes() if sha not in seen)

    def has_any(self) -> bool:
        with self._sessions() as s:
            if s.scalar(select(AttachmentBlob.sha256).limit(1)) is not None:
                return True
        return self._fallback is not None and self._fallback.has_any()

    def cleanup(self) -> int:
        return 0  # one transaction per write: nothing half-written to remove


def assemble_pdf(store: AttachmentStore, hashes: Iterable[str], title: str | None = None) -> bytes:
    """One PDF of the given pages in order, image data embedded without recompression.

    Page size follows each image's dpi (a 200 dpi A4 scan becomes an A4 page).
    """
    import img2pdf  # lazily: only the back-office export needs it

    images = [store.get(sha) for sha in hashes]
    if not images:
        raise AttachmentError(problem="no pages", detail="assemble_pdf with no pages")
    try:
        pdf: bytes | None = img2pdf.convert(images, title=title, producer="clerk-app", creator="clerk-app", nodate=True)
    except (img2pdf.ImageOpenError, ValueError) as exc:
        raise AttachmentError(problem="PDF assembly failed", detail=str(exc)) from exc
    assert pdf is not None
    return pdf


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # Windows cannot open directories; NTFS journals the rename itself
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
