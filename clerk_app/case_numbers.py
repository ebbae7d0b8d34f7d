"""Case numbers (受理编号): unique per station without a network, with check characters.

Format ``<station><yyyymmdd><5-digit sequence><2 check characters>``, e.g. ``WH01`` + ``20261204`` +
``00007`` + ``K4``: station code 2–12 of ``0-9A-Z``, a real date, five digits, then ISO/IEC 7064
**MOD 1271-36** (a pure system for alphanumeric strings, two check characters from ``0-9A-Z``). It
catches every single-character substitution and every adjacent transposition over the whole
alphabet: a substitution changes the value by d·36^k and a swap by (a−b)·35·36^k with 0 < |d|, |a−b|
< 36, and 1271 = 31·41 shares no factor with 35 or 36, so neither is ≡ 0 (mod 1271).

Numbers issued before 2026-12-04 used ISO/IEC 7064 MOD 97-10 with two digits, after converting
letters to two digits each — which misses about 1 in 110 letter↔digit typos. They stay valid and
searchable (``is_legacy_case_number``): a legacy number is recognised only with a date before the
switch, and it is only ever used to look up a case that exists, so a mistyped new number that happens
to pass the old check resolves to "not found", never to another case.

The sequence row is incremented inside the decision transaction: a number exists only if its
decision committed, and the unique constraint on cases.case_number makes reuse impossible.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerk_app import i18n
from clerk_app.store.models import CaseNumberSequence

_DRAFT = i18n.register("case_number.draft", "（草稿）", "(draft)")


def draft_number(case_number: str | None) -> str:
    """The case number as shown, or （草稿） for a case not decided yet."""
    return case_number or i18n.text(_DRAFT)


_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MODULUS, _RADIX = 1271, 36  # ISO/IEC 7064 MOD 1271-36
STATION_RE = re.compile(r"^[0-9A-Z]{2,12}$")
_SHAPE = re.compile(r"^([0-9A-Z]{2,12})(\d{8})(\d{5})([0-9A-Z]{2})$")
LEGACY_UNTIL = dt.date(2026, 12, 3)  # the last day numbers were issued with MOD 97-10
SUFFIX_MIN, SUFFIX_MAX = 4, 8  # a partial number typed at search: its last 4–8 characters


def normalise_case_number(text: str) -> str:
    """What the clerk typed or a scanner sent, as the store holds it: NFKC (full-width ``ＷＨ０１`` →
    ``WH01``), upper case, no spaces or hyphens."""
    t = unicodedata.normalize("NFKC", text).upper()
    return "".join(ch for ch in t if not ch.isspace() and ch != "-")


def check_chars(body: str) -> str:
    """The two MOD 1271-36 check characters of ``body`` (``0-9A-Z``): the whole number read in base
    36 is ≡ 1 (mod 1271)."""
    c = (1 - int(body + "00", _RADIX)) % _MODULUS
    return _ALNUM[c // _RADIX] + _ALNUM[c % _RADIX]


def _shape(n: str) -> re.Match[str] | None:
    m = _SHAPE.match(n)
    if m is None:
        return None
    try:
        dt.date(int(m.group(2)[:4]), int(m.group(2)[4:6]), int(m.group(2)[6:]))
    except ValueError:
        return None
    return m


def is_valid_case_number(number: str) -> bool:
    """A case number of the current scheme: the shape (station code, a real date, five digits) and
    the MOD 1271-36 check."""
    n = normalise_case_number(number)
    if not n.isascii() or _shape(n) is None:
        return False
    return int(n, _RADIX) % _MODULUS == 1


def legacy_check_digits(body: str) -> str:
    """MOD 97-10 check digits of the scheme used before 2026-12-04 (letters as two digits, as in IBANs)."""
    return f"{98 - int(''.join(str(_ALNUM.index(ch)) for ch in body) + '00') % 97:02d}"


def is_legacy_case_number(number: str) -> bool:
    """A number issued before the switch (MOD 97-10, dated up to LEGACY_UNTIL)."""
    n = normalise_case_number(number)
    m = _shape(n) if n.isascii() else None
    if m is None or not m.group(4).isdigit():
        return False
    if dt.date(int(m.group(2)[:4]), int(m.group(2)[4:6]), int(m.group(2)[6:])) > LEGACY_UNTIL:
        return False
    return legacy_check_digits(n[:-2]) == n[-2:]


def format_case_number(station: str, day: dt.date, sequence: int) -> str:
    if not STATION_RE.match(station) or not 0 < sequence < 100_000:
        raise ValueError(f"cannot number station {station!r} sequence {sequence}")
    body = f"{station}{day:%Y%m%d}{sequence:05d}"
    return body + check_chars(body)


def allocate_case_number(session: Session, station: str, day: dt.date) -> str:
    """Take the next number for ``station`` on ``day`` inside the caller's transaction."""
    key = day.strftime("%Y%m%d")
    row = session.execute(
        select(CaseNumberSequence)
        .where(CaseNumberSequence.station_code == station, CaseNumberSequence.day == key)
        .with_for_update()
    ).scalar_one_or_none()
    if row is None:
        row = CaseNumberSequence(station_code=station, day=key, last_value=0)
        session.add(row)
    row.last_value += 1
    session.flush()
    return format_case_number(station, day, row.last_value)


# -- the code printed on receipts (QR / barcode) ---------------------------------------------
CASE_LOOKUP_PREFIX = "CASE:"


def case_lookup_string(case_number: str) -> str:
    """What the receipt's QR code holds: ``CASE:<case number>``. Read back at the result-delivery
    window by a keyboard-wedge scanner; the prefix tells a receipt apart from other barcodes."""
    return CASE_LOOKUP_PREFIX + normalise_case_number(case_number)


def parse_case_lookup(text: str) -> str | None:
    """The case number in a scanned receipt code or a typed number — current or legacy scheme — or
    None when ``text`` is neither (valid check characters are required either way)."""
    t = normalise_case_number(text)
    if t.startswith(CASE_LOOKUP_PREFIX):
        t = t[len(CASE_LOOKUP_PREFIX) :]
    return t if (is_valid_case_number(t) or is_legacy_case_number(t)) else None


def parse_case_suffix(text: str) -> str | None:
    """The last 4–8 characters of a case number typed at search (``00017K4``), normalised, or None."""
    t = normalise_case_number(text)
    if SUFFIX_MIN <= len(t) <= SUFFIX_MAX and t.isascii() and all(ch in _ALNUM for ch in t):
        return t
    return None
