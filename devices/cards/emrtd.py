"""ICAO 9303 eMRTD profile: SELECT the LDS1 application, BAC, then read EF.COM, DG1, DG2 and EF.SOD
under secure messaging and run passive authentication.

Transport-agnostic: it drives a ``Transmit`` callable (raw APDU bytes in, response bytes + SW out)
that the pyscard backend runs on its card I/O thread. Standard: ICAO Doc 9303 part 10 (LDS) and
part 11 (BAC §4.3, secure messaging §9.8), ISO/IEC 7816-4 (APDUs, extended length §5.1).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from cryptography import x509

from clerk_app.errors import UserCancelled
from devices.cards import bac, lds, tlv
from devices.cards.api import (
    BacFailedError,
    GarbageResponseError,
    IdentityDocument,
    MrzKey,
    UnknownCardError,
    WrongMrzError,
)
from devices.cards.mrz import bac_mrz_information
from devices.cards.passive_auth import passive_authenticate

log = logging.getLogger(__name__)

Transmit = Callable[[bytes], bytes]

SW_OK = 0x9000
SW_END_OF_FILE = 0x6282  # fewer bytes than Le: end of file reached (ISO 7816-4 table 5)
SW_WRONG_LENGTH = 0x6700
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_FILE_NOT_FOUND = 0x6A82

SHORT_CHUNK = 0xDF  # largest plain chunk that fits a short SM response (9303-11 §9.8)
# PC/SC part 3 ATR of contactless *storage* cards (MIFARE, FeliCa ...): never an eMRTD.
_STORAGE_CARD_ATR_PREFIX = bytes.fromhex("3B8F8001804F0CA000000306")


def sw_of(response: bytes) -> int:
    if len(response) < 2:
        raise GarbageResponseError(detail="response shorter than a status word")
    return int.from_bytes(response[-2:], "big")


def atr_supports_extended_length(atr: bytes) -> bool:
    """ISO 7816-4 §8.1.1.2.7: card capabilities (historical byte tag 7x, 3rd software function
    byte, bit 7 = 'extended Lc and Le fields'). A contactless reader builds the ATR from the ATS,
    so the chip's historical bytes are what we see here."""
    try:
        # skip T0, interface bytes, to the historical bytes (ISO 7816-3 §8.2)
        t0 = atr[1]
        k = t0 & 0x0F
        pos, y = 2, t0 >> 4
        while True:
            pos += bin(y).count("1")
            if not y & 0x8:
                break
            y = atr[pos - 1] >> 4
        hist = atr[pos : pos + k]
    except IndexError:
        return False
    if not hist or hist[0] != 0x80:  # category indicator 80: compact-TLV objects follow
        return False
    i = 1
    while i < len(hist):
        tag, length = hist[i] >> 4, hist[i] & 0x0F
        value = hist[i + 1 : i + 1 + length]
        if tag == 0x7 and len(value) >= 3:
            return bool(value[2] & 0x40)
        i += 1 + length
    return False


def describe_atr(atr: bytes) -> str:
    """A short English description for the diagnostics dialog (PC/SC part 3 §3.1.3.2.3)."""
    if not atr:
        return "no ATR"
    if atr.startswith(_STORAGE_CARD_ATR_PREFIX):
        return "contactless storage card (MIFARE/FeliCa class), not an identity document"
    if len(atr) >= 4 and atr[0] == 0x3B and atr[1] & 0xF0 == 0x80 and atr[2:4] == b"\x80\x01":
        ext = ", extended length" if atr_supports_extended_length(atr) else ""
        return f"contactless ISO 14443-4 card{ext}"
    return "contact card (ISO 7816-3)"


@dataclass
class ReadStats:
    apdus: int = 0
    bytes_read: int = 0
    extended: bool = False
    seconds: float = 0.0
    files: dict[str, int] = field(default_factory=dict)


class _ExtendedUnsupported(Exception):
    """The chip or reader refused an extended-length APDU; redo BAC and read with short APDUs."""


class EmrtdSession:
    """One read of one eMRTD. Not thread-safe: runs on the backend's card I/O thread."""

    def __init__(
        self,
        transmit: Transmit,
        atr: bytes,
        cscas: list[x509.Certificate] | None,
        cancel: threading.Event | None = None,
        extended_chunk: int = 0x7F00,
        use_extended: bool | None = None,
    ) -> None:
        self._raw_transmit = transmit
        self.atr = atr
        self.cscas = cscas
        self.cancel = cancel or threading.Event()
        self.extended = atr_supports_extended_length(atr) if use_extended is None else use_extended
        self.extended_chunk = extended_chunk
        self.stats = ReadStats()
        self._sm: bac.SecureMessaging | None = None

    # --- transport ---------------------------------------------------------------------------
    def _transmit(self, apdu: bytes) -> bytes:
        if self.cancel.is_set():
            raise UserCancelled(detail="card read cancelled")
        self.stats.apdus += 1
        return self._raw_transmit(apdu)

    def _sm_transmit(self, ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None) -> tuple[bytes, int]:
        assert self._sm is not None
        response = self._transmit(self._sm.wrap(0x00, ins, p1, p2, data, le))
        return self._sm.unwrap(response)

    # --- steps -------------------------------------------------------------------------------
    def select_application(self) -> None:
        if self.atr.startswith(_STORAGE_CARD_ATR_PREFIX):
            raise UnknownCardError(atr=self.atr.hex(" ").upper(), detail="contactless storage card")
        # ISO 7816-4 SELECT by DF name, P2=0C: no FCI wanted (9303-10 §3.1.1)
        response = self._transmit(b"\x00\xa4\x04\x0c" + bytes([len(lds.EMRTD_AID)]) + lds.EMRTD_AID)
        sw = sw_of(response)
        if sw != SW_OK:
            raise UnknownCardError(atr=self.atr.hex(" ").upper(), detail=f"SELECT eMRTD AID answered {sw:04X}")

    def basic_access_control(self, key: MrzKey) -> None:
        handshake = bac.BacHandshake(bac_mrz_information(key))
        response = self._transmit(b"\x00\x84\x00\x00\x08")  # GET CHALLENGE
        if sw_of(response) != SW_OK or len(response) != 10:
            raise GarbageResponseError(detail=f"GET CHALLENGE answered {sw_of(response):04X}")
        data = handshake.mutual_authenticate_data(response[:8])
        response = self._transmit(b"\x00\x82\x00\x00\x28" + data + b"\x28")  # MUTUAL AUTHENTICATE
        sw = sw_of(response)
        if sw in (0x6300, SW_SECURITY_NOT_SATISFIED, 0x6A80) or (sw & 0xFFF0) == 0x63C0:
            raise BacFailedError(detail=f"MUTUAL AUTHENTICATE answered {sw:04X}")
        if sw != SW_OK:
            raise GarbageResponseError(detail=f"MUTUAL AUTHENTICATE answered {sw:04X}")
        self._sm = bac.SecureMessaging(handshake.complete(response[:-2]))

    def read_file(self, file_id: int, name: str) -> bytes | None:
        """Whole elementary file, or None when the chip says it does not exist."""
        _, sw = self._sm_transmit(0xA4, 0x02, 0x0C, file_id.to_bytes(2, "big"))
        if sw == SW_FILE_NOT_FOUND:
            return None
        if sw != SW_OK:
            raise GarbageResponseError(detail=f"SELECT {name} answered {sw:04X}")
        head = self._read_binary(0, 8)
        if not head:
            raise GarbageResponseError(detail=f"{name} is empty")
        _, _, length, value_offset = tlv.read_header(head + bytes(8))  # header fits in 8 bytes
        total = value_offset + length
        if total > 0x7FFF + 0xFFFF:
            raise GarbageResponseError(detail=f"{name} claims an implausible size")
        data = bytearray(head[:total])
        while len(data) < total:
            chunk = self.extended_chunk if self.extended else SHORT_CHUNK
            part = self._read_binary(len(data), min(chunk, total - len(data)))
            if not part:
                raise GarbageResponseError(detail=f"{name} ended before its declared length")
            data += part
        self.stats.files[name] = len(data)
        self.stats.bytes_read += len(data)
        return bytes(data[:total])

    def _read_binary(self, offset: int, length: int) -> bytes:
        if offset > 0x7FFF:
            # ISO 7816-4 §11.2.3: READ BINARY with odd INS B1, offset in DO'54', data in DO'53'
            data, sw = self._sm_transmit(0xB1, 0x00, 0x00, tlv.encode(0x54, offset.to_bytes(3, "big")), length + 4)
            if sw not in (SW_OK, SW_END_OF_FILE):
                raise GarbageResponseError(detail=f"READ BINARY B1 answered {sw:04X}")
            return tlv.parse_one(data).value if data else b""
        try:
            data, sw = self._sm_transmit(0xB0, offset >> 8, offset & 0xFF, b"", length)
        except GarbageResponseError:
            if length > 256:
                raise _ExtendedUnsupported() from None
            raise
        if sw == SW_WRONG_LENGTH and length > 256:
            raise _ExtendedUnsupported()
        if sw not in (SW_OK, SW_END_OF_FILE):
            raise GarbageResponseError(detail=f"READ BINARY answered {sw:04X}")
        if len(data) > length:
            raise GarbageResponseError(detail="READ BINARY returned more than asked")
        return data

    # --- the whole read ----------------------------------------------------------------------
    def read_document(self, key: MrzKey | None, reader_name: str = "") -> IdentityDocument:
        if key is None:
            raise WrongMrzError(problem="the MRZ (document number, birth date, expiry) is needed")
        started = time.perf_counter()
        self.select_application()
        self.basic_access_control(key)
        try:
            files = self._read_files()
        except _ExtendedUnsupported:
            log.info("extended-length READ BINARY refused; reading again with short APDUs")
            self.extended = False
            self.select_application()
            self.basic_access_control(key)
            files = self._read_files()
        self.stats.extended = self.extended
        com, dg1, dg2, sod = files
        mrz = lds.parse_dg1(dg1)
        photo = lds.parse_dg2(dg2) if dg2 else None
        groups = {1: dg1}
        if dg2:
            groups[2] = dg2
        pa = passive_authenticate(sod, groups, self.cscas)
        self.stats.seconds = time.perf_counter() - started
        log.info(
            "eMRTD read: %d APDUs, %d bytes, extended=%s, %.0f ms, PA %s (%s)",
            self.stats.apdus,
            self.stats.bytes_read,
            self.extended,
            self.stats.seconds * 1000,
            pa.status.value,
            pa.detail,
        )
        return IdentityDocument(
            document_type=mrz.document_type,
            document_number=mrz.document_number,
            surname=mrz.surname,
            given_names=mrz.given_names,
            full_name=mrz.full_name,
            sex=mrz.sex,
            birth_date=mrz.birth_date,
            nationality=mrz.nationality,
            expiry_date=mrz.expiry_date,
            issuing_state=mrz.issuing_state,
            photo=photo,
            passive_auth=pa,
            verified_by="chip",
            raw_mrz="\n".join(mrz.lines),
            reader_id=reader_name,
        )

    def _read_files(self) -> tuple[bytes, bytes, bytes | None, bytes | None]:
        com_raw = self.read_file(lds.EF_COM, "EF.COM")
        groups = lds.parse_ef_com(com_raw).data_groups if com_raw else (1, 2)
        dg1 = self.read_file(lds.DG_FILE_ID[1], "DG1")
        if dg1 is None:
            raise GarbageResponseError(detail="the chip has no DG1")
        dg2 = self.read_file(lds.DG_FILE_ID[2], "DG2") if 2 in groups else None
        sod = self.read_file(lds.EF_SOD, "EF.SOD")
        return com_raw or b"", dg1, dg2, sod
