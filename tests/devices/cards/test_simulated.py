"""The simulator's own scripting (what the demo and UI tests drive)."""

from __future__ import annotations

import pytest

from devices.cards import CardBackendUnavailable, create_card_service
from devices.cards.api import (
    DocumentType,
    GarbageResponseError,
    PassiveAuthStatus,
    ReaderGoneError,
    ReaderState,
    UnknownCardError,
    WrongMrzError,
)
from devices.cards.mrz import parse_mrz
from devices.cards.simulated import SIMULATED_READER, SimulatedCardService, canned_documents


def test_canned_documents_cover_every_type_with_valid_mrz() -> None:
    docs = canned_documents()
    assert {d.document_type for d in docs.values()} == {
        DocumentType.PASSPORT,
        DocumentType.HK_MACAU_PERMIT,
        DocumentType.TAIWAN_PERMIT,
        DocumentType.FOREIGN_PERMANENT_RESIDENCE,
        DocumentType.RESIDENT_ID,
    }
    for doc in docs.values():
        if doc.raw_mrz:
            assert parse_mrz(doc.raw_mrz).document_number == doc.document_number


@pytest.mark.parametrize(
    "name", ["passport", "hk_macau_permit", "taiwan_permit", "foreign_permanent_residence", "passport_untrusted"]
)
def test_read_each_canned_document_with_its_wedge_mrz(name: str) -> None:
    svc = SimulatedCardService(read_delay=0)
    svc.insert(name)
    key = parse_mrz(svc.documents[name].raw_mrz).bac_key()
    doc = svc.read(SIMULATED_READER, key)
    assert doc.document_number == svc.documents[name].document_number
    if name == "passport_untrusted":
        assert doc.passive_auth.status is PassiveAuthStatus.ISSUER_NOT_TRUSTED


def test_resident_id_needs_no_key() -> None:
    svc = SimulatedCardService(read_delay=0)
    svc.insert("resident_id")
    doc = svc.read(SIMULATED_READER)
    assert doc.document_type is DocumentType.RESIDENT_ID and doc.ethnic_group == "汉"


def test_scripted_errors_and_unplug() -> None:
    svc = SimulatedCardService(read_delay=0)
    states: list[tuple[str, ReaderState]] = []
    svc.start_watching(lambda r, s, e: states.append((r, s)))
    svc.insert("passport")
    key = parse_mrz(svc.documents["passport"].raw_mrz).bac_key()
    svc.fail_next(UnknownCardError(atr="3B 00"))
    with pytest.raises(UnknownCardError):
        svc.read(SIMULATED_READER, key)
    svc.fail_next(GarbageResponseError(detail="simulated"))
    with pytest.raises(GarbageResponseError):
        svc.read(SIMULATED_READER, key)
    with pytest.raises(WrongMrzError):
        svc.read(SIMULATED_READER, None)
    svc.unplug()
    with pytest.raises(ReaderGoneError):
        svc.read(SIMULATED_READER, key)
    assert svc.list_readers() == []
    svc.plug()
    assert (SIMULATED_READER, ReaderState.NO_READER) in states
    assert states[-1] == (SIMULATED_READER, ReaderState.READER_READY)


def test_unknown_backend_is_unavailable_with_a_reason() -> None:
    with pytest.raises(CardBackendUnavailable) as err:
        create_card_service("nfc-magic")
    assert "simulated" in str(err.value)
