"""Logical Data Structure files of an eMRTD (ICAO 9303-10): EF.COM, DG1 (MRZ), DG2 (face).

All parsers take untrusted bytes and raise only ``GarbageResponseError`` / ``WrongMrzError``.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from devices.cards import tlv
from devices.cards.api import FacePhoto, GarbageResponseError
from devices.cards.mrz import MrzData, parse_mrz

# File identifiers and short EF identifiers (9303-10 §4.6.1 table 39)
EF_COM = 0x011E
EF_SOD = 0x011D
EF_CARD_ACCESS = 0x011C  # in the master file (9303-10 §3.11.2)
DG_FILE_ID = {1: 0x0101, 2: 0x0102, 3: 0x0103, 11: 0x010B, 12: 0x010C, 14: 0x010E, 15: 0x010F}
DG_TAG = {
    0x61: 1,
    0x75: 2,
    0x63: 3,
    0x76: 4,
    0x65: 5,
    0x66: 6,
    0x67: 7,
    0x68: 8,
    0x69: 9,
    0x6A: 10,
    0x6B: 11,
    0x6C: 12,
    0x6D: 13,
    0x6E: 14,
    0x6F: 15,
    0x70: 16,
}
EMRTD_AID = bytes.fromhex("A0000002471001")


@dataclass(frozen=True)
class EfCom:
    lds_version: str
    unicode_version: str
    data_groups: tuple[int, ...]


def parse_ef_com(data: bytes) -> EfCom:
    top = tlv.parse_one(data)
    if top.tag != 0x60:
        raise GarbageResponseError(detail="EF.COM does not start with tag 60")
    lds = uni = ""
    groups: tuple[int, ...] = ()
    for child in top.children():
        if child.tag == 0x5F01:
            lds = child.value.decode("ascii", "replace")
        elif child.tag == 0x5F36:
            uni = child.value.decode("ascii", "replace")
        elif child.tag == 0x5C:
            groups = tuple(DG_TAG[t] for t in child.value if t in DG_TAG)
    return EfCom(lds, uni, groups)


def parse_dg1(data: bytes) -> MrzData:
    top = tlv.parse_one(data)
    if top.tag != 0x61:
        raise GarbageResponseError(detail="DG1 does not start with tag 61")
    mrz = top.find(0x5F1F).value
    try:
        text = mrz.decode("ascii")
    except UnicodeDecodeError:
        raise GarbageResponseError(detail="DG1 MRZ is not ASCII") from None
    # The chip stores the lines run together (9303-10 §4.7.1); parse_mrz splits by length.
    return parse_mrz(text)


_JPEG_SOI = b"\xff\xd8\xff"
_JP2_SIG = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
_J2K_SOC = b"\xff\x4f\xff\x51"


def _face_image_from_iso19794_5(block: bytes) -> tuple[bytes, str]:
    """Image bytes and mime type from an ISO/IEC 19794-5 facial record ("FAC\\0")."""
    if block[:4] != b"FAC\x00":
        raise GarbageResponseError(detail="biometric data block is not an ISO 19794-5 record")
    try:
        pos = 14  # general header: 4 + 4 + 4 + 2
        pos += 4  # facial record data length
        n_points = int.from_bytes(block[pos : pos + 2], "big")
        pos += 2 + 1 + 1 + 1 + 3 + 2 + 3 + 3  # gender, eyes, hair, mask, expression, pose, unc.
        pos += 8 * n_points
        data_type = block[pos + 1]  # image information: face type, image data type ...
        pos += 12
    except IndexError:
        raise GarbageResponseError(detail="facial record header truncated") from None
    image = block[pos:]
    if data_type == 0 and image.startswith(_JPEG_SOI):
        return image, "image/jpeg"
    if data_type == 1 and (image.startswith(_JP2_SIG) or image.startswith(_J2K_SOC)):
        return image, "image/jp2"
    # Some issuers get the header wrong; fall back to looking for the image signatures.
    for sig, mime in ((_JPEG_SOI, "image/jpeg"), (_JP2_SIG, "image/jp2"), (_J2K_SOC, "image/jp2")):
        at = block.find(sig)
        if at >= 0:
            return block[at:], mime
    raise GarbageResponseError(detail="no JPEG or JPEG 2000 image in the facial record")


def parse_dg2(data: bytes) -> FacePhoto:
    """DG2 → the first face image (9303-10 §4.7.2: 75 / 7F61 / 7F60 / 5F2E or 7F2E)."""
    top = tlv.parse_one(data)
    if top.tag != 0x75:
        raise GarbageResponseError(detail="DG2 does not start with tag 75")
    group = top.find(0x7F61)
    for bit in group.children():
        if bit.tag == 0x7F60:
            for part in bit.children():
                if part.tag in (0x5F2E, 0x7F2E):
                    image, mime = _face_image_from_iso19794_5(part.value)
                    return decode_photo(image, mime)
    raise GarbageResponseError(detail="DG2 has no biometric data block")


def decode_photo(image: bytes, mime: str) -> FacePhoto:
    """Check with Pillow that the image decodes, so the UI can show it (JPEG 2000 needs OpenJPEG,
    which Pillow's wheels include)."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(image)) as img:
                img.load()
                width, height = img.size
    except Exception:  # Pillow raises many types for bad data; the face is then shown as absent
        return FacePhoto(image, mime, decodable=False)
    return FacePhoto(image, mime, decodable=True, width=width, height=height)
