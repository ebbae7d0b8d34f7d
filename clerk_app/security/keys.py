"""The stand-alone keyring key (``DataKeyService``) and the keyring error.

The app itself no longer uses ``DataKeyService`` for its data: it uses the hall data key
(``clerk_app/security/hall_keys.py``), whose versions are recorded in the store, so a lost keyring
stops the app instead of creating a new key over existing data (issue 16). What is left here:

- ``KeyringUnavailable`` and the keyring access used by the hall keys and the sync credentials;
- ``DataKeyService``, the pre-hall per-station key: read once by ``HallKeys`` to adopt an existing
  station's key as hall key v1 (``legacy_station_keys``), and used as a throw-away key by tools and
  device tests that need a cipher without a store (it creates a missing key, so it must never guard
  stored data on its own).

With no usable keyring backend the app refuses to start in production mode and says how to fix it;
tests and the demo pin an explicit file backend (``PYTHON_KEYRING_BACKEND``), see STACK-NOTES.
"""

from __future__ import annotations

import base64
import os
import threading
from typing import Protocol

from clerk_app import i18n
from clerk_app.errors import ConfigurationError
from clerk_app.security.crypto import derive_subkey


class KeyringLike(Protocol):
    """What is used of a keyring: the ``keyring`` module itself or one backend (tests: keyrings.alt)."""

    def get_password(self, service: str, username: str, /) -> str | None: ...
    def set_password(self, service: str, username: str, password: str, /) -> None: ...


KEYRING_SERVICE = "clerk-app"


class KeyringUnavailable(ConfigurationError):
    key = i18n.register(
        "error.keyring_unavailable",
        "没有可用的系统密钥环，无法保护个人数据。请安装并解锁密钥环服务（如 gnome-keyring），"
        "或由管理员配置 PYTHON_KEYRING_BACKEND。",
        "No usable OS keyring: personal data cannot be protected. Install and unlock a keyring "
        "service (e.g. gnome-keyring) or have an administrator set PYTHON_KEYRING_BACKEND.",
    )


def legacy_station_keys(keyring_module: KeyringLike | None, key_name: str) -> dict[int, bytes]:
    """The keys a pre-hall station kept in its keyring (``data-key:<station>:v<n>``), by version;
    empty when there are none. Never creates anything."""
    ring = DataKeyService(key_name, keyring_module)
    raw_current = ring._get("data-key-version:" + key_name)
    current = int(raw_current) if raw_current and raw_current.isdigit() else 1
    found: dict[int, bytes] = {}
    for version in range(1, current + 1):
        raw = ring._get(ring._entry(version))
        if raw:
            key = base64.b64decode(raw)
            if len(key) == 32:
                found[version] = key
    return found


class DataKeyService:
    """Gives the data keys of one installation (named by ``key_name``, e.g. the station code).

    Sub-keys are derived with HMAC-SHA256 so each purpose (field encryption, search index,
    attachments) uses its own key and the raw master key is never used directly.
    Key rotation: ``rotate()`` stores a new master under a new version; old versions stay readable.
    """

    def __init__(self, key_name: str, keyring_module: KeyringLike | None = None) -> None:
        import keyring as _keyring

        self._keyring: KeyringLike = keyring_module or _keyring
        self._name = key_name
        self._lock = threading.Lock()
        self._cache: dict[int, bytes] = {}

    # -- master keys -------------------------------------------------------------------------
    def _entry(self, version: int) -> str:
        return f"data-key:{self._name}:v{version}"

    def current_version(self) -> int:
        raw = self._get("data-key-version:" + self._name)
        return int(raw) if raw else 1

    def master_key(self, version: int | None = None) -> bytes:
        version = version or self.current_version()
        with self._lock:
            if version in self._cache:
                return self._cache[version]
            raw = self._get(self._entry(version))
            if raw is None:
                if version != self.current_version():
                    raise KeyringUnavailable(detail=f"data key version {version} missing from keyring")
                key = os.urandom(32)
                self._set(self._entry(version), base64.b64encode(key).decode())
                raw = self._get(self._entry(version))
                if raw is None:
                    raise KeyringUnavailable(detail="keyring accepted the key but did not return it")
            key = base64.b64decode(raw)
            self._cache[version] = key
            return key

    def rotate(self) -> int:
        """Create a new master key version; returns it. Re-encrypting data is the caller's job."""
        new_version = self.current_version() + 1
        key = os.urandom(32)
        self._set(self._entry(new_version), base64.b64encode(key).decode())
        self._set("data-key-version:" + self._name, str(new_version))
        with self._lock:
            self._cache[new_version] = key
        return new_version

    def subkey(self, purpose: str, version: int | None = None) -> bytes:
        return derive_subkey(self.master_key(version), purpose)

    def check_available(self) -> None:
        """Raise KeyringUnavailable unless a real keyring backend answers."""
        self.master_key()

    # -- keyring access with a clear error ---------------------------------------------------
    def _get(self, entry: str) -> str | None:
        try:
            return self._keyring.get_password(KEYRING_SERVICE, entry)
        except Exception as exc:  # keyring raises NoKeyringError, KeyringLocked, dbus errors ...
            raise KeyringUnavailable(detail=f"{type(exc).__name__}: {exc}") from exc

    def _set(self, entry: str, value: str) -> None:
        try:
            self._keyring.set_password(KEYRING_SERVICE, entry, value)
        except Exception as exc:
            raise KeyringUnavailable(detail=f"{type(exc).__name__}: {exc}") from exc
