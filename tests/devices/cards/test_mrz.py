"""MRZ parsing and check digits: ICAO specimens, keyboard-wedge input, hypothesis properties."""

from __future__ import annotations

import datetime as dt
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.cards.api import DocumentType, Sex, WrongMrzError
from devices.cards.mrz import (
    build_td1,
    build_td3,
    check_digit,
    mrz_key,
    normalise_lines,
    parse_mrz,
    parse_yymmdd,
)

TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
TD2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"


def test_check_digits_from_icao_examples() -> None:
    assert check_digit("L898902C<") == "3"
    assert check_digit("690806") == "1"
    assert check_digit("940623") == "6"
    assert check_digit("D23145890734") == "9"


def test_td3_specimen() -> None:
    m = parse_mrz(TD3)
    assert (m.format, m.document_code, m.issuing_state) == ("TD3", "P<", "UTO")
    assert (m.surname, m.given_names, m.full_name) == ("ERIKSSON", "ANNA MARIA", "ERIKSSON ANNA MARIA")
    assert m.document_number == "L898902C3"
    assert m.birth_date == dt.date(1974, 8, 12) and m.sex is Sex.FEMALE
    assert m.expiry_date == dt.date(2012, 4, 15)
    assert m.optional_data == "ZE184226B"
    assert m.document_type is DocumentType.PASSPORT


def test_td1_and_td2_specimens() -> None:
    for text, fmt in ((TD1, "TD1"), (TD2, "TD2")):
        m = parse_mrz(text)
        assert m.format == fmt
        assert m.document_number == "D23145890"
        assert (m.surname, m.given_names) == ("ERIKSSON", "ANNA MARIA")
        assert m.nationality == "UTO"
        assert m.birth_date == dt.date(1974, 8, 12)


def test_td1_long_document_number() -> None:
    # ICAO 9303-5 §4.2.4: D23145890734 (12 chars), check digit 9 in the optional data
    text = build_td1("I", "UTO", "ERIKSSON", "ANNA MARIA", "D23145890", "UTO", "740812", "F", "120415")
    lines = text.split("\n")
    l1 = lines[0][:14] + "<" + "7349" + "<" * 11
    l2 = lines[1][:29]
    l2 += check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    assert parse_mrz("\n".join((l1, l2, lines[2]))).document_number == "D23145890734"


def test_keyboard_wedge_input_forms() -> None:
    # run together, lower case, with spaces and CR: what wedge readers and clerks produce
    assert parse_mrz(TD3.replace("\n", "")).document_number == "L898902C3"
    assert parse_mrz(TD3.lower().replace("\n", "\r\n")).surname == "ERIKSSON"
    assert normalise_lines(" " + TD1.replace("\n", "\r") + "\r") == TD1.split("\n")


@pytest.mark.parametrize(
    "pos,what", [(9, "document number"), (19, "birth date"), (27, "expiry date"), (43, "composite")]
)
def test_each_check_digit_is_enforced(pos: int, what: str) -> None:
    lines = TD3.split("\n")
    bad = lines[1][:pos] + str((int(lines[1][pos]) + 1) % 10) + lines[1][pos + 1 :]
    with pytest.raises(WrongMrzError) as err:
        parse_mrz(lines[0] + "\n" + bad)
    assert what in str(err.value)
    assert "L898902C3" not in str(err.value)  # no personal data in the message


def test_mrz_key_from_clerk_input() -> None:
    key = mrz_key(" e1234567 8", "1990-01-15", dt.date(2034, 6, 20))
    assert (key.document_number, key.birth_date, key.expiry_date) == ("E12345678", "900115", "340620")
    with pytest.raises(WrongMrzError):
        mrz_key("E123", "1990-1-15", "340620")
    with pytest.raises(WrongMrzError):
        mrz_key("E12-34", "900115", "340620")


def test_yymmdd_centuries() -> None:
    today = dt.date(2026, 1, 1)
    assert parse_yymmdd("300101", past=True, today=today) == dt.date(1930, 1, 1)
    assert parse_yymmdd("300101", past=False, today=today) == dt.date(2030, 1, 1)
    assert parse_yymmdd("991301", past=True, today=today) is None


name = st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=12)
digits6 = st.dates(min_value=dt.date(1931, 1, 1), max_value=dt.date(2025, 12, 31)).map(lambda d: d.strftime("%y%m%d"))
docnum = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=9)


@given(name, name, docnum, digits6, st.sampled_from("MFX"), digits6)
@settings(max_examples=150, deadline=None)
def test_td3_roundtrip(surname: str, given_name: str, number: str, birth: str, sex: str, expiry: str) -> None:
    m = parse_mrz(build_td3("P", "CHN", surname, given_name, number, "CHN", birth, sex, expiry))
    assert (m.surname, m.given_names, m.document_number) == (surname, given_name, number)
    assert (m.birth_date_raw, m.expiry_date_raw) == (birth, expiry)


@given(name, name, docnum, digits6, digits6, st.sampled_from(["CS", "CD", "IR"]))
@settings(max_examples=150, deadline=None)
def test_td1_roundtrip(surname: str, given_name: str, number: str, birth: str, expiry: str, code: str) -> None:
    m = parse_mrz(build_td1(code, "CHN", surname, given_name, number, "CHN", birth, "F", expiry))
    assert m.document_number == number and m.birth_date_raw == birth
    assert m.document_type in (
        DocumentType.HK_MACAU_PERMIT,
        DocumentType.TAIWAN_PERMIT,
        DocumentType.FOREIGN_PERMANENT_RESIDENCE,
    )


@given(st.text(alphabet=string.ascii_uppercase + string.digits + "<", min_size=1, max_size=20))
@settings(deadline=None)
def test_check_digit_detects_any_single_substitution(data: str) -> None:
    digit = check_digit(data)
    for i, ch in enumerate(data):
        # weights 7,3,1 are coprime to 10, so changing one value by less than 10 changes the digit
        for other in "0123456789":
            if other != ch and ch.isdigit():
                assert check_digit(data[:i] + other + data[i + 1 :]) != digit


@given(st.text(max_size=120))
@settings(max_examples=300, deadline=None)
def test_any_text_parses_or_raises_wrong_mrz(text: str) -> None:
    try:
        parse_mrz(text)
    except WrongMrzError:
        pass


@given(st.binary(max_size=120))
@settings(deadline=None)
def test_any_bytes_parse_or_raise_wrong_mrz(data: bytes) -> None:
    try:
        parse_mrz(data)
    except WrongMrzError:
        pass
