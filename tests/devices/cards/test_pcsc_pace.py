"""PACE through the real stack: the project's emulated chip (PACE-only, or PACE + BAC) → vpcd → pcscd →
pyscard → PcscCardService. Also the CAN as password, fallbacks to BAC, and the APDU counts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.cards.api import (
    BacFailedError,
    CanKey,
    CanNotSupportedError,
    CanRejectedError,
    MrzKey,
    PaceUnsupportedError,
    WrongMrzError,
)
from devices.cards.pcsc import PcscCardService
from testsupport.cards.pcscd import READER_0, CardSlot, Pcscd, key_for
from testsupport.cards.testdocs import EmrtdFiles
from testsupport.cards.vpcd_card import EmrtdCard, Faults

ECDH_AES128_BP256 = ("id-PACE-ECDH-GM-AES-CBC-CMAC-128", 13)


@pytest.fixture
def service(pcscd: Pcscd, csca_folder: Path) -> Iterator[PcscCardService]:
    svc = PcscCardService(csca_folder=csca_folder, poll_timeout=0.2)
    yield svc
    svc.close()


def _insert(slot: CardSlot, doc: EmrtdFiles, **kwargs: object) -> EmrtdCard:
    card = EmrtdCard(doc.files, key_for(doc), **kwargs)  # type: ignore[arg-type]
    slot.insert(card)
    return card


def test_pace_only_chip_reads_with_the_mrz(card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles) -> None:
    card = _insert(card_slot, document, pace_offers=[ECDH_AES128_BP256], offer_bac=False)
    doc = service.read(READER_0, key_for(document))
    assert doc.document_number == "E12345678" and doc.passive_auth.verified
    assert doc.photo is not None and doc.photo.data == document.image
    assert card.protocols == ["id-PACE-ECDH-GM-AES-CBC-CMAC-128"]
    stats = service.diagnostics.last_read
    assert stats is not None and stats.protocol.startswith("PACE id-PACE-ECDH-GM-AES-CBC-CMAC-128")
    # EF.CardAccess, MSE:Set AT, 4 × GENERAL AUTHENTICATE, SELECT, then one READ BINARY by SFI per
    # file with extended length: the "at most 11"
    assert stats.apdus == 11 and stats.sfi and stats.extended


def test_a_chip_offering_both_uses_pace(card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles) -> None:
    card = _insert(card_slot, document, pace_offers=[ECDH_AES128_BP256], offer_bac=True)
    assert service.read(READER_0, key_for(document)).passive_auth.verified
    assert card.protocols == ["id-PACE-ECDH-GM-AES-CBC-CMAC-128"]


def test_card_access_number_instead_of_the_mrz(
    card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles
) -> None:
    _insert(card_slot, document, pace_offers=[ECDH_AES128_BP256], offer_bac=False, can="654321")
    doc = service.read(READER_0, CanKey("654321"))
    assert doc.document_number == "E12345678" and doc.passive_auth.verified
    with pytest.raises(CanRejectedError) as err:
        service.read(READER_0, CanKey("654320"))
    assert "卡片访问号" in err.value.user_message("zh_CN")
    assert "654320" not in str(err.value)


def test_wrong_mrz_on_a_pace_chip_is_a_clear_error(
    card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles
) -> None:
    _insert(card_slot, document, pace_offers=[ECDH_AES128_BP256], offer_bac=False)
    with pytest.raises(BacFailedError) as err:
        service.read(READER_0, MrzKey("E12345678", "900116", "340620"))
    assert not isinstance(err.value, CanRejectedError)
    assert "出生日期" in err.value.user_message("zh_CN")
    assert service.read(READER_0, key_for(document)).passive_auth.verified


@pytest.mark.parametrize(
    "offer",
    [
        ("id-PACE-ECDH-GM-AES-CBC-CMAC-256", 12),  # NIST P-256, AES-256
        ("id-PACE-ECDH-GM-AES-CBC-CMAC-256", 18),  # NIST P-521 (a 521-bit order: keys span 66 bytes)
        ("id-PACE-ECDH-GM-AES-CBC-CMAC-192", 16),  # brainpoolP384r1, AES-192
        ("id-PACE-ECDH-GM-3DES-CBC-CBC", 13),  # 3DES secure messaging after PACE
        ("id-PACE-DH-GM-AES-CBC-CMAC-128", 0),  # DH generic mapping, RFC 5114 1024-bit group
        ("id-PACE-DH-GM-3DES-CBC-CBC", 2),  # DH 2048-bit: extended-length GENERAL AUTHENTICATE
    ],
)
def test_other_pace_variants(
    offer: tuple[str, int], card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles
) -> None:
    card = _insert(card_slot, document, pace_offers=[offer], offer_bac=False)
    assert service.read(READER_0, key_for(document)).passive_auth.verified
    assert card.protocols == [offer[0]]


def test_strongest_offer_is_chosen(card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles) -> None:
    offers = [("id-PACE-DH-GM-3DES-CBC-CBC", 0), ECDH_AES128_BP256, ("id-PACE-ECDH-GM-AES-CBC-CMAC-256", 13)]
    card = _insert(card_slot, document, pace_offers=offers, offer_bac=False)
    assert service.read(READER_0, key_for(document)).passive_auth.verified
    assert card.protocols == ["id-PACE-ECDH-GM-AES-CBC-CMAC-256"]


def test_pace_refused_falls_back_to_bac(card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles) -> None:
    card = _insert(card_slot, document, pace_offers=[ECDH_AES128_BP256], faults=Faults(refuse_mse=True))
    assert service.read(READER_0, key_for(document)).passive_auth.verified
    assert card.protocols == ["BAC"]


def test_bac_chip_apdu_count_and_can_not_usable(
    card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles
) -> None:
    card = _insert(card_slot, document)
    assert service.read(READER_0, key_for(document)).passive_auth.verified
    assert card.protocols == ["BAC"]
    stats = service.diagnostics.last_read
    # EF.CardAccess (absent), SELECT, GET CHALLENGE, MUTUAL AUTHENTICATE, 4 × READ BINARY by SFI
    assert stats is not None and stats.apdus == 8 and stats.protocol == "BAC"
    with pytest.raises(CanNotSupportedError):
        service.read(READER_0, CanKey("123456"))


def test_only_unsupported_pace_variants(card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles) -> None:
    _insert(card_slot, document, pace_offers=[("id-PACE-ECDH-IM-AES-CBC-CMAC-128", 13)], offer_bac=False)
    with pytest.raises(PaceUnsupportedError) as err:
        service.read(READER_0, key_for(document))
    assert "ECDH-IM" in err.value.user_message("zh_CN")


def test_chip_without_sfi_falls_back_to_select(
    card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles
) -> None:
    card = _insert(card_slot, document, pace_offers=[ECDH_AES128_BP256], sfi=False)
    assert service.read(READER_0, key_for(document)).passive_auth.verified
    stats = service.diagnostics.last_read
    assert stats is not None and not stats.sfi and card.sfi_reads == 0
    # one refused SFI read, then SELECT + header + rest per file
    assert stats.apdus == 7 + 1 + 4 * 3


def test_short_apdus_with_pace_and_sfi(card_slot: CardSlot, service: PcscCardService, document: EmrtdFiles) -> None:
    _insert(card_slot, document, pace_offers=[ECDH_AES128_BP256], extended=False)
    doc = service.read(READER_0, key_for(document))
    assert doc.photo is not None and doc.photo.data == document.image
    stats = service.diagnostics.last_read
    assert stats is not None and not stats.extended and stats.sfi
    assert stats.apdus < 93  # 93 with BAC, SELECT and a header read per file before


def test_can_validation() -> None:
    for bad in ("12a456", "12345", "1234567", "１２３４５６"):  # letters, length, full-width digits
        with pytest.raises(WrongMrzError):
            CanKey(bad)
    assert "123456" not in repr(CanKey("123456"))
