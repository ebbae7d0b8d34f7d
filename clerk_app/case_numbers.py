"""Case numbers (受理编号): unique per station without a network, with a check character.

Format ``<station><yyyymmdd><5-digit sequence><check>``, e.g. ``WH01`` + ``20261123`` + ``00007`` + check.
The check character is ISO/IEC 7064 MOD 37,36 (hybrid system over 0-9A-Z), so any single
mistyped character or adjacent swap is caught when a number is typed at the result-delivery window.
The sequence row is incremented inside the decision transaction: a number exists only if its
decision committed, and the unique constraint on cases.case_number makes reuse impossible.
"""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerk_app.store.models import CaseNumberSequence

_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STATION_RE = re.compile(r"^[0-9A-Z]{2,12}$")


def check_char(body: str) -> str:
    """ISO/IEC 7064 MOD 37,36 check character of ``body`` (digits and upper-case letters)."""
    m = 36
    p = m
    for ch in body:
        s = (p + _ALNUM.index(ch)) % m or m
        p = (2 * s) % (m + 1)
    return _ALNUM[(m + 1 - p) % m]


def is_valid_case_number(number: str) -> bool:
    n = number.strip().upper()
    if len(n) < 15 or any(c not in _ALNUM for c in n):
        return False
    return check_char(n[:-1]) == n[-1]


def format_case_number(station: str, day: dt.date, sequence: int) -> str:
    body = f"{station}{day:%Y%m%d}{sequence:05d}"
    return body + check_char(body)


def allocate_case_number(session: Session, station: str, day: dt.date) -> str:
    """Take the next number for ``station`` on ``day`` inside the caller's transaction."""
    key = day.strftime("%Y%m%d")
    row = session.execute(select(CaseNumberSequence)
                          .where(CaseNumberSequence.station_code == station,
                                 CaseNumberSequence.day == key)
                          .with_for_update()).scalar_one_or_none()
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
    return CASE_LOOKUP_PREFIX + case_number.strip().upper()


def parse_case_lookup(text: str) -> str | None:
    """The case number in a scanned receipt code or a typed number, or None when ``text`` is
    neither (a valid check character is required either way)."""
    t = text.strip()
    if t[:len(CASE_LOOKUP_PREFIX)].upper() == CASE_LOOKUP_PREFIX:
        t = t[len(CASE_LOOKUP_PREFIX):]
    t = t.strip().upper()
    return t if is_valid_case_number(t) else None
