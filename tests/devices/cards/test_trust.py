"""Trust material for passive authentication: CSCA folder, signed ICAO master lists, CRLs, validity
periods at the signing time, the failed check named, and pushed material installed atomically."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.cards.api import PaCheck, PassiveAuthStatus
from devices.cards.passive_auth import passive_authenticate
from devices.cards.pcsc import PcscCardService
from devices.cards.trust import TrustMaterialError, TrustStore, load_trust, verify_master_list
from testsupport.cards.pcscd import READER_0, CardSlot, Pcscd, key_for
from testsupport.cards.testdocs import (
    EmrtdFiles,
    Holder,
    make_country_pki,
    make_crl,
    make_document,
    make_master_list,
    make_ml_signer,
    make_pki,
)

NOW = dt.datetime.now(dt.UTC)
DAY = dt.timedelta(days=1)


def _groups(doc: EmrtdFiles) -> dict[int, bytes]:
    return {1: doc.files[0x0101], 2: doc.files[0x0102]}


def _pa(doc: EmrtdFiles, trust: object) -> tuple[PassiveAuthStatus, PaCheck]:
    r = passive_authenticate(doc.files[0x011D], _groups(doc), trust)  # type: ignore[arg-type]
    return r.status, r.failed_check


@pytest.fixture(scope="module")
def other() -> object:
    return make_country_pki("FR", "Other CSCA")


@pytest.fixture(scope="module")
def other_doc(other) -> EmrtdFiles:  # type: ignore[no-untyped-def]
    return make_document(Holder(number="FR0000001", state="FRA", nationality="FRA"), pki=other)


def test_master_list_signature_and_signer_are_checked(tmp_path: Path, other, other_doc: EmrtdFiles) -> None:  # type: ignore[no-untyped-def]
    pki = make_pki()
    own = tmp_path / "csca"
    own.mkdir()
    (own / "own.pem").write_bytes(pki.csca_pem())
    good = tmp_path / "good.ml"
    good.write_bytes(make_master_list([other.csca_cert], signer=make_ml_signer(pki)))
    anchors = load_trust(own, [good])
    assert anchors.master_lists == 1 and other.csca_cert in anchors.cscas
    assert _pa(other_doc, anchors) == (PassiveAuthStatus.VERIFIED, PaCheck.NONE)

    cases = {
        "tampered.ml": (make_master_list([other.csca_cert], signer=make_ml_signer(pki), tamper=True), "digest"),
        "stranger.ml": (make_master_list([other.csca_cert], signer=make_ml_signer(other)), "not issued"),
        "unsigned.ml": (make_master_list([other.csca_cert]), "not signed"),
        "junk.ml": (b"\x30\x03\x02\x01\x00", "unreadable"),
    }
    for name, (raw, why) in cases.items():
        path = tmp_path / name
        path.write_bytes(raw)
        anchors = load_trust(own, [path])
        assert anchors.master_lists == 0 and other.csca_cert not in anchors.cscas
        assert any(p.startswith(name) and why in p for p in anchors.problems), anchors.problems
        assert _pa(other_doc, anchors) == (PassiveAuthStatus.ISSUER_NOT_TRUSTED, PaCheck.CSCA_UNKNOWN)


def test_crls_are_honoured(tmp_path: Path) -> None:
    pki = make_country_pki("CN", "CRL CSCA")
    doc = make_document(pki=pki)
    csca = tmp_path / "csca"
    crls = tmp_path / "crl"
    csca.mkdir()
    crls.mkdir()
    (csca / "c.pem").write_bytes(pki.csca_pem())
    assert _pa(doc, load_trust(csca, (), crls))[0] is PassiveAuthStatus.VERIFIED
    (crls / "other-serial.crl").write_bytes(make_crl(pki, [12345]))
    assert _pa(doc, load_trust(csca, (), crls))[0] is PassiveAuthStatus.VERIFIED
    (crls / "revoked.crl").write_bytes(make_crl(pki, [pki.ds_cert.serial_number], next_update=NOW - DAY))
    anchors = load_trust(csca, (), crls)
    assert any("stale" in p for p in anchors.problems)  # reported, and still honoured
    result = passive_authenticate(doc.files[0x011D], _groups(doc), anchors)
    assert (result.status, result.failed_check) == (PassiveAuthStatus.ISSUER_NOT_TRUSTED, PaCheck.DS_REVOKED)
    assert "revoked" in result.detail
    # a CRL not signed by the CSCA is ignored (else anyone could revoke)
    (crls / "revoked.crl").unlink()
    (crls / "forged.crl").write_bytes(make_crl(pki, [pki.ds_cert.serial_number], signer_key=pki.impostor_key))
    anchors = load_trust(csca, (), crls)
    assert any("forged.crl" in p and "not signed" in p for p in anchors.problems)
    assert _pa(doc, anchors)[0] is PassiveAuthStatus.VERIFIED


def test_validity_periods_at_the_signing_time() -> None:
    # DS valid 2019-2021: a document signed in 2020 verifies although the DS certificate has expired
    ds_from, ds_to = dt.datetime(2019, 1, 1, tzinfo=dt.UTC), dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
    pki = make_country_pki(
        "CN",
        "Validity CSCA",
        ds_not_before=ds_from,
        ds_not_after=ds_to,
        csca_not_before=dt.datetime(2015, 1, 1, tzinfo=dt.UTC),
    )
    signed_2020 = make_document(pki=pki, signing_time=dt.datetime(2020, 6, 1, tzinfo=dt.UTC))
    assert _pa(signed_2020, [pki.csca_cert]) == (PassiveAuthStatus.VERIFIED, PaCheck.NONE)
    signed_2022 = make_document(pki=pki, signing_time=dt.datetime(2022, 6, 1, tzinfo=dt.UTC))
    assert _pa(signed_2022, [pki.csca_cert]) == (PassiveAuthStatus.ISSUER_NOT_TRUSTED, PaCheck.DS_VALIDITY)
    # no signing time in the SOD: checked now, and the DS certificate has expired
    unsigned_time = make_document(pki=pki)
    result = passive_authenticate(unsigned_time.files[0x011D], _groups(unsigned_time), [pki.csca_cert])
    assert result.failed_check is PaCheck.DS_VALIDITY and "now" in result.detail
    # the CSCA certificate itself not valid at the signing time
    young = make_country_pki("CN", "Young CSCA", csca_not_before=NOW - DAY, ds_not_before=NOW - 2 * DAY)
    early = make_document(pki=young, signing_time=NOW - 2 * DAY + dt.timedelta(hours=1))
    assert _pa(early, [young.csca_cert]) == (PassiveAuthStatus.ISSUER_NOT_TRUSTED, PaCheck.CSCA_VALIDITY)


def test_each_failed_check_is_named(document: EmrtdFiles) -> None:
    pki = make_pki()
    forged = document.with_dg1_of(Holder(surname="FANGMAO"))
    assert _pa(forged, [pki.csca_cert]) == (PassiveAuthStatus.DATA_ALTERED, PaCheck.DG_HASH)
    sod = bytearray(document.files[0x011D])
    sod[-5] ^= 0x01  # inside the RSA signature
    r = passive_authenticate(bytes(sod), _groups(document), [pki.csca_cert])
    assert (r.status, r.failed_check) == (PassiveAuthStatus.DATA_ALTERED, PaCheck.SOD_SIGNATURE)
    r = passive_authenticate(b"\x77\x03\x30\x01\x00", _groups(document), [pki.csca_cert])
    assert (r.status, r.failed_check) == (PassiveAuthStatus.DATA_ALTERED, PaCheck.SOD_MALFORMED)
    assert _pa(document, [pki.impostor_csca_cert]) == (PassiveAuthStatus.ISSUER_NOT_TRUSTED, PaCheck.CSCA_UNKNOWN)
    assert _pa(document, []) == (PassiveAuthStatus.NOT_CHECKED, PaCheck.NONE)


def test_store_follows_the_folder_and_installs_bundles_atomically(tmp_path: Path, other, other_doc) -> None:  # type: ignore[no-untyped-def]
    pki = make_pki()
    csca = tmp_path / "csca"
    csca.mkdir()
    store = TrustStore(csca_dir=csca, pushed_dir=tmp_path / "pushed")
    assert store.current().cscas == ()
    (csca / "own.pem").write_bytes(pki.csca_pem())
    assert store.current().cscas == (pki.csca_cert,)  # no restart needed
    snapshot = store.current()
    assert store.current() is snapshot  # cached while nothing changes

    report = store.install({"fr.ml": make_master_list([other.csca_cert], signer=make_ml_signer(pki))}, "v1")
    assert (report.version, report.master_lists) == ("v1", 1)
    assert (tmp_path / "pushed" / "current").read_text().strip() == "bundle-v1"
    assert _pa(other_doc, store.current())[0] is PassiveAuthStatus.VERIFIED
    assert store.current().version == "bundle-v1"

    # a bad bundle changes nothing: each file is checked before the swap
    bad_bundles = {
        "stranger": {"x.ml": make_master_list([pki.impostor_csca_cert], signer=make_ml_signer(other))},
        "path": {"../escape.pem": pki.csca_pem()},
        "suffix": {"run.sh": b"echo"},
        "cert": {"bad.pem": b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"},
        "crl": {"forged.crl": make_crl(pki, [pki.ds_cert.serial_number], signer_key=pki.impostor_key)},
        "empty": {},
    }
    for why, bundle in bad_bundles.items():
        with pytest.raises(TrustMaterialError) as err:
            store.install(bundle, f"bad-{why}")
        assert "原有信任材料继续有效" in err.value.user_message("zh_CN")
        assert (tmp_path / "pushed" / "current").read_text().strip() == "bundle-v1", why
    assert _pa(other_doc, store.current())[0] is PassiveAuthStatus.VERIFIED

    # the next bundle replaces the first: a CRL revoking the other state's DS, with its CSCA
    store.install({"fr.pem": other.csca_pem(), "fr.crl": make_crl(other, [other.ds_cert.serial_number])}, "v2")
    assert _pa(other_doc, store.current()) == (PassiveAuthStatus.ISSUER_NOT_TRUSTED, PaCheck.DS_REVOKED)
    assert sorted(p.name for p in (tmp_path / "pushed").iterdir()) == ["bundle-v1", "bundle-v2", "current"]
    store.install({"fr.pem": other.csca_pem()}, "v3")
    assert sorted(p.name for p in (tmp_path / "pushed").iterdir()) == ["bundle-v2", "bundle-v3", "current"]
    # a new store over the same folders (a restart) sees the installed bundle
    assert _pa(other_doc, TrustStore(csca_dir=csca, pushed_dir=tmp_path / "pushed").current())[0] is (
        PassiveAuthStatus.VERIFIED
    )


@pytest.fixture
def reader(pcscd: Pcscd, tmp_path: Path) -> Iterator[tuple[PcscCardService, TrustStore]]:
    store = TrustStore(csca_dir=tmp_path / "none", pushed_dir=tmp_path / "pushed")
    svc = PcscCardService(trust=store, poll_timeout=0.2)
    yield svc, store
    svc.close()


def test_pushed_material_reaches_a_running_reader(card_slot: CardSlot, reader, document: EmrtdFiles) -> None:  # type: ignore[no-untyped-def]
    service, store = reader
    card_slot.insert_emrtd(document)
    assert service.read(READER_0, key_for(document)).passive_auth.status is PassiveAuthStatus.NOT_CHECKED
    store.install({"cn.pem": make_pki().csca_pem()})
    assert service.read(READER_0, key_for(document)).passive_auth.verified
    store.install({"cn.pem": make_pki().csca_pem(), "cn.crl": make_crl(make_pki(), [make_pki().ds_cert.serial_number])})
    pa = service.read(READER_0, key_for(document)).passive_auth
    assert (pa.status, pa.failed_check) == (PassiveAuthStatus.ISSUER_NOT_TRUSTED, PaCheck.DS_REVOKED)


@given(st.binary(max_size=400))
@settings(max_examples=200, deadline=None, derandomize=True)
def test_master_list_verifier_only_raises_value_error(data: bytes) -> None:
    try:
        verify_master_list(data, [make_pki().csca_cert])
    except ValueError:
        pass
