"""PC/SC card reader service on pyscard: reader/card monitoring, card I/O, the eMRTD profile.

We use pyscard's thin ``smartcard.scard`` layer rather than its ``CardMonitor``/``ReaderMonitor``:
those swallow ``ListReadersException``/``EstablishContextException`` after pcscd restarts and their
thread dies silently. Our monitor owns its PC/SC context and rebuilds it whenever pcscd reports
SCARD_E_NO_SERVICE / SERVICE_STOPPED / INVALID_HANDLE (what those exceptions wrap), so it survives
a pcscd restart or the last reader being unplugged.

Threads: one monitor thread (SCardGetStatusChange) and one card I/O thread that runs every read.
PC/SC contexts must not be shared between threads in pcsc-lite, and a card session (BAC keys, SSC)
is stateful, so all card I/O is serialised on that one thread (the Electrum ``run_in_hwd_thread``
pattern). Callbacks run on those threads; the UI bridges them to Qt signals.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smartcard import scard

from clerk_app.errors import UserCancelled
from devices.cards.api import (
    AccessKey,
    AnyOf,
    CancelToken,
    CardCallback,
    CardError,
    CardRemovedError,
    CardTimeoutError,
    GarbageResponseError,
    IdentityDocument,
    NoCardError,
    ReaderBusyError,
    ReaderGoneError,
    ReaderInfo,
    ReaderState,
    StateCallback,
)
from devices.cards.emrtd import EmrtdSession, ReadStats
from devices.cards.trust import TrustStore

log = logging.getLogger(__name__)

PNP_NOTIFICATION = "\\\\?PnP?\\Notification"


def _u32(code: int) -> int:
    return code & 0xFFFFFFFF


_SERVICE_GONE = {
    _u32(c)
    for c in (
        scard.SCARD_E_NO_SERVICE,
        scard.SCARD_E_SERVICE_STOPPED,
        scard.SCARD_E_INVALID_HANDLE,
        scard.SCARD_F_COMM_ERROR,
        scard.SCARD_E_NO_READERS_AVAILABLE,
    )
}
_READER_GONE = {
    _u32(c)
    for c in (
        scard.SCARD_E_UNKNOWN_READER,
        scard.SCARD_E_READER_UNAVAILABLE,
        scard.SCARD_E_NO_SERVICE,
        scard.SCARD_E_SERVICE_STOPPED,
        scard.SCARD_E_NO_READERS_AVAILABLE,
        scard.SCARD_F_COMM_ERROR,
    )
}
_CARD_GONE = {
    _u32(c)
    for c in (
        scard.SCARD_W_REMOVED_CARD,
        scard.SCARD_E_NO_SMARTCARD,
        scard.SCARD_W_RESET_CARD,
        scard.SCARD_W_UNPOWERED_CARD,
        scard.SCARD_W_UNRESPONSIVE_CARD,
    )
}
_OK = 0
_SCARD_PRESENT = 0x0004  # SCardStatus dwState bit (pcsclite.h); pyscard does not export it
_TIMEOUT = _u32(scard.SCARD_E_TIMEOUT)
_CANCELLED = _u32(scard.SCARD_E_CANCELLED)


def _message(code: int) -> str:
    return f"{scard.SCardGetErrorMessage(code)} (0x{_u32(code):08X})"


@dataclass
class PcscDiagnostics:
    """What the diagnostics dialog shows: no personal data."""

    pcscd_running: bool = False
    readers: dict[str, bytes] = field(default_factory=dict)  # reader → ATR (b"" when empty)
    context_rebuilds: int = 0
    monitor_alive: bool = False
    last_errors: list[str] = field(default_factory=list)
    last_read: ReadStats | None = None


class PcscCardService:
    """``CardReaderService`` over PC/SC. ``trust`` (a ``TrustStore``: CSCA folder, master lists, CRLs,
    pushed material) decides passive authentication; ``csca_folder`` alone is the short form."""

    family = "pcsc"

    def __init__(
        self,
        csca_folder: Path | str | None = None,
        poll_timeout: float = 0.5,
        extended_chunk: int = 0x7F00,
        use_extended: bool | None = None,
        trust: TrustStore | None = None,
    ) -> None:
        self.csca_folder = Path(csca_folder) if csca_folder else None
        self.trust = trust or (TrustStore(csca_dir=self.csca_folder) if self.csca_folder else None)
        self.poll_timeout = poll_timeout
        self.extended_chunk = extended_chunk
        self.use_extended = use_extended
        # a single worker thread: every SCardConnect/Transmit happens there (see module docstring)
        self._io = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="card-io")
        self._cancel = threading.Event()
        self._extra_cancel: CancelToken | None = None
        self._lock = threading.Lock()
        self._emit_lock = threading.RLock()
        self._reading = threading.Lock()
        self._monitor: threading.Thread | None = None
        self._stop = threading.Event()
        self._monitor_ctx: int | None = None
        self._on_state: StateCallback | None = None
        self._on_card: CardCallback | None = None
        self._states: dict[str, ReaderState] = {}
        self.diagnostics = PcscDiagnostics()

    # --- helpers -------------------------------------------------------------------------------
    def _note_error(self, text: str) -> None:
        with self._lock:
            self.diagnostics.last_errors = (self.diagnostics.last_errors + [text])[-20:]

    def _emit(self, reader: str, state: ReaderState, error: CardError | None = None) -> None:
        # called from the monitor and the I/O thread: one lock keeps states and callbacks in order
        with self._emit_lock:
            self._emit_locked(reader, state, error)

    def _emit_locked(self, reader: str, state: ReaderState, error: CardError | None) -> None:
        if self._states.get(reader) is state and error is None:
            return
        self._states[reader] = state
        if self._on_state is not None:
            try:
                self._on_state(reader, state, error)
            except Exception:  # a faulty UI callback must not kill the device thread
                log.exception("reader state callback failed")

    @staticmethod
    def _establish() -> int:
        hresult, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != _OK:
            raise ReaderGoneError(reader="PC/SC", detail=f"EstablishContext: {_message(hresult)}")
        return int(ctx)

    # --- listing -------------------------------------------------------------------------------
    def list_readers(self) -> list[ReaderInfo]:
        try:
            ctx = self._establish()
        except ReaderGoneError:
            self.diagnostics.pcscd_running = False
            return []
        try:
            hresult, names = scard.SCardListReaders(ctx, [])
            if hresult != _OK:
                return []
            states = [(n, scard.SCARD_STATE_UNAWARE) for n in names]
            hresult, result = scard.SCardGetStatusChange(ctx, 0, states)
            out = []
            for name, event, atr in result if hresult == _OK else [(n, 0, []) for n in names]:
                present = bool(event & scard.SCARD_STATE_PRESENT)
                out.append(ReaderInfo(name, self.family, present, bytes(atr) if present else b""))
            return out
        finally:
            scard.SCardReleaseContext(ctx)

    # --- monitoring ----------------------------------------------------------------------------
    def start_watching(self, on_state: StateCallback, on_card: CardCallback | None = None) -> None:
        self.stop_watching()
        self._on_state, self._on_card = on_state, on_card
        self._stop.clear()
        self._states.clear()
        self._monitor = threading.Thread(target=self._monitor_loop, name="card-monitor", daemon=True)
        self._monitor.start()

    def stop_watching(self) -> None:
        self._stop.set()
        ctx = self._monitor_ctx
        if ctx is not None:
            scard.SCardCancel(ctx)  # wakes SCardGetStatusChange at once
        if self._monitor is not None:
            if self._monitor is not threading.current_thread():  # called from a callback
                self._monitor.join(timeout=5)
            self._monitor = None
        self.diagnostics.monitor_alive = False

    def monitor_alive(self) -> bool:
        return self._monitor is not None and self._monitor.is_alive()

    def _monitor_loop(self) -> None:
        self.diagnostics.monitor_alive = True
        backoff = 0.1
        while not self._stop.is_set():
            try:
                self._watch_once()
                backoff = 0.1
            except Exception as exc:  # never let the monitor die: log, rebuild, retry
                self._note_error(f"monitor: {exc}")
                log.warning("card monitor: %s; rebuilding the PC/SC context", exc)
                self._drop_monitor_context()
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 2.0)
        self._drop_monitor_context()
        self.diagnostics.monitor_alive = False

    def _drop_monitor_context(self) -> None:
        ctx, self._monitor_ctx = self._monitor_ctx, None
        if ctx is not None:
            scard.SCardReleaseContext(ctx)

    def _all_gone(self, why: str) -> None:
        self.diagnostics.pcscd_running = False
        self.diagnostics.readers.clear()
        error = ReaderGoneError(reader="PC/SC", detail=why)
        known = [r for r, s in self._states.items() if s is not ReaderState.NO_READER]
        for reader in known:
            self._emit(reader, ReaderState.NO_READER, None)
        if not known and self._states.get("") is not ReaderState.NO_READER:
            self._emit("", ReaderState.NO_READER, None)
        self._note_error(str(error))

    def _watch_once(self) -> None:
        """One PC/SC context's life: runs until pcscd goes away (then raises to rebuild)."""
        if self._monitor_ctx is None:
            try:
                self._monitor_ctx = self._establish()
            except ReaderGoneError as exc:
                self._all_gone(exc.detail)
                raise
            self.diagnostics.context_rebuilds += 1
        ctx = self._monitor_ctx
        self.diagnostics.pcscd_running = True
        states: dict[str, int] = {}  # reader → current state we told pcscd
        pnp_state = scard.SCARD_STATE_UNAWARE
        readers_dirty = True
        timeout_ms = int(self.poll_timeout * 1000)
        while not self._stop.is_set():
            if readers_dirty:
                hresult, names = scard.SCardListReaders(ctx, [])
                if _u32(hresult) == _u32(scard.SCARD_E_NO_READERS_AVAILABLE):
                    names = []
                elif hresult != _OK:
                    raise ReaderGoneError(reader="PC/SC", detail=f"ListReaders: {_message(hresult)}")
                for gone in set(states) - set(names):
                    del states[gone]
                    self.diagnostics.readers.pop(gone, None)
                    self._emit(gone, ReaderState.NO_READER)
                for new in names:
                    states.setdefault(new, scard.SCARD_STATE_UNAWARE)
                if not names:
                    self._emit("", ReaderState.NO_READER)
                readers_dirty = False
            query = [(n, s) for n, s in states.items()] + [(PNP_NOTIFICATION, pnp_state)]
            hresult, result = scard.SCardGetStatusChange(ctx, timeout_ms, query)
            code = _u32(hresult)
            if code == _TIMEOUT:
                continue
            if code == _CANCELLED:
                return
            if code in _SERVICE_GONE or code == _u32(scard.SCARD_E_UNKNOWN_READER):
                if code == _u32(scard.SCARD_E_UNKNOWN_READER):
                    readers_dirty = True
                    continue
                self._all_gone(f"GetStatusChange: {_message(hresult)}")
                raise ReaderGoneError(reader="PC/SC", detail=_message(hresult))
            if code != _OK:
                raise GarbageResponseError(detail=f"GetStatusChange: {_message(hresult)}")
            for name, event, atr in result:
                current = event & ~scard.SCARD_STATE_CHANGED
                if name == PNP_NOTIFICATION:
                    if event & scard.SCARD_STATE_CHANGED:
                        readers_dirty = True
                    pnp_state = current
                    continue
                if name not in states:
                    continue
                changed = bool(event & scard.SCARD_STATE_CHANGED) or states[name] == 0
                states[name] = current
                if event & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_IGNORE):
                    readers_dirty = True
                    continue
                if not changed:
                    continue
                present = bool(event & scard.SCARD_STATE_PRESENT)
                self.diagnostics.readers[name] = bytes(atr) if present else b""
                if present:
                    was = self._states.get(name)
                    if was not in (
                        ReaderState.CARD_PRESENT,
                        ReaderState.READING,
                        ReaderState.READ_OK,
                        ReaderState.ERROR,
                    ):
                        self._emit(name, ReaderState.CARD_PRESENT)
                        if self._on_card is not None:
                            try:
                                self._on_card(name, bytes(atr))
                            except Exception:
                                log.exception("card inserted callback failed")
                else:
                    self._emit(name, ReaderState.READER_READY)

    # --- reading -------------------------------------------------------------------------------
    def read(
        self, reader: str, mrz_key: AccessKey | None = None, timeout: float = 30.0, cancel: CancelToken | None = None
    ) -> IdentityDocument:
        """Blocking; one read at a time (a second concurrent call raises ``ReaderBusyError``
        rather than queueing behind a read the clerk may be about to cancel)."""
        if not self._reading.acquire(blocking=False):
            raise ReaderBusyError(detail="a read is already running")
        try:
            self._extra_cancel = cancel
            return self._read_with_timeout(reader, mrz_key, timeout)
        finally:
            self._reading.release()

    def _read_with_timeout(self, reader: str, mrz_key: AccessKey | None, timeout: float) -> IdentityDocument:
        self._cancel.clear()
        with self._lock:
            io = self._io
        future = io.submit(self._read_on_io_thread, reader, mrz_key)
        try:
            return future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            self._cancel.set()
            # The I/O thread is stuck inside SCardTransmit (a chip or driver that never answers;
            # pcscd gives up only when the card goes). Abandon that thread — it ends by itself once
            # the card is removed, its context is its own — and give later reads a fresh one.
            with self._lock:
                if self._io is io:
                    io.shutdown(wait=False, cancel_futures=True)
                    self._io = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="card-io")
            error = CardTimeoutError(detail=f"no result within {timeout:.1f} s")
            self._note_error(str(error))
            self._emit(reader, ReaderState.ERROR, error)
            raise error from None

    def cancel(self) -> None:
        self._cancel.set()

    def _read_on_io_thread(self, reader: str, mrz_key: AccessKey | None) -> IdentityDocument:
        io = self._io

        def emit(state: ReaderState, error: CardError | None = None) -> None:
            # a read abandoned after a timeout must not overwrite the states of later reads
            if self._io is io:
                self._emit(reader, state, error)

        emit(ReaderState.READING)
        try:
            document = self._read(reader, mrz_key)
        except CardError as exc:
            self._note_error(str(exc))
            emit(ReaderState.ERROR, exc)
            raise
        except UserCancelled:
            emit(ReaderState.CARD_PRESENT)
            raise
        emit(ReaderState.READ_OK)
        return document

    def _read(self, reader: str, mrz_key: AccessKey | None) -> IdentityDocument:
        ctx = self._establish()
        try:
            hresult, hcard, protocol = scard.SCardConnect(
                ctx, reader, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
            )
            code = _u32(hresult)
            if code in _CARD_GONE:
                raise NoCardError(detail=_message(hresult))
            if code in _READER_GONE:
                raise ReaderGoneError(reader=reader, detail=f"Connect: {_message(hresult)}")
            if code != _OK:
                raise GarbageResponseError(detail=f"Connect: {_message(hresult)}")
            try:
                atr = self._atr(hcard)

                def transmit(apdu: bytes) -> bytes:
                    return self._transmit(hcard, protocol, apdu, reader)

                session = EmrtdSession(
                    transmit,
                    atr,
                    self.trust.current() if self.trust else None,
                    cancel=AnyOf(self._cancel, self._extra_cancel),
                    extended_chunk=self.extended_chunk,
                    use_extended=self.use_extended,
                )
                try:
                    return session.read_document(mrz_key, reader)
                finally:
                    self.diagnostics.last_read = session.stats
            finally:
                # reset: ends the secure-messaging session so no one continues it
                scard.SCardDisconnect(hcard, scard.SCARD_RESET_CARD)
        finally:
            scard.SCardReleaseContext(ctx)

    @staticmethod
    def _atr(hcard: Any) -> bytes:
        result = scard.SCardStatus(hcard)
        hresult, atr = result[0], result[-1]
        if hresult != _OK:
            raise CardRemovedError(detail=f"Status: {_message(hresult)}")
        return bytes(atr)

    def _transmit(self, hcard: Any, protocol: int, apdu: bytes, reader: str) -> bytes:
        hresult, response = scard.SCardTransmit(hcard, protocol, list(apdu))
        code = _u32(hresult)
        if code == _OK and len(response) >= 2:
            return bytes(response)
        if code == _OK:
            # no status word at all: the link to the card broke (vpcd answers an empty response
            # when the card's connection drops). pcscd notices the removal on its next presence
            # poll, so give it a moment before calling it garbage.
            if self._card_gone_within(hcard, 1.0):
                raise CardRemovedError(detail="empty response; card gone")
            raise GarbageResponseError(detail="empty response without a status word")
        if code in _CARD_GONE:
            raise CardRemovedError(detail=f"Transmit: {_message(hresult)}")
        if code in _READER_GONE:
            raise ReaderGoneError(reader=reader, detail=f"Transmit: {_message(hresult)}")
        # A vpcd/CCID transport failure is what a pulled card mostly looks like: ask pcscd.
        if self._card_gone_within(hcard, 1.0):
            raise CardRemovedError(detail=f"Transmit: {_message(hresult)}; card gone")
        raise GarbageResponseError(detail=f"Transmit: {_message(hresult)}")

    @staticmethod
    def _card_gone_within(hcard: Any, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while True:
            status = scard.SCardStatus(hcard)
            if _u32(status[0]) != _OK or not status[2] & _SCARD_PRESENT:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)

    def close(self) -> None:
        self.stop_watching()
        self._cancel.set()
        with self._lock:
            io = self._io
        # a thread stuck in SCardTransmit (see read) must not block closing the application
        io.shutdown(wait=False, cancel_futures=True)
