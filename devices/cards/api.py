"""The Qt-free interface of the identity-document readers: what a read returns, reader states, errors.

Every backend (pyscard + ICAO 9303 eMRTD, GA 467 resident-ID SAM readers, the simulator) implements
``CardReaderService`` and returns ``IdentityDocument``. Nothing here may carry personal data into an
exception text or a log line: errors name the problem, never the holder.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from clerk_app import i18n
from clerk_app.errors import DeviceError


class DocumentType(enum.Enum):
    PASSPORT = "passport"
    HK_MACAU_PERMIT = "hk_macau_permit"  # 往来港澳通行证 (ICAO TD1, document code "CS")
    TAIWAN_PERMIT = "taiwan_permit"  # 往来台湾通行证 (document code "CD")
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"  # 外国人永久居留身份证 (ICAO, or GA 467 2017/2023)
    RESIDENT_ID = "resident_id"  # 居民身份证 (GA 467 SAM reader, not ICAO)
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit"  # 港澳台居民居住证 (GA 467 SAM reader)
    OTHER_ICAO = "other_icao"  # any other ICAO 9303 document (visa, foreign ID card)


class Sex(enum.Enum):
    MALE = "M"
    FEMALE = "F"
    UNSPECIFIED = "X"


class PassiveAuthStatus(enum.Enum):
    """ICAO 9303-11 §5.1 passive authentication outcome, as shown to the clerk."""

    VERIFIED = "verified"
    DATA_ALTERED = "data_altered"  # a data-group hash differs from the SOD, or bad SOD signature
    ISSUER_NOT_TRUSTED = "issuer_not_trusted"  # DS certificate not signed by a configured CSCA
    NOT_CHECKED = "not_checked"  # no SOD (resident ID, simulator) or no CSCA folder


class PaCheck(enum.Enum):
    """Which passive-authentication check failed (``PassiveAuthResult.failed_check``)."""

    NONE = "none"  # nothing failed (verified, or not checked)
    SOD_MALFORMED = "sod_malformed"  # EF.SOD unreadable, or its signer info is
    DG_HASH = "dg_hash"  # a data group differs from its hash in the SOD, or is not covered
    SOD_SIGNATURE = "sod_signature"  # the SOD's signature (or message digest) does not verify
    CSCA_UNKNOWN = "csca_unknown"  # no trusted CSCA issued the document signer certificate
    DS_REVOKED = "ds_revoked"  # the document signer certificate is on a CSCA's CRL
    DS_VALIDITY = "ds_validity"  # signing time outside the document signer certificate's validity
    CSCA_VALIDITY = "csca_validity"  # signing time outside the CSCA certificate's validity


@dataclass(frozen=True)
class PassiveAuthResult:
    status: PassiveAuthStatus
    detail: str = ""  # technical English, no personal data (e.g. "DG1 hash mismatch")
    signer_subject: str = ""  # the document signer's subject (an authority, not a person)
    failed_check: PaCheck = PaCheck.NONE

    @property
    def verified(self) -> bool:
        return self.status is PassiveAuthStatus.VERIFIED


class ReaderState(enum.Enum):
    NO_READER = "no_reader"
    READER_READY = "reader_ready"
    CARD_PRESENT = "card_present"
    READING = "reading"
    READ_OK = "read_ok"
    ERROR = "error"


@dataclass(frozen=True)
class FacePhoto:
    data: bytes
    mime: str  # image/jpeg, image/jp2, or application/x-wlt (resident ID, undecoded)
    decodable: bool  # False: stored as is, "needs vendor decoder" (WLT)
    width: int = 0
    height: int = 0

    def __repr__(self) -> str:  # never dump a face into a log
        return f"FacePhoto(mime={self.mime!r}, bytes={len(self.data)}, decodable={self.decodable})"


@dataclass(frozen=True)
class IdentityDocument:
    """One identity document as read from its chip. ``repr`` is masked: safe for a log line."""

    document_type: DocumentType
    document_number: str
    surname: str
    given_names: str
    full_name: str
    sex: Sex
    birth_date: dt.date | None
    nationality: str  # ICAO 3-letter code ("CHN" for the resident ID)
    expiry_date: dt.date | None  # None: long-term (长期) resident ID
    issuing_state: str = ""  # ICAO code of the issuing state or organisation
    issuing_authority: str = ""  # resident ID: 签发机关
    valid_from: dt.date | None = None
    address: str = ""  # resident ID only
    ethnic_group: str = ""  # resident ID only: 民族 (GB 3304 name, e.g. 汉)
    photo: FacePhoto | None = None
    passive_auth: PassiveAuthResult = field(
        default_factory=lambda: PassiveAuthResult(PassiveAuthStatus.NOT_CHECKED, "not checked")
    )
    verified_by: str = "chip"
    raw_mrz: str = ""  # DG1 MRZ lines joined with "\n" (empty for the resident ID)
    reader_id: str = ""  # SAM ID (resident ID) or reader name; not personal data
    name_latin: str = ""  # foreigner's permanent residence ID: the English name (the Chinese one is full_name)
    related_document_number: str = ""  # 港澳台居民居住证: the HK/Macau/Taiwan travel permit number
    card_version: str = ""  # GA 467 cards: "2017" / "2023" for the foreigner's card, "" otherwise

    def __repr__(self) -> str:
        return (
            f"IdentityDocument(type={self.document_type.value}, "
            f"number={mask_document_number(self.document_number)}, "
            f"pa={self.passive_auth.status.value}, photo={self.photo!r})"
        )

    __str__ = __repr__


def mask_document_number(number: str) -> str:
    """Keep the first 2 and last 2 characters, for the rare log line that must refer to a document."""
    if len(number) <= 4:
        return "*" * len(number)
    return number[:2] + "*" * (len(number) - 4) + number[-2:]


@dataclass(frozen=True)
class MrzKey:
    """What BAC needs (ICAO 9303-11 §4.3.2): typed by the clerk or read by a keyboard-wedge MRZ reader."""

    document_number: str
    birth_date: str  # YYMMDD
    expiry_date: str  # YYMMDD

    def __repr__(self) -> str:
        return f"MrzKey(number={mask_document_number(self.document_number)})"


@dataclass(frozen=True)
class CanKey:
    """The card access number printed on the document (ICAO 9303-11 §9.7.3): a PACE password that
    can be used instead of the MRZ. Six digits on ICAO documents."""

    can: str

    def __post_init__(self) -> None:
        if not (self.can.isascii() and self.can.isdigit() and len(self.can) == 6):
            raise WrongMrzError(problem="the card access number must be 6 digits")

    def __repr__(self) -> str:
        return "CanKey(***)"


AccessKey = MrzKey | CanKey
"""What the chip's access control needs: the MRZ (BAC or PACE) or the CAN (PACE only)."""


@dataclass(frozen=True)
class ReaderInfo:
    name: str
    family: str  # "pcsc" | "ga467" | "simulated"
    card_present: bool = False
    atr: bytes = b""


# --- errors -----------------------------------------------------------------------------------------


class CardError(DeviceError):
    key = i18n.register("cards.error", "读卡失败：{problem}。请重新放置证件后再试。", "Card read failed: {problem}")


class BacFailedError(CardError):
    key = i18n.register(
        "cards.bac_failed",
        "证件芯片拒绝了访问密钥：证件号码、出生日期或有效期限输入有误。请核对证件资料页后重新输入。",
        "The chip rejected the access key (BAC failed): document number, birth date or expiry is wrong",
    )


class CanRejectedError(BacFailedError):
    key = i18n.register(
        "cards.can_rejected",
        "证件芯片拒绝了卡片访问号（CAN）。请核对证件正面印制的 6 位数字后重新输入，或改用机读码（MRZ）。",
        "The chip rejected the card access number (PACE failed)",
    )


class CanNotSupportedError(CardError):
    key = i18n.register(
        "cards.can_not_supported",
        "此证件芯片不支持使用卡片访问号（CAN）读取。请改为输入或扫描证件资料页的机读码（MRZ）。",
        "This chip does not offer PACE: the card access number cannot be used, the MRZ is needed",
    )


class PaceUnsupportedError(CardError):
    key = i18n.register(
        "cards.pace_unsupported",
        "此证件芯片只提供本机不支持的访问协议（{protocol}）。请改用其他方式核验身份，并告知信息技术支持。",
        "The chip offers only access protocols this station does not support ({protocol})",
    )


class WrongMrzError(CardError):
    key = i18n.register(
        "cards.wrong_mrz",
        "机读码（MRZ）信息有误：{problem}。请核对证件资料页后重新输入或重新扫描。",
        "The MRZ data is not valid: {problem}",
    )


class CardRemovedError(CardError):
    key = i18n.register(
        "cards.card_removed",
        "读取过程中证件被移开。请将证件平稳放在读卡器上，读取完成前不要移动，然后重新读取。",
        "The card was removed during the read",
    )


class UnknownCardError(CardError):
    key = i18n.register(
        "cards.unknown_card",
        "无法识别的卡片（ATR：{atr}）。请确认放置的是护照、通行证或永久居留证件。",
        "Unknown card (ATR {atr})",
    )


class ReaderGoneError(CardError):
    key = i18n.register(
        "cards.reader_gone",
        "读卡器“{reader}”不可用（已拔出或读卡服务已停止）。请检查读卡器连接，稍后重试。",
        "Reader {reader} is not available (unplugged or PC/SC service stopped)",
    )


class GarbageResponseError(CardError):
    key = i18n.register(
        "cards.garbage",
        "证件芯片返回了无法解析的数据。请重新放置证件后再读；如反复出现，请换用其他读卡器。",
        "The card returned a malformed response",
    )


class CardTimeoutError(CardError):
    key = i18n.register("cards.timeout", "读卡超时。请重新放置证件后再试。", "The card read timed out")


class NoCardError(CardError):
    key = i18n.register("cards.no_card", "读卡器上没有证件。请放置证件后再读取。", "No card on the reader")


class ReaderBusyError(CardError):
    key = i18n.register("cards.busy", "读卡器正忙，请等待当前读取完成。", "The reader is busy with another read")


# --- the service ------------------------------------------------------------------------------------


class CancelToken(Protocol):
    """Anything with ``is_set()`` (a ``threading.Event``): checked between APDUs / SAM frames."""

    def is_set(self) -> bool: ...


class AnyOf:
    """A cancel token set when any of its tokens is (the service's own ``cancel()`` or the caller's)."""

    def __init__(self, *tokens: CancelToken | None) -> None:
        self.tokens = [t for t in tokens if t is not None]

    def is_set(self) -> bool:
        return any(t.is_set() for t in self.tokens)


StateCallback = Callable[[str, ReaderState, "CardError | None"], None]
"""(reader name, new state, error when state is ERROR). Called on a device thread, not the GUI thread."""

CardCallback = Callable[[str, bytes], None]
"""(reader name, ATR) when a card is put on a reader. Called on a device thread."""


@runtime_checkable
class CardReaderService(Protocol):
    """One family of readers. Blocking calls; the UI runs ``read`` off the GUI thread."""

    def list_readers(self) -> list[ReaderInfo]: ...

    def start_watching(self, on_state: StateCallback, on_card: CardCallback | None = None) -> None: ...

    def stop_watching(self) -> None: ...

    def monitor_alive(self) -> bool:
        """True while the background watcher runs (for the diagnostics dialog)."""
        ...

    def read(
        self, reader: str, mrz_key: AccessKey | None = None, timeout: float = 30.0, cancel: CancelToken | None = None
    ) -> IdentityDocument:
        """Blocking read of the card on ``reader``. ``cancel`` (e.g. the background operation's event)
        is checked between APDUs / frames, like ``cancel()``; either makes it raise ``UserCancelled``."""
        ...

    def cancel(self) -> None:
        """Ask a running ``read`` to stop at the next APDU; it then raises ``UserCancelled``."""
        ...

    def close(self) -> None: ...
