"""Identity documents read from their chips: ICAO 9303 eMRTDs over PC/SC (pyscard), Chinese resident ID
cards through GA 467 SAM readers (pyserial), and a simulator — all behind ``api.CardReaderService``.

Backends are created by name through ``create_card_service`` which imports lazily: a missing library
makes the backend unavailable with a reason instead of breaking the application at import time.
"""

from __future__ import annotations

from typing import Any

from clerk_app import i18n
from clerk_app.errors import DeviceError
from devices.cards.api import CardReaderService

BACKENDS = ("pyscard", "ga467", "simulated")


class CardBackendUnavailable(DeviceError):
    key = i18n.register(
        "cards.backend_unavailable", "读卡功能不可用：{reason}", "Card reader backend {backend} unavailable: {reason}"
    )


def create_card_service(backend: str, **options: Any) -> CardReaderService:
    """``pyscard`` (options: csca_folder, poll_timeout, extended_chunk, use_extended),
    ``ga467`` (port, baudrate, timeout) or ``simulated`` (read_delay)."""
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
    except ImportError as exc:
        raise CardBackendUnavailable(backend=backend, reason=f"missing library {exc.name}", detail=str(exc)) from None
    raise CardBackendUnavailable(backend=backend, reason=f"unknown backend; choose one of {BACKENDS}")
