"""The one data-key service: a 256-bit key generated once and kept in the OS keyring.

Personal fields in the database and attachment files are encrypted under keys derived from it.
With no usable keyring backend the app refuses to start in production mode and says how to fix it;
tests and the demo pin an explicit file backend (``PYTHON_KEYRING_BACKEND``), see STACK-NOTES.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading

from clerk_app import i18n
from clerk_app.errors import ConfigurationError

KEYRING_SERVICE = "clerk-app"


class KeyringUnavailable(ConfigurationError):
    key = i18n.register(
        "error.keyring_unavailable",
        "没有可用的系统密钥环，无法保护个人数据。请安装并解锁密钥环服务（如 gnome-keyring），"
        "或由管理员配置 PYTHON_KEYRING_BACKEND。",
        "No usable OS keyring: personal data cannot be protected. Install and unlock a keyring "
        "service (e.g. gnome-keyring) or have an administrator set PYTHON_KEYRING_BACKEND.",
    )


class DataKeyService:
    """Gives the data keys of one installation (named by ``key_name``, e.g. the station code).

    Sub-keys are derived with HMAC-SHA256 so each purpose (field encryption, search index,
    attachments) uses its own key and the raw master key is never used directly.
    Key rotation: ``rotate()`` stores a new master under a new version; old versions stay readable.
    """

    def __init__(self, key_name: str, keyring_module: object | None = None) -> None:
        import keyring as _keyring

        self._keyring = keyring_module or _keyring
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
        return hmac.new(self.master_key(version), b"clerk-app/" + purpose.encode(), hashlib.sha256).digest()

    def check_available(self) -> None:
        """Raise KeyringUnavailable unless a real keyring backend answers."""
        self.master_key()

    # -- keyring access with a clear error ---------------------------------------------------
    def _get(self, entry: str) -> str | None:
        try:
            return self._keyring.get_password(KEYRING_SERVICE, entry)  # type: ignore[attr-defined]
        except Exception as exc:  # keyring raises NoKeyringError, KeyringLocked, dbus errors ...
            raise KeyringUnavailable(detail=f"{type(exc).__name__}: {exc}") from exc

    def _set(self, entry: str, value: str) -> None:
        try:
            self._keyring.set_password(KEYRING_SERVICE, entry, value)  # type: ignore[attr-defined]
        except Exception as exc:
            raise KeyringUnavailable(detail=f"{type(exc).__name__}: {exc}") from exc
