"""GA 467 readers as a first-class path: the foreigner's permanent residence ID (2017, 2023) and the
港澳台居民居住证 recognised from the card data, ports found by probing with the SAM status command,
hot-plug, the SAM ID with each read, cancelling between frames, and a pluggable WLT decoder (a real
shared library built here with gcc, loaded with ctypes)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from clerk_app.errors import UserCancelled
from devices.cards.api import DocumentType, GarbageResponseError, ReaderGoneError, ReaderState, Sex
from devices.cards.ga467 import Ga467CardService, discover, format_sam_id, parse_text, probe_port
from devices.cards.wlt import WltDecoder, WltDecoderError

from .sam_emulator import (
    SAM_ID,
    ForeignerCard2017,
    ForeignerCard2023,
    HmtResidencePermit,
    ResidentCard,
    SamEmulator,
)

OTHER_SAM_ID = (5).to_bytes(2, "little") + (2).to_bytes(2, "little") + bytes(12)


@pytest.fixture
def emulators() -> Iterator[list[SamEmulator]]:
    made: list[SamEmulator] = []
    yield made
    for emu in made:
        emu.close()


@pytest.fixture
def silent_pty() -> Iterator[str]:
    """A serial port where nothing answers (another device, or a reader's dead twin)."""
    master, slave = os.openpty()
    yield os.ttyname(slave)
    os.close(master)
    os.close(slave)


def _service(candidates: list[str] | None = None, **kwargs: object) -> Ga467CardService:
    box = candidates if candidates is not None else []
    return Ga467CardService(
        "auto",
        timeout=0.5,
        poll_interval=0.05,
        candidates=lambda: list(box),
        rediscover_interval=0.1,
        **kwargs,  # type: ignore[arg-type]
    )


def test_foreigner_2017_card() -> None:
    card = ForeignerCard2017()
    doc = parse_text(card.text(), card.photo, "sam")
    assert doc.document_type is DocumentType.FOREIGN_PERMANENT_RESIDENCE and doc.card_version == "2017"
    assert (doc.document_number, doc.full_name, doc.name_latin) == ("UTO110088010101", "艾历克斯", "EXAMPLE, ALEX")
    assert (doc.nationality, doc.sex, doc.birth_date) == ("UTO", Sex.FEMALE, dt.date(1988, 2, 29))
    assert doc.expiry_date == dt.date(2028, 1, 1) and doc.issuing_authority == "1100"
    assert "UTO110088010101" not in repr(doc)


def test_foreigner_2023_card() -> None:
    card = ForeignerCard2023()
    doc = parse_text(card.text(), card.photo, "sam")
    assert doc.document_type is DocumentType.FOREIGN_PERMANENT_RESIDENCE and doc.card_version == "2023"
    assert doc.document_number == card.id_number and doc.document_number.startswith("9")
    assert doc.name_latin == "EXAMPLE ALEXANDER MAXIMILIAN JOHANNOTTO"[:35] + "OTTO"
    assert (doc.full_name, doc.nationality, doc.sex) == ("艾历克斯", "UTO", Sex.MALE)
    wrong = card.id17 + ("0" if card.id_number[17] != "0" else "1")  # a wrong check digit
    text = bytearray(card.text())
    text[122:158] = (wrong + " " * 9).encode("utf-16-le")  # the number field: bytes 122-157
    with pytest.raises(GarbageResponseError):
        parse_text(bytes(text), b"", "sam")


def test_hmt_residence_permit() -> None:
    card = HmtResidencePermit()
    doc = parse_text(card.text(), card.photo, "sam")
    assert doc.document_type is DocumentType.HMT_RESIDENCE_PERMIT
    assert (doc.document_number, doc.related_document_number) == (card.id_number, "H60000001")
    assert (doc.full_name, doc.address, doc.nationality) == ("测试港民", card.address, "CHN")
    assert doc.ethnic_group == ""


def test_unknown_type_flag_is_refused() -> None:
    text = bytearray(ResidentCard().text())
    text[248:250] = "Z".encode("utf-16-le")
    with pytest.raises(GarbageResponseError):
        parse_text(bytes(text), b"", "sam")


def test_probe_and_discover(emulators: list[SamEmulator], silent_pty: str) -> None:
    emu = SamEmulator(ResidentCard())
    emulators.append(emu)
    assert probe_port(emu.port_name, timeout=0.3) == format_sam_id(SAM_ID)
    assert probe_port(silent_pty, timeout=0.3) is None
    assert probe_port("/dev/nonexistent-ttyUSB7", timeout=0.3) is None
    found = discover(["/dev/nonexistent-ttyUSB7", silent_pty, emu.port_name], timeout=0.3)
    assert found == (emu.port_name, format_sam_id(SAM_ID))
    assert emu.commands[0] == b"\x11\xff"  # the probe is the SAM status command


def test_auto_port_found_remembered_and_followed_across_hot_plug(emulators: list[SamEmulator], silent_pty: str) -> None:
    first = SamEmulator(ResidentCard())
    emulators.append(first)
    ports: list[str] = [silent_pty, first.port_name]
    remembered: list[str] = []
    svc = _service(ports, on_port_found=remembered.append)
    try:
        doc = svc.read()
        assert doc.reader_id == format_sam_id(SAM_ID)  # the SAM ID is part of each read result
        assert remembered == [first.port_name] and svc.port_name == first.port_name
        # the reader that comes back later gets another port name (made now so the kernel cannot
        # hand out the same pts number again)
        second = SamEmulator(ForeignerCard2017())
        second.sam_id = OTHER_SAM_ID
        emulators.append(second)
        assert second.port_name != first.port_name
        # unplugged: the port disappears; the next read says so and the service searches again
        first.close()
        ports[:] = [silent_pty]
        with pytest.raises(ReaderGoneError):
            svc.read()
        # plugged back in as another ttyUSB, with another security module
        ports.append(second.port_name)
        time.sleep(0.15)  # past the rediscovery interval
        doc = svc.read()
        assert doc.document_type is DocumentType.FOREIGN_PERMANENT_RESIDENCE
        assert doc.reader_id == format_sam_id(OTHER_SAM_ID) != format_sam_id(SAM_ID)
        assert remembered == [first.port_name, second.port_name]
    finally:
        svc.close()


def test_silent_ports_are_not_probed_again_and_again(emulators: list[SamEmulator]) -> None:
    master, slave = os.openpty()  # a USB-serial receipt printer, say: it never answers
    printer = os.ttyname(slave)
    ports = [printer]
    svc = _service(ports)
    try:
        with pytest.raises(ReaderGoneError):
            svc.read()
        sent_once = os.read(master, 4096)
        assert sent_once.startswith(bytes.fromhex("AAAAAA9669000311FF"))  # the SAM status probe
        time.sleep(0.15)  # past the rediscovery interval, within the 60 s back-off for silent ports
        with pytest.raises(ReaderGoneError):
            svc.read()
        os.set_blocking(master, False)
        with pytest.raises(BlockingIOError):
            os.read(master, 4096)  # nothing more was written to the printer
        emu = SamEmulator(ResidentCard())  # a reader plugged in meanwhile: probed at once
        emulators.append(emu)
        ports.append(emu.port_name)
        time.sleep(0.15)
        assert svc.read().full_name == "测试样例"
    finally:
        svc.close()
        os.close(master)
        os.close(slave)


def test_remembered_port_is_tried_first(emulators: list[SamEmulator], silent_pty: str) -> None:
    emu = SamEmulator(ResidentCard())
    emulators.append(emu)
    other = SamEmulator(ResidentCard())
    emulators.append(other)
    remembered: list[str] = []
    svc = _service([other.port_name, emu.port_name], remembered_port=emu.port_name, on_port_found=remembered.append)
    try:
        svc.read()
        assert svc.port_name == emu.port_name and remembered == []  # nothing new to remember
        assert other.commands == []  # never probed
    finally:
        svc.close()


def test_watching_follows_hot_plug(emulators: list[SamEmulator]) -> None:
    ports: list[str] = []
    svc = _service(ports)
    events: list[tuple[str, ReaderState]] = []
    try:
        svc.start_watching(lambda r, s, e: events.append((r, s)))
        _wait(lambda: any(s is ReaderState.NO_READER for _, s in events))
        emu = SamEmulator(ResidentCard())
        emulators.append(emu)
        ports.append(emu.port_name)
        _wait(lambda: (emu.port_name, ReaderState.CARD_PRESENT) in events)
        emu.close()
        _wait(lambda: events[-1][1] is ReaderState.NO_READER)
        assert svc.monitor_alive()
    finally:
        svc.close()


def test_cancel_between_frames(emulators: list[SamEmulator]) -> None:
    emu = SamEmulator(ResidentCard())
    emu.fault = "read_delay"
    emulators.append(emu)
    svc = Ga467CardService(emu.port_name, timeout=2.0)
    token = threading.Event()
    try:
        threading.Timer(0.2, token.set).start()
        started = time.monotonic()
        with pytest.raises(UserCancelled):
            svc.read(cancel=token)
        assert time.monotonic() - started < 2.0
        emu.fault = None
        assert svc.read().full_name == "测试样例"  # a later read is not cancelled
        # the service's own cancel() works the same way
        emu.fault = "read_delay"
        threading.Timer(0.2, svc.cancel).start()
        with pytest.raises(UserCancelled):
            svc.read()
    finally:
        svc.close()


WLT_LIBRARY_C = r"""
#include <string.h>
/* A stand-in for a vendor's WLT decoder: writes a 102x126 24-bit BMP whose pixels derive from the
   input, returns 1. Input starting with 0xFF fails (returns -3), like a corrupt photo. */
int unpack(const unsigned char *wlt, unsigned char *bmp, int save) {
    (void)save;
    if (wlt[0] == 0xFF) return -3;
    const int w = 102, h = 126, row = 308, size = 54 + row * h;
    memset(bmp, 0, size);
    bmp[0] = 'B'; bmp[1] = 'M';
    bmp[2] = size & 0xFF; bmp[3] = (size >> 8) & 0xFF; bmp[4] = (size >> 16) & 0xFF;
    bmp[10] = 54; bmp[14] = 40;
    bmp[18] = w; bmp[22] = h; bmp[26] = 1; bmp[28] = 24;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w * 3; x++)
            bmp[54 + y * row + x] = wlt[(y * w * 3 + x) % 1024];
    return 1;
}
"""


@pytest.fixture(scope="module")
def wlt_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wlt")
    (folder / "fakewlt.c").write_text(WLT_LIBRARY_C)
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-O1", "-o", str(folder / "libfakewlt.so"), str(folder / "fakewlt.c")], check=True
    )
    return folder / "libfakewlt.so"


def test_wlt_decoder_plugged_in(emulators: list[SamEmulator], wlt_library: Path) -> None:
    decoder = WltDecoder(wlt_library)
    emu = SamEmulator(ResidentCard())
    emulators.append(emu)
    svc = Ga467CardService(emu.port_name, timeout=1.0, wlt_decoder=decoder)
    try:
        doc = svc.read()
    finally:
        svc.close()
    assert doc.photo is not None and doc.photo.decodable and doc.photo.mime == "image/png"
    assert (doc.photo.width, doc.photo.height) == (102, 126)
    assert doc.photo.data.startswith(b"\x89PNG")
    failing = decoder.decode(b"\xff" + bytes(1023))
    assert not failing.decodable and failing.mime == "application/x-wlt"
    assert not decoder.decode(b"short").decodable


def test_wlt_decoder_missing_or_wrong() -> None:
    with pytest.raises(WltDecoderError) as err:
        WltDecoder("/nonexistent/libwlt.so")
    assert "wlt_decoder_library" in err.value.user_message("zh_CN")
    with pytest.raises(WltDecoderError):
        WltDecoder("/bin/true")  # not a shared library


def test_without_decoder_the_photo_is_not_decodable() -> None:
    card = ResidentCard()
    doc = parse_text(card.text(), card.photo, "sam")
    assert doc.photo is not None and not doc.photo.decodable and doc.photo.data == card.photo


def _wait(cond, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.01)
    raise AssertionError("condition not reached")
