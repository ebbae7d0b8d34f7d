"""Test documents made at test time: a test CSCA, a document signer, and eMRTD files (EF.COM, DG1,
DG2, EF.SOD) for fictional holders. Nothing here is a real person or a real country's key."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import random
from dataclasses import dataclass, field, replace

from asn1crypto import algos, cms, core
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from PIL import Image

from devices.cards import tlv
from devices.cards.mrz import build_td1, build_td3
from devices.cards.passive_auth import ID_LDS_SECURITY_OBJECT, LdsSecurityObject


def _name(cn: str, country: str = "CN") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Exit-Entry Authority"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


@dataclass
class Pki:
    csca_key: ec.EllipticCurvePrivateKey
    csca_cert: x509.Certificate
    ds_key: rsa.RSAPrivateKey
    ds_cert: x509.Certificate
    # same subject as the CSCA, different key: the document signer does not chain to it
    impostor_csca_cert: x509.Certificate
    impostor_key: ec.EllipticCurvePrivateKey | None = None

    def csca_pem(self) -> bytes:
        return self.csca_cert.public_bytes(serialization.Encoding.PEM)

    def impostor_pem(self) -> bytes:
        return self.impostor_csca_cert.public_bytes(serialization.Encoding.PEM)


def _self_signed(
    key: ec.EllipticCurvePrivateKey,
    name: x509.Name,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(not_after or now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )


@functools.lru_cache(maxsize=1)
def make_pki() -> Pki:
    return make_country_pki("CN", "Test CSCA")


_RSA_KEYS: list[rsa.RSAPrivateKey] = []


def _rsa_key() -> rsa.RSAPrivateKey:
    # RSA generation costs ~50-500 ms: the test PKIs share a few keys (their certificates differ)
    if len(_RSA_KEYS) < 2:
        _RSA_KEYS.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return _RSA_KEYS[-1]


def issue(
    issuer_key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate,
    subject_cn: str,
    public_key: object,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    country: str = "CN",
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject_cn, country))
        .issuer_name(issuer.subject)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(not_after or now + dt.timedelta(days=3650))
        .sign(issuer_key, hashes.SHA256())
    )


def make_country_pki(
    country: str,
    csca_cn: str,
    ds_not_before: dt.datetime | None = None,
    ds_not_after: dt.datetime | None = None,
    csca_not_before: dt.datetime | None = None,
    csca_not_after: dt.datetime | None = None,
) -> Pki:
    """A CSCA, a document signer it issued, and an impostor CSCA with the same name."""
    csca_key = ec.generate_private_key(ec.SECP256R1())
    csca_cert = _self_signed(csca_key, _name(csca_cn, country), csca_not_before, csca_not_after)
    impostor_key = ec.generate_private_key(ec.SECP256R1())
    impostor = _self_signed(impostor_key, _name(csca_cn, country))
    ds_key = _rsa_key()
    ds_cert = issue(
        csca_key, csca_cert, "Test Document Signer 01", ds_key.public_key(), ds_not_before, ds_not_after, country
    )
    return Pki(csca_key, csca_cert, ds_key, ds_cert, impostor, impostor_key)


def make_ml_signer(pki: Pki) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A master list signer certificate issued by ``pki``'s CSCA (ICAO 9303-12 §8)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key, issue(pki.csca_key, pki.csca_cert, "Test Master List Signer", key.public_key())


def make_crl(
    pki: Pki, revoked_serials: list[int], next_update: dt.datetime | None = None, signer_key: object = None
) -> bytes:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.csca_cert.subject)
        .last_update(min(now, next_update or now) - dt.timedelta(days=2))
        .next_update(next_update or now + dt.timedelta(days=30))
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now - dt.timedelta(hours=1)).build()
        )
    crl = builder.sign(signer_key or pki.csca_key, hashes.SHA256())  # type: ignore[arg-type]
    return crl.public_bytes(serialization.Encoding.DER)


@dataclass(frozen=True)
class Holder:
    """A fictional holder; the MRZ is built with valid check digits."""

    code: str = "P"
    state: str = "CHN"
    surname: str = "CESHI"
    given: str = "XIAO MING"
    number: str = "E12345678"
    nationality: str = "CHN"
    birth: str = "900115"
    sex: str = "M"
    expiry: str = "340620"
    td: str = "TD3"

    def mrz(self) -> str:
        build = build_td3 if self.td == "TD3" else build_td1
        return build(
            self.code,
            self.state,
            self.surname,
            self.given,
            self.number,
            self.nationality,
            self.birth,
            self.sex,
            self.expiry,
        )


def face_jpeg(seed: int = 7, size: tuple[int, int] = (240, 320), target_kb: int = 18) -> bytes:
    """A noisy synthetic 'portrait' of roughly ``target_kb`` KB (real DG2 faces are 15-20 KB)."""
    rnd = random.Random(seed)
    img = Image.new("RGB", size, (200, 180, 160))
    px = img.load()
    for y in range(0, size[1], 2):
        for x in range(0, size[0], 2):
            v = rnd.randrange(256)
            px[x, y] = (v, (v * 3) % 256, 255 - v)
    for quality in (95, 85, 75, 60, 45, 30, 20):
        out = io.BytesIO()
        img.save(out, "JPEG", quality=quality)
        if out.tell() <= target_kb * 1024:
            break
    return out.getvalue()


def iso19794_5(image: bytes, data_type: int = 0, width: int = 240, height: int = 320) -> bytes:
    """An ISO/IEC 19794-5 facial record with one face and no feature points."""
    facial_info = (
        bytes(2)  # number of feature points
        + bytes([1, 0, 0])
        + bytes(3)  # gender, eye colour, hair colour, feature mask
        + bytes(2)
        + bytes(3)
        + bytes(3)
    )  # expression, pose angles, uncertainty
    image_info = (
        bytes([1, data_type])
        + width.to_bytes(2, "big")
        + height.to_bytes(2, "big")
        + bytes([1, 2])
        + bytes(2)
        + bytes(2)
    )
    face_block = facial_info + image_info + image
    face_block = (len(face_block) + 4).to_bytes(4, "big") + face_block
    header = b"FAC\x00" + b"010\x00" + (14 + len(face_block)).to_bytes(4, "big") + (1).to_bytes(2, "big")
    return header + face_block


def make_dg2(image: bytes, data_type: int = 0) -> bytes:
    bht = tlv.encode(
        0xA1, tlv.encode(0x80, b"\x01\x01") + tlv.encode(0x87, b"\x01\x01") + tlv.encode(0x88, b"\x00\x08")
    )
    bit = tlv.encode(0x7F60, bht + tlv.encode(0x5F2E, iso19794_5(image, data_type)))
    return tlv.encode(0x75, tlv.encode(0x7F61, tlv.encode(0x02, b"\x01") + bit))


def make_dg1(mrz: str) -> bytes:
    return tlv.encode(0x61, tlv.encode(0x5F1F, mrz.replace("\n", "").encode("ascii")))


def make_ef_com(groups: tuple[int, ...] = (1, 2)) -> bytes:
    tags = bytes({1: 0x61, 2: 0x75}[g] for g in groups)
    return tlv.encode(0x60, tlv.encode(0x5F01, b"0107") + tlv.encode(0x5F36, b"040000") + tlv.encode(0x5C, tags))


def make_sod(groups: dict[int, bytes], pki: Pki, signing_time: dt.datetime | None = None) -> bytes:
    lso = LdsSecurityObject(
        {
            "version": 0,
            "hash_algorithm": {"algorithm": "sha256"},
            "data_group_hash_values": [
                {"data_group_number": n, "data_group_hash_value": hashlib.sha256(v).digest()}
                for n, v in sorted(groups.items())
            ],
        }
    ).dump()
    attributes = [
        cms.CMSAttribute({"type": "content_type", "values": [ID_LDS_SECURITY_OBJECT]}),
        cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(lso).digest()]}),
    ]
    if signing_time is not None:
        attributes.append(
            cms.CMSAttribute({"type": "signing_time", "values": [cms.Time(name="utc_time", value=signing_time)]})
        )
    signed_attrs = cms.CMSAttributes(attributes)
    to_sign = signed_attrs.dump()  # a SET OF (tag 31): what RFC 5652 §5.4 signs
    signature = pki.ds_key.sign(to_sign, padding.PKCS1v15(), hashes.SHA256())
    ds = ax509.Certificate.load(pki.ds_cert.public_bytes(serialization.Encoding.DER))
    signer = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                        {"issuer": ds.issuer, "serial_number": ds.serial_number}
                    )
                }
            ),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "signed_attrs": signed_attrs,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}),
            "signature": signature,
        }
    )
    signed = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
            "encap_content_info": {"content_type": ID_LDS_SECURITY_OBJECT, "content": core.ParsableOctetString(lso)},
            "certificates": [ds],
            "signer_infos": [signer],
        }
    )
    info = cms.ContentInfo({"content_type": "signed_data", "content": signed})
    return tlv.encode(0x77, info.dump())


@dataclass
class EmrtdFiles:
    holder: Holder
    files: dict[int, bytes] = field(default_factory=dict)  # file id → content
    image: bytes = b""

    def with_dg1_of(self, other: Holder) -> EmrtdFiles:
        """Same SOD, DG1 swapped for another holder's: what a forger who rewrote DG1 produces."""
        files = dict(self.files)
        files[0x0101] = make_dg1(other.mrz())
        return replace(self, files=files)


def make_document(
    holder: Holder | None = None,
    image: bytes | None = None,
    data_type: int = 0,
    pki: Pki | None = None,
    signing_time: dt.datetime | None = None,
) -> EmrtdFiles:
    holder = holder or Holder()
    pki = pki or make_pki()
    image = image if image is not None else face_jpeg()
    dg1, dg2 = make_dg1(holder.mrz()), make_dg2(image, data_type)
    return EmrtdFiles(
        holder,
        {0x011E: make_ef_com(), 0x0101: dg1, 0x0102: dg2, 0x011D: make_sod({1: dg1, 2: dg2}, pki, signing_time)},
        image,
    )


def make_master_list(
    certs: list[x509.Certificate],
    signer: tuple[ec.EllipticCurvePrivateKey, x509.Certificate] | None = None,
    tamper: bool = False,
) -> bytes:
    """An ICAO CSCA master list (CMS SignedData over a CscaMasterList), signed by ``signer`` when
    given (ECDSA-SHA256 over the signed attributes); ``tamper`` changes the content after signing."""
    from devices.cards.passive_auth import ID_CSCA_MASTER_LIST, CscaMasterList

    content = CscaMasterList(
        {
            "version": 0,
            "cert_list": [ax509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in certs],
        }
    ).dump()
    signer_infos = []
    certificates = []
    if signer is not None:
        key, cert = signer
        attrs = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "content_type", "values": [ID_CSCA_MASTER_LIST]}),
                cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(content).digest()]}),
            ]
        )
        signature = key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256()))
        acert = ax509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
        certificates.append(acert)
        signer_infos.append(
            cms.SignerInfo(
                {
                    "version": "v1",
                    "sid": cms.SignerIdentifier(
                        {
                            "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                                {"issuer": acert.issuer, "serial_number": acert.serial_number}
                            )
                        }
                    ),
                    "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                    "signed_attrs": attrs,
                    "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
                    "signature": signature,
                }
            )
        )
    if tamper:
        content = content[:-1] + bytes([content[-1] ^ 1])
    signed = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
            "encap_content_info": {"content_type": ID_CSCA_MASTER_LIST, "content": core.ParsableOctetString(content)},
            "certificates": certificates,
            "signer_infos": signer_infos,
        }
    )
    return cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()
