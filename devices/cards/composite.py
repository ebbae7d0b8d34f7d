"""Both reader families at one desk: a PC/SC reader (passports, permits, PACE documents) and a GA 467
resident-ID reader behind one ``CardReaderService``. ``read()`` without a reader name reads whichever
card is on a reader — the one put down last when both hold a card — so one key (F6) or the
card-placed callback starts the right read."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

from devices.cards.api import (
    AccessKey,
    CancelToken,
    CardCallback,
    CardError,
    CardReaderService,
    IdentityDocument,
    NoCardError,
    ReaderGoneError,
    ReaderInfo,
    ReaderState,
    StateCallback,
)

log = logging.getLogger(__name__)


class CompositeCardService:
    """``CardReaderService`` over several backends (one per reader family)."""

    family = "composite"

    def __init__(self, backends: Sequence[CardReaderService]) -> None:
        if not backends:
            raise ValueError("no card reader backends")
        self.backends = list(backends)
        self._lock = threading.Lock()
        self._owner: dict[str, CardReaderService] = {}  # reader name → its backend
        self._placed: dict[str, float] = {}  # reader name → when a card was put on it

    # --- helpers -----------------------------------------------------------------------------
    @property
    def diagnostics(self) -> Any:
        """The PC/SC backend's diagnostics (the dialog shows them), if there is one."""
        for b in self.backends:
            diag = getattr(b, "diagnostics", None)
            if diag is not None:
                return diag
        return None

    def _note(self, reader: str, backend: CardReaderService) -> None:
        if reader:
            with self._lock:
                self._owner[reader] = backend

    # --- interface ---------------------------------------------------------------------------
    def list_readers(self) -> list[ReaderInfo]:
        out: list[ReaderInfo] = []
        for b in self.backends:
            try:
                readers = b.list_readers()
            except CardError as exc:  # one family failing must not hide the other
                log.warning("listing %s readers failed: %s", getattr(b, "family", "?"), exc)
                continue
            for r in readers:
                self._note(r.name, b)
            out.extend(readers)
        return out

    def start_watching(self, on_state: StateCallback, on_card: CardCallback | None = None) -> None:
        for b in self.backends:

            def state(reader: str, s: ReaderState, error: CardError | None, b: CardReaderService = b) -> None:
                self._note(reader, b)
                if s in (ReaderState.READER_READY, ReaderState.NO_READER):
                    with self._lock:
                        self._placed.pop(reader, None)
                on_state(reader, s, error)

            def card(reader: str, atr: bytes, b: CardReaderService = b) -> None:
                self._note(reader, b)
                with self._lock:
                    self._placed[reader] = time.monotonic()
                if on_card is not None:
                    on_card(reader, atr)

            b.start_watching(state, card)

    def stop_watching(self) -> None:
        for b in self.backends:
            b.stop_watching()

    def monitor_alive(self) -> bool:
        return all(b.monitor_alive() for b in self.backends)

    def presented(self) -> ReaderInfo | None:
        """The reader whose card should be read now: among readers holding a card, the one a card
        was put on last (as the monitors saw it), else the first listed."""
        with_card = [r for r in self.list_readers() if r.card_present]
        if not with_card:
            return None
        with self._lock:
            placed = dict(self._placed)
        return max(with_card, key=lambda r: placed.get(r.name, -1.0))

    def read(
        self,
        reader: str | None = None,
        mrz_key: AccessKey | None = None,
        timeout: float = 30.0,
        cancel: CancelToken | None = None,
    ) -> IdentityDocument:
        """Read ``reader``'s card, or (``reader`` None or "") whichever card is presented."""
        if not reader:
            info = self.presented()
            if info is None:
                raise NoCardError(detail="no card on any reader")
            reader = info.name
        with self._lock:
            backend = self._owner.get(reader)
        if backend is None:
            self.list_readers()
            with self._lock:
                backend = self._owner.get(reader)
        if backend is None:
            raise ReaderGoneError(reader=reader, detail="no backend has this reader")
        return backend.read(reader, mrz_key, timeout, cancel)

    def cancel(self) -> None:
        for b in self.backends:
            b.cancel()

    def close(self) -> None:
        for b in self.backends:
            try:
                b.close()
            except Exception:  # close everything even if one backend fails
                log.exception("closing a card backend failed")
