"""Both families at one desk: ``build_card_readers("both", ...)`` over the real pcscd + vpcd stack and
the pseudo-terminal GA 467 emulator; whichever card is presented is read with one call; cancel tokens
checked between APDUs; the factory's settings handling."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from clerk_app.errors import UserCancelled
from devices.cards import CardBackendUnavailable, CardReaders, build_card_readers, create_card_service
from devices.cards.api import DocumentType, FacePhoto, NoCardError, ReaderState
from devices.cards.applicant import display_image, person_from_document
from devices.cards.composite import CompositeCardService
from testsupport.cards.pcscd import READER_0, CardSlot, Pcscd, key_for
from testsupport.cards.testdocs import EmrtdFiles

from .sam_emulator import HmtResidencePermit, ResidentCard, SamEmulator


@pytest.fixture
def sam() -> Iterator[SamEmulator]:
    emu = SamEmulator(ResidentCard())
    yield emu
    emu.close()


@pytest.fixture
def both(pcscd: Pcscd, csca_folder: Path, sam: SamEmulator, tmp_path: Path) -> Iterator[CardReaders]:
    found: list[str] = []
    readers = build_card_readers(
        "both",
        csca_dir=csca_folder,
        trust_pushed_dir=tmp_path / "pushed",
        ga467_port="auto",
        ga467_candidates=lambda: [sam.port_name],
        on_ga467_port_found=found.append,
    )
    readers.found = found  # type: ignore[attr-defined]
    yield readers
    readers.close()


def test_reads_whichever_card_is_presented(
    both: CardReaders, card_slot: CardSlot, sam: SamEmulator, document: EmrtdFiles
) -> None:
    service = both.service
    assert isinstance(service, CompositeCardService) and both.trust is not None
    placed: list[str] = []
    states: list[tuple[str, ReaderState]] = []
    service.start_watching(lambda r, s, e: states.append((r, s)), lambda r, atr: placed.append(r))
    _wait(lambda: sam.port_name in placed)  # the resident ID card lies on the SAM reader
    doc = service.read(None, None)
    assert doc.document_type is DocumentType.RESIDENT_ID and doc.reader_id.startswith("05.01-")
    assert both.found == [sam.port_name]  # type: ignore[attr-defined]
    # a passport is put on the PC/SC reader: now that one is read, with the MRZ
    card_slot.insert_emrtd(document)
    _wait(lambda: READER_0 in placed)
    doc = service.read(None, key_for(document))
    assert doc.document_type is DocumentType.PASSPORT and doc.passive_auth.verified
    # the passport is taken away: the resident ID is read again
    card_slot.remove_all()
    _wait(lambda: (READER_0, ReaderState.READER_READY) in states[-3:])
    sam.card = HmtResidencePermit()
    assert service.read(None).document_type is DocumentType.HMT_RESIDENCE_PERMIT
    # nothing anywhere
    sam.card = None
    _wait(lambda: service.presented() is None)
    with pytest.raises(NoCardError):
        service.read(None)
    # a named reader still works, and the families are both listed
    families = {r.family for r in service.list_readers()}
    assert families == {"pcsc", "ga467"}
    assert service.monitor_alive()
    service.stop_watching()


def test_cancel_token_between_apdus(both: CardReaders, card_slot: CardSlot, document: EmrtdFiles) -> None:
    service = both.service
    assert service is not None
    _, client = card_slot.insert_emrtd(document, extended=False)
    client.apdu_delay = 0.02  # ~90 APDUs: about 2 s
    token = threading.Event()
    threading.Timer(0.3, token.set).start()
    started = time.monotonic()
    with pytest.raises(UserCancelled):
        service.read(READER_0, key_for(document), cancel=token)
    assert time.monotonic() - started < 1.5
    client.apdu_delay = 0.0
    assert service.read(READER_0, key_for(document)).passive_auth.verified  # not cancelled for ever


def test_factory_choices_and_problems(tmp_path: Path, sam: SamEmulator, pcscd: Pcscd) -> None:
    assert build_card_readers("none").service is None
    both = create_card_service("both", ga467_candidates=lambda: [sam.port_name])  # what the UI calls today
    try:
        assert isinstance(both, CompositeCardService)
        assert {r.family for r in both.list_readers()} == {"pcsc", "ga467"}
    finally:
        both.close()
    with pytest.raises(CardBackendUnavailable):
        build_card_readers("nfc-magic")
    sim = build_card_readers("simulated")
    assert sim.service is not None and sim.service.list_readers()
    sim.close()
    readers = build_card_readers(
        "ga467",
        ga467_port=sam.port_name,
        wlt_decoder_library=tmp_path / "libmissing.so",
        csca_dir=tmp_path / "no-such-folder",
    )
    try:
        assert any("WLT decoder unavailable" in p for p in readers.problems)
        doc = readers.service.read("")  # type: ignore[union-attr]
        assert doc.photo is not None and not doc.photo.decodable  # "not decodable", as before
    finally:
        readers.close()


def test_display_image_for_the_face_comparison() -> None:
    img = Image.new("RGB", (60, 80), (10, 20, 30))
    jp2 = io.BytesIO()
    img.save(jp2, "JPEG2000")
    shown = display_image(FacePhoto(jp2.getvalue(), "image/jp2", decodable=True, width=60, height=80))
    assert shown is not None and shown[1] == "image/png" and shown[0].startswith(b"\x89PNG")
    jpeg = FacePhoto(b"\xff\xd8\xff-jpeg", "image/jpeg", decodable=True)
    assert display_image(jpeg) == (jpeg.data, "image/jpeg")
    assert display_image(FacePhoto(bytes(1024), "application/x-wlt", decodable=False)) is None
    assert display_image(None) is None


def test_hmt_permit_maps_to_the_core_record() -> None:
    from devices.cards.ga467 import parse_text

    card = HmtResidencePermit()
    record = person_from_document(parse_text(card.text(), card.photo, "sam"))
    assert record.document_type == "hmt_residence_permit" and record.document_number == card.id_number


def _wait(cond, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.01)
    raise AssertionError("condition not reached")
