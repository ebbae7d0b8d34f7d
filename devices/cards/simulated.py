"""Simulated card readers for the demo and UI tests: same interface, canned fictional documents,
scripted insert/remove and errors. No hardware, no pcscd.

The canned people are fictional; their MRZ data carry valid check digits, so the MRZ and BAC-key
code paths run exactly as with a real document.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import replace

from clerk_app.errors import UserCancelled
from devices.cards.api import (
    AccessKey,
    BacFailedError,
    CancelToken,
    CanKey,
    CanNotSupportedError,
    CardCallback,
    CardError,
    CardRemovedError,
    DocumentType,
    FacePhoto,
    IdentityDocument,
    NoCardError,
    PassiveAuthResult,
    PassiveAuthStatus,
    ReaderBusyError,
    ReaderGoneError,
    ReaderInfo,
    ReaderState,
    Sex,
    StateCallback,
    WrongMrzError,
)
from devices.cards.mrz import build_td1, build_td3, parse_mrz

SIMULATED_READER = "模拟读卡器 0"  # a reader name is shown as it is (status bar, diagnostics): Chinese


def _from_mrz(mrz: str, pa: PassiveAuthStatus = PassiveAuthStatus.VERIFIED) -> IdentityDocument:
    data = parse_mrz(mrz)
    return IdentityDocument(
        document_type=data.document_type,
        document_number=data.document_number,
        surname=data.surname,
        given_names=data.given_names,
        full_name=data.full_name,
        sex=data.sex,
        birth_date=data.birth_date,
        nationality=data.nationality,
        expiry_date=data.expiry_date,
        issuing_state=data.issuing_state,
        passive_auth=PassiveAuthResult(pa, "simulated"),
        raw_mrz="\n".join(data.lines),
        reader_id=SIMULATED_READER,
    )


def synthetic_face(seed: int = 0) -> FacePhoto:
    """A drawn, obviously synthetic portrait (JPEG) for the simulated chips, so the demo and the UI
    tests exercise the 人证比对 view with a real image; nobody's face."""
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGB", (240, 320), (222, 232, 242))
    d = ImageDraw.Draw(img)
    skin = (236, 200, 170) if seed % 2 == 0 else (214, 176, 140)
    d.ellipse((60, 150, 180, 330), fill=(60, 90, 140))  # shoulders
    d.ellipse((75, 50, 165, 160), fill=skin)  # head
    d.pieslice((70, 40, 170, 120), 180, 360, fill=(40, 30, 25))  # hair
    d.ellipse((98, 95, 108, 103), fill=(30, 30, 30))
    d.ellipse((132, 95, 142, 103), fill=(30, 30, 30))
    d.arc((105, 115, 135, 135), 20, 160, fill=(150, 60, 60), width=2)
    d.text((8, 300), "SIMULATED", fill=(120, 120, 120))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return FacePhoto(out.getvalue(), "image/jpeg", True, 240, 320)


def canned_documents() -> dict[str, IdentityDocument]:
    """Fictional documents by name: passport, HK/Macau permit, Taiwan permit, PR card, resident ID."""
    docs = {
        "passport": _from_mrz(build_td3("P", "CHN", "CESHI", "XIAO MING", "E12345678", "CHN", "900115", "M", "340620")),
        "hk_macau_permit": _from_mrz(
            build_td1("CS", "CHN", "YANGBEN", "LI", "C01234567", "CHN", "851203", "F", "301231")
        ),
        "taiwan_permit": _from_mrz(build_td1("CD", "CHN", "MONI", "AN", "T09876543", "CHN", "780707", "M", "290101")),
        "foreign_permanent_residence": _from_mrz(
            build_td1("IR", "CHN", "EXAMPLE", "ALEX", "FR1234567", "UTO", "880229", "X", "330101")
        ),
        "passport_untrusted": _from_mrz(
            build_td3("P", "UTO", "MUSTER", "ERIKA", "X00000001", "UTO", "700101", "F", "310101"),
            PassiveAuthStatus.ISSUER_NOT_TRUSTED,
        ),
    }
    docs["resident_id"] = IdentityDocument(
        document_type=DocumentType.RESIDENT_ID,
        document_number="11010519491231002X",
        surname="",
        given_names="",
        full_name="测试样例",
        sex=Sex.FEMALE,
        birth_date=dt.date(1949, 12, 31),
        nationality="CHN",
        expiry_date=None,
        issuing_state="CHN",
        issuing_authority="北京市公安局西城分局",
        valid_from=dt.date(2010, 1, 1),
        address="北京市西城区示例路1号",
        ethnic_group="汉",
        passive_auth=PassiveAuthResult(PassiveAuthStatus.NOT_CHECKED, "simulated SAM read"),
        reader_id="05.01-20101010-0000000001-0000000001",
    )
    # every canned chip carries a synthetic face (decoded resident-ID photo, DG2 for the others)
    return {name: replace(doc, photo=synthetic_face(i)) for i, (name, doc) in enumerate(docs.items())}


class SimulatedCardService:
    """``CardReaderService`` with scripted cards. Methods ``insert``/``remove``/``fail_next`` drive it."""

    family = "simulated"

    def __init__(self, read_delay: float = 0.05, readers: tuple[str, ...] = (SIMULATED_READER,)) -> None:
        self.read_delay = read_delay
        self.documents = canned_documents()
        self._readers = list(readers)
        self._cards: dict[str, IdentityDocument] = {}
        self._next_error: CardError | None = None
        self._remove_during_read = False
        self._cancel = threading.Event()
        self._extra_cancel: CancelToken | None = None
        self._lock = threading.RLock()
        self._on_state: StateCallback | None = None
        self._on_card: CardCallback | None = None
        self._busy = threading.Lock()

    # --- scripting -----------------------------------------------------------------------------
    def insert(self, document: IdentityDocument | str, reader: str = SIMULATED_READER) -> None:
        doc = self.documents[document] if isinstance(document, str) else document
        with self._lock:
            self._cards[reader] = doc
        self._emit(reader, ReaderState.CARD_PRESENT)
        if self._on_card is not None:
            self._on_card(reader, b"\x3b\x80\x80\x01\x01")

    def remove(self, reader: str = SIMULATED_READER) -> None:
        with self._lock:
            self._cards.pop(reader, None)
        self._emit(reader, ReaderState.READER_READY)

    def unplug(self, reader: str = SIMULATED_READER) -> None:
        with self._lock:
            self._cards.pop(reader, None)
            if reader in self._readers:
                self._readers.remove(reader)
        self._emit(reader, ReaderState.NO_READER)

    def plug(self, reader: str = SIMULATED_READER) -> None:
        with self._lock:
            if reader not in self._readers:
                self._readers.append(reader)
        self._emit(reader, ReaderState.READER_READY)

    def fail_next(self, error: CardError) -> None:
        self._next_error = error

    def remove_during_next_read(self) -> None:
        self._remove_during_read = True

    # --- interface -----------------------------------------------------------------------------
    def _emit(self, reader: str, state: ReaderState, error: CardError | None = None) -> None:
        if self._on_state is not None:
            self._on_state(reader, state, error)

    def list_readers(self) -> list[ReaderInfo]:
        with self._lock:
            return [
                ReaderInfo(r, self.family, r in self._cards, b"\x3b\x80\x80\x01\x01" if r in self._cards else b"")
                for r in self._readers
            ]

    def start_watching(self, on_state: StateCallback, on_card: CardCallback | None = None) -> None:
        self._on_state, self._on_card = on_state, on_card
        with self._lock:
            readers = list(self._readers)
            cards = dict(self._cards)
        if not readers:
            self._emit("", ReaderState.NO_READER)
        for r in readers:
            self._emit(r, ReaderState.CARD_PRESENT if r in cards else ReaderState.READER_READY)

    def stop_watching(self) -> None:
        self._on_state = self._on_card = None

    def monitor_alive(self) -> bool:
        return True

    def read(
        self, reader: str, mrz_key: AccessKey | None = None, timeout: float = 30.0, cancel: CancelToken | None = None
    ) -> IdentityDocument:
        if not self._busy.acquire(blocking=False):
            raise ReaderBusyError(detail="a simulated read is already running")
        try:
            self._cancel.clear()
            self._extra_cancel = cancel
            self._emit(reader, ReaderState.READING)
            try:
                doc = self._read(reader, mrz_key)
            except CardError as exc:
                self._emit(reader, ReaderState.ERROR, exc)
                raise
            self._emit(reader, ReaderState.READ_OK)
            return doc
        finally:
            self._busy.release()

    def _read(self, reader: str, mrz_key: AccessKey | None) -> IdentityDocument:
        with self._lock:
            if reader not in self._readers:
                raise ReaderGoneError(reader=reader, detail="simulated reader unplugged")
            doc = self._cards.get(reader)
        if doc is None:
            raise NoCardError(detail="simulated reader is empty")
        deadline = time.monotonic() + self.read_delay
        while time.monotonic() < deadline:
            if self._cancel.is_set() or (self._extra_cancel is not None and self._extra_cancel.is_set()):
                raise UserCancelled(detail="simulated read cancelled")
            time.sleep(min(0.01, self.read_delay))
        if self._remove_during_read:
            self._remove_during_read = False
            self.remove(reader)
            raise CardRemovedError(detail="simulated removal")
        error, self._next_error = self._next_error, None
        if error is not None:
            raise error
        if doc.raw_mrz:  # an ICAO chip: BAC needs the MRZ; GA 467 cards (resident ID, 居住证) need no key
            if mrz_key is None:
                raise WrongMrzError(problem="the MRZ (document number, birth date, expiry) is needed")
            if isinstance(mrz_key, CanKey):  # the simulated documents offer BAC only
                raise CanNotSupportedError(detail="simulated chip offers BAC only")
            expected = (
                doc.document_number,
                parse_mrz(doc.raw_mrz).birth_date_raw,
                parse_mrz(doc.raw_mrz).expiry_date_raw,
            )
            if (mrz_key.document_number.upper(), mrz_key.birth_date, mrz_key.expiry_date) != expected:
                raise BacFailedError(detail="simulated BAC failure")
        return replace(doc, reader_id=reader if doc.document_type is not DocumentType.RESIDENT_ID else doc.reader_id)

    def cancel(self) -> None:
        self._cancel.set()

    def close(self) -> None:
        self.stop_watching()
