"""Typed numbers are normalised once, at the edge (NFKC, upper case, no spaces): every validator
accepts the full-width and lower-case forms of a valid number, and on any input either returns the
normal form or raises its typed error in the clerk's language — never a bare exception."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clerk_app.case_numbers import format_case_number, is_valid_case_number, parse_case_lookup, parse_case_suffix
from clerk_app.identity import (
    InvalidIdentityNumber,
    validate_document_number,
    validate_phone,
    validate_resident_id,
    validate_uscc,
)
from clerk_app.persons import PersonData
from devices.cards.api import WrongMrzError
from devices.cards.mrz import mrz_key, parse_mrz
from tests.core.test_identity import resident_ids, usccs


def full_width(text: str) -> str:
    """ASCII letters and digits as a Chinese IME types them in full-width mode (U+FF01..U+FF5E)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_the_reported_examples():
    assert validate_resident_id("110105１９４９1231002X") == "11010519491231002X"
    assert validate_resident_id(" 110105 19491231 002x ") == "11010519491231002X"
    assert validate_uscc("9135０100M000100Y43") == "91350100M000100Y43"
    assert validate_uscc(full_width("91350100m000100y43")) == "91350100M000100Y43"
    with pytest.raises(InvalidIdentityNumber) as info:
        validate_uscc("9135０100M000100Y4？")
    assert "统一社会信用代码" in info.value.user_message("zh_CN")


@given(resident_ids(), st.sampled_from([str.lower, full_width, lambda s: full_width(s.lower()), lambda s: s]))
def test_resident_id_in_any_typed_form(number, form):
    assert validate_resident_id(form(number)) == number


@given(usccs(), st.sampled_from([str.lower, full_width, lambda s: " ".join(s)]))
def test_uscc_in_any_typed_form(code, form):
    assert validate_uscc(form(code)) == code


@given(st.integers(1, 99999), st.dates(dt.date(2026, 12, 4), dt.date(2040, 1, 1)))
def test_case_number_in_any_typed_form(seq, day):
    number = format_case_number("WH01", day, seq)
    assert parse_case_lookup(full_width(number.lower())) == number
    assert is_valid_case_number(full_width(number))
    assert parse_case_suffix(full_width(number[-6:].lower())) == number[-6:]


def test_phone_and_document_numbers():
    assert validate_phone("１３８ ００１３-８０００") == "13800138000"
    assert validate_phone("+86 27 8888 6666") == "+862788886666"
    assert validate_document_number(full_width("e1234567８")) == "E12345678"
    for bad in ("138-abc", "12", "电话"):
        with pytest.raises(InvalidIdentityNumber):
            validate_phone(bad)
    person = PersonData(
        name="张三", document_type="passport", document_number="ｅ１２３４５６７８", phone="１３８００１３８０００"
    )
    normal = person.validated()
    assert normal.document_number == "E12345678" and normal.phone == "13800138000"


def test_mrz_fields_typed_in_full_width():
    key = mrz_key(full_width("l898902c3"), "６９０８０６", full_width("1994-06-23"))
    assert (key.document_number, key.birth_date, key.expiry_date) == ("L898902C3", "690806", "940623")


# Any text at all, including full-width forms, other scripts, control and combining characters.
ANY_TEXT = st.text(max_size=40) | st.text(alphabet=st.characters(max_codepoint=0xFFEF), max_size=25)
VALIDATORS = [
    (validate_resident_id, InvalidIdentityNumber),
    (validate_uscc, InvalidIdentityNumber),
    (validate_phone, InvalidIdentityNumber),
    (validate_document_number, InvalidIdentityNumber),
    (lambda t: mrz_key(t, t, t), WrongMrzError),
    (parse_mrz, WrongMrzError),
]


@pytest.mark.parametrize("validator,error", VALIDATORS)
@given(text=ANY_TEXT)
def test_no_bare_exception_escapes_a_validator(validator, error, text):
    try:
        out = validator(text)
    except error as exc:
        assert exc.user_message("zh_CN")  # a message for the clerk, in Chinese
    else:
        assert out is not None


@given(ANY_TEXT)
def test_case_number_parsers_never_raise(text):
    for fn in (parse_case_lookup, parse_case_suffix):
        out = fn(text)
        assert out is None or (out.isascii() and out == out.upper())
    assert isinstance(is_valid_case_number(text), bool)
