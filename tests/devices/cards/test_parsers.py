"""Parsers of untrusted card data (TLV, EF.COM, DG1, DG2, SOD) and passive authentication without
the PC/SC stack. Hypothesis: any byte string gives a typed error, never another exception."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.cards import lds, tlv
from devices.cards.api import CardError, GarbageResponseError, PassiveAuthStatus
from devices.cards.passive_auth import load_csca_folder, parse_sod, passive_authenticate
from testsupport.cards.testdocs import Holder, make_dg1, make_document, make_pki

DOC = make_document(Holder())
DG1, DG2, SOD, COM = DOC.files[0x0101], DOC.files[0x0102], DOC.files[0x011D], DOC.files[0x011E]


def test_tlv_roundtrip_and_lengths() -> None:
    for n in (0, 1, 127, 128, 255, 256, 70000):
        element = tlv.parse_one(tlv.encode(0x5F2E, bytes(n)))
        assert element.tag == 0x5F2E and len(element.value) == n
    assert [t.tag for t in tlv.parse_one(COM).children()] == [0x5F01, 0x5F36, 0x5C]


def test_ef_com_dg1_dg2() -> None:
    assert lds.parse_ef_com(COM).data_groups == (1, 2)
    assert lds.parse_dg1(DG1).document_number == "E12345678"
    photo = lds.parse_dg2(DG2)
    assert photo.data == DOC.image and photo.decodable and "bytes=" in repr(photo)


def test_sod_contents() -> None:
    sod = parse_sod(SOD)
    assert sod.hash_algorithm == "sha256"
    assert sod.dg_hashes == {1: hashlib.sha256(DG1).digest(), 2: hashlib.sha256(DG2).digest()}


def test_passive_auth_outcomes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pki = make_pki()
    (tmp_path / "a.pem").write_bytes(pki.csca_pem())
    (tmp_path / "junk.der").write_bytes(b"not a cert")
    cscas = load_csca_folder(tmp_path)
    assert len(cscas) == 1
    groups = {1: DG1, 2: DG2}
    assert passive_authenticate(SOD, groups, cscas).status is PassiveAuthStatus.VERIFIED
    altered = passive_authenticate(SOD, {1: make_dg1(Holder(given="OTHER").mrz()), 2: DG2}, cscas)
    assert altered.status is PassiveAuthStatus.DATA_ALTERED and altered.detail == "DG1 hash mismatch"
    assert passive_authenticate(SOD, groups, [pki.impostor_csca_cert]).status is PassiveAuthStatus.ISSUER_NOT_TRUSTED
    assert passive_authenticate(SOD, groups, []).status is PassiveAuthStatus.NOT_CHECKED
    assert passive_authenticate(None, groups, cscas).status is PassiveAuthStatus.NOT_CHECKED
    assert passive_authenticate(SOD, {**groups, 3: b"x"}, cscas).status is PassiveAuthStatus.DATA_ALTERED


def test_tampered_sod_signature_is_data_altered() -> None:
    pki = make_pki()
    at = SOD.find(hashlib.sha256(DG1).digest())
    assert at > 0
    # change a hash inside the signed LDSSecurityObject and re-hash DG1 to match: the signature breaks
    bad = bytearray(SOD)
    bad[at] ^= 0x01
    result = passive_authenticate(bytes(bad), {2: DG2}, [pki.csca_cert])
    assert result.status is PassiveAuthStatus.DATA_ALTERED
    assert "digest" in result.detail or "signature" in result.detail


@pytest.mark.parametrize("parser", [lds.parse_ef_com, lds.parse_dg1, lds.parse_dg2, parse_sod, tlv.parse_all])
@given(data=st.binary(max_size=400))
@settings(max_examples=250, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_parsers_only_raise_typed_errors(parser, data: bytes) -> None:  # type: ignore[no-untyped-def]
    try:
        parser(data)
    except CardError:
        pass


@given(cut=st.integers(min_value=0, max_value=len(SOD) - 1), flip=st.integers(0, 255))
@settings(max_examples=150, deadline=None)
def test_mutated_sod_never_verifies_and_never_crashes(cut: int, flip: int) -> None:
    pki = make_pki()
    mutated = bytearray(SOD)
    mutated[cut] ^= flip or 1
    result = passive_authenticate(bytes(mutated), {1: DG1, 2: DG2}, [pki.csca_cert])
    # a flipped bit in unsigned parts (e.g. the certificate's outer length) may still verify only if
    # the signed content is intact; it must never crash, and the content hashes are always checked
    assert result.status in (
        PassiveAuthStatus.VERIFIED,
        PassiveAuthStatus.DATA_ALTERED,
        PassiveAuthStatus.ISSUER_NOT_TRUSTED,
    )


@given(prefix=st.binary(max_size=64))
@settings(max_examples=100, deadline=None)
def test_truncated_dg2_is_garbage(prefix: bytes) -> None:
    for data in (DG2[: len(DG2) // 2], prefix + DG2[:30]):
        with pytest.raises(GarbageResponseError):
            lds.parse_dg2(data)


@given(st.binary(max_size=300))
@settings(max_examples=200, deadline=None)
def test_secure_messaging_unwrap_only_raises_typed_errors(data: bytes) -> None:
    from devices.cards import bac

    sm = bac.SecureMessaging(bac.SessionKeys(bytes(range(16)), bytes(range(16, 32)), 1))
    try:
        sm.unwrap(data)
    except CardError:
        pass


def test_atr_description_and_extended_length_flag() -> None:
    from devices.cards.emrtd import atr_supports_extended_length, describe_atr
    from testsupport.cards.vpcd_card import ATR_EMRTD_EXTENDED, ATR_EMRTD_SHORT, ATR_MIFARE, with_tck

    assert atr_supports_extended_length(with_tck(ATR_EMRTD_EXTENDED))
    assert not atr_supports_extended_length(with_tck(ATR_EMRTD_SHORT))
    assert describe_atr(with_tck(ATR_EMRTD_EXTENDED)) == "contactless ISO 14443-4 card, extended length"
    assert "storage card" in describe_atr(ATR_MIFARE)
    assert describe_atr(bytes.fromhex("3B9F95801FC78031E073FE211B63")).startswith("contact card")


@given(st.binary(max_size=40))
@settings(deadline=None)
def test_atr_helpers_accept_any_bytes(atr: bytes) -> None:
    from devices.cards.emrtd import atr_supports_extended_length, describe_atr

    atr_supports_extended_length(atr)
    describe_atr(atr)


def test_csca_master_list_in_the_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from testsupport.cards.testdocs import make_country_pki, make_master_list, make_ml_signer

    pki = make_pki()
    other = make_country_pki("FR", "Other CSCA")
    # the hall's own CSCA is in the folder; it issued the master list signer; the list carries another
    # state's CSCA, which is trusted only through the (verified) list
    (tmp_path / "own.pem").write_bytes(pki.csca_pem())
    (tmp_path / "icao.ml").write_bytes(make_master_list([other.csca_cert], signer=make_ml_signer(pki)))
    (tmp_path / "unsigned.ml").write_bytes(make_master_list([pki.impostor_csca_cert]))
    (tmp_path / "broken.ml").write_bytes(b"\x30\x03\x02\x01\x00")
    cscas = load_csca_folder(tmp_path)
    assert len(cscas) == 2 and other.csca_cert in cscas and pki.impostor_csca_cert not in cscas
    assert passive_authenticate(SOD, {1: DG1, 2: DG2}, cscas).status is PassiveAuthStatus.VERIFIED


@given(st.binary(max_size=300))
@settings(max_examples=150, deadline=None)
def test_master_list_parser_only_raises_value_error(data: bytes) -> None:
    from devices.cards.passive_auth import parse_master_list

    try:
        parse_master_list(data)
    except ValueError:
        pass
