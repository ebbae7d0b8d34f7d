"""Chinese second-generation resident ID card readers with a security module (SAM), GA 467 frames
over a (USB-)serial port, behind the same ``CardReaderService`` interface as PC/SC.

Frame (GA 467-2013 appendix, as implemented by the certified readers):
command  ``AA AA AA 96 69 | LEN(2, BE) | CMD PARA | data | CHK``
response ``AA AA AA 96 69 | LEN(2, BE) | SW1 SW2 SW3 | data | CHK``
LEN counts everything after itself including CHK; CHK is the XOR of LEN .. the last data byte.
The card's text is 256 bytes of UCS-2 LE fields; the photo is 1024 bytes of WLT, a proprietary
compression only the vendor's licensed decoder opens (``wlt.WltDecoder`` when the hall has one;
otherwise we keep it undecoded and flag it).

The same readers read the foreigner's permanent residence ID card (2017 edition, type flag "I";
2023 edition, "Y") and the residence permit for Hong Kong, Macao and Taiwan residents (港澳台居民居住证,
"J"): the flag sits at bytes 248-249 of the text, blank for the resident ID. Layouts in TEXT_LAYOUTS.

Readers are found by probing serial ports (USB CDC / USB-serial adapters first) with the SAM status
command; the port found is handed to the caller to remember, and a reader that vanishes (unplugged,
re-enumerated as another ttyUSB) is searched for again.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devices.cards.api import (
    CancelToken,
    CardCallback,
    CardError,
    CardRemovedError,
    CardTimeoutError,
    DocumentType,
    FacePhoto,
    GarbageResponseError,
    IdentityDocument,
    NoCardError,
    PassiveAuthResult,
    PassiveAuthStatus,
    ReaderBusyError,
    ReaderGoneError,
    ReaderInfo,
    ReaderState,
    Sex,
    StateCallback,
)
from devices.cards.wlt import WltDecoder

log = logging.getLogger(__name__)

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"

CMD_RESET_SAM = b"\x10\xff"
CMD_SAM_STATUS = b"\x11\xff"
CMD_SAM_ID = b"\x12\xff"
CMD_FIND_CARD = b"\x20\x01"
CMD_SELECT_CARD = b"\x20\x02"
CMD_READ_TEXT_PHOTO = b"\x30\x01"

SW3_OK = 0x90
SW3_FIND_OK = 0x9F
SW3_NO_CONTENT = 0x91
SW3_FIND_FAILED = 0x80
SW3_SELECT_FAILED = 0x81
SW3_READ_FAILED = 0x41
SW3_CHECKSUM = 0x10

WLT_MIME = "application/x-wlt"
TEXT_LENGTH = 256
PHOTO_LENGTH = 1024

# (field, byte length) of the 256-byte text block, UCS-2 LE, space padded
TEXT_FIELDS = (
    ("name", 30),
    ("sex", 2),
    ("nation", 4),
    ("birth", 16),
    ("address", 70),
    ("id_number", 36),
    ("authority", 30),
    ("valid_from", 16),
    ("valid_to", 16),
)
TYPE_FLAG_OFFSET = 248  # bytes 248-249: "I" / "Y" / "J", blank for the resident ID
TEXT_LAYOUTS: dict[str, tuple[tuple[str, int], ...]] = {
    "": TEXT_FIELDS,
    # 港澳台居民居住证 (2018): like the resident ID, no ethnic group, plus the travel permit number
    "J": (
        ("name", 30),
        ("sex", 2),
        ("reserved1", 4),
        ("birth", 16),
        ("address", 70),
        ("id_number", 36),
        ("authority", 30),
        ("valid_from", 16),
        ("valid_to", 16),
        ("permit_number", 18),
        ("issue_count", 4),
        ("reserved2", 6),
        ("type", 2),
        ("reserved3", 6),
    ),
    # 外国人永久居留身份证, 2017 edition: 15-character number (3 letters + 12 digits)
    "I": (
        ("name_en", 120),
        ("sex", 2),
        ("id_number", 30),
        ("nationality", 6),
        ("name", 30),
        ("valid_from", 16),
        ("valid_to", 16),
        ("birth", 16),
        ("version", 4),
        ("authority", 8),
        ("type", 2),
        ("reserved", 6),
    ),
    # 外国人永久居留身份证, 2023 edition: 18-digit number starting with 9 (GB 11643 check digit)
    "Y": (
        ("name", 30),
        ("sex", 2),
        ("renewals", 4),
        ("birth", 16),
        ("name_en", 70),
        ("id_number", 36),
        ("reserved1", 30),
        ("valid_from", 16),
        ("valid_to", 16),
        ("name_en_more", 22),
        ("nationality", 6),
        ("type", 2),
        ("previous_number_link", 6),
    ),
}

# GB/T 3304 codes of the ethnic groups printed on the card (民族)
NATIONS = dict(
    enumerate(
        (
            "汉",
            "蒙古",
            "回",
            "藏",
            "维吾尔",
            "苗",
            "彝",
            "壮",
            "布依",
            "朝鲜",
            "满",
            "侗",
            "瑶",
            "白",
            "土家",
            "哈尼",
            "哈萨克",
            "傣",
            "黎",
            "傈僳",
            "佤",
            "畲",
            "高山",
            "拉祜",
            "水",
            "东乡",
            "纳西",
            "景颇",
            "柯尔克孜",
            "土",
            "达斡尔",
            "仫佬",
            "羌",
            "布朗",
            "撒拉",
            "毛南",
            "仡佬",
            "锡伯",
            "阿昌",
            "普米",
            "塔吉克",
            "怒",
            "乌孜别克",
            "俄罗斯",
            "鄂温克",
            "德昂",
            "保安",
            "裕固",
            "京",
            "塔塔尔",
            "独龙",
            "鄂伦春",
            "赫哲",
            "门巴",
            "珞巴",
            "基诺",
        ),
        start=1,
    )
)
NATIONS.update({97: "其他", 98: "外国血统中国籍人士"})


def xor(data: bytes) -> int:
    out = 0
    for b in data:
        out ^= b
    return out


def build_command(cmd: bytes, data: bytes = b"") -> bytes:
    body = cmd + data
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes([xor(length + body)])


def build_response(sw3: int, data: bytes = b"") -> bytes:
    body = b"\x00\x00" + bytes([sw3]) + data
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes([xor(length + body)])


@dataclass(frozen=True)
class SamResponse:
    sw: bytes  # SW1 SW2 SW3
    data: bytes

    @property
    def sw3(self) -> int:
        return self.sw[2]


def parse_frame(frame: bytes) -> SamResponse:
    """Validate a complete response frame. Anything malformed → GarbageResponseError."""
    if not frame.startswith(PREAMBLE) or len(frame) < len(PREAMBLE) + 2 + 4:
        raise GarbageResponseError(detail="SAM frame too short or without preamble")
    length = int.from_bytes(frame[5:7], "big")
    if length < 4 or len(frame) != 7 + length:
        raise GarbageResponseError(detail="SAM frame length field does not match")
    if xor(frame[5:-1]) != frame[-1]:
        raise GarbageResponseError(detail="SAM frame checksum mismatch")
    return SamResponse(frame[7:10], frame[10:-1])


def parse_command(frame: bytes) -> tuple[bytes, bytes]:
    """(CMD PARA, data) of a command frame (used by the emulator and the fuzz tests)."""
    if not frame.startswith(PREAMBLE) or len(frame) < 10:
        raise GarbageResponseError(detail="command frame too short")
    length = int.from_bytes(frame[5:7], "big")
    if length < 3 or len(frame) != 7 + length or xor(frame[5:-1]) != frame[-1]:
        raise GarbageResponseError(detail="command frame corrupt")
    return frame[7:9], frame[9:-1]


def format_sam_id(data: bytes) -> str:
    """The 16-byte SAM ID as printed on readers: ``05.01-20101010-0040561-1234567890``."""
    if len(data) != 16:
        raise GarbageResponseError(detail="SAM ID is not 16 bytes")
    a, b = int.from_bytes(data[0:2], "little"), int.from_bytes(data[2:4], "little")
    c, d, e = (int.from_bytes(data[i : i + 4], "little") for i in (4, 8, 12))
    return f"{a:02d}.{b:02d}-{c:08d}-{d:010d}-{e:010d}"


def id_number_check_digit(first17: str) -> str:
    """GB 11643-1999 §5.3 (ISO 7064 MOD 11-2)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(first17, weights))
    return "10X98765432"[total % 11]


def _date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


def _fields(text: bytes, layout: tuple[tuple[str, int], ...]) -> dict[str, str]:
    fields: dict[str, str] = {}
    pos = 0
    for name, size in layout:
        try:
            fields[name] = text[pos : pos + size].decode("utf-16-le").rstrip(" \x00")
        except UnicodeDecodeError:
            raise GarbageResponseError(detail=f"field {name} is not UCS-2") from None
        pos += size
    return fields


def type_flag(text: bytes) -> str:
    try:
        return text[TYPE_FLAG_OFFSET : TYPE_FLAG_OFFSET + 2].decode("utf-16-le").strip(" \x00")
    except UnicodeDecodeError:
        raise GarbageResponseError(detail="card type flag is not UCS-2") from None


def _checked_gb11643(number: str, what: str) -> str:
    if len(number) != 18 or not number[:17].isdigit() or id_number_check_digit(number[:17]) != number[17].upper():
        raise GarbageResponseError(detail=f"{what} fails the GB 11643 check")
    return number.upper()


def parse_text(text: bytes, photo: bytes, sam_id: str, wlt_decoder: WltDecoder | None = None) -> IdentityDocument:
    """The 256-byte text block (+ WLT photo) → IdentityDocument, by the card's type flag.
    Validates formats, not content."""
    if len(text) != TEXT_LENGTH:
        raise GarbageResponseError(detail="resident ID text block is not 256 bytes")
    flag = type_flag(text)
    layout = TEXT_LAYOUTS.get(flag)
    if layout is None:
        raise GarbageResponseError(detail=f"unknown card type flag {flag!r}")
    fields = _fields(text, layout)
    birth = _date(fields["birth"])
    if birth is None:
        raise GarbageResponseError(detail="birth date is not YYYYMMDD")
    sex = {"1": Sex.MALE, "2": Sex.FEMALE}.get(fields["sex"], Sex.UNSPECIFIED)
    # "长期" (long term) instead of a date: no expiry
    valid_to = None if fields["valid_to"].startswith("长期") else _date(fields["valid_to"])
    if wlt_decoder is not None and photo:
        face: FacePhoto | None = wlt_decoder.decode(photo)
    else:
        face = FacePhoto(photo, WLT_MIME, decodable=False) if photo else None
    common = dict(
        surname="",
        given_names="",
        sex=sex,
        birth_date=birth,
        expiry_date=valid_to,
        issuing_state="CHN",
        valid_from=_date(fields["valid_from"]),
        photo=face,
        passive_auth=PassiveAuthResult(
            PassiveAuthStatus.NOT_CHECKED,
            "card authenticated by the reader's security module (GA 467 SAM); "
            "no ICAO passive authentication exists for this card",
        ),
        verified_by="chip",
        reader_id=sam_id,
    )
    if flag in ("I", "Y"):
        number = fields["id_number"].upper()
        if flag == "I":
            if not (len(number) == 15 and number[:3].isalpha() and number[3:].isdigit()):
                raise GarbageResponseError(detail="permanent residence number is not 3 letters + 12 digits")
            name_en = fields["name_en"]
        else:
            if not number.startswith("9"):
                raise GarbageResponseError(detail="2023 permanent residence number does not start with 9")
            number = _checked_gb11643(number, "permanent residence number")
            name_en = (fields["name_en"] + fields["name_en_more"]).rstrip()
        nationality = fields["nationality"].upper()
        if not (len(nationality) == 3 and nationality.isalpha()):
            raise GarbageResponseError(detail="nationality is not a 3-letter code")
        return IdentityDocument(
            document_type=DocumentType.FOREIGN_PERMANENT_RESIDENCE,
            document_number=number,
            full_name=fields["name"] or name_en,
            nationality=nationality,
            issuing_authority=fields.get("authority", ""),
            name_latin=name_en,
            card_version="2017" if flag == "I" else "2023",
            **common,  # type: ignore[arg-type]
        )
    number = _checked_gb11643(fields["id_number"], "ID number")
    if flag == "J":
        return IdentityDocument(
            document_type=DocumentType.HMT_RESIDENCE_PERMIT,
            document_number=number,
            full_name=fields["name"],
            nationality="CHN",
            issuing_authority=fields["authority"],
            address=fields["address"],
            related_document_number=fields["permit_number"],
            **common,  # type: ignore[arg-type]
        )
    nation = fields["nation"]
    return IdentityDocument(
        document_type=DocumentType.RESIDENT_ID,
        document_number=number,
        full_name=fields["name"],
        nationality="CHN",
        issuing_authority=fields["authority"],
        address=fields["address"],
        ethnic_group=NATIONS.get(int(nation), "") if nation.isdigit() else "",
        **common,  # type: ignore[arg-type]
    )


def _port_errors() -> tuple[type[BaseException], ...]:
    """What a vanished serial device raises: pyserial's exception, OSError, and on POSIX
    termios.error (tcflush on a pty whose other side closed), which is not an OSError."""
    import serial

    errors: tuple[type[BaseException], ...] = (serial.SerialException, OSError)
    try:
        import termios

        errors += (termios.error,)
    except ImportError:  # Windows
        pass
    return errors


def candidate_ports() -> list[str]:
    """Serial ports a GA 467 reader may be on: USB CDC (ttyACM*) and USB-serial adapters (ttyUSB*,
    anything with a USB vendor ID; COMn on Windows), USB ones first. Built-in UARTs (ttyS*) are
    probed only when configured by name: probing every legacy port is slow and pointless."""
    from serial.tools import list_ports

    usb, other = [], []
    for info in list_ports.comports():
        name = info.device
        if info.vid is not None:
            usb.append(name)
        elif "ttyUSB" in name or "ttyACM" in name or name.upper().startswith("COM"):
            other.append(name)
    return usb + other


def probe_port(port: str, baudrate: int = 115200, timeout: float = 0.5) -> str | None:
    """The SAM ID of a GA 467 reader on ``port`` (SAM status 11 FF answered 90), else None."""
    import serial

    try:
        conn = serial.Serial(port, baudrate, timeout=0.05, write_timeout=timeout)
    except (serial.SerialException, OSError, ValueError):
        return None
    errors: tuple[type[BaseException], ...] = (CardError, *_port_errors())
    try:
        link = SamLink(conn, timeout)
        if link.exchange(CMD_SAM_STATUS).sw3 != SW3_OK:
            return None
        r = link.exchange(CMD_SAM_ID)
        return format_sam_id(r.data) if r.sw3 == SW3_OK else None
    except errors:
        return None
    finally:
        try:
            conn.close()
        except (serial.SerialException, OSError):
            pass


def discover(
    candidates: list[str],
    baudrate: int = 115200,
    timeout: float = 0.5,
    prefer: str = "",
    skip: Callable[[str], bool] | None = None,
    on_silent: Callable[[str], None] | None = None,
) -> tuple[str, str] | None:
    """(port, SAM ID) of the first port answering as a GA 467 reader; ``prefer`` (the remembered
    port) is tried first; ``skip(port)`` leaves a port out; ``on_silent(port)`` hears of each port
    that did not answer."""
    ordered = ([prefer] if prefer else []) + [c for c in candidates if c != prefer]
    for port in ordered:
        if skip is not None and port != prefer and skip(port):
            continue
        sam_id = probe_port(port, baudrate, timeout)
        if sam_id:
            return port, sam_id
        if on_silent is not None:
            on_silent(port)
    return None


class SamLink:
    """Frames over an already open pyserial port (or anything with read/write/reset_input_buffer)."""

    def __init__(self, port: Any, timeout: float = 2.0) -> None:
        self.port = port
        self.timeout = timeout

    def exchange(self, cmd: bytes, data: bytes = b"") -> SamResponse:
        self.port.reset_input_buffer()
        self.port.write(build_command(cmd, data))
        return parse_frame(self._read_frame())

    def _read_exact(self, n: int, deadline: float) -> bytes:
        buf = b""
        while len(buf) < n:
            if time.monotonic() > deadline:
                raise CardTimeoutError(detail=f"SAM reader sent {len(buf)} of {n} bytes")
            part = self.port.read(n - len(buf))
            buf += part
        return buf

    def _read_frame(self) -> bytes:
        deadline = time.monotonic() + self.timeout
        window = b""
        while window != PREAMBLE:  # resynchronise on the preamble, skipping line noise
            window = (window + self._read_exact(1, deadline))[-5:]
        length = self._read_exact(2, deadline)
        n = int.from_bytes(length, "big")
        if n < 4 or n > 4096:
            raise GarbageResponseError(detail="SAM frame length implausible")
        return PREAMBLE + length + self._read_exact(n, deadline)


class Ga467CardService:
    """``CardReaderService`` for one GA 467 reader: on ``port`` (e.g. /dev/ttyUSB0), or found by
    probing serial ports (``port="auto"``; ``remembered_port`` is tried first, ``on_port_found``
    receives the port to remember). A reader that stops answering is searched for again (hot-plug)."""

    family = "ga467"

    def __init__(
        self,
        port: str = "auto",
        baudrate: int = 115200,
        timeout: float = 2.0,
        poll_interval: float = 0.3,
        *,
        candidates: Callable[[], list[str]] | None = None,
        remembered_port: str = "",
        on_port_found: Callable[[str], None] | None = None,
        wlt_decoder: WltDecoder | None = None,
        rediscover_interval: float = 2.0,
        silent_backoff: float = 60.0,
    ) -> None:
        self.auto = port in ("", "auto")
        self.port_name = "" if self.auto else port
        self.remembered_port = remembered_port or ("" if self.auto else port)
        self.baudrate = baudrate
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.candidates = candidates or candidate_ports
        self.on_port_found = on_port_found
        self.wlt_decoder = wlt_decoder
        self.rediscover_interval = rediscover_interval
        self.silent_backoff = silent_backoff
        self._silent_until: dict[str, float] = {}  # port → when it may be probed again
        self._next_discovery = 0.0
        # the serial port is one byte stream: every exchange runs on this one thread
        self._io = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="sam-io")
        self._serial: Any = None
        self._cancel = threading.Event()
        self._extra_cancel: CancelToken | None = None
        self._reading = threading.Lock()
        self._stop = threading.Event()
        self._monitor: threading.Thread | None = None
        self._on_state: StateCallback | None = None
        self._on_card: CardCallback | None = None
        self._state: ReaderState | None = None
        self.sam_id = ""
        self.last_errors: list[str] = []
        self.discoveries = 0  # successful searches (diagnostics; tests)

    # --- port handling (I/O thread only) -------------------------------------------------------
    def _discover(self) -> None:
        now = time.monotonic()
        if now < self._next_discovery:
            raise ReaderGoneError(reader="GA 467", detail="no reader found (waiting before searching again)")
        self._next_discovery = now + self.rediscover_interval
        try:
            candidates = self.candidates()
        except Exception as exc:  # listing ports failed (no permission, no pyserial tools)
            raise ReaderGoneError(reader="GA 467", detail=f"listing ports: {type(exc).__name__}") from None
        # A port that did not answer is not probed again for ``silent_backoff`` seconds: the probe is
        # a 10-byte frame, and other USB-serial devices (a receipt printer, a scale) should not get
        # one every few seconds while no reader is plugged in. New ports are probed at once.
        found = discover(
            candidates,
            self.baudrate,
            min(self.timeout, 0.5),
            prefer=self.remembered_port,
            skip=lambda port: self._silent_until.get(port, 0.0) > now,
            on_silent=lambda port: self._silent_until.__setitem__(port, now + self.silent_backoff),
        )
        if found is None:
            raise ReaderGoneError(reader="GA 467", detail=f"no GA 467 reader on {len(candidates)} ports")
        self.port_name, self.sam_id = found
        self.discoveries += 1
        log.info("GA 467 reader (SAM %s) found on %s", self.sam_id, self.port_name)
        if self.port_name != self.remembered_port:
            self.remembered_port = self.port_name
            if self.on_port_found is not None:
                try:
                    self.on_port_found(self.port_name)
                except Exception:  # the caller's persistence must not break reading
                    log.exception("on_port_found callback failed")

    def _link(self) -> SamLink:
        if self._serial is None:
            import serial  # pyserial; imported lazily so a missing library only disables this family

            if not self.port_name:
                self._discover()
            try:
                self._serial = serial.Serial(self.port_name, self.baudrate, timeout=0.05, write_timeout=self.timeout)
            except (serial.SerialException, OSError) as exc:
                name = self.port_name
                self._lost()
                raise ReaderGoneError(reader=name, detail=f"open: {exc.__class__.__name__}") from None
        return SamLink(self._serial, self.timeout)

    def _lost(self) -> None:
        """The reader went away: close the port; in auto mode search for it again (it may come back
        on another port), and forget its SAM ID (another reader may come back)."""
        self._drop_port()
        if self.auto:
            self.port_name = ""
            self.sam_id = ""

    def _drop_port(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            try:
                port.close()
            except Exception:
                pass

    def _exchange(self, cmd: bytes, data: bytes = b"") -> SamResponse:
        link = self._link()
        try:
            return link.exchange(cmd, data)
        except _port_errors() as exc:
            name = self.port_name
            self._lost()
            raise ReaderGoneError(reader=name, detail=f"I/O: {exc.__class__.__name__}") from None
        except CardError:
            raise

    def _card_present(self) -> bool:
        try:
            return self._exchange(CMD_FIND_CARD).sw3 == SW3_FIND_OK
        except CardTimeoutError:
            # no answer to "find card" at all: the reader (not the card) is gone or replaced
            name = self.port_name
            self._lost()
            raise ReaderGoneError(reader=name, detail="no answer to find card") from None

    # --- interface -----------------------------------------------------------------------------
    def list_readers(self) -> list[ReaderInfo]:
        try:
            present = self._io.submit(self._card_present).result(timeout=self.timeout * 2 + 5)
        except (CardError, concurrent.futures.TimeoutError):
            return []
        return [ReaderInfo(self.port_name, self.family, present)]

    def _emit(self, state: ReaderState, error: CardError | None = None) -> None:
        if state is self._state and error is None:
            return
        self._state = state
        if self._on_state is not None:
            try:
                self._on_state(self.port_name, state, error)
            except Exception:
                log.exception("reader state callback failed")

    def start_watching(self, on_state: StateCallback, on_card: CardCallback | None = None) -> None:
        self.stop_watching()
        self._on_state, self._on_card = on_state, on_card
        self._stop.clear()
        self._state = None
        self._monitor = threading.Thread(target=self._poll_loop, name="sam-monitor", daemon=True)
        self._monitor.start()

    def stop_watching(self) -> None:
        self._stop.set()
        if self._monitor is not None:
            self._monitor.join(timeout=5)
            self._monitor = None

    def monitor_alive(self) -> bool:
        return self._monitor is not None and self._monitor.is_alive()

    def _poll_loop(self) -> None:
        # GA 467 readers have no event channel: poll "find card" (cheap, ~10 ms on real readers).
        while not self._stop.is_set():
            try:
                if self._state not in (ReaderState.READING,):
                    present = self._io.submit(self._card_present).result(timeout=self.timeout * 2)
                    if present and self._state not in (
                        ReaderState.CARD_PRESENT,
                        ReaderState.READ_OK,
                        ReaderState.ERROR,
                    ):
                        self._emit(ReaderState.CARD_PRESENT)
                        if self._on_card is not None:
                            self._on_card(self.port_name, b"")
                    elif not present:
                        self._emit(ReaderState.READER_READY)
            except ReaderGoneError:
                self._emit(ReaderState.NO_READER)
            except Exception as exc:  # garbage from the reader: keep polling
                self.last_errors = (self.last_errors + [str(exc)])[-20:]
            self._stop.wait(self.poll_interval)

    def read(
        self,
        reader: str = "",
        mrz_key: object | None = None,
        timeout: float = 10.0,
        cancel: CancelToken | None = None,
    ) -> IdentityDocument:
        """Read the card on the reader. ``mrz_key`` is not used (the SAM needs no key); ``cancel``
        (or ``self.cancel()``) is checked between frames."""
        if not self._reading.acquire(blocking=False):
            raise ReaderBusyError(detail="a read is already running")
        try:
            self._cancel.clear()
            self._extra_cancel = cancel
            future = self._io.submit(self._read_on_io_thread)
            try:
                return future.result(timeout=timeout)
            except concurrent.futures.TimeoutError:
                self._cancel.set()
                raise CardTimeoutError(detail=f"no result within {timeout:.0f} s") from None
        finally:
            self._reading.release()

    def _read_on_io_thread(self) -> IdentityDocument:
        from clerk_app.errors import UserCancelled

        self._emit(ReaderState.READING)
        try:
            document = self._read()
        except CardError as exc:
            self.last_errors = (self.last_errors + [str(exc)])[-20:]
            self._emit(ReaderState.ERROR, exc)
            raise
        except UserCancelled:
            self._emit(ReaderState.CARD_PRESENT)
            raise
        self._emit(ReaderState.READ_OK)
        return document

    def _check_cancel(self) -> None:
        from clerk_app.errors import UserCancelled

        if self._cancel.is_set() or (self._extra_cancel is not None and self._extra_cancel.is_set()):
            raise UserCancelled(detail="resident ID read cancelled")

    def _read(self) -> IdentityDocument:
        self._check_cancel()
        if not self.sam_id:
            r = self._exchange(CMD_SAM_ID)
            if r.sw3 != SW3_OK:
                raise GarbageResponseError(detail=f"SAM ID: SW3 {r.sw3:02X}")
            self.sam_id = format_sam_id(r.data)
        self._check_cancel()
        r = self._exchange(CMD_FIND_CARD)
        if r.sw3 != SW3_FIND_OK:
            raise NoCardError(detail=f"find card: SW3 {r.sw3:02X}")
        self._check_cancel()
        r = self._exchange(CMD_SELECT_CARD)
        if r.sw3 != SW3_OK:
            raise CardRemovedError(detail=f"select card: SW3 {r.sw3:02X}")
        self._check_cancel()
        try:
            r = self._exchange(CMD_READ_TEXT_PHOTO)
        except CardTimeoutError:
            raise CardRemovedError(detail="no answer to read (card lifted?)") from None
        if r.sw3 == SW3_READ_FAILED:
            raise CardRemovedError(detail="read failed (SW3 41): card moved or lifted")
        if r.sw3 != SW3_OK:
            raise GarbageResponseError(detail=f"read: SW3 {r.sw3:02X}")
        if len(r.data) < 4:
            raise GarbageResponseError(detail="read answer too short")
        text_len = int.from_bytes(r.data[0:2], "big")
        photo_len = int.from_bytes(r.data[2:4], "big")
        if text_len != TEXT_LENGTH or len(r.data) != 4 + text_len + photo_len:
            raise GarbageResponseError(detail="read answer lengths inconsistent")
        text = r.data[4 : 4 + text_len]
        photo = r.data[4 + text_len :]
        self._check_cancel()
        document = parse_text(text, photo, self.sam_id, self.wlt_decoder)
        log.info(
            "GA 467 read (%s) via SAM %s on %s; photo %s",
            document.document_type.value,
            self.sam_id,
            self.port_name,
            "decoded" if document.photo and document.photo.decodable else f"{len(photo)} bytes WLT, not decodable",
        )
        return document

    def cancel(self) -> None:
        self._cancel.set()

    def close(self) -> None:
        self.stop_watching()
        self._cancel.set()
        self._io.submit(self._drop_port)
        self._io.shutdown(wait=True)
