"""Machine-readable zone: check digits, TD1/TD2/TD3 parsing (ICAO 9303 parts 3-6), BAC key input.

Used for DG1 read from a chip and for the text a keyboard-wedge MRZ reader types into a field.
Every failure is a ``WrongMrzError`` naming the field, never its value.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from devices.cards.api import DocumentType, MrzKey, Sex, WrongMrzError

_WEIGHTS = (7, 3, 1)


def char_value(ch: str) -> int:
    """ICAO 9303-3 §4.9: digits are themselves, A..Z are 10..35, the filler '<' is 0."""
    if "0" <= ch <= "9":
        return ord(ch) - 48
    if "A" <= ch <= "Z":
        return ord(ch) - 55
    if ch == "<":
        return 0
    raise WrongMrzError(problem="character not allowed in an MRZ")


def check_digit(data: str) -> str:
    """ICAO 9303-3 §4.9 check digit (weights 7, 3, 1, modulus 10)."""
    return str(sum(char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(data)) % 10)


def _verify(data: str, digit: str, what: str) -> None:
    # A field that is entirely filler may carry '<' as its check digit (ICAO 9303-3 §4.9 note).
    if digit == "<" and set(data) <= {"<"}:
        return
    if check_digit(data) != digit:
        raise WrongMrzError(problem=f"check digit of the {what} does not match")


@dataclass(frozen=True)
class MrzData:
    format: str  # "TD1" | "TD2" | "TD3"
    document_code: str  # "P<", "CS", "I<" ...
    issuing_state: str
    document_number: str
    birth_date_raw: str  # YYMMDD as printed
    expiry_date_raw: str
    sex: Sex
    nationality: str
    surname: str
    given_names: str
    optional_data: str
    lines: tuple[str, ...]

    @property
    def document_type(self) -> DocumentType:
        return document_type_for(self.document_code, self.issuing_state)

    @property
    def birth_date(self) -> dt.date | None:
        return parse_yymmdd(self.birth_date_raw, past=True)

    @property
    def expiry_date(self) -> dt.date | None:
        return parse_yymmdd(self.expiry_date_raw, past=False)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_names) if p)

    def bac_key(self) -> MrzKey:
        return MrzKey(self.document_number, self.birth_date_raw, self.expiry_date_raw)

    def __repr__(self) -> str:
        return f"MrzData(format={self.format}, code={self.document_code!r})"


def document_type_for(code: str, issuing_state: str) -> DocumentType:
    """Map the MRZ document code to our document types.

    Chinese exit-entry documents: 往来港澳通行证 "CS", 往来台湾通行证 "CD" (issuing state CHN);
    the foreigner's permanent residence ID card is a TD1 "I" document issued by CHN (the 2023 card
    uses "IR"). These codes should be confirmed against the NIA specimens before production use.
    """
    if code.startswith("P"):
        return DocumentType.PASSPORT
    if code == "CS":
        return DocumentType.HK_MACAU_PERMIT
    if code == "CD":
        return DocumentType.TAIWAN_PERMIT
    if code.startswith("I") and issuing_state == "CHN":
        return DocumentType.FOREIGN_PERMANENT_RESIDENCE
    return DocumentType.OTHER_ICAO


def parse_yymmdd(raw: str, past: bool, today: dt.date | None = None) -> dt.date | None:
    """A YYMMDD date; birth dates lie in the past, expiry dates up to 50 years ahead (9303-3 §4.7)."""
    if not re.fullmatch(r"\d{6}", raw):
        return None
    today = today or dt.date.today()
    yy, mm, dd = int(raw[:2]), int(raw[2:4]), int(raw[4:])
    century = today.year // 100 * 100
    year = century + yy
    if past and year > today.year:
        year -= 100
    if not past and year > today.year + 50:
        year -= 100
    try:
        return dt.date(year, mm, dd)
    except ValueError:
        return None


def _names(field: str) -> tuple[str, str]:
    primary, _, secondary = field.partition("<<")
    return primary.replace("<", " ").strip(), secondary.replace("<", " ").strip()


def _sex(ch: str) -> Sex:
    return {"M": Sex.MALE, "F": Sex.FEMALE}.get(ch, Sex.UNSPECIFIED)


def _long_number(number9: str, cd: str, optional: str) -> tuple[str, str, str]:
    """ICAO 9303-5 §4.2.4 note j: a document number longer than 9 characters continues in the
    optional data (the check digit position then holds '<'); its check digit ends that part."""
    if cd != "<" or not optional or optional[0] == "<":
        return number9.rstrip("<"), cd, optional
    tail, _, rest = optional.partition("<")
    if len(tail) < 2:
        raise WrongMrzError(problem="long document number is truncated")
    return number9 + tail[:-1], tail[-1], rest


_ALLOWED = re.compile(r"[A-Z0-9<]*")


def normalise_lines(text: str) -> list[str]:
    """Lines from keyboard-wedge or clerk input: upper case, blanks dropped, CR/LF split, and a
    run-together 90/72/88-character string split into TD1/TD2/TD3 lines."""
    # NFKC first: full-width letters and digits typed with a Chinese IME become ASCII.
    text = unicodedata.normalize("NFKC", text).upper().replace("\r", "\n").replace("«", "<")
    lines = [re.sub(r"[ \t]", "", ln) for ln in text.split("\n")]
    lines = [ln for ln in lines if ln]
    if len(lines) == 1:
        one = lines[0]
        for size, count in ((30, 3), (36, 2), (44, 2)):
            if len(one) == size * count:
                lines = [one[i * size : (i + 1) * size] for i in range(count)]
                break
    for ln in lines:
        if not _ALLOWED.fullmatch(ln):
            raise WrongMrzError(problem="character not allowed in an MRZ")
    return lines


def parse_mrz(text: str | bytes) -> MrzData:
    """Parse TD1 (3×30), TD2 (2×36) or TD3 (2×44) and validate every check digit."""
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            raise WrongMrzError(problem="MRZ is not ASCII") from None
    lines = normalise_lines(text)
    shape = tuple(len(ln) for ln in lines)
    if shape == (30, 30, 30):
        return _parse_td1(lines)
    if shape == (36, 36):
        return _parse_td2_td3(lines, "TD2")
    if shape == (44, 44):
        return _parse_td2_td3(lines, "TD3")
    raise WrongMrzError(problem="MRZ has neither TD1, TD2 nor TD3 line lengths")


def _parse_td1(lines: list[str]) -> MrzData:
    # ICAO 9303-5 §4.2.2
    l1, l2, l3 = lines
    number, number_cd, optional1 = _long_number(l1[5:14], l1[14], l1[15:30])
    _verify(number if len(number) > 9 else l1[5:14], number_cd, "document number")
    _verify(l2[0:6], l2[6], "birth date")
    _verify(l2[8:14], l2[14], "expiry date")
    _verify(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29], "composite")
    surname, given = _names(l3)
    return MrzData(
        "TD1",
        l1[0:2],
        l1[2:5].replace("<", ""),
        number.rstrip("<"),
        l2[0:6],
        l2[8:14],
        _sex(l2[7]),
        l2[15:18].replace("<", ""),
        surname,
        given,
        (optional1 + l2[18:29]).strip("<"),
        tuple(lines),
    )


def _parse_td2_td3(lines: list[str], fmt: str) -> MrzData:
    # ICAO 9303-4 §4.2.2 (TD3), 9303-6 §4.2.2 (TD2)
    l1, l2 = lines
    end = 43 if fmt == "TD3" else 35
    optional = l2[28 : end - (1 if fmt == "TD3" else 0)]
    number, number_cd, optional_rest = l2[0:9], l2[9], optional
    if fmt == "TD2":
        number, number_cd, optional_rest = _long_number(l2[0:9], l2[9], optional)
    _verify(number if len(number) > 9 else l2[0:9], number_cd, "document number")
    _verify(l2[13:19], l2[19], "birth date")
    _verify(l2[21:27], l2[27], "expiry date")
    if fmt == "TD3":
        _verify(l2[28:42], l2[42], "personal number")
    _verify(l2[0:10] + l2[13:20] + l2[21:end], l2[end], "composite")
    surname, given = _names(l1[5:])
    return MrzData(
        fmt,
        l1[0:2],
        l1[2:5].replace("<", ""),
        number.rstrip("<"),
        l2[13:19],
        l2[21:27],
        _sex(l2[20]),
        l2[10:13].replace("<", ""),
        surname,
        given,
        optional_rest.strip("<"),
        tuple(lines),
    )


def mrz_key(document_number: str, birth_date: str | dt.date, expiry_date: str | dt.date) -> MrzKey:
    """Validate what the clerk typed (or a keyboard-wedge reader sent) into a BAC key."""
    number = re.sub(r"\s", "", unicodedata.normalize("NFKC", document_number).upper())
    if not number or not _ALLOWED.fullmatch(number):
        raise WrongMrzError(problem="document number must be letters and digits")

    def yymmdd(value: str | dt.date, what: str) -> str:
        if isinstance(value, dt.date):
            return value.strftime("%y%m%d")
        digits = re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", value))
        if len(digits) == 8:  # YYYYMMDD / YYYY-MM-DD typed by a clerk
            digits = digits[2:]
        if len(digits) != 6:
            raise WrongMrzError(problem=f"{what} must be YYMMDD or YYYY-MM-DD")
        return digits

    return MrzKey(number, yymmdd(birth_date, "birth date"), yymmdd(expiry_date, "expiry date"))


def bac_mrz_information(key: MrzKey) -> bytes:
    """ICAO 9303-11 §4.3.2 / 9.7.2: document number (padded to 9 with '<') + check digit, birth date
    + check digit, expiry date + check digit."""
    number = key.document_number.upper()
    if len(number) < 9:
        number = number + "<" * (9 - len(number))
    for value in (key.birth_date, key.expiry_date):
        if not re.fullmatch(r"\d{6}", value):
            raise WrongMrzError(problem="dates must be six digits YYMMDD")
    info = (
        number
        + check_digit(number)
        + key.birth_date
        + check_digit(key.birth_date)
        + key.expiry_date
        + check_digit(key.expiry_date)
    )
    return info.encode("ascii")


def build_td3(
    code: str,
    state: str,
    surname: str,
    given: str,
    number: str,
    nationality: str,
    birth: str,
    sex: str,
    expiry: str,
    personal: str = "",
) -> str:
    """Compose a valid TD3 MRZ (for the simulator and test documents)."""
    names = (surname.replace(" ", "<") + "<<" + given.replace(" ", "<"))[:39]
    l1 = (code.ljust(2, "<") + state.ljust(3, "<") + names).ljust(44, "<")
    num = number.ljust(9, "<")
    pers = personal.ljust(14, "<")
    head = num + check_digit(num) + nationality.ljust(3, "<") + birth + check_digit(birth) + sex
    tail = expiry + check_digit(expiry) + pers + check_digit(pers)
    l2 = head + tail
    composite = check_digit(l2[0:10] + l2[13:20] + l2[21:43])
    return l1 + "\n" + l2 + composite


def build_td1(
    code: str,
    state: str,
    surname: str,
    given: str,
    number: str,
    nationality: str,
    birth: str,
    sex: str,
    expiry: str,
    optional: str = "",
) -> str:
    """Compose a valid TD1 MRZ (document number of at most 9 characters)."""
    num = number.ljust(9, "<")
    l1 = (code.ljust(2, "<") + state.ljust(3, "<") + num + check_digit(num) + optional).ljust(30, "<")
    l2 = (birth + check_digit(birth) + sex + expiry + check_digit(expiry) + nationality.ljust(3, "<")).ljust(29, "<")
    l2 += check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    l3 = (surname.replace(" ", "<") + "<<" + given.replace(" ", "<"))[:30].ljust(30, "<")
    return "\n".join((l1, l2, l3))
