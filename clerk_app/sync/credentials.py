"""The station secret, kept in the OS keyring only (never in the settings file or a log line)."""

from __future__ import annotations

from clerk_app.security.keys import KEYRING_SERVICE, KeyringLike, KeyringUnavailable


class StationCredentials:
    """Reads and writes ``station-secret:<station code>`` in the keyring (service ``clerk-app``)."""

    def __init__(self, station_code: str, keyring_module: KeyringLike | None = None) -> None:
        import keyring as _keyring

        self.station_code = station_code
        self._keyring: KeyringLike = keyring_module or _keyring
        self._entry = f"station-secret:{station_code}"

    def secret(self) -> str | None:
        try:
            return self._keyring.get_password(KEYRING_SERVICE, self._entry)
        except Exception as exc:  # NoKeyringError, KeyringLocked, dbus errors ...
            raise KeyringUnavailable(detail=f"{type(exc).__name__} reading the station secret") from exc

    def store(self, secret: str) -> None:
        try:
            self._keyring.set_password(KEYRING_SERVICE, self._entry, secret)
        except Exception as exc:
            raise KeyringUnavailable(detail=f"{type(exc).__name__} storing the station secret") from exc

    def __repr__(self) -> str:  # never show the secret
        return f"StationCredentials({self.station_code!r})"
