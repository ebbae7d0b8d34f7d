"""The attachment store: page images outside the database, named by the SHA-256 of their content.

- Content-addressed: ``<root>/ab/cd/<sha256>`` (two shard levels keep directories small); the same
  page stored twice is one file. The database keeps hash, size, mime and page order.
- Encrypted at rest with the one data-key service (``FieldCipher`` purpose "attachments"); the
  hash is the AES-GCM associated data, so a file renamed to another hash does not decrypt.
- Atomic: written to a temp file in the target directory, fsync'd, renamed, and the directory
  fsync'd (POSIX rename is atomic; without the directory fsync the rename may not survive a power
  cut). A crash leaves at most a ``.tmp-*`` file, which ``AttachmentStore.cleanup()`` removes.
- Read-back verifies the hash: a tampered or damaged file is reported, never returned.
- ``assemble_pdf`` makes one PDF per checklist line for the back office, embedding the stored JPEG,
  PNG and CCITT G4 TIFF data as is (img2pdf: no recompression, no generation loss).
"""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from clerk_app import i18n
from clerk_app.errors import ClerkAppError, NotFound
from clerk_app.security.crypto import DecryptionError, FieldCipher

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
        "材料文件已损坏或被篡改（校验不符），请重新扫描该页",
        "The attachment file is damaged or was tampered with (check failed); rescan the page",
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
        """Store ``data`` (idempotent: an existing, intact copy is kept) and return its hash."""
        if len(data) > self.max_bytes:
            raise AttachmentTooLarge(size=len(data), limit=self.max_bytes, detail=f"{len(data)} > {self.max_bytes}")
        sha = hashlib.sha256(data).hexdigest()
        target = self.path_of(sha)
        if target.exists():
            try:
                self.get(sha)
                return StoredAttachment(sha, len(data), mime)
            except AttachmentCorrupt:
                log.warning("replacing a damaged attachment file %s", sha[:12])
        blob = self._cipher.encrypt(data, aad=sha.encode("ascii"))
        self._write_atomic(target, blob)
        return StoredAttachment(sha, len(data), mime)

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
        path = self.path_of(sha256)
        try:
            blob = path.read_bytes()
        except FileNotFoundError as exc:
            raise AttachmentMissing(what="attachment", detail=f"{sha256[:12]} missing") from exc
        try:
            data = self._cipher.decrypt(blob, aad=sha256.encode("ascii"))
        except DecryptionError as exc:
            raise AttachmentCorrupt(detail=f"{sha256[:12]}: {exc.detail}") from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise AttachmentCorrupt(detail=f"{sha256[:12]}: content hash mismatch")
        return data

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
        self._write_atomic(self.path_of(sha256), self._cipher.encrypt(data, aad=sha256.encode("ascii")))
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


def assemble_pdf(store: AttachmentStore, hashes: Iterable[str], title: str | None = None) -> bytes:
    """One PDF of the given pages in order, image data embedded without recompression.

    Page size follows each image's dpi (a 200 dpi A4 scan becomes an A4 page).
    """
    import img2pdf  # lazily: only the back-office export needs it

    images = [store.get(sha) for sha in hashes]
    if not images:
        raise AttachmentError(problem="no pages", detail="assemble_pdf with no pages")
    try:
        pdf = img2pdf.convert(images, title=title, producer="clerk-app", creator="clerk-app", nodate=True)
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
