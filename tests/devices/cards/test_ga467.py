"""GA 467 resident-ID readers: the service talks pyserial to an emulator on a pseudo-terminal pair."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.cards.api import (
    CardRemovedError,
    DocumentType,
    GarbageResponseError,
    NoCardError,
    PassiveAuthStatus,
    ReaderGoneError,
    ReaderState,
    Sex,
)
from devices.cards.ga467 import (
    WLT_MIME,
    Ga467CardService,
    build_command,
    build_response,
    format_sam_id,
    parse_command,
    parse_frame,
    parse_text,
)

from .sam_emulator import SAM_ID, ResidentCard, SamEmulator


@pytest.fixture
def emulator() -> Iterator[SamEmulator]:
    emu = SamEmulator(ResidentCard())
    yield emu
    emu.close()


@pytest.fixture
def service(emulator: SamEmulator) -> Iterator[Ga467CardService]:
    svc = Ga467CardService(emulator.port_name, timeout=0.5, poll_interval=0.05)
    yield svc
    svc.close()


def test_frame_layout() -> None:
    # find card: AA AA AA 96 69 | 00 03 | 20 01 | 22 (= 00 ^ 03 ^ 20 ^ 01)
    assert build_command(b"\x20\x01") == bytes.fromhex("AAAAAA9669000320 0122".replace(" ", ""))
    r = parse_frame(build_response(0x9F, bytes(4)))
    assert r.sw == b"\x00\x00\x9f" and r.data == bytes(4)
    assert format_sam_id(SAM_ID) == "05.01-20101010-0000040561-2143451234"


def test_read_every_field(service: Ga467CardService, emulator: SamEmulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    doc = service.read(emulator.port_name)
    card = ResidentCard()
    assert doc.document_type is DocumentType.RESIDENT_ID
    assert doc.full_name == "测试样例"
    assert doc.sex is Sex.FEMALE
    assert doc.ethnic_group == "汉"
    assert doc.birth_date == dt.date(1949, 12, 31)
    assert doc.address == "北京市西城区示例路1号"
    assert doc.document_number == card.id_number == "11010519491231002X"
    assert doc.issuing_authority == "北京市公安局西城分局"
    assert doc.valid_from == dt.date(2010, 1, 1)
    assert doc.expiry_date is None  # 长期
    assert doc.reader_id == "05.01-20101010-0000040561-2143451234"
    assert doc.photo is not None and doc.photo.mime == WLT_MIME and not doc.photo.decodable
    assert doc.photo.data == card.photo
    assert doc.passive_auth.status is PassiveAuthStatus.NOT_CHECKED
    assert doc.verified_by == "chip"
    assert "05.01-20101010" in caplog.text  # the SAM ID is logged with each read
    for secret in ("测试样例", "11010519491231002X", "示例路"):
        assert secret not in caplog.text


def test_fixed_term_card(emulator: SamEmulator, service: Ga467CardService) -> None:
    emulator.card = ResidentCard(sex="1", nation="05", valid_to="20300101", id17="65010219800101123")
    doc = service.read()
    assert doc.sex is Sex.MALE and doc.ethnic_group == "维吾尔"
    assert doc.expiry_date == dt.date(2030, 1, 1)


def test_no_card(emulator: SamEmulator, service: Ga467CardService) -> None:
    emulator.card = None
    with pytest.raises(NoCardError):
        service.read()


def test_card_lifted_during_read(emulator: SamEmulator, service: Ga467CardService) -> None:
    emulator.fault = "lift_during_read"
    with pytest.raises(CardRemovedError):
        service.read()
    emulator.fault = None
    emulator.card = ResidentCard()
    assert service.read().full_name == "测试样例"  # the service still works


@pytest.mark.parametrize(
    "fault,error", [("garbage", CardRemovedError), ("bad_checksum", GarbageResponseError), ("silent", CardRemovedError)]
)
def test_broken_answers(emulator: SamEmulator, service: Ga467CardService, fault: str, error: type[Exception]) -> None:
    # a truncated frame or no answer at all times out: on these readers that is the card lifted
    emulator.fault = fault
    with pytest.raises(error):
        service.read()
    emulator.fault = None
    assert service.read().full_name == "测试样例"


def test_reader_gone(emulator: SamEmulator) -> None:
    svc = Ga467CardService("/dev/nonexistent-ttyUSB9", timeout=0.2)
    try:
        with pytest.raises(ReaderGoneError):
            svc.read()
        assert svc.list_readers() == []
    finally:
        svc.close()


def test_watching_states(emulator: SamEmulator, service: Ga467CardService) -> None:
    events: list[ReaderState] = []
    service.start_watching(lambda r, s, e: events.append(s))
    _wait(lambda: ReaderState.CARD_PRESENT in events)
    emulator.card = None
    _wait(lambda: events[-1] is ReaderState.READER_READY)
    emulator.card = ResidentCard()
    _wait(lambda: events[-1] is ReaderState.CARD_PRESENT)
    assert service.list_readers()[0].card_present


def _wait(cond, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.01)
    raise AssertionError("condition not reached")


@given(st.binary(max_size=300))
@settings(max_examples=300, deadline=None)
def test_frame_parsers_survive_any_bytes(data: bytes) -> None:
    for parser in (parse_frame, parse_command):
        try:
            parser(data)
        except GarbageResponseError:
            pass


@given(st.binary(min_size=256, max_size=256))
@settings(max_examples=200, deadline=None)
def test_text_parser_survives_any_block(data: bytes) -> None:
    try:
        parse_text(data, b"", "sam")
    except GarbageResponseError:
        pass
