"""Identity numbers: resident ID (GB 11643-1999) and unified social credit code (GB 32100-2015),
validation and masking. Pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from clerk_app import i18n
from clerk_app.errors import DomainError

# GB 11643-1999 §8.2: weights 2^(17-i) mod 11 for positions 1..17; check = (12 - sum mod 11) mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# GB/T 2260 province-level prefixes (first two digits of the administrative division code).
PROVINCE_PREFIXES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    }
)

# GB 32100-2015 §4: 31 characters without I, O, Z, S, V; weights 3^(i-1) mod 31.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


class InvalidIdentityNumber(DomainError):
    key = i18n.register("error.identity_invalid", "{kind}不正确：{problem}", "Invalid {kind}: {problem}")


ID_KIND = i18n.register("kind.resident_id", "公民身份号码", "resident ID number")
USCC_KIND = i18n.register("kind.uscc", "统一社会信用代码", "unified social credit code")
_P_LENGTH = i18n.register("problem.length", "应为{n}位", "must have {n} characters")
_P_CHARS = i18n.register("problem.chars", "含有不允许的字符", "contains characters that are not allowed")
_P_REGION = i18n.register("problem.region", "地区码不存在", "unknown region prefix")
_P_BIRTH = i18n.register("problem.birth", "出生日期不存在", "birth date does not exist")
_P_FUTURE = i18n.register("problem.future", "出生日期晚于今天", "birth date is in the future")
_P_CHECK = i18n.register("problem.check", "校验位不符，请核对是否录错", "check character does not match: mistyped?")


def validate_hmt_residence_permit(number: str, today: dt.date | None = None) -> str:
    """港澳台居民居住证: 18 characters built like the resident ID (GB 11643 check character), with the
    region code 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan)."""
    n = validate_resident_id(number, today)
    if n[:2] not in ("81", "82", "83"):
        raise _invalid(ID_KIND, _P_REGION)
    return n


def normalise_typed(text: str) -> str:
    """A number as typed or scanned, normalised once at the edge: NFKC (full-width ``１９４９`` →
    ``1949``, ideographic spaces), spaces and hyphens removed, upper case (GB 11643 ``x`` → ``X``,
    GB 32100 letters). Validation then works on ASCII only."""
    t = unicodedata.normalize("NFKC", text).upper()
    return "".join(ch for ch in t if not ch.isspace() and ch != "-")


_DIGITS = frozenset("0123456789")


def resident_id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


def _invalid(kind: str, problem: str, **params: object) -> InvalidIdentityNumber:
    return InvalidIdentityNumber(kind=i18n.Msg(kind), problem=i18n.Msg(problem, **params))


def validate_resident_id(number: str, today: dt.date | None = None) -> str:
    """Return the normalised 18-character number or raise InvalidIdentityNumber (no PII in text)."""
    n = normalise_typed(number)
    if len(n) != 18:
        raise _invalid(ID_KIND, _P_LENGTH, n=18)
    if not (set(n[:17]) <= _DIGITS and (n[17] in _DIGITS or n[17] == "X")):
        raise _invalid(ID_KIND, _P_CHARS)
    if n[:2] not in PROVINCE_PREFIXES:
        raise _invalid(ID_KIND, _P_REGION)
    birth = resident_id_birth_date(n)
    if birth is None:
        raise _invalid(ID_KIND, _P_BIRTH)
    if birth > (today or dt.date.today()):
        raise _invalid(ID_KIND, _P_FUTURE)
    if resident_id_check_char(n[:17]) != n[17]:
        raise _invalid(ID_KIND, _P_CHECK)
    return n


def resident_id_birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def resident_id_sex(number: str) -> str:
    """'M' or 'F' from the sequence code's parity (GB 11643 §6.3)."""
    return "M" if int(number[16]) % 2 else "F"


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(code: str) -> str:
    c = normalise_typed(code)
    if len(c) != 18:
        raise _invalid(USCC_KIND, _P_LENGTH, n=18)
    if not _USCC_RE.match(c):
        raise _invalid(USCC_KIND, _P_CHARS)
    if uscc_check_char(c[:17]) != c[17]:
        raise _invalid(USCC_KIND, _P_CHECK)
    return c


PHONE_KIND = i18n.register("kind.phone", "联系电话", "phone number")
DOCUMENT_KIND = i18n.register("kind.document_number", "证件号码", "document number")
_PHONE_RE = re.compile(r"^\+?[0-9]{5,20}$")
_DOCUMENT_RE = re.compile(r"^[0-9A-Z]{5,20}$")


def validate_phone(phone: str) -> str:
    """A phone number normalised (NFKC, no spaces or hyphens): optional ``+`` then 5–20 digits."""
    p = normalise_typed(phone)
    if not _PHONE_RE.match(p):
        raise _invalid(PHONE_KIND, _P_CHARS)
    return p


def validate_document_number(number: str) -> str:
    """Another document's number (passport, travel permits, foreigner's permanent residence card):
    normalised, then 5–20 letters and digits."""
    n = normalise_typed(number)
    if not _DOCUMENT_RE.match(n):
        raise _invalid(DOCUMENT_KIND, _P_CHARS)
    return n


def mask_id_number(number: str) -> str:
    """``420102199001011234`` → ``4201**********1234``: first 4 and last 4 kept (any length ≥ 9)."""
    n = number.strip()
    if len(n) <= 8:
        return "*" * len(n)
    return n[:4] + "*" * (len(n) - 8) + n[-4:]


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***; Latin names keep the first letter of each word."""
    name = name.strip()
    if not name:
        return ""
    if name.isascii():
        return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split())
    return name[0] + "*" * (len(name) - 1)


def mask_address(address: str) -> str:
    """Keep the first six characters (province/city level), mask the rest."""
    a = address.strip()
    return a[:6] + "*" * max(0, min(len(a) - 6, 10))


def mask_phone(phone: str) -> str:
    p = phone.strip()
    return p[:3] + "****" + p[-4:] if len(p) >= 11 else mask_id_number(p)
