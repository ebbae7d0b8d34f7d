"""The hall data key: one versioned key for every station of a hall, wrapped for each station.

Personal fields, pages and the search tokens of the whole hall are encrypted / keyed under the
**hall data key** (purpose keys derived as before: ``fields``, ``attachments``, ``search-index``),
so any enrolled station reads what any other saved and finds any applicant by ID number.

Where the key lives (envelope encryption):
- ``data_key_versions``: one row per key version with its **key-check value** (HMAC-SHA256 of a
  constant under the key, never the key). A store with rows here holds data only these keys open.
- ``hall_stations``: each station's X25519 public key. The private key is in that station's OS
  keyring (``hall-station-key:<station>``) and never leaves it.
- ``hall_key_wraps``: every key version wrapped for every enrolled station (ephemeral X25519 +
  HKDF-SHA256 + AES-256-GCM, AAD = version and station code). Any enrolled station can therefore wrap
  a new version for all the others (rotation) and for a new station (enrolment).

Start (``HallKeys.unlock``), never a new key over existing data:
1. no key-check row yet: an existing station's keyring key (pre-hall, ``data-key:<station>:v<n>``)
   is adopted as hall key v1.. after a probe decrypts stored data with it; with no such key a new
   hall key is made **only** when the store holds no encrypted data — otherwise ``DataKeyMissing``;
2. key-check rows: this station's wraps are opened with its private key and every version checked
   against its key-check value; a missing key → ``DataKeyMissing``, a different one →
   ``DataKeyWrong``, never enrolled → ``StationNotEnrolled``; each records an enrolment request (the
   station's public key, shown as a fingerprint) that an admin approves at an enrolled station
   (``enrol_station``), or the station restores the keys from an escrow file (``escrow.py``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n
from clerk_app.errors import ConfigurationError, DomainError
from clerk_app.security.crypto import DecryptionError, FieldCipher, derive_subkey
from clerk_app.security.keys import KEYRING_SERVICE, KeyringUnavailable, legacy_station_keys
from clerk_app.store.models import DataKeyVersion, HallKeyWrap, HallStation, Person

if TYPE_CHECKING:
    from clerk_app.attachments import AttachmentStore
    from clerk_app.audit import Auditor
    from clerk_app.roles import Actor

log = logging.getLogger(__name__)

_WRAP_FORMAT = b"\x01"
_CURRENT_TTL = 30.0  # seconds a station trusts its idea of the current version (another may rotate)
_TOMBSTONE = b"PURGED"  # clerk_app.persons.TOMBSTONE (not imported: persons imports the ciphers)

_RECOVERY = (
    "\n恢复方法（请联系管理员）：\n① 在本厅已加入的工作站上运行\n    clerk-app admin enrol-hall-station {station}\n"
    "  并核对本工作站的指纹 {fingerprint}；\n② 或在本工作站运行\n    clerk-app admin key-import <密钥备份文件>\n"
    "  并输入备份口令。\n完成后重新启动本程序。详见 docs/hall-deployment.md。"
)
_RECOVERY_EN = (
    "To recover: (1) at a station already enrolled in the hall, an administrator runs "
    "'clerk-app admin enrol-hall-station {station}' and compares this station's fingerprint "
    "{fingerprint}; or (2) run 'clerk-app admin key-import <escrow file>' here with the escrow "
    "passphrase. Then start the program again. See docs/hall-deployment.md."
)


class HallKeyError(ConfigurationError):
    key = i18n.register("error.hall_key", "数据密钥出错：{problem}", "Data key error: {problem}")


class DataKeyMissing(HallKeyError):
    key = i18n.register(
        "error.data_key_missing",
        "本工作站（{station}）找不到本厅的数据密钥（密钥环为空或已丢失），而数据库中已有用它加密的数据。"
        "为保护这些数据，程序已停止，没有生成新密钥。" + _RECOVERY,
        "This station ({station}) cannot find the hall's data key (its keyring is empty or was lost) "
        "while the database holds data encrypted under it. To protect that data the program stopped "
        "and made no new key. " + _RECOVERY_EN,
    )


class DataKeyWrong(HallKeyError):
    key = i18n.register(
        "error.data_key_wrong",
        "本工作站（{station}）密钥环中的数据密钥与数据库记录的密钥校验值不符（可能来自另一台电脑或另一个大厅）。"
        "为保护数据，程序已停止，没有改写任何数据。" + _RECOVERY,
        "The data key in this station's ({station}) keyring does not match the key-check value the "
        "database holds (perhaps from another PC or another hall). To protect the data the program "
        "stopped and changed nothing. " + _RECOVERY_EN,
    )


class StationNotEnrolled(HallKeyError):
    key = i18n.register(
        "error.station_not_enrolled",
        "本工作站（{station}）尚未加入本厅的数据密钥，已登记加入申请。" + _RECOVERY,
        "This station ({station}) is not enrolled in the hall's data key yet; an enrolment request "
        "was recorded. " + _RECOVERY_EN,
    )


class StationRevoked(HallKeyError):
    key = i18n.register(
        "error.station_revoked",
        "本工作站（{station}）已被管理员从本厅撤销，不能再读取本厅数据。\n如需恢复，请管理员在已加入的工作站上"
        "重新运行\n    clerk-app admin enrol-hall-station {station}\n  （指纹 {fingerprint}）。",
        "This station ({station}) was revoked from the hall and can no longer read its data. To "
        "re-admit it an administrator runs 'clerk-app admin enrol-hall-station {station}' at an "
        "enrolled station (fingerprint {fingerprint}).",
    )


class EnrolmentError(DomainError):
    key = i18n.register("error.enrolment", "工作站加入失败：{problem}", "Station enrolment failed: {problem}")


_P_NO_REQUEST = i18n.register(
    "enrol.no_request",
    "该工作站没有待批准的加入申请（请先在该工作站启动一次本程序）",
    "that station has no pending enrolment request (start the program there once first)",
)
_P_FINGERPRINT = i18n.register(
    "enrol.fingerprint_mismatch",
    "指纹不符，未加入（请在该工作站的提示中核对指纹）",
    "the fingerprint does not match; nothing enrolled (compare it with the one that station shows)",
)
_P_SELF = i18n.register("enrol.revoke_self", "不能撤销本工作站自己", "a station cannot revoke itself")
_P_UNKNOWN = i18n.register("enrol.unknown_station", "没有这个工作站", "no such station")
_P_CONCURRENT = i18n.register(
    "enrol.concurrent_rotation",
    "另一台工作站正在轮换数据密钥，请稍后再试",
    "another station is rotating the data key; try again shortly",
)


def key_check_value(master: bytes) -> str:
    """HMAC-SHA256 of a constant under the key: proves which key without revealing it."""
    return hmac.new(derive_subkey(master, "key-check"), b"clerk-app key-check v1", hashlib.sha256).hexdigest()


def fingerprint(public_key: bytes) -> str:
    """What an admin compares between two screens: 16 hex digits of SHA-256, in groups of four."""
    digest = hashlib.sha256(b"clerk-app station key\x00" + public_key).hexdigest()[:16].upper()
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4))


def _aad(version: int, station: str) -> bytes:
    return f"clerk-app hall-key v{version} station {station}".encode()


def wrap_key(master: bytes, version: int, station: str, public_key: bytes) -> bytes:
    """Encrypt one hall key version for one station's X25519 public key (ECIES)."""
    ephemeral = X25519PrivateKey.generate()
    eph_pub = ephemeral.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_key))
    kek = HKDF(hashes.SHA256(), 32, salt=eph_pub + public_key, info=b"clerk-app/hall-key-wrap").derive(shared)
    nonce = os.urandom(12)
    return _WRAP_FORMAT + eph_pub + nonce + AESGCM(kek).encrypt(nonce, master, _aad(version, station))


def unwrap_key(wrapped: bytes, version: int, station: str, private: X25519PrivateKey) -> bytes:
    """Raises InvalidTag for a different private key or a damaged wrap."""
    if len(wrapped) != 1 + 32 + 12 + 32 + 16 or wrapped[:1] != _WRAP_FORMAT:
        raise InvalidTag()
    eph_pub, nonce, body = wrapped[1:33], wrapped[33:45], wrapped[45:]
    own = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    shared = private.exchange(X25519PublicKey.from_public_bytes(eph_pub))
    kek = HKDF(hashes.SHA256(), 32, salt=eph_pub + own, info=b"clerk-app/hall-key-wrap").derive(shared)
    return AESGCM(kek).decrypt(nonce, body, _aad(version, station))


class UnknownKeyVersion(DecryptionError):
    """A ciphertext names a key version the hall never had: damaged data, not a missing key."""


@dataclass(frozen=True)
class StationInfo:
    station_code: str
    status: str  # pending | enrolled | revoked
    fingerprint: str  # of the enrolled key ("" if none)
    pending_fingerprint: str  # of a key waiting for enrolment ("" if none)
    requested_at: dt.datetime | None
    enrolled_at: dt.datetime | None
    enrolled_by: str | None


class HallKeys:
    """The hall data key as this station holds it (implements ``crypto.DataKeys``).

    Built locked; ``unlock()`` (the composition root calls it once at start) loads and checks every
    version or raises one of the typed errors above. Thread-safe (GUI and sync worker share it).
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        keyring_module: Any,
        station_code: str,
        now: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._sessions = session_factory
        self._keyring = keyring_module
        self.station_code = station_code
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self._lock = threading.RLock()
        self._keys: dict[int, bytes] = {}
        self._current = 0
        self._current_at = 0.0
        self._unlocked = False

    # -- crypto.DataKeys --------------------------------------------------------------------
    def current_version(self) -> int:
        with self._lock:
            self._require_unlocked()
            if time.monotonic() - self._current_at > _CURRENT_TTL:
                with self._sessions() as s:
                    newest = s.scalar(select(func.max(DataKeyVersion.version)))
                if newest and newest > self._current:
                    self.master_key(newest)  # load (and check) it before writing under it
                    self._current = newest
                self._current_at = time.monotonic()
            return self._current

    def master_key(self, version: int | None = None) -> bytes:
        with self._lock:
            self._require_unlocked()
            version = version or self.current_version()
            key = self._keys.get(version)
            if key is None:
                key = self._load_version(version)
            return key

    def subkey(self, purpose: str, version: int | None = None) -> bytes:
        return derive_subkey(self.master_key(version), purpose)

    def check_available(self) -> None:
        self._require_unlocked()

    def versions(self) -> list[int]:
        with self._sessions() as s:
            return list(s.scalars(select(DataKeyVersion.version).order_by(DataKeyVersion.version)))

    def all_keys(self) -> dict[int, bytes]:
        """Every version's key (for the escrow export); each checked against its key-check value."""
        return {v: self.master_key(v) for v in self.versions()}

    @property
    def unlocked(self) -> bool:
        return self._unlocked

    def _require_unlocked(self) -> None:
        if not self._unlocked:
            raise HallKeyError(problem="locked", detail="HallKeys used before unlock()")

    def _load_version(self, version: int) -> bytes:
        """A version created after this station unlocked (another station rotated)."""
        with self._sessions() as s:
            check = s.get(DataKeyVersion, version)
            wrap = s.get(HallKeyWrap, (self.station_code, version))
        if check is None:
            raise UnknownKeyVersion(detail=f"data key version {version} unknown to the hall")
        private = self._private_key()
        if wrap is None or private is None:
            raise DataKeyMissing(station=self.station_code, fingerprint="-", detail=f"no wrap for v{version}")
        try:
            key = unwrap_key(wrap.wrapped, version, self.station_code, private)
        except InvalidTag as exc:
            raise DataKeyWrong(station=self.station_code, fingerprint="-", detail=f"wrap v{version}") from exc
        if not hmac.compare_digest(key_check_value(key), check.check_value):
            raise DataKeyWrong(station=self.station_code, fingerprint="-", detail=f"key check v{version}")
        self._keys[version] = key
        return key

    # -- start ------------------------------------------------------------------------------
    def unlock(self, attachments: AttachmentStore | None = None) -> None:
        """Load the hall key for this station or stop with a typed error; see the module text.
        ``attachments`` (the store's page store) counts as encrypted data and is probed."""
        for attempt in range(3):
            try:
                self._unlock(attachments)
                return
            except IntegrityError:
                # another station created the first version or enrolled itself at the same moment
                log.info("hall key: concurrent first start, looking again (attempt %d)", attempt + 1)
                self._reset()
        self._unlock(attachments)

    def _reset(self) -> None:
        with self._lock:
            self._keys, self._current, self._unlocked = {}, 0, False

    def _unlock(self, attachments: AttachmentStore | None) -> None:
        with self._sessions() as s:
            checks = {row.version: row.check_value for row in s.scalars(select(DataKeyVersion))}
            station = s.get(HallStation, self.station_code)
            wraps = {
                w.version: w.wrapped
                for w in s.scalars(select(HallKeyWrap).where(HallKeyWrap.station_code == self.station_code))
            }
            status = station.status if station else None
            enrolled_public = station.public_key if station else None
            pending_public = station.pending_public_key if station else None
        private = self._private_key()
        if not checks:
            legacy = legacy_station_keys(self._keyring, self.station_code)
            has_data = self._has_encrypted_data(attachments)
            if legacy:
                self._set_keys(legacy)
                if has_data:
                    try:
                        self._probe(attachments)  # the old key really opens the stored data
                    except (DataKeyWrong, DataKeyMissing) as exc:
                        fp = fingerprint(self._public(self._private_key_or_new()))
                        self._request_enrolment()
                        raise type(exc)(station=self.station_code, fingerprint=fp, detail=exc.detail) from exc
                self._record_keys(legacy, enrol_self=True)
                log.info("hall key: this station's existing key adopted as hall key v%s", sorted(legacy))
            elif has_data:
                fp = fingerprint(self._public(self._private_key_or_new()))
                self._request_enrolment()
                raise DataKeyMissing(
                    station=self.station_code, fingerprint=fp, detail="no key-check value, data present"
                )
            else:
                key = os.urandom(32)
                self._set_keys({1: key})
                self._record_keys({1: key}, enrol_self=True)
                log.info("hall key: new hall data key v1 created (empty store)")
            return
        if status == "revoked":
            fp = fingerprint(self._public(self._private_key_or_new()))
            self._request_enrolment()
            raise StationRevoked(station=self.station_code, fingerprint=fp)
        problem = "missing"
        if private is not None and status == "enrolled" and enrolled_public == self._public(private):
            keys: dict[int, bytes] = {}
            problem = ""
            for version, check in checks.items():
                wrapped = wraps.get(version)
                if wrapped is None:
                    problem = "missing"
                    break
                try:
                    key = unwrap_key(wrapped, version, self.station_code, private)
                except InvalidTag:
                    problem = "wrong"
                    break
                if not hmac.compare_digest(key_check_value(key), check):
                    problem = "wrong"
                    break
                keys[version] = key
            if not problem:
                self._set_keys(keys)
                return
        elif private is not None and enrolled_public is not None and self._public(private) != pending_public:
            problem = "wrong"  # the keyring holds a station key the hall does not know
        # A pre-hall keyring key of this station that matches every key-check value also proves it.
        legacy = legacy_station_keys(self._keyring, self.station_code)
        if (
            legacy
            and set(checks) <= set(legacy)
            and all(hmac.compare_digest(key_check_value(legacy[v]), checks[v]) for v in checks)
        ):
            self._set_keys({v: legacy[v] for v in checks})
            self._record_keys({}, enrol_self=True)
            return
        fp = fingerprint(self._public(self._private_key_or_new()))
        self._request_enrolment()
        if status is None or (status == "pending" and enrolled_public is None):
            raise StationNotEnrolled(station=self.station_code, fingerprint=fp)
        if problem == "wrong":
            raise DataKeyWrong(station=self.station_code, fingerprint=fp)
        raise DataKeyMissing(station=self.station_code, fingerprint=fp)

    def _set_keys(self, keys: dict[int, bytes]) -> None:
        with self._lock:
            self._keys = dict(keys)
            self._current = max(keys)
            self._current_at = time.monotonic()
            self._unlocked = True

    def adopt(self, keys: dict[int, bytes]) -> None:
        """Take these keys as the hall's (escrow import): each must match its key-check value;
        with no key-check value in the store they become the hall key. Enrols this station."""
        with self._sessions() as s:
            checks = {row.version: row.check_value for row in s.scalars(select(DataKeyVersion))}
        missing = sorted(set(checks) - set(keys))
        if missing:
            raise DataKeyMissing(station=self.station_code, fingerprint="-", detail=f"versions {missing} not given")
        for version, check in checks.items():
            if not hmac.compare_digest(key_check_value(keys[version]), check):
                raise DataKeyWrong(station=self.station_code, fingerprint="-", detail=f"key check v{version}")
        self._set_keys(keys)
        if not checks and self._has_encrypted_data(None):
            self._probe(None)  # a pre-hall store: the keys must open what it holds
        self._record_keys({v: k for v, k in keys.items() if v not in checks}, enrol_self=True)

    def _record_keys(self, new_versions: dict[int, bytes], *, enrol_self: bool) -> None:
        """Insert key-check rows for ``new_versions``; enrol this station with wraps of every key
        it holds. One transaction."""
        private = self._private_key_or_new()
        public = self._public(private)
        now = self._now()
        with self._sessions.begin() as s:
            for version, key in sorted(new_versions.items()):
                s.add(
                    DataKeyVersion(
                        version=version, check_value=key_check_value(key), created_at=now, created_by=self.station_code
                    )
                )
            s.flush()
            if enrol_self:
                self._enrol_in(s, self.station_code, public, self._keys, by=f"station:{self.station_code}")

    @staticmethod
    def _enrol_in(s: Session, station_code: str, public: bytes, keys: dict[int, bytes], by: str) -> None:
        row = s.get(HallStation, station_code)
        now = dt.datetime.now(dt.UTC)
        if row is None:
            row = HallStation(station_code=station_code, status="enrolled", requested_at=now)
            s.add(row)
        row.status = "enrolled"
        row.public_key = public
        row.pending_public_key = None
        row.enrolled_at = now
        row.enrolled_by = by
        row.revoked_at = None
        s.flush()
        s.execute(delete(HallKeyWrap).where(HallKeyWrap.station_code == station_code))
        for version, key in sorted(keys.items()):
            s.add(
                HallKeyWrap(
                    station_code=station_code, version=version, wrapped=wrap_key(key, version, station_code, public)
                )
            )

    def _request_enrolment(self) -> None:
        """Record this station's public key as waiting for an admin's enrolment (idempotent)."""
        public = self._public(self._private_key_or_new())
        with self._sessions.begin() as s:
            row = s.get(HallStation, self.station_code)
            if row is None:
                s.add(
                    HallStation(
                        station_code=self.station_code,
                        status="pending",
                        pending_public_key=public,
                        requested_at=self._now(),
                    )
                )
            elif row.pending_public_key != public:
                row.pending_public_key = public
                row.requested_at = self._now()

    def _has_encrypted_data(self, attachments: AttachmentStore | None) -> bool:
        with self._sessions() as s:
            if s.scalar(select(Person.id).where(Person.pii != _TOMBSTONE).limit(1)) is not None:
                return True
        return attachments is not None and attachments.has_any()

    def _probe(self, attachments: AttachmentStore | None) -> None:
        """With keys set provisionally: every key version found on sampled person records must be
        there, and of each version at least one of up to three records must decrypt. Without
        person records, a page must decrypt. Else DataKeyWrong / DataKeyMissing (keys dropped)."""
        cipher = FieldCipher(self, "fields")
        tried: dict[int, int] = {}
        opened: set[int] = set()
        try:
            with self._sessions() as s:
                rows = s.execute(select(Person.id, Person.pii).where(Person.pii != _TOMBSTONE).limit(2000)).all()
            for pid, pii in rows:
                version = FieldCipher.key_version_of(pii)
                if version not in self._keys:
                    raise DataKeyMissing(station=self.station_code, fingerprint="-", detail=f"records under v{version}")
                if version in opened or tried.get(version, 0) >= 3:
                    continue
                tried[version] = tried.get(version, 0) + 1
                try:
                    cipher.decrypt(pii, aad=f"person:{pid}".encode())
                    opened.add(version)
                except DecryptionError:
                    pass
            if set(tried) - opened:
                raise DataKeyWrong(station=self.station_code, fingerprint="-", detail="stored records do not decrypt")
            if not rows and attachments is not None:
                sample = next(iter(attachments.hashes()), None)
                if sample is not None and not attachments.verify(sample):
                    raise DataKeyWrong(station=self.station_code, fingerprint="-", detail="stored pages do not decrypt")
        except Exception:
            self._reset()
            raise

    # -- rotation and enrolment -------------------------------------------------------------
    def rotate(self) -> int:
        """A new hall key version, wrapped for every enrolled station, current at once here (other
        stations pick it up within ``_CURRENT_TTL``). Re-encrypting is KeyRotation's job."""
        with self._lock:
            self._require_unlocked()
            key = os.urandom(32)
            try:
                with self._sessions.begin() as s:
                    version = (s.scalar(select(func.max(DataKeyVersion.version))) or 0) + 1
                    s.add(
                        DataKeyVersion(
                            version=version,
                            check_value=key_check_value(key),
                            created_at=self._now(),
                            created_by=self.station_code,
                        )
                    )
                    s.flush()
                    for st in s.scalars(select(HallStation).where(HallStation.status == "enrolled")):
                        if st.public_key:
                            s.add(
                                HallKeyWrap(
                                    station_code=st.station_code,
                                    version=version,
                                    wrapped=wrap_key(key, version, st.station_code, st.public_key),
                                )
                            )
            except IntegrityError as exc:
                raise EnrolmentError(problem=i18n.text(_P_CONCURRENT), detail="concurrent rotation") from exc
            self._keys[version] = key
            self._current = version
            self._current_at = time.monotonic()
            return version

    def stations(self) -> list[StationInfo]:
        with self._sessions() as s:
            return [
                StationInfo(
                    r.station_code,
                    r.status,
                    fingerprint(r.public_key) if r.public_key else "",
                    fingerprint(r.pending_public_key) if r.pending_public_key else "",
                    r.requested_at,
                    r.enrolled_at,
                    r.enrolled_by,
                )
                for r in s.scalars(select(HallStation).order_by(HallStation.station_code))
            ]

    def enrol_station(
        self, auditor: Auditor, actor: Actor, station_code: str, expected_fingerprint: str
    ) -> StationInfo:
        """An admin at this (enrolled) station lets ``station_code`` in: its pending public key must
        have the fingerprint the admin read off that station's screen. Wraps every version for it."""
        from clerk_app.roles import Permission

        actor.require(Permission.KEY_ROTATE)
        keys = self.all_keys()
        with self._sessions.begin() as s:
            row = s.get(HallStation, station_code)
            if row is None or row.pending_public_key is None:
                raise EnrolmentError(problem=i18n.text(_P_NO_REQUEST), detail=f"no pending key for {station_code}")
            pending = row.pending_public_key
            if _norm_fp(expected_fingerprint) != _norm_fp(fingerprint(pending)):
                raise EnrolmentError(problem=i18n.text(_P_FINGERPRINT), detail="fingerprint mismatch")
            self._enrol_in(s, station_code, pending, keys, by=actor.username)
            auditor.record(
                s,
                actor,
                "key.enrol_station",
                station=station_code,
                fingerprint=fingerprint(pending),
                versions=len(keys),
            )
        return next(i for i in self.stations() if i.station_code == station_code)

    def revoke_station(self, auditor: Auditor, actor: Actor, station_code: str) -> None:
        """The station's wraps are deleted: it can no longer open the hall key from the database.
        Rotate the key afterwards (``clerk-app admin rotate-key``) so what it may have kept is old."""
        from clerk_app.roles import Permission

        actor.require(Permission.KEY_ROTATE)
        if station_code == self.station_code:
            raise EnrolmentError(problem=i18n.text(_P_SELF), detail="revoke self")
        with self._sessions.begin() as s:
            row = s.get(HallStation, station_code)
            if row is None:
                raise EnrolmentError(problem=i18n.text(_P_UNKNOWN), detail=f"unknown station {station_code}")
            row.status = "revoked"
            row.revoked_at = self._now()
            row.pending_public_key = None
            s.execute(delete(HallKeyWrap).where(HallKeyWrap.station_code == station_code))
            auditor.record(s, actor, "key.revoke_station", station=station_code)

    # -- the station's own key pair in the OS keyring -----------------------------------------
    def _entry(self) -> str:
        return f"hall-station-key:{self.station_code}"

    def _private_key(self) -> X25519PrivateKey | None:
        try:
            raw = self._keyring.get_password(KEYRING_SERVICE, self._entry())
        except Exception as exc:  # NoKeyringError, KeyringLocked, dbus errors ...
            raise KeyringUnavailable(detail=f"{type(exc).__name__}: {exc}") from exc
        if not raw:
            return None
        try:
            return X25519PrivateKey.from_private_bytes(base64.b64decode(raw))
        except ValueError:
            return None  # damaged entry: treated as missing (a new request is recorded)

    def _private_key_or_new(self) -> X25519PrivateKey:
        existing = self._private_key()
        if existing is not None:
            return existing
        key = X25519PrivateKey.generate()
        raw = key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        try:
            self._keyring.set_password(KEYRING_SERVICE, self._entry(), base64.b64encode(raw).decode())
        except Exception as exc:
            raise KeyringUnavailable(detail=f"{type(exc).__name__}: {exc}") from exc
        again = self._private_key()
        if again is None or self._public(again) != self._public(key):
            raise KeyringUnavailable(detail="keyring accepted the station key but did not return it")
        return again

    @staticmethod
    def _public(private: X25519PrivateKey) -> bytes:
        return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def station_fingerprint(self) -> str:
        """This station's key fingerprint (created if the keyring has none yet)."""
        return fingerprint(self._public(self._private_key_or_new()))


def _norm_fp(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch in "0123456789ABCDEF")


@dataclass
class HallStore:
    """What ``open_hall`` gives the composition root."""

    keys: HallKeys
    attachments: AttachmentStore


def open_hall(
    session_factory: sessionmaker[Session],
    dialect: str,
    data_dir: os.PathLike[str] | str,
    keyring_module: Any,
    station_code: str,
) -> HallStore:
    """The composition root's one call: the hall keys for this station, unlocked (or a typed error
    that stops the start), and the page store — in the hall database when ``dialect`` is
    ``postgresql`` (every station reads every page), else ``<data_dir>/attachments``."""
    from pathlib import Path

    from clerk_app.attachments import AttachmentStore, DatabaseAttachmentStore

    keys = HallKeys(session_factory, keyring_module, station_code)
    cipher = FieldCipher(keys, "attachments")
    folder = AttachmentStore(Path(data_dir) / "attachments", cipher)
    folder.cleanup()
    store: AttachmentStore = folder
    if dialect == "postgresql":
        # pages a station kept in its folder before the hall store are read (and copied) from there
        store = DatabaseAttachmentStore(session_factory, cipher, fallback=folder if folder.has_any() else None)
    keys.unlock(store)
    return HallStore(keys, store)
