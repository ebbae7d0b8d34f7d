"""ICAO 9303 eMRTD profile: access control (PACE when EF.CardAccess offers it, else BAC), SELECT the
LDS1 application, read EF.COM, DG1, DG2 and EF.SOD under secure messaging and run passive
authentication.

Transport-agnostic: it drives a ``Transmit`` callable (raw APDU bytes in, response bytes + SW out)
that the pyscard backend runs on its card I/O thread. Standard: ICAO Doc 9303 part 10 (LDS) and
part 11 (PACE §4.4, BAC §4.3, secure messaging §9.8), ISO/IEC 7816-4 (APDUs, extended length §5.1,
READ BINARY with a short EF identifier §11.2.2).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography import x509

from clerk_app.errors import UserCancelled
from devices.cards import bac, lds, pace, tlv
from devices.cards.api import (
    AccessKey,
    BacFailedError,
    CancelToken,
    CanKey,
    CanNotSupportedError,
    CanRejectedError,
    GarbageResponseError,
    IdentityDocument,
    MrzKey,
    PaceUnsupportedError,
    UnknownCardError,
    WrongMrzError,
)
from devices.cards.mrz import bac_mrz_information
from devices.cards.passive_auth import passive_authenticate
from devices.cards.trust import TrustAnchors

log = logging.getLogger(__name__)

Transmit = Callable[[bytes], bytes]

SW_OK = 0x9000
SW_END_OF_FILE = 0x6282  # fewer bytes than Le: end of file reached (ISO 7816-4 table 5)
SW_WRONG_LENGTH = 0x6700
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_FILE_NOT_FOUND = 0x6A82
# answers meaning "no such command / not this way" (ISO 7816-4 table 6): try the other way
_NOT_SUPPORTED = {0x6A81, 0x6A86, 0x6B00, 0x6D00, 0x6E00, 0x6981, 0x6986, 0x6985, 0x6A80}
_KEY_REJECTED = {0x6300, 0x6982, 0x6983, 0x6984}  # wrong password; 6983 blocked, 6984 deactivated

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
    protocol: str = ""  # "BAC" or the PACE algorithm and domain parameters used
    sfi: bool = False  # data groups read by short EF identifier


class _ExtendedUnsupported(Exception):
    """The chip or reader refused an extended-length APDU; redo access control and read short."""


class _PaceRefused(Exception):
    """MSE:Set AT refused: the chip will not run this PACE variant (fall back to BAC)."""


# short EF identifiers (9303-10 §4.6.1 table 39): SFI n ↔ file 01nn
SFI = {lds.EF_COM: 0x1E, lds.EF_SOD: 0x1D, lds.EF_CARD_ACCESS: 0x1C, **{fid: n for n, fid in lds.DG_FILE_ID.items()}}


class EmrtdSession:
    """One read of one eMRTD. Not thread-safe: runs on the backend's card I/O thread."""

    def __init__(
        self,
        transmit: Transmit,
        atr: bytes,
        cscas: list[x509.Certificate] | TrustAnchors | None,
        cancel: CancelToken | None = None,
        extended_chunk: int = 0x7F00,
        use_extended: bool | None = None,
        use_pace: bool = True,
        use_sfi: bool = True,
    ) -> None:
        self._raw_transmit = transmit
        self.atr = atr
        self.cscas = cscas
        self.cancel: CancelToken = cancel or threading.Event()
        self.extended = atr_supports_extended_length(atr) if use_extended is None else use_extended
        self.extended_chunk = extended_chunk
        self.use_pace = use_pace
        self.use_sfi = use_sfi
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
        # ISO 7816-4 SELECT by DF name, P2=0C: no FCI wanted (9303-10 §3.1.1); after PACE under SM
        if self._sm is not None:
            _, sw = self._sm_transmit(0xA4, 0x04, 0x0C, lds.EMRTD_AID)
        else:
            sw = sw_of(self._transmit(b"\x00\xa4\x04\x0c" + bytes([len(lds.EMRTD_AID)]) + lds.EMRTD_AID))
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

    def read_card_access(self) -> list[pace.PaceInfo]:
        """EF.CardAccess from the master file, unprotected, by SFI (9303-11 §4.2: read before
        selecting the application). No file, or any refusal: the chip offers no PACE."""
        response = self._transmit(b"\x00\xb0\x9c\x00\x00")
        sw = sw_of(response)
        data = response[:-2]
        if sw not in (SW_OK, SW_END_OF_FILE) or not data:
            return []
        try:
            _, _, length, value_offset = tlv.read_header(data + bytes(8))
            total = value_offset + length
            while len(data) < total and total < 4096:
                response = self._transmit(
                    b"\x00\xb0" + len(data).to_bytes(2, "big") + bytes([min(0xFF, total - len(data)) or 0])
                )
                if sw_of(response) not in (SW_OK, SW_END_OF_FILE) or len(response) <= 2:
                    break
                data = data + response[:-2]
            return pace.parse_card_access(data[:total])
        except GarbageResponseError as exc:
            log.warning("EF.CardAccess unreadable (%s); trying BAC", exc.detail)
            return []

    def pace(self, info: pace.PaceInfo, key: AccessKey, several: bool) -> None:
        """PACE generic mapping (9303-11 §4.4.4): MSE:Set AT, then four GENERAL AUTHENTICATE steps."""
        password: pace.MrzPassword | pace.CanPassword = (
            pace.CanPassword(key.can) if isinstance(key, CanKey) else pace.MrzPassword(bac_mrz_information(key))
        )
        handshake = pace.PaceHandshake(info, password)
        sw = sw_of(self._transmit(handshake.mse_set_at(include_parameter_id=several)))
        if sw != SW_OK:
            raise _PaceRefused(f"MSE:Set AT answered {sw:04X}")

        def step(tag: int, value: bytes, answer_tag: int, last: bool = False) -> bytes:
            response = self._transmit(pace.general_authenticate(tag, value, last))
            sw = sw_of(response)
            if sw in _KEY_REJECTED or (sw & 0xFFF0) == 0x63C0:
                raise self._rejected(key, f"GENERAL AUTHENTICATE answered {sw:04X}")
            if sw != SW_OK:
                raise GarbageResponseError(detail=f"GENERAL AUTHENTICATE answered {sw:04X}")
            return pace.dynamic_data(response[:-2], answer_tag)

        handshake.decrypt_nonce(step(0, b"", 0x80))
        handshake.map(step(0x81, handshake.mapping_public(), 0x82))
        token = handshake.agree(step(0x83, handshake.ephemeral_public(), 0x84))
        try:
            result = handshake.verify_chip_token(step(0x85, token, 0x86, last=True))
        except BacFailedError:
            raise self._rejected(key, "PACE: chip token does not verify") from None
        self._sm = result.secure_messaging
        self.stats.protocol = f"PACE {info.algorithm.name} #{info.parameter_id}"

    @staticmethod
    def _rejected(key: AccessKey, detail: str) -> BacFailedError:
        return CanRejectedError(detail=detail) if isinstance(key, CanKey) else BacFailedError(detail=detail)

    def establish_access(self, key: AccessKey) -> None:
        """PACE when the chip offers a variant we run (9303-11 §4.2: PACE first), else BAC; then
        SELECT the eMRTD application."""
        self._sm = None
        infos = self.read_card_access() if self.use_pace else []
        chosen = pace.choose(infos)
        if chosen is not None:
            try:
                self.pace(chosen, key, several=len(infos) > 1)
                self.select_application()
                return
            except _PaceRefused as exc:
                log.info("PACE refused (%s); trying BAC", exc)
                self._sm = None
        if isinstance(key, CanKey):
            if infos:
                raise PaceUnsupportedError(
                    protocol=", ".join(sorted({i.algorithm.name for i in infos})), detail="no usable PACEInfo"
                )
            raise CanNotSupportedError(detail="no EF.CardAccess: the chip offers BAC only")
        self.select_application()
        try:
            self.basic_access_control(key)
        except GarbageResponseError as exc:
            if infos and chosen is None:  # a PACE-only chip with variants we do not run
                raise PaceUnsupportedError(
                    protocol=", ".join(sorted({i.algorithm.name for i in infos})), detail=exc.detail
                ) from None
            raise
        self.stats.protocol = "BAC"

    def read_file(self, file_id: int, name: str) -> bytes | None:
        """Whole elementary file, or None when the chip says it does not exist. First by short EF
        identifier (READ BINARY with P1 = 80 | SFI selects and reads in one APDU, asking for a whole
        chunk at once); a chip that refuses SFI gets SELECT + READ BINARY from then on."""
        chunk = self.extended_chunk if self.extended else SHORT_CHUNK
        head = b""
        sfi = SFI.get(file_id)
        if self.use_sfi and sfi is not None:
            data, sw = self._read_binary_sw(0x80 | sfi, 0x00, chunk)
            if sw == SW_FILE_NOT_FOUND:
                return None
            if sw in (SW_OK, SW_END_OF_FILE) and data:
                head = data
                self.stats.sfi = True
            elif sw in _NOT_SUPPORTED:
                log.info("READ BINARY by SFI answered %04X; selecting files instead", sw)
                self.use_sfi = False
            else:
                raise GarbageResponseError(detail=f"READ BINARY {name} by SFI answered {sw:04X}")
        if not head:
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
        content = bytearray(head[:total])
        while len(content) < total:
            part = self._read_binary(len(content), min(chunk, total - len(content)))
            if not part:
                raise GarbageResponseError(detail=f"{name} ended before its declared length")
            content += part
        self.stats.files[name] = len(content)
        self.stats.bytes_read += len(content)
        return bytes(content[:total])

    def _read_binary_sw(self, p1: int, p2: int, length: int) -> tuple[bytes, int]:
        try:
            data, sw = self._sm_transmit(0xB0, p1, p2, b"", length)
        except GarbageResponseError:
            if length > 256:
                raise _ExtendedUnsupported() from None
            raise
        if sw == SW_WRONG_LENGTH and length > 256:
            raise _ExtendedUnsupported()
        if len(data) > length:
            raise GarbageResponseError(detail="READ BINARY returned more than asked")
        return data, sw

    def _read_binary(self, offset: int, length: int) -> bytes:
        if offset > 0x7FFF:
            # ISO 7816-4 §11.2.3: READ BINARY with odd INS B1, offset in DO'54', data in DO'53'
            data, sw = self._sm_transmit(0xB1, 0x00, 0x00, tlv.encode(0x54, offset.to_bytes(3, "big")), length + 4)
            if sw not in (SW_OK, SW_END_OF_FILE):
                raise GarbageResponseError(detail=f"READ BINARY B1 answered {sw:04X}")
            return tlv.parse_one(data).value if data else b""
        data, sw = self._read_binary_sw(offset >> 8, offset & 0xFF, length)
        if sw not in (SW_OK, SW_END_OF_FILE):
            raise GarbageResponseError(detail=f"READ BINARY answered {sw:04X}")
        return data

    # --- the whole read ----------------------------------------------------------------------
    def read_document(self, key: AccessKey | None, reader_name: str = "") -> IdentityDocument:
        if key is None:
            raise WrongMrzError(problem="the MRZ (document number, birth date, expiry) is needed")
        started = time.perf_counter()
        if self.atr.startswith(_STORAGE_CARD_ATR_PREFIX):
            raise UnknownCardError(atr=self.atr.hex(" ").upper(), detail="contactless storage card")
        self.establish_access(key)
        try:
            files = self._read_files()
        except _ExtendedUnsupported:
            log.info("extended-length READ BINARY refused; reading again with short APDUs")
            self.extended = False
            self.establish_access(key)
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
            "eMRTD read: %s, %d APDUs, %d bytes, extended=%s, sfi=%s, %.0f ms, PA %s (%s)",
            self.stats.protocol,
            self.stats.apdus,
            self.stats.bytes_read,
            self.extended,
            self.stats.sfi,
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
