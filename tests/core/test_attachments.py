"""The encrypted, content-addressed attachment store and the per-line PDF assembly."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from keyrings.alt.file import PlaintextKeyring
from PIL import Image, ImageDraw

from clerk_app import attachments as attachments_module
from clerk_app.attachments import (
    AttachmentCorrupt,
    AttachmentError,
    AttachmentMissing,
    AttachmentStore,
    AttachmentTooLarge,
    StorageFull,
    assemble_pdf,
)
from clerk_app.errors import NotFound
from clerk_app.security.crypto import FieldCipher
from clerk_app.security.keys import DataKeyService

REPO = Path(__file__).resolve().parents[2]


def make_keys(path: Path) -> DataKeyService:
    keyring = PlaintextKeyring()
    keyring.file_path = str(path)
    return DataKeyService("test", keyring_module=keyring)


@pytest.fixture
def keys(tmp_path: Path) -> DataKeyService:
    return make_keys(tmp_path / "keyring.cfg")


@pytest.fixture
def store(tmp_path: Path, keys: DataKeyService) -> AttachmentStore:
    return AttachmentStore(tmp_path / "att", FieldCipher(keys, purpose="attachments"), max_bytes=1_000_000)


PAYLOAD = b"PAGE-IMAGE-PLAINTEXT " * 200


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_round_trip_and_sharded_name(store: AttachmentStore):
    stored = store.put(PAYLOAD, "image/png")
    sha = hashlib.sha256(PAYLOAD).hexdigest()
    assert stored.sha256 == sha and stored.size == len(PAYLOAD) and stored.mime == "image/png"
    assert store.path_of(sha) == store.root / sha[:2] / sha[2:4] / sha
    assert store.path_of(sha).is_file()
    assert store.get(sha) == PAYLOAD
    assert list(store.hashes()) == [sha]


def test_same_content_is_stored_once(store: AttachmentStore):
    first = store.put(PAYLOAD)
    mtime = store.path_of(first.sha256).stat().st_mtime_ns
    second = store.put(PAYLOAD)
    assert first.sha256 == second.sha256
    assert store.path_of(first.sha256).stat().st_mtime_ns == mtime
    assert len(files_under(store.root)) == 1


def test_encrypted_at_rest(store: AttachmentStore):
    sha = store.put(PAYLOAD).sha256
    raw = store.path_of(sha).read_bytes()
    assert b"PAGE-IMAGE-PLAINTEXT" not in raw
    assert len(raw) == len(PAYLOAD) + 3 + 12 + 16  # header, nonce, GCM tag
    assert os.stat(store.path_of(sha)).st_mode & 0o077 == 0


def test_tampered_file_is_detected(store: AttachmentStore):
    sha = store.put(PAYLOAD).sha256
    path = store.path_of(sha)
    raw = bytearray(path.read_bytes())
    raw[40] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(AttachmentCorrupt) as info:
        store.get(sha)
    assert "重新扫描" in info.value.user_message("zh_CN")


def test_file_moved_to_another_hash_does_not_decrypt(store: AttachmentStore):
    """The hash is the associated data: a valid ciphertext under another name is refused."""
    a = store.put(b"page A" * 50).sha256
    b = store.put(b"page B" * 50).sha256
    store.path_of(b).write_bytes(store.path_of(a).read_bytes())
    with pytest.raises(AttachmentCorrupt):
        store.get(b)


def test_hash_is_verified_after_decryption(store: AttachmentStore, keys: DataKeyService):
    """Even a correctly encrypted file with the wrong content (a bug, a restore mix-up) is caught."""
    sha = hashlib.sha256(b"expected").hexdigest()
    cipher = FieldCipher(keys, purpose="attachments")
    path = store.path_of(sha)
    path.parent.mkdir(parents=True)
    path.write_bytes(cipher.encrypt(b"something else", aad=sha.encode()))
    with pytest.raises(AttachmentCorrupt) as info:
        store.get(sha)
    assert "hash mismatch" in str(info.value)


def test_wrong_key_is_reported_as_corrupt(tmp_path: Path, store: AttachmentStore):
    sha = store.put(PAYLOAD).sha256
    other = AttachmentStore(store.root, FieldCipher(make_keys(tmp_path / "other.cfg"), purpose="attachments"))
    with pytest.raises(AttachmentCorrupt):
        other.get(sha)


def test_missing_file(store: AttachmentStore):
    with pytest.raises(AttachmentMissing) as info:
        store.get("0" * 64)
    assert isinstance(info.value, NotFound)


def test_invalid_hash_is_refused(store: AttachmentStore):
    with pytest.raises(AttachmentError):
        store.get("../../etc/passwd")


def test_size_limit(store: AttachmentStore):
    with pytest.raises(AttachmentTooLarge) as info:
        store.put(b"x" * 1_000_001)
    assert "过大" in info.value.user_message("zh_CN")
    assert files_under(store.root) == []


def test_disk_full_leaves_no_partial_file(store: AttachmentStore, monkeypatch: pytest.MonkeyPatch):
    real_write = os.write
    calls = {"n": 0}

    def write_then_fail(fd: int, data) -> int:
        calls["n"] += 1
        if calls["n"] == 1:  # a short write, then the disk is full
            return real_write(fd, bytes(data)[:100])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(attachments_module.os, "write", write_then_fail)
    with pytest.raises(StorageFull) as info:
        store.put(PAYLOAD)
    assert "磁盘空间已满" in info.value.user_message("zh_CN")
    assert "ENOSPC" in str(info.value)
    assert files_under(store.root) == []
    monkeypatch.undo()
    assert store.get(store.put(PAYLOAD).sha256) == PAYLOAD  # works again once space is back


def test_failed_rename_leaves_nothing_visible(store: AttachmentStore, monkeypatch: pytest.MonkeyPatch):
    def fail(src, dst):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(attachments_module.os, "replace", fail)
    with pytest.raises(AttachmentError):
        store.put(PAYLOAD)
    assert files_under(store.root) == []


def test_crash_between_write_and_rename(tmp_path: Path, store: AttachmentStore):
    """A process killed after fsync but before rename: no file under the hash, only a temp file
    that the next start removes."""
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(REPO)!r})
        from keyrings.alt.file import PlaintextKeyring
        from clerk_app import attachments
        from clerk_app.security.crypto import FieldCipher
        from clerk_app.security.keys import DataKeyService
        keyring = PlaintextKeyring(); keyring.file_path = {str(tmp_path / 'keyring.cfg')!r}
        store = attachments.AttachmentStore({str(store.root)!r},
            FieldCipher(DataKeyService("test", keyring_module=keyring), purpose="attachments"))
        attachments.os.replace = lambda src, dst: os.kill(os.getpid(), 9)
        store.put(b"half-written page" * 100)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=30)
    assert proc.returncode == -9, proc.stderr.decode()
    sha = hashlib.sha256(b"half-written page" * 100).hexdigest()
    assert not store.exists(sha)
    leftovers = files_under(store.root)
    assert len(leftovers) == 1 and leftovers[0].name.startswith(".tmp-")
    assert list(store.hashes()) == []
    assert store.cleanup() == 1
    assert files_under(store.root) == []


def test_delete(store: AttachmentStore):
    sha = store.put(PAYLOAD).sha256
    store.delete(sha)
    assert not store.exists(sha)
    store.delete(sha)  # idempotent


def test_damaged_copy_is_replaced_on_put(store: AttachmentStore):
    sha = store.put(PAYLOAD).sha256
    store.path_of(sha).write_bytes(b"garbage" * 10)
    store.put(PAYLOAD)
    assert store.get(sha) == PAYLOAD


# -- PDF assembly --------------------------------------------------------------------------------


def _page(mode: str) -> Image.Image:
    image = Image.new("L", (1654, 2339), 255)
    ImageDraw.Draw(image).rectangle((200, 300, 1400, 420), fill=0)
    return image.convert(mode) if mode != "L" else image


def _encoded(fmt: str) -> tuple[bytes, str]:
    out = io.BytesIO()
    if fmt == "tiff-g4":
        _page("1").save(out, "TIFF", compression="group4", dpi=(200, 200))
        return out.getvalue(), "image/tiff"
    if fmt == "png-2bit":
        page = _page("L").point(lambda v: v // 85).convert("P")
        page.putpalette([c for level in range(4) for c in (level * 85,) * 3] + [0] * 756)
        page.save(out, "PNG", bits=2, dpi=(200, 200))
        return out.getvalue(), "image/png"
    _page("L").save(out, "JPEG", quality=60, dpi=(200, 200))
    return out.getvalue(), "image/jpeg"


def test_line_pdf_embeds_pages_without_recompression(store: AttachmentStore):
    from pypdf import PdfReader

    encoded = [_encoded(fmt) for fmt in ("tiff-g4", "png-2bit", "jpeg")]
    hashes = [store.put(data, mime).sha256 for data, mime in encoded]
    pdf = assemble_pdf(store, hashes, title="材料 1")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    filters = []
    for page in reader.pages:
        # 1654 x 2339 px at 200 dpi is A4: 595.4 x 842.0 pt.
        assert abs(float(page.mediabox.width) - 595.4) < 1
        assert abs(float(page.mediabox.height) - 842.0) < 1
        xobjects = page["/Resources"]["/XObject"]
        image = next(iter(xobjects.values())).get_object()
        kind = image["/Filter"]
        kind = kind[0] if isinstance(kind, list) else kind  # img2pdf writes an array for some
        filters.append((kind, image.get("/BitsPerComponent"), image._data))
    assert filters[0][0] == "/CCITTFaxDecode"
    assert filters[1][0] == "/FlateDecode" and filters[1][1] == 2
    assert filters[2][0] == "/DCTDecode"
    # The JPEG is embedded byte for byte: no generation loss.
    assert filters[2][2] == encoded[2][0]


def test_line_pdf_needs_pages(store: AttachmentStore):
    with pytest.raises(AttachmentError):
        assemble_pdf(store, [])


def test_sync_attachment_source_protocol(store: AttachmentStore):
    """The sync worker reads plaintext through open()/size() (clerk_app.sync.packet)."""
    sha = store.put(PAYLOAD).sha256
    assert store.size(sha) == len(PAYLOAD)
    with store.open(sha) as stream:
        assert stream.read() == PAYLOAD
    with pytest.raises(AttachmentMissing):
        store.size("f" * 64)
