"""Key escrow: every hall data key version in one file protected by a passphrase, and its import.

The file is JSON (UTF-8): a header in the clear (format, KDF parameters and salt, key versions and
their key-check values, when and where it was made) and the keys as AES-256-GCM ciphertext under a
key derived from the passphrase with Argon2id (t=3, m=64 MiB, p=1); the header is the associated
data, so changing it (e.g. the KDF cost) makes the file fail to open. The file holds no personal
data; with the passphrase it opens every case of the hall: keep file and passphrase apart (e.g. the
file on a USB stick in the safe, the passphrase sealed in an envelope with the hall manager).

``export_escrow(keys, passphrase)`` → bytes; ``import_escrow(keys, blob, passphrase)`` checks every
key against the store's key-check values, then enrols this station (docs/hall-deployment.md).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from clerk_app import i18n
from clerk_app.errors import ClerkAppError
from clerk_app.security.hall_keys import HallKeys, key_check_value

FORMAT = "clerk-app-hall-key-escrow"
MIN_PASSPHRASE = 12
_KDF = {"name": "argon2id", "t": 3, "m": 65536, "p": 1}
MAX_FILE_BYTES = 1_000_000


class EscrowError(ClerkAppError):
    key = i18n.register(
        "error.escrow", "密钥备份文件无法使用：{problem}", "The key escrow file cannot be used: {problem}"
    )


class EscrowPassphraseWrong(EscrowError):
    key = i18n.register(
        "error.escrow_passphrase",
        "密钥备份口令不正确（或备份文件已被改动），没有导入任何密钥",
        "The escrow passphrase is wrong (or the file was changed); no key was imported",
    )


class EscrowPassphraseWeak(EscrowError):
    key = i18n.register(
        "error.escrow_weak",
        "备份口令至少需要 {min} 个字符",
        "The escrow passphrase needs at least {min} characters",
    )


_P_FORMAT = i18n.register("escrow.not_escrow", "不是本系统的密钥备份文件", "not a clerk-app key escrow file")
_P_CHECK = i18n.register(
    "escrow.check_mismatch",
    "备份中的密钥与本厅数据库的密钥校验值不符（可能是另一个大厅的备份）",
    "the keys in the file do not match this hall's key-check values (perhaps another hall's file)",
)

_P_OLD = i18n.register(
    "escrow.too_old",
    "备份早于最近一次密钥轮换，缺少较新的密钥版本；请使用最新的密钥备份（每次轮换后都要重新备份）",
    "the file predates the last key rotation and lacks newer key versions; use the newest escrow "
    "file (export a new one after every rotation)",
)


def _kdf(passphrase: str, salt: bytes, params: dict[str, Any]) -> bytes:
    return hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=int(params["t"]),
        memory_cost=int(params["m"]),
        parallelism=int(params["p"]),
        hash_len=32,
        type=Type.ID,
    )


def _aad(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def export_escrow(keys: HallKeys, passphrase: str, now: dt.datetime | None = None) -> bytes:
    if len(passphrase) < MIN_PASSPHRASE:
        raise EscrowPassphraseWeak(min=MIN_PASSPHRASE, detail="passphrase too short")
    all_keys = keys.all_keys()
    salt = os.urandom(16)
    header = {
        "format": FORMAT,
        "format_version": 1,
        "kdf": dict(_KDF, salt=base64.b64encode(salt).decode()),
        "key_versions": sorted(all_keys),
        "check_values": {str(v): key_check_value(k) for v, k in sorted(all_keys.items())},
        "created_at": (now or dt.datetime.now(dt.UTC)).isoformat(),
        "created_by": keys.station_code,
    }
    plain = json.dumps({"keys": {str(v): base64.b64encode(k).decode() for v, k in all_keys.items()}}).encode()
    nonce = os.urandom(12)
    body = AESGCM(_kdf(passphrase, salt, _KDF)).encrypt(nonce, plain, _aad(header))
    doc = dict(header, nonce=base64.b64encode(nonce).decode(), ciphertext=base64.b64encode(body).decode())
    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def read_escrow(blob: bytes, passphrase: str) -> dict[int, bytes]:
    """The keys in an escrow file, by version; typed errors for anything wrong with it."""
    if len(blob) > MAX_FILE_BYTES:
        raise EscrowError(problem=i18n.text(_P_FORMAT), detail="file too large")
    try:
        doc = json.loads(blob.decode("utf-8"))
        if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("format_version") != 1:
            raise ValueError("format")
        header = {
            k: doc[k]
            for k in ("format", "format_version", "kdf", "key_versions", "check_values", "created_at", "created_by")
        }
        kdf = header["kdf"]
        if not isinstance(kdf, dict) or kdf.get("name") != "argon2id":
            raise ValueError("kdf")
        if not (1 <= int(kdf["t"]) <= 20 and 8 <= int(kdf["m"]) <= 1_048_576 and 1 <= int(kdf["p"]) <= 16):
            raise ValueError("kdf parameters out of range")
        salt = base64.b64decode(kdf["salt"], validate=True)
        nonce = base64.b64decode(doc["nonce"], validate=True)
        body = base64.b64decode(doc["ciphertext"], validate=True)
        if len(nonce) != 12 or len(salt) < 16:
            raise ValueError("nonce/salt")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise EscrowError(problem=i18n.text(_P_FORMAT), detail=f"malformed escrow file ({exc})") from exc
    try:
        plain = AESGCM(_kdf(passphrase, salt, kdf)).decrypt(nonce, body, _aad(header))
    except InvalidTag as exc:
        raise EscrowPassphraseWrong(detail="escrow tag mismatch") from exc
    try:
        keys = {int(v): base64.b64decode(k, validate=True) for v, k in json.loads(plain)["keys"].items()}
    except (ValueError, KeyError, TypeError) as exc:
        raise EscrowError(problem=i18n.text(_P_FORMAT), detail="malformed key list") from exc
    if not keys or any(len(k) != 32 for k in keys.values()):
        raise EscrowError(problem=i18n.text(_P_FORMAT), detail="bad key length")
    for version, key in keys.items():
        if header["check_values"].get(str(version)) != key_check_value(key):
            raise EscrowError(problem=i18n.text(_P_CHECK), detail=f"internal key check v{version}")
    return keys


def import_escrow(keys: HallKeys, blob: bytes, passphrase: str) -> list[int]:
    """Open the file, check its keys against the store's key-check values (another hall's file is
    refused), then enrol this station with them (its own key pair, wraps in the store). Returns the
    versions imported. Works on a station that cannot start (``keys`` need not be unlocked)."""
    from clerk_app.security.hall_keys import DataKeyMissing, DataKeyWrong

    found = read_escrow(blob, passphrase)
    try:
        keys.adopt(found)
    except DataKeyWrong as exc:
        raise EscrowError(problem=i18n.text(_P_CHECK), detail=exc.detail) from exc
    except DataKeyMissing as exc:
        raise EscrowError(problem=i18n.text(_P_OLD), detail=exc.detail) from exc
    return sorted(found)
