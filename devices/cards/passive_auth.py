"""Passive authentication of an eMRTD (ICAO 9303-11 §5.1, SOD format 9303-10 §4.6.2).

1. hash every data group read and compare with the LDSSecurityObject in EF.SOD;
2. verify the SOD's CMS SignedData signature (RFC 5652 §5.4) with the document signer certificate;
3. verify the document signer certificate against the trusted CSCA certificates (``trust.py``: a
   folder, ICAO master lists with their signature checked, CRLs), with the validity periods of the
   DS and the CSCA certificate checked at the signing time (ICAO 9303-12 §7.1.2, shell model).

asn1crypto parses the CMS structure (cryptography has no CMS *verification* API); cryptography does
the signature mathematics and the certificate issuer check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import algos, cms, core
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from devices.cards import tlv
from devices.cards.api import GarbageResponseError, PaCheck, PassiveAuthResult, PassiveAuthStatus

if TYPE_CHECKING:
    from devices.cards.trust import TrustAnchors

log = logging.getLogger(__name__)

ID_LDS_SECURITY_OBJECT = "2.23.136.1.1.1"  # id-icao-mrtd-security-ldsSecurityObject


class DataGroupHash(core.Sequence):  # type: ignore[misc]  # asn1crypto ships no type hints
    _fields = [("data_group_number", core.Integer), ("data_group_hash_value", core.OctetString)]


class DataGroupHashValues(core.SequenceOf):  # type: ignore[misc]  # asn1crypto ships no type hints
    _child_spec = DataGroupHash


class LdsVersionInfo(core.Sequence):  # type: ignore[misc]  # asn1crypto ships no type hints
    _fields = [("lds_version", core.PrintableString), ("unicode_version", core.PrintableString)]


class LdsSecurityObject(core.Sequence):  # type: ignore[misc]  # asn1crypto ships no type hints
    """9303-10 §4.6.2.2 LDSSecurityObject."""

    _fields = [
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("data_group_hash_values", DataGroupHashValues),
        ("lds_version_info", LdsVersionInfo, {"optional": True}),
    ]


_HASHES: dict[str, type[hashes.SHA1 | hashes.SHA224 | hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


@dataclass(frozen=True)
class Sod:
    hash_algorithm: str  # "sha256" ...
    dg_hashes: dict[int, bytes]
    encapsulated_content: bytes
    signed_data: cms.SignedData


def parse_sod(data: bytes) -> Sod:
    """EF.SOD (tag 77 around a CMS ContentInfo). Any malformation → GarbageResponseError."""
    try:
        top = tlv.parse_one(data)
        if top.tag != 0x77:
            raise GarbageResponseError(detail="EF.SOD does not start with tag 77")
        info = cms.ContentInfo.load(top.value, strict=True)
        if info["content_type"].native != "signed_data":
            raise GarbageResponseError(detail="EF.SOD is not CMS SignedData")
        signed = info["content"]
        encap = signed["encap_content_info"]
        if encap["content_type"].dotted != ID_LDS_SECURITY_OBJECT:
            raise GarbageResponseError(detail="EF.SOD does not carry an LDSSecurityObject")
        content = encap["content"].contents
        lso = LdsSecurityObject.load(content, strict=True)
        algorithm = lso["hash_algorithm"]["algorithm"].native
        if algorithm not in _HASHES:
            raise GarbageResponseError(detail=f"unsupported SOD hash algorithm {algorithm}")
        dg_hashes = {
            int(h["data_group_number"].native): bytes(h["data_group_hash_value"].native)
            for h in lso["data_group_hash_values"]
        }
        _ = signed["signer_infos"][0]["signature"].native  # force lazy parsing of the parts we use
    except GarbageResponseError:
        raise
    except Exception as exc:  # asn1crypto raises ValueError/TypeError/KeyError/IndexError/...
        raise GarbageResponseError(detail=f"EF.SOD malformed: {type(exc).__name__}") from None
    return Sod(algorithm, dg_hashes, content, signed)


ID_CSCA_MASTER_LIST = "2.23.136.1.1.2"  # id-icao-cscaMasterList (ICAO 9303-12 §8)


class CscaCertificates(core.SetOf):  # type: ignore[misc]  # asn1crypto ships no type hints
    _child_spec = ax509.Certificate


class CscaMasterList(core.Sequence):  # type: ignore[misc]  # asn1crypto ships no type hints
    _fields = [("version", core.Integer), ("cert_list", CscaCertificates)]


def parse_master_list(raw: bytes) -> list[x509.Certificate]:
    """The certificates of an ICAO CSCA master list (CMS SignedData over a CscaMasterList), without
    checking its signature: ``trust.verify_master_list`` does that before anything is trusted."""
    try:
        info = cms.ContentInfo.load(raw)
        encap = info["content"]["encap_content_info"]
        if encap["content_type"].dotted != ID_CSCA_MASTER_LIST:
            raise ValueError("not a CSCA master list")
        master = CscaMasterList.load(encap["content"].contents)
        return [x509.load_der_x509_certificate(c.dump()) for c in master["cert_list"]]
    except Exception as exc:  # asn1crypto/cryptography raise several types for bad input
        raise ValueError(f"master list unreadable: {type(exc).__name__}") from None


def load_csca_folder(folder: Path | None) -> list[x509.Certificate]:
    """CSCA certificates from ``folder``: *.pem, *.crt (PEM, several per file allowed), *.cer,
    *.der (DER), and *.ml (ICAO CSCA master lists, loaded only when their signature verifies and
    their signer was issued by one of the folder's own certificates: see ``trust.load_trust``)."""
    from devices.cards.trust import load_trust

    return list(load_trust(folder).cscas)


def _signer_certificate(signed: cms.SignedData, signer: cms.SignerInfo) -> x509.Certificate:
    sid = signer["sid"]
    for choice in signed["certificates"] or []:
        if choice.name != "certificate":
            continue
        cert = choice.chosen
        if sid.name == "issuer_and_serial_number":
            # serial first: asn1crypto's Name comparison normalises strings and is slow
            if cert.serial_number == sid.chosen["serial_number"].native and cert.issuer == sid.chosen["issuer"]:
                return x509.load_der_x509_certificate(cert.dump())
        elif cert.key_identifier == sid.chosen.native:
            return x509.load_der_x509_certificate(cert.dump())
    raise GarbageResponseError(detail="document signer certificate not in EF.SOD")


def _verify_signature(cert: x509.Certificate, signer: cms.SignerInfo, signed_bytes: bytes) -> None:
    """Raises InvalidSignature (or GarbageResponseError for an unsupported algorithm)."""
    digest_name = signer["digest_algorithm"]["algorithm"].native
    if digest_name not in _HASHES:
        raise GarbageResponseError(detail=f"unsupported signer digest {digest_name}")
    sig_algo = signer["signature_algorithm"]
    signature = signer["signature"].native
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        if sig_algo.signature_algo == "rsassa_pss":
            params = sig_algo["parameters"]
            pss_hash = _HASHES[params["hash_algorithm"]["algorithm"].native]()
            pad: padding.AsymmetricPadding = padding.PSS(
                mgf=padding.MGF1(pss_hash), salt_length=params["salt_length"].native
            )
            key.verify(signature, signed_bytes, pad, pss_hash)
        else:
            key.verify(signature, signed_bytes, padding.PKCS1v15(), _HASHES[digest_name]())
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, signed_bytes, ec.ECDSA(_HASHES[digest_name]()))
    else:
        raise GarbageResponseError(detail="unsupported document signer key type")


def _signing_time(signer: cms.SignerInfo) -> dt.datetime | None:
    """The signingTime signed attribute (RFC 5652 §11.3), if the issuer put one in the SOD."""
    attrs = signer["signed_attrs"]
    if attrs.native is None:
        return None
    for attr in attrs:
        if attr["type"].native == "signing_time":
            value = attr["values"][0].native
            if isinstance(value, dt.datetime):
                return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None


def _valid_at(cert: x509.Certificate, when: dt.datetime) -> bool:
    return cert.not_valid_before_utc <= when <= cert.not_valid_after_utc


def passive_authenticate(
    sod_bytes: bytes | None,
    data_groups: dict[int, bytes],
    cscas: list[x509.Certificate] | TrustAnchors | None,
    now: dt.datetime | None = None,
) -> PassiveAuthResult:
    """The PA outcome for the data groups read. Never raises for bad card data: a malformed or
    inconsistent SOD is DATA_ALTERED, since the chip's contents cannot be trusted. ``failed_check``
    names the check that failed."""
    from devices.cards.trust import TrustAnchors

    trust = cscas if isinstance(cscas, TrustAnchors) else TrustAnchors(cscas=tuple(cscas or ()))
    if not sod_bytes:
        return PassiveAuthResult(PassiveAuthStatus.NOT_CHECKED, "the document has no EF.SOD")
    try:
        sod = parse_sod(sod_bytes)
    except GarbageResponseError as exc:
        return PassiveAuthResult(PassiveAuthStatus.DATA_ALTERED, exc.detail, failed_check=PaCheck.SOD_MALFORMED)

    # 1. data-group hashes (9303-11 §5.1 step 3)
    hash_cls = _HASHES[sod.hash_algorithm]
    for number, content in sorted(data_groups.items()):
        expected = sod.dg_hashes.get(number)
        if expected is None:
            return PassiveAuthResult(
                PassiveAuthStatus.DATA_ALTERED, f"DG{number} is not in the SOD", failed_check=PaCheck.DG_HASH
            )
        h = hashes.Hash(hash_cls())
        h.update(content)
        if not hmac.compare_digest(h.finalize(), expected):
            return PassiveAuthResult(
                PassiveAuthStatus.DATA_ALTERED, f"DG{number} hash mismatch", failed_check=PaCheck.DG_HASH
            )

    # 2. the SOD signature (RFC 5652 §5.4: signed attributes, with their SET OF tag, are signed)
    try:
        signer = sod.signed_data["signer_infos"][0]
        ds_cert = _signer_certificate(sod.signed_data, signer)
        signed_attrs = signer["signed_attrs"]
        if signed_attrs.native is not None and len(signed_attrs):
            digest = hashlib.new(signer["digest_algorithm"]["algorithm"].native, sod.encapsulated_content).digest()
            message_digest = next(
                (a["values"][0].native for a in signed_attrs if a["type"].native == "message_digest"), None
            )
            if message_digest is None or not hmac.compare_digest(message_digest, digest):
                return PassiveAuthResult(
                    PassiveAuthStatus.DATA_ALTERED,
                    "SOD message digest does not match its content",
                    failed_check=PaCheck.SOD_SIGNATURE,
                )
            to_verify = b"\x31" + signed_attrs.dump()[1:]
        else:
            to_verify = sod.encapsulated_content
        _verify_signature(ds_cert, signer, to_verify)
        # cryptography parses names lazily: a hostile certificate fails here, inside the guard
        signer_subject = ds_cert.subject.rfc4514_string()
        ds_issuer = ds_cert.issuer
        signing_time = _signing_time(signer)
    except InvalidSignature:
        return PassiveAuthResult(
            PassiveAuthStatus.DATA_ALTERED, "SOD signature does not verify", failed_check=PaCheck.SOD_SIGNATURE
        )
    except GarbageResponseError as exc:
        return PassiveAuthResult(PassiveAuthStatus.DATA_ALTERED, exc.detail, failed_check=PaCheck.SOD_MALFORMED)
    except Exception as exc:  # asn1crypto lazy parsing of a hostile SOD
        return PassiveAuthResult(
            PassiveAuthStatus.DATA_ALTERED,
            f"SOD signer info malformed: {type(exc).__name__}",
            failed_check=PaCheck.SOD_MALFORMED,
        )

    # 3. the document signer against the CSCAs (9303-11 §5.1 step 2; chain of length one), the
    # validity periods at the signing time (the SOD's signingTime; without one, now), and the CRLs
    if not trust.cscas:
        return PassiveAuthResult(
            PassiveAuthStatus.NOT_CHECKED,
            "hashes and SOD signature valid; no CSCA certificates configured",
            signer_subject,
        )
    when = signing_time or now or dt.datetime.now(dt.UTC)
    time_note = "signing time" if signing_time else "now (the SOD has no signing time)"
    failure: tuple[PaCheck, str] | None = None
    for csca in trust.cscas:
        if csca.subject != ds_issuer:
            continue
        try:
            ds_cert.verify_directly_issued_by(csca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        if trust.is_revoked(csca, ds_cert):
            return PassiveAuthResult(
                PassiveAuthStatus.ISSUER_NOT_TRUSTED,
                "document signer certificate revoked by its CSCA's CRL",
                signer_subject,
                PaCheck.DS_REVOKED,
            )
        if not _valid_at(ds_cert, when):
            failure = (PaCheck.DS_VALIDITY, f"document signer certificate not valid at the {time_note}")
            continue
        if not _valid_at(csca, when):
            failure = failure or (PaCheck.CSCA_VALIDITY, f"CSCA certificate not valid at the {time_note}")
            continue
        return PassiveAuthResult(
            PassiveAuthStatus.VERIFIED, "hashes, SOD signature and CSCA chain valid", signer_subject
        )
    if failure is not None:
        return PassiveAuthResult(PassiveAuthStatus.ISSUER_NOT_TRUSTED, failure[1], signer_subject, failure[0])
    return PassiveAuthResult(
        PassiveAuthStatus.ISSUER_NOT_TRUSTED,
        "document signer not issued by a trusted CSCA",
        signer_subject,
        PaCheck.CSCA_UNKNOWN,
    )
