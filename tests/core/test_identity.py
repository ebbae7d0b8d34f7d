from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clerk_app.identity import (
    PROVINCE_PREFIXES,
    USCC_ALPHABET,
    InvalidIdentityNumber,
    mask_id_number,
    mask_name,
    resident_id_check_char,
    uscc_check_char,
    validate_resident_id,
    validate_uscc,
)

prefixes = st.sampled_from(sorted(PROVINCE_PREFIXES))
birth = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31))


@st.composite
def resident_ids(draw):
    body = (
        draw(prefixes)
        + draw(st.from_regex(r"\A[0-9]{4}\Z"))
        + draw(birth).strftime("%Y%m%d")
        + draw(st.from_regex(r"\A[0-9]{3}\Z"))
    )
    return body + resident_id_check_char(body)


@st.composite
def usccs(draw):
    chars = st.sampled_from(USCC_ALPHABET)
    body = (
        draw(chars)
        + draw(chars)
        + draw(st.from_regex(r"\A[0-9]{6}\Z"))
        + "".join(draw(st.lists(chars, min_size=9, max_size=9)))
    )
    return body + uscc_check_char(body)


def test_known_numbers():
    # GB 11643-1999 appendix example and a published USCC example.
    assert validate_resident_id("11010519491231002X") == "11010519491231002X"
    assert validate_uscc("91350100M000100Y43") == "91350100M000100Y43"


@given(resident_ids())
def test_valid_resident_ids_pass(number):
    assert validate_resident_id(number.lower(), today=dt.date(2026, 1, 1)) == number


@given(resident_ids(), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_error_is_caught(number, pos, delta):
    digit = (int(number[pos]) + delta) % 10
    wrong = number[:pos] + str(digit) + number[pos + 1 :]
    with pytest.raises(InvalidIdentityNumber):
        validate_resident_id(wrong, today=dt.date(2026, 1, 1))


def test_impossible_birth_date_and_region_and_length():
    body = "42010219990230123"  # 30 February
    with pytest.raises(InvalidIdentityNumber, match="birth date"):
        validate_resident_id(body + resident_id_check_char(body))
    body = "99010219900101123"
    with pytest.raises(InvalidIdentityNumber, match="region"):
        validate_resident_id(body + resident_id_check_char(body))
    with pytest.raises(InvalidIdentityNumber, match="18"):
        validate_resident_id("4201021990")


def test_error_text_never_contains_the_number():
    number = "420102199001011230"
    with pytest.raises(InvalidIdentityNumber) as info:
        validate_resident_id(number)
    assert number not in str(info.value) and number not in info.value.user_message()
    assert "校验位" in info.value.user_message("zh_CN")


@given(usccs())
def test_valid_usccs_pass(code):
    assert validate_uscc(code) == code


@given(usccs(), st.integers(0, 16))
def test_uscc_single_substitution_is_caught(code, pos):
    alphabet = USCC_ALPHABET
    if pos >= 2 and pos < 8:
        alphabet = "0123456789"
    other = alphabet[(alphabet.index(code[pos]) + 1) % len(alphabet)]
    wrong = code[:pos] + other + code[pos + 1 :]
    with pytest.raises(InvalidIdentityNumber):
        validate_uscc(wrong)


def test_uscc_forbidden_letters():
    with pytest.raises(InvalidIdentityNumber):
        validate_uscc("9135010OM000100Y43")  # letter O is not in GB 32100's alphabet


@given(st.text(alphabet="0123456789X", min_size=9, max_size=30))
def test_masking_keeps_only_ends(number):
    masked = mask_id_number(number)
    assert len(masked) == len(number)
    assert masked[:4] == number[:4] and masked[-4:] == number[-4:]
    assert set(masked[4:-4]) <= {"*"}


def test_mask_examples():
    assert mask_id_number("42010219900101123X") == "4201**********123X"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
