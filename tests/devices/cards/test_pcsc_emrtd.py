"""The eMRTD profile through the real stack: emulated card → vpcd → pcscd → pyscard → our service."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from devices.cards.api import (
    BacFailedError,
    CardRemovedError,
    CardTimeoutError,
    DocumentType,
    GarbageResponseError,
    MrzKey,
    NoCardError,
    PassiveAuthStatus,
    ReaderGoneError,
    ReaderState,
    Sex,
    UnknownCardError,
)
from devices.cards.pcsc import PcscCardService
from testsupport.cards.pcscd import READER_0, CardSlot, Pcscd, key_for, wait_for_card
from testsupport.cards.testdocs import EmrtdFiles, Holder, face_jpeg, make_document
from testsupport.cards.vpcd_card import ATR_MIFARE, Faults, VirtualCard


@pytest.fixture
def service(pcscd: Pcscd, csca_folder: Path) -> Iterator[PcscCardService]:
    svc = PcscCardService(csca_folder=csca_folder, poll_timeout=0.2)
    yield svc
    svc.close()


def test_full_read_every_field_and_pa_verified(
    card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles
) -> None:
    card, _ = card_slot.insert_emrtd(document)
    doc = service.read(READER_0, key_for(document))
    assert doc.document_type is DocumentType.PASSPORT
    assert doc.document_number == "E12345678"
    assert (doc.surname, doc.given_names, doc.full_name) == ("CESHI", "XIAO MING", "CESHI XIAO MING")
    assert doc.sex is Sex.MALE
    assert doc.birth_date == dt.date(1990, 1, 15)
    assert doc.expiry_date == dt.date(2034, 6, 20)
    assert (doc.nationality, doc.issuing_state) == ("CHN", "CHN")
    assert doc.raw_mrz == document.holder.mrz()
    assert doc.verified_by == "chip"
    assert doc.passive_auth.status is PassiveAuthStatus.VERIFIED
    assert "Document Signer" in doc.passive_auth.signer_subject
    assert doc.photo is not None and doc.photo.mime == "image/jpeg" and doc.photo.decodable
    assert doc.photo.data == document.image
    assert (doc.photo.width, doc.photo.height) == (240, 320)
    stats = service.diagnostics.last_read
    assert stats is not None and stats.extended
    # EF.CardAccess (absent: BAC), SELECT AID, GET CHALLENGE, MUTUAL AUTHENTICATE, then EF.COM, DG1,
    # DG2 (~16 KB) and EF.SOD each in one extended-length READ BINARY by short EF identifier
    assert stats.apdus == 8 and stats.sfi
    assert card.read_count >= 4


def test_short_apdus_when_the_chip_has_no_extended_length(
    card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles
) -> None:
    card_slot.insert_emrtd(document, extended=False)
    doc = service.read(READER_0, key_for(document))
    assert doc.photo is not None and doc.photo.data == document.image
    stats = service.diagnostics.last_read
    assert stats is not None and not stats.extended
    assert stats.apdus > 70  # 16 KB / 223 bytes


def test_extended_length_refused_falls_back_to_short(
    card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles
) -> None:
    # the ATR claims extended length but the chip answers 6700: redo BAC, read short
    card_slot.insert_emrtd(document, faults=Faults(refuse_extended=True))
    doc = service.read(READER_0, key_for(document))
    assert doc.passive_auth.verified
    assert service.diagnostics.last_read is not None and not service.diagnostics.last_read.extended


def test_jpeg2000_face(card_slot: CardSlot, service: PcscCardService) -> None:
    img = Image.new("RGB", (120, 160), (90, 120, 150))
    out = io.BytesIO()
    img.save(out, "JPEG2000")
    doc_files = make_document(Holder(number="J20000001"), image=out.getvalue(), data_type=1)
    card_slot.insert_emrtd(doc_files)
    doc = service.read(READER_0, key_for(doc_files))
    assert doc.photo is not None and doc.photo.mime == "image/jp2" and doc.photo.decodable
    assert (doc.photo.width, doc.photo.height) == (120, 160)
    assert doc.passive_auth.verified


@pytest.mark.parametrize("extended", [True, False])
def test_face_larger_than_32_kb_uses_odd_read_binary(
    card_slot: CardSlot, pcscd: Pcscd, csca_folder: Path, extended: bool
) -> None:
    # offsets above 32767 do not fit P1-P2: READ BINARY B1 with DO'54' (ISO 7816-4 §11.2.3)
    image = face_jpeg(seed=3, size=(480, 640), target_kb=60)
    assert len(image) > 40_000
    files = make_document(Holder(number="B16000001"), image=image)
    card, _ = card_slot.insert_emrtd(files, extended=extended)
    service = PcscCardService(csca_folder=csca_folder, extended_chunk=0x3000)
    try:
        doc = service.read(READER_0, key_for(files))
    finally:
        service.close()
    assert doc.photo is not None and doc.photo.data == image
    assert doc.passive_auth.verified
    assert card.odd_reads > 0


def test_td1_hk_macau_permit(card_slot: CardSlot, service: PcscCardService) -> None:
    holder = Holder(
        code="CS", surname="YANGBEN", given="LI", number="C01234567", birth="851203", sex="F", expiry="301231", td="TD1"
    )
    files = make_document(holder)
    card_slot.insert_emrtd(files)
    doc = service.read(READER_0, key_for(files))
    assert doc.document_type is DocumentType.HK_MACAU_PERMIT
    assert (doc.document_number, doc.sex, doc.full_name) == ("C01234567", Sex.FEMALE, "YANGBEN LI")


def test_altered_dg1_is_data_altered(card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles) -> None:
    forged = document.with_dg1_of(Holder(surname="FANGMAO"))
    card_slot.insert_emrtd(forged, key=key_for(document))
    doc = service.read(READER_0, key_for(document))
    assert doc.surname == "FANGMAO"  # the data is shown, but flagged
    assert doc.passive_auth.status is PassiveAuthStatus.DATA_ALTERED
    assert doc.passive_auth.detail == "DG1 hash mismatch"


def test_unknown_csca_is_issuer_not_trusted(
    card_slot: CardSlot, pcscd: Pcscd, impostor_csca_folder: Path, document: EmrtdFiles
) -> None:
    card_slot.insert_emrtd(document)
    svc = PcscCardService(csca_folder=impostor_csca_folder)
    try:
        doc = svc.read(READER_0, key_for(document))
    finally:
        svc.close()
    assert doc.passive_auth.status is PassiveAuthStatus.ISSUER_NOT_TRUSTED


def test_no_csca_folder_is_not_checked(card_slot: CardSlot, pcscd: Pcscd, document: EmrtdFiles) -> None:
    card_slot.insert_emrtd(document)
    svc = PcscCardService(csca_folder=None)
    try:
        doc = svc.read(READER_0, key_for(document))
    finally:
        svc.close()
    assert doc.passive_auth.status is PassiveAuthStatus.NOT_CHECKED


def test_wrong_mrz_is_a_clear_bac_error(card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles) -> None:
    card_slot.insert_emrtd(document)
    states: list[ReaderState] = []
    service.start_watching(lambda r, s, e: states.append(s))
    with pytest.raises(BacFailedError) as err:
        service.read(READER_0, MrzKey("E12345678", "900116", "340620"))
    assert "出生日期" in err.value.user_message("zh_CN")
    assert "E12345678" not in str(err.value) and "900116" not in str(err.value)
    assert ReaderState.ERROR in states
    # the right key still works on the same card
    assert service.read(READER_0, key_for(document)).passive_auth.verified


def test_card_pulled_mid_read_then_service_recovers(
    card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles
) -> None:
    card, client = card_slot.insert_emrtd(document, extended=False)
    client.remove_after_apdus = 20  # in the middle of DG2
    with pytest.raises(CardRemovedError) as err:
        service.read(READER_0, key_for(document))
    assert "移开" in err.value.user_message("zh_CN")
    wait_for_card(READER_0, present=False)
    with pytest.raises(NoCardError):
        service.read(READER_0, key_for(document))
    card_slot.insert_emrtd(document)
    assert service.read(READER_0, key_for(document)).passive_auth.verified


def test_a_chip_that_never_answers_times_out_and_the_service_recovers(
    card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles
) -> None:
    _, client = card_slot.insert_emrtd(document)
    client.hang_at_apdu = 4  # MUTUAL AUTHENTICATE: a short APDU (a hung extended one ties up vpcd longer)
    started = time.monotonic()
    with pytest.raises(CardTimeoutError):
        service.read(READER_0, key_for(document), timeout=1.0)
    assert time.monotonic() - started < 5
    card_slot.remove_all()  # the stuck transmit ends when the card goes
    # The abandoned I/O thread then checks the card for up to 1 s and disconnects with a reset: let it
    # finish first, or its late SCardDisconnect(RESET) races the next card through vpcd (seen as the
    # next card never leaving the reader, on a loaded machine, before this wait existed).
    time.sleep(1.5)
    card_slot.insert_emrtd(document)
    assert service.read(READER_0, key_for(document)).passive_auth.verified


def test_reader_that_does_not_exist(service: PcscCardService) -> None:
    with pytest.raises(ReaderGoneError):
        service.read("Virtual PCD 09 09", MrzKey("E12345678", "900115", "340620"))


@pytest.mark.parametrize("kind", ["truncated", "random", "bad_sw", "bad_mac"])
def test_garbage_responses_are_typed_errors(
    kind: str, card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles
) -> None:
    card_slot.insert_emrtd(document, faults=Faults(garbage_read=kind, garbage_after_reads=3))
    with pytest.raises(GarbageResponseError):
        service.read(READER_0, key_for(document))


def test_unknown_cards_report_their_atr(card_slot: CardSlot, service: PcscCardService) -> None:
    card = VirtualCard()
    card.atr = ATR_MIFARE
    card_slot.insert(card)
    with pytest.raises(UnknownCardError) as err:
        service.read(READER_0, MrzKey("X", "000101", "300101"))
    assert "3B 8F 80 01" in err.value.user_message("zh_CN")
    card_slot.remove_all()
    card_slot.insert(VirtualCard())  # ISO 14443-4 card without the eMRTD application
    with pytest.raises(UnknownCardError) as err2:
        service.read(READER_0, MrzKey("X", "000101", "300101"))
    assert "SELECT eMRTD AID answered 6A82" in str(err2.value)


def test_monitor_reports_insert_and_remove(card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles) -> None:
    events: list[tuple[str, ReaderState]] = []
    inserted: list[bytes] = []
    got = threading.Event()
    service.start_watching(lambda r, s, e: (events.append((r, s)), got.set()), lambda r, atr: inserted.append(atr))
    _wait(lambda: (READER_0, ReaderState.READER_READY) in events)
    card, client = card_slot.insert_emrtd(document)
    _wait(lambda: (READER_0, ReaderState.CARD_PRESENT) in events)
    assert inserted == [card.atr]
    client.remove()
    events.clear()
    _wait(lambda: (READER_0, ReaderState.READER_READY) in events)


def test_pcscd_restart_monitor_recovers(
    card_slot: CardSlot, pcscd: Pcscd, service: PcscCardService, document: EmrtdFiles
) -> None:
    events: list[tuple[str, ReaderState]] = []
    service.start_watching(lambda r, s, e: events.append((r, s)))
    _wait(lambda: (READER_0, ReaderState.READER_READY) in events)
    rebuilds = service.diagnostics.context_rebuilds
    pcscd.stop()
    _wait(lambda: any(s is ReaderState.NO_READER for _, s in events))
    assert not service.diagnostics.pcscd_running
    events.clear()
    pcscd.start()
    _wait(lambda: (READER_0, ReaderState.READER_READY) in events)
    assert service.monitor_alive()
    assert service.diagnostics.context_rebuilds > rebuilds
    card_slot.insert_emrtd(document)
    _wait(lambda: (READER_0, ReaderState.CARD_PRESENT) in events)
    assert service.read(READER_0, key_for(document)).passive_auth.verified


def test_pcscd_dies_during_a_read(
    card_slot: CardSlot, pcscd: Pcscd, service: PcscCardService, document: EmrtdFiles
) -> None:
    _, client = card_slot.insert_emrtd(document, extended=False)
    client.apdu_delay = 0.01
    errors: list[BaseException] = []

    def run() -> None:
        try:
            service.read(READER_0, key_for(document))
        except BaseException as exc:  # noqa: B036 - collected for the assertion
            errors.append(exc)

    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.3)
    pcscd.stop()
    t.join(timeout=10)
    assert len(errors) == 1 and isinstance(errors[0], (ReaderGoneError, CardRemovedError))
    card_slot.remove_all_quietly()
    pcscd.start()
    card_slot.insert_emrtd(document)
    assert service.read(READER_0, key_for(document)).passive_auth.verified


def test_emulator_process_killed_and_restarted(pcscd: Pcscd, tmp_path: Path) -> None:
    """The emulator as a separate program (as in the demo), killed with SIGKILL and started again."""
    root = Path(__file__).resolve().parents[3]
    csca = tmp_path / "csca"
    csca.mkdir()
    env = {**os.environ, "PYTHONPATH": str(root)}

    def launch() -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "testsupport.cards.vpcd_card",
                "--port",
                str(pcscd.port),
                "--csca-out",
                str(csca / "demo-csca.pem"),
            ],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None and "card inserted" in proc.stdout.readline()
        return proc

    svc = PcscCardService(csca_folder=csca, poll_timeout=0.2)
    events: list[tuple[str, ReaderState]] = []
    svc.start_watching(lambda r, s, e: events.append((r, s)))
    holder = Holder()
    key = MrzKey(holder.number, holder.birth, holder.expiry)
    proc = launch()
    try:
        _wait(lambda: (READER_0, ReaderState.CARD_PRESENT) in events)
        assert svc.read(READER_0, key).passive_auth.verified
        _stop(proc)
        _wait(lambda: events[-1] == (READER_0, ReaderState.READER_READY))
        events.clear()
        proc = launch()  # a new process: a new CSCA, written to the folder
        _wait(lambda: (READER_0, ReaderState.CARD_PRESENT) in events)
        assert svc.read(READER_0, key).passive_auth.verified
    finally:
        _stop(proc)
        svc.close()
    wait_for_card(READER_0, present=False)


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.kill()  # SIGKILL: the kernel closes the card's socket
    proc.wait(timeout=5)
    if proc.stdout is not None:
        proc.stdout.close()


def test_no_personal_data_in_logs(
    card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    card_slot.insert_emrtd(document)
    doc = service.read(READER_0, key_for(document))
    logging.getLogger("test").info("read %r", doc)
    text = caplog.text
    assert "eMRTD read" in text
    for secret in ("E12345678", "CESHI", "XIAO", "900115", document.holder.mrz()[:20]):
        assert secret not in text


def _wait(cond, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.01)
    raise AssertionError("condition not reached in time")


def test_face_helper_size() -> None:
    assert 10_000 < len(face_jpeg()) <= 18 * 1024
