"""Authenticated encryption (AES-256-GCM) and keyed search hashes for data at rest.

Ciphertext layout: 1 byte format version, 2 bytes key version (big endian), 12 bytes nonce, then
the GCM ciphertext+tag. ``aad`` binds a value to its place (e.g. b"applicant:<uuid>:pii") so a
ciphertext copied to another row does not decrypt.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from clerk_app import i18n
from clerk_app.errors import ClerkAppError

_FORMAT = 1
_HEADER = struct.Struct(">BH")


class DataKeys(Protocol):
    """What the ciphers need from a key service: the hall data key (``HallKeys``, the app) or the
    stand-alone keyring key (``DataKeyService``, tools and device tests)."""

    def current_version(self) -> int: ...

    def subkey(self, purpose: str, version: int | None = None) -> bytes: ...


def derive_subkey(master: bytes, purpose: str) -> bytes:
    """Each purpose (fields, attachments, search-index, key-check) gets its own key (HMAC-SHA256)."""
    return hmac.new(master, b"clerk-app/" + purpose.encode(), hashlib.sha256).digest()


class DecryptionError(ClerkAppError):
    key = i18n.register(
        "error.decrypt",
        "数据无法解密（密钥不符或数据已损坏）",
        "Data cannot be decrypted (wrong key or corrupted data)",
    )


class FieldCipher:
    """Encrypts small values (personal fields) and whole files (attachments) under the data key."""

    def __init__(self, keys: DataKeys, purpose: str = "fields") -> None:
        self._keys = keys
        self._purpose = purpose

    def encrypt(self, plaintext: bytes, aad: bytes = b"") -> bytes:
        version = self._keys.current_version()
        nonce = os.urandom(12)
        body = AESGCM(self._keys.subkey(self._purpose, version)).encrypt(nonce, plaintext, aad)
        return _HEADER.pack(_FORMAT, version) + nonce + body

    def decrypt(self, blob: bytes, aad: bytes = b"") -> bytes:
        if len(blob) < _HEADER.size + 12 + 16:
            raise DecryptionError(detail="ciphertext too short")
        fmt, version = _HEADER.unpack_from(blob)
        if fmt != _FORMAT:
            raise DecryptionError(detail=f"unknown ciphertext format {fmt}")
        nonce = blob[_HEADER.size : _HEADER.size + 12]
        try:
            return AESGCM(self._keys.subkey(self._purpose, version)).decrypt(nonce, blob[_HEADER.size + 12 :], aad)
        except InvalidTag as exc:
            raise DecryptionError(detail="authentication tag mismatch") from exc

    def current_key_version(self) -> int:
        """The key version new ciphertexts are written under (key rotation re-encrypts older ones)."""
        return self._keys.current_version()

    @staticmethod
    def key_version_of(blob: bytes) -> int:
        version: int = _HEADER.unpack_from(blob)[1]
        return version


class SearchIndex:
    """Keyed hashes so exact search (ID number, name) works without storing plaintext."""

    def __init__(self, keys: DataKeys) -> None:
        self._keys = keys

    def token(self, kind: str, value: str) -> str:
        normalised = value.strip().upper()
        # Index key is pinned to key version 1: rotating the field key must not break search.
        return hmac.new(
            self._keys.subkey("search-index", 1), f"{kind}:{normalised}".encode(), hashlib.sha256
        ).hexdigest()
