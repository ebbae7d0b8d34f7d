"""Identity documents read from their chips: ICAO 9303 eMRTDs over PC/SC (pyscard), Chinese resident ID
cards through GA 467 SAM readers (pyserial), and a simulator — all behind ``api.CardReaderService``.

Backends are created by name through ``create_card_service`` which imports lazily: a missing library
makes the backend unavailable with a reason instead of breaking the application at import time.
The composition root calls ``build_card_readers`` with plain values from the settings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk_app import i18n
from clerk_app.errors import DeviceError
from devices.cards.api import CardReaderService

if TYPE_CHECKING:
    from devices.cards.trust import TrustStore

log = logging.getLogger(__name__)

BACKENDS = ("pyscard", "ga467", "simulated")
CARD_BACKEND_CHOICES = ("pyscard", "ga467", "both", "simulated", "none")


class CardBackendUnavailable(DeviceError):
    key = i18n.register(
        "cards.backend_unavailable", "读卡功能不可用：{reason}", "Card reader backend {backend} unavailable: {reason}"
    )


def create_card_service(backend: str, **options: Any) -> CardReaderService:
    """``pyscard`` (options: csca_folder, trust, poll_timeout, extended_chunk, use_extended),
    ``ga467`` (port ("auto" or a device), baudrate, timeout, candidates, remembered_port, on_port_found,
    wlt_decoder), ``both`` (the keyword options of ``build_card_readers``) or ``simulated``
    (read_delay)."""
    try:
        if backend == "pyscard":
            from devices.cards.pcsc import PcscCardService

            return PcscCardService(**options)
        if backend == "ga467":
            import serial  # noqa: F401  (checked here so the reason names the library)

            from devices.cards.ga467 import Ga467CardService

            return Ga467CardService(**options)
        if backend == "simulated":
            from devices.cards.simulated import SimulatedCardService

            return SimulatedCardService(**options)
        if backend == "both":
            # PC/SC and GA 467 behind one service (options as for build_card_readers)
            service = build_card_readers("both", **options).service
            assert service is not None
            return service
    except ImportError as exc:
        raise CardBackendUnavailable(backend=backend, reason=f"missing library {exc.name}", detail=str(exc)) from None
    raise CardBackendUnavailable(backend=backend, reason=f"unknown backend; choose one of {BACKENDS}")


@dataclass
class CardReaders:
    """What ``build_card_readers`` returns: the service the UI uses (``None`` for backend "none"), the
    trust store (to install pushed material), and problems worth showing (no personal data)."""

    service: CardReaderService | None
    trust: TrustStore | None = None
    problems: list[str] = field(default_factory=list)

    def close(self) -> None:
        if self.service is not None:
            self.service.close()


def build_card_readers(
    backend: str,
    *,
    csca_dir: str | Path | None = None,
    master_list_files: Sequence[str | Path] = (),
    crl_dir: str | Path | None = None,
    trust_pushed_dir: str | Path | None = None,
    ga467_port: str = "auto",
    ga467_remembered_port: str = "",
    on_ga467_port_found: Callable[[str], None] | None = None,
    ga467_baudrate: int = 115200,
    ga467_candidates: Callable[[], list[str]] | None = None,
    wlt_decoder_library: str | Path | None = None,
    wlt_decoder_function: str = "unpack",
    simulated_read_delay: float = 0.05,
) -> CardReaders:
    """The card readers of a station, from plain setting values (the composition root's one call).

    backend: "pyscard" (PC/SC: passports, permits, PACE documents), "ga467" (resident-ID SAM reader),
    "both" (one ``CompositeCardService``: ``read(None, key)`` reads whichever card is presented),
    "simulated", or "none". Trust material (``csca_dir``, ``master_list_files``, ``crl_dir``,
    ``trust_pushed_dir``) goes to the PC/SC family; ``trust_pushed_dir`` is where
    ``CardReaders.trust.install(...)`` keeps pushed bundles. ``ga467_port`` is a device or "auto"
    (probe USB serial ports); the port found is passed to ``on_ga467_port_found`` to be remembered
    and given back as ``ga467_remembered_port`` next time. A WLT decoder library that cannot be
    loaded is a problem, not a failure: photos are then "not decodable".

    Raises ``CardBackendUnavailable`` for an unknown backend or when the only family asked for
    cannot run (its library is missing); with "both", a missing family is a problem and the other
    one is used."""
    if backend not in CARD_BACKEND_CHOICES:
        raise CardBackendUnavailable(backend=backend, reason=f"unknown backend; choose one of {CARD_BACKEND_CHOICES}")
    readers = CardReaders(None)
    if backend == "none":
        return readers
    if backend == "simulated":
        readers.service = create_card_service("simulated", read_delay=simulated_read_delay)
        return readers
    from devices.cards.trust import TrustStore

    if csca_dir or master_list_files or crl_dir or trust_pushed_dir:
        readers.trust = TrustStore(
            csca_dir=csca_dir or None,
            master_list_files=[Path(p) for p in master_list_files],
            crl_dir=crl_dir or None,
            pushed_dir=trust_pushed_dir or None,
        )
        readers.problems.extend(readers.trust.current().problems)
    services: list[CardReaderService] = []
    if backend in ("pyscard", "both"):
        try:
            services.append(create_card_service("pyscard", trust=readers.trust))
        except CardBackendUnavailable as exc:
            if backend == "pyscard":
                raise
            readers.problems.append(f"PC/SC readers unavailable: {exc.params.get('reason', '')}")
    if backend in ("ga467", "both"):
        decoder = None
        if wlt_decoder_library:
            from devices.cards.wlt import WltDecoder, WltDecoderError

            try:
                decoder = WltDecoder(wlt_decoder_library, wlt_decoder_function)
            except WltDecoderError as exc:
                readers.problems.append(
                    f"WLT decoder unavailable ({exc.params.get('problem', '')}); photos not decodable"
                )
                log.warning("WLT decoder: %s", exc)
        try:
            services.append(
                create_card_service(
                    "ga467",
                    port=ga467_port or "auto",
                    baudrate=ga467_baudrate,
                    candidates=ga467_candidates,
                    remembered_port=ga467_remembered_port,
                    on_port_found=on_ga467_port_found,
                    wlt_decoder=decoder,
                )
            )
        except CardBackendUnavailable as exc:
            if backend == "ga467" or not services:
                raise
            readers.problems.append(f"resident ID readers unavailable: {exc.params.get('reason', '')}")
    if not services:
        raise CardBackendUnavailable(backend=backend, reason="no reader family could be started")
    if backend == "both":
        from devices.cards.composite import CompositeCardService

        readers.service = CompositeCardService(services)
    else:
        readers.service = services[0]
    return readers
