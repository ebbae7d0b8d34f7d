"""Device backends chosen by name from the settings: one registry for every family (card readers,
scanners), one "unavailable because …" error, and the rule that outside demo mode a simulated device
is refused at start — a station must never file the simulator's synthetic pages or identities as real.

Backends are built on first use (importing pyscard or python-sane costs start-up time and may fail on
a machine without the library) and closed with the context. The UI asks ``ctx.devices`` for them; it
never builds one itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from clerk_app import i18n
from clerk_app.errors import ConfigurationError, DeviceError
from clerk_app.settings import Settings

if TYPE_CHECKING:
    from devices.cards.api import CardReaderService
    from devices.cards.trust import TrustStore
    from devices.scanners.base import Scanner, ScannerBackend

log = logging.getLogger(__name__)


class BackendUnavailable(DeviceError):
    key = i18n.register(
        "devices.backend_unavailable",
        "{family}不可用（{backend}）：{reason}",
        "{family} unavailable ({backend}): {reason}",
    )


class SimulatedDeviceRefused(ConfigurationError):
    key = i18n.register(
        "devices.simulated_refused",
        "模拟{family}只能在演示模式下使用。请在设置中将 {option} 改为真实设备（{choices}）或 none，然后重新启动。",
        "A simulated {family} is only allowed in demo mode. Set {option} to a real device ({choices}) or none, "
        "then restart.",
    )


CARD_FAMILY = i18n.register("devices.family.card", "读卡器", "card reader")
SCANNER_FAMILY = i18n.register("devices.family.scanner", "扫描仪", "scanner")


@dataclass(frozen=True)
class BackendSpec:
    family: str  # "card" | "scanner"
    name: str
    simulated: bool = False
    needs: str = ""  # what to install when the import fails


BACKENDS: tuple[BackendSpec, ...] = (
    BackendSpec("card", "pyscard", needs="pyscard (pip), pcscd + libccid (apt)"),
    BackendSpec("card", "ga467", needs="pyserial (pip)"),
    BackendSpec("card", "both", needs="pyscard and pyserial (pip)"),
    BackendSpec("card", "simulated", simulated=True),
    BackendSpec("card", "none"),
    BackendSpec("scanner", "sane", needs="python-sane (pip), libsane1 (apt)"),
    BackendSpec("scanner", "folder"),
    BackendSpec("scanner", "simulated", simulated=True),
    BackendSpec("scanner", "none"),
)
REGISTRY: dict[tuple[str, str], BackendSpec] = {(b.family, b.name): b for b in BACKENDS}


def card_backend(settings: Settings) -> str:
    """The card backend in effect: the setting, or (when empty) simulated in demo mode, else pyscard."""
    return settings.card_backend or ("simulated" if settings.demo else "pyscard")


def scanner_backend(settings: Settings) -> str:
    """The scanner backend in effect: the setting, or (when empty) simulated in demo mode, else sane."""
    return settings.scanner_backend or ("simulated" if settings.demo else "sane")


def _choices(family: str) -> str:
    return ", ".join(b.name for b in BACKENDS if b.family == family and not b.simulated)


class Devices:
    """The station's devices, built from the settings on first use, closed with the context."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._card: CardReaderService | None = None
        self.card_problems: list[str] = []  # e.g. "WLT decoder unavailable": shown in diagnostics
        self.trust: TrustStore | None = None  # where pushed CSCA/master-list/CRL material is installed
        self._scanner: ScannerBackend | None = None

    @property
    def card_backend(self) -> str:
        return card_backend(self._settings)

    def install_trust(self, files: dict[str, bytes], version: str) -> tuple[int, int, int]:
        """Trust material pushed by the back office (sync): checked as a whole by the TrustStore (every
        certificate, master-list signature and CRL signer) and swapped in atomically under
        ``<data dir>/trust``; the readers use it from their next read (their store sees the change) and
        a reader built later finds it there. Returns (CSCAs, CRLs, master lists) in use; raises
        TrustMaterialError (a DeviceError) with the material in use unchanged."""
        with self._lock:
            store = self.trust
            if store is None:
                from devices.cards.trust import TrustStore

                s = self._settings
                store = TrustStore(
                    s.csca_dir or None,
                    [p.strip() for p in s.master_list_files.split(";") if p.strip()],
                    s.crl_dir or None,
                    Path(s.resolved_data_dir()) / "trust",
                )
                self.trust = store
        report = store.install(files, version)
        return report.cscas, report.crls, report.master_lists

    @property
    def scanner_backend(self) -> str:
        return scanner_backend(self._settings)

    def check_allowed(self) -> None:
        """Outside demo mode a simulated device stops the start with a clear message."""
        if self._settings.demo:
            return
        for family, option, name, label in (
            ("card", "card_backend", self.card_backend, CARD_FAMILY),
            ("scanner", "scanner_backend", self.scanner_backend, SCANNER_FAMILY),
        ):
            if REGISTRY[(family, name)].simulated:
                raise SimulatedDeviceRefused(
                    family=i18n.Msg(label), option=option, choices=_choices(family), detail=f"{option}={name}"
                )

    # -- card readers --------------------------------------------------------------------------
    def card_reader(self) -> CardReaderService | None:
        """The configured card reader service (None when ``card_backend = "none"``); raises
        BackendUnavailable with the reason when its library or device is missing."""
        with self._lock:
            if self._card is None and self.card_backend != "none":
                self._card = self._build_card_reader()
            return self._card

    def _build_card_reader(self) -> CardReaderService:
        from devices.cards import CardBackendUnavailable, build_card_readers

        s = self._settings
        name = self.card_backend
        data_dir = Path(s.resolved_data_dir())
        remembered = data_dir / "ga467-port"  # the port found by probing, tried first next time

        def remember(port: str) -> None:
            try:
                remembered.write_text(port, encoding="utf-8")
            except OSError:
                log.warning("could not remember the resident ID reader's port")

        try:
            readers = build_card_readers(
                name,
                csca_dir=s.csca_dir or None,
                master_list_files=[p.strip() for p in s.master_list_files.split(";") if p.strip()],
                crl_dir=s.crl_dir or None,
                trust_pushed_dir=data_dir / "trust",
                ga467_port=s.ga467_port or "auto",
                ga467_remembered_port=remembered.read_text(encoding="utf-8").strip() if remembered.exists() else "",
                on_ga467_port_found=remember,
                ga467_baudrate=s.ga467_baudrate,
                wlt_decoder_library=s.wlt_decoder_library or None,
            )
        except CardBackendUnavailable as exc:
            raise BackendUnavailable(
                family=i18n.Msg(CARD_FAMILY), backend=name, reason=exc.user_message(), detail=str(exc)
            ) from exc
        for problem in readers.problems:  # no personal data in these
            log.warning("card readers: %s", problem)
        self.card_problems = list(readers.problems)
        self.trust = readers.trust
        service = readers.service
        assert service is not None  # "none" never gets here
        if name == "simulated" and s.demo:
            service.insert("resident_id")  # type: ignore[attr-defined]  # a card lies on the demo reader
        return service

    # -- scanners ------------------------------------------------------------------------------
    def scanner(self) -> ScannerBackend | None:
        """The configured scanner backend (None when ``scanner_backend = "none"``); raises
        BackendUnavailable with the reason when its library is missing."""
        with self._lock:
            if self._scanner is None and self.scanner_backend != "none":
                self._scanner = self._build_scanner()
            return self._scanner

    def _build_scanner(self) -> ScannerBackend:
        from devices.scanners.errors import BackendUnavailable as ScannerUnavailable
        from devices.scanners.factory import create_backend

        s = self._settings
        name = self.scanner_backend
        try:
            if name == "folder":
                inbox = Path(s.scan_folder) if s.scan_folder else Path(s.resolved_data_dir()) / "scan-inbox"
                inbox.mkdir(parents=True, exist_ok=True)
                return create_backend("folder", folders=[inbox])
            if name == "sane" and s.sane_config_dir:
                return create_backend("sane", config_dir=s.sane_config_dir)
            return create_backend(name)
        except ScannerUnavailable as exc:
            raise BackendUnavailable(
                family=i18n.Msg(SCANNER_FAMILY), backend=name, reason=exc.user_message(), detail=str(exc)
            ) from exc

    def file_importer(self, paths: Sequence[Path]) -> Scanner:
        """Files from disk imported into a line like one scan batch (works with any scanner backend,
        none included)."""
        from devices.scanners.folder import FileImporter

        return FileImporter(paths)

    def close(self) -> None:
        with self._lock:
            card, self._card = self._card, None
            scanner, self._scanner = self._scanner, None
        for device in (card, scanner):
            if device is not None:
                try:
                    device.close()
                except Exception:  # closing must not stop the rest of the shutdown
                    log.exception("closing a device failed")
