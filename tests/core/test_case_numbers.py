from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clerk_app.case_numbers import (
    _ALNUM,
    check_chars,
    format_case_number,
    is_legacy_case_number,
    is_valid_case_number,
    legacy_check_digits,
    parse_case_lookup,
    parse_case_suffix,
)
from clerk_app.lifecycle import Decision, LineStatus
from tests.core.test_cases import new_case, receive_all

ROOT = Path(__file__).resolve().parents[2]


STATIONS = st.text(alphabet=_ALNUM, min_size=2, max_size=12)
DAYS = st.dates(dt.date(2026, 12, 4), dt.date(2099, 12, 31))


def _mutants(number: str):
    """Every single-character substitution over 0-9A-Z and every adjacent transposition."""
    for pos, ch in enumerate(number):
        for replacement in _ALNUM:
            if replacement != ch:
                yield number[:pos] + replacement + number[pos + 1 :]
    for pos in range(len(number) - 1):
        if number[pos] != number[pos + 1]:
            yield number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]


@given(STATIONS, DAYS, st.integers(1, 99999), st.data())
def test_check_catches_any_single_substitution_over_the_whole_alphabet(station, day, seq, data):
    number = format_case_number(station, day, seq)
    assert is_valid_case_number(number)
    pos = data.draw(st.integers(0, len(number) - 1))
    replacement = data.draw(st.sampled_from(_ALNUM).filter(lambda c: c != number[pos]))
    assert not is_valid_case_number(number[:pos] + replacement + number[pos + 1 :])


@given(STATIONS, DAYS, st.integers(1, 99999), st.data())
def test_check_catches_any_adjacent_transposition(station, day, seq, data):
    number = format_case_number(station, day, seq)
    pos = data.draw(st.integers(0, len(number) - 2))
    if number[pos] != number[pos + 1]:
        assert not is_valid_case_number(number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :])


def test_exhaustive_mutations_of_300_numbers_over_random_stations():
    """The claim is "every": every substitution and every adjacent swap of a fixed sample of 300
    numbers (stations of 2–12 characters, dates up to 2099, any sequence) — none accepted, also by the
    lookup that accepts legacy numbers (their dates stop before the switch)."""
    rng = random.Random(20261203)
    accepted, tried = [], 0
    for _ in range(300):
        station = "".join(rng.choice(_ALNUM) for _ in range(rng.randint(2, 12)))
        day = dt.date(2026, 12, 4) + dt.timedelta(days=rng.randint(0, 365 * 70))
        number = format_case_number(station, day, rng.randint(1, 99999))
        assert is_valid_case_number(number) and parse_case_lookup(number) == number
        for wrong in _mutants(number):
            tried += 1
            if is_valid_case_number(wrong):
                accepted.append(wrong)
    assert tried > 300 * 17 * 35 and accepted == []


def test_the_check_characters_are_iso_7064_mod_1271_36():
    # Whole number in base 36 ≡ 1 (mod 1271); two check characters from 0-9A-Z.
    body = "WH012026120400001"
    cc = check_chars(body)
    assert int(body + cc, 36) % 1271 == 1 and len(cc) == 2
    assert format_case_number("WH01", dt.date(2026, 12, 4), 1) == body + cc
    assert set("".join(check_chars(f"WH0120261204{s:05d}") for s in range(1, 3000))) == set(_ALNUM)
    # the standard's recursive formulation of a pure system (ISO/IEC 7064 §7.1) agrees
    for seq in range(1, 2000, 7):
        b = f"AB9Z20270101{seq:05d}"
        p = 0
        for ch in b:
            p = (p + _ALNUM.index(ch)) * 36 % 1271
        p = p * 36 % 1271
        c = (1271 + 1 - p) % 1271
        assert check_chars(b) == _ALNUM[c // 36] + _ALNUM[c % 36]


def test_shape_is_checked_too():
    good = format_case_number("WH01", dt.date(2026, 12, 4), 17)
    assert is_valid_case_number(good)
    # a date that does not exist, letters in the sequence, too short: refused even with a fitting check
    for body in ("WH0120261304" + "00017", "WH0120261204" + "000A7", "W20261204" + "00017"):
        assert not is_valid_case_number(body + check_chars(body))
    with pytest.raises(ValueError):
        format_case_number("wh-1", dt.date(2026, 12, 4), 1)


def test_legacy_numbers_stay_valid_and_searchable():
    legacy = "WH01202611230000191"  # MOD 97-10, issued on 2026-11-23
    assert legacy_check_digits("WH012026112300001") == "91"
    assert is_legacy_case_number(legacy) and not is_valid_case_number(legacy)
    assert parse_case_lookup("CASE:" + legacy) == legacy
    assert parse_case_lookup("wh01 2026 1123 00001 91") == legacy
    # a legacy-looking number dated after the switch is refused
    after = "WH012026120400001"
    assert not is_legacy_case_number(after + legacy_check_digits(after))


def test_typed_numbers_are_normalised():
    number = format_case_number("WH01", dt.date(2026, 12, 4), 17)
    full_width = number.translate({ord(c): ord(c) + 0xFEE0 for c in number})
    assert parse_case_lookup(full_width.lower()) == number
    assert parse_case_lookup(f"case:{number[:4]}-{number[4:12]}-{number[12:]}") == number
    assert parse_case_suffix("０００１７" + number[-2:].lower()) == "00017" + number[-2:]
    assert parse_case_suffix("123") is None and parse_case_suffix("123456789") is None
    assert parse_case_lookup("ＷＨ０１？") is None and parse_case_suffix("中文字符") is None


def _child(tmp_path, url, mode, case_id="-"):
    return subprocess.run(
        [sys.executable, "-m", "tests.core.crash_child", str(tmp_path), url, mode, case_id],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_numbers_unique_across_a_crash(world, tmp_path):
    url = world.ctx.settings.resolved_database_url()
    clerk = world.login("clerk")
    first = new_case(world, clerk)
    receive_all(world, clerk, first)
    n1 = world.ctx.cases.decide(first, Decision.ACCEPT, clerk).case_number

    # 1. killed between allocation and commit: nothing of it survives, the next number is not n1.
    killed = _child(tmp_path, url, "kill-before-commit")
    assert killed.returncode == -9, killed.stderr
    ghost = killed.stdout.strip()
    assert ghost and ghost != n1

    # 2. killed right after a committed decision: that number is taken for good.
    second = new_case(world, clerk)
    receive_all(world, clerk, second)
    committed = _child(tmp_path, url, "kill-after-commit", second)
    assert committed.returncode == -9, committed.stderr
    n2 = committed.stdout.strip()

    third = new_case(world, clerk)
    receive_all(world, clerk, third)
    n3 = world.ctx.cases.decide(third, Decision.ACCEPT, clerk).case_number
    assert len({n1, n2, n3}) == 3
    assert [int(n[-7:-2]) for n in (n1, n2, n3)] == [1, 2, 3]
    assert all(is_valid_case_number(n) for n in (n1, n2, n3))


def test_draft_survives_a_killed_process(world, tmp_path):
    clerk = world.login("clerk")
    cid = new_case(world, clerk)
    out = _child(tmp_path, world.ctx.settings.resolved_database_url(), "kill-mid-intake", cid)
    assert out.returncode == -9 and out.stdout.strip() == "ok", out.stderr
    view = world.ctx.cases.get(clerk, cid)
    lines = {line.code: line for line in view.lines}
    assert view.answers["via_agent"] is True and "AGENT-POA" in lines and "NAME-DECL" in lines
    assert lines["APPLY"].status is LineStatus.VERIFIED
    assert lines["PREMISES"].status is LineStatus.RECEIVED and lines["PREMISES"].copies_received == 1
    assert view.applicant is not None
    assert world.ctx.auditor.verify() is None
