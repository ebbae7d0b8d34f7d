from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from clerk_app.case_numbers import _ALNUM, check_char, format_case_number, is_valid_case_number
from clerk_app.lifecycle import Decision, LineStatus
from tests.core.test_cases import new_case, receive_all

ROOT = Path(__file__).resolve().parents[2]


@given(st.integers(1, 99999), st.integers(0, 18), st.sampled_from(_ALNUM))
def test_check_character_catches_any_single_substitution(seq, pos, replacement):
    number = format_case_number("WH01", dt.date(2026, 11, 23), seq)
    assert is_valid_case_number(number)
    if number[pos] == replacement:
        return
    wrong = number[:pos] + replacement + number[pos + 1 :]
    assert not is_valid_case_number(wrong)


@given(st.integers(1, 99999), st.integers(4, 17))
def test_check_digits_catch_adjacent_swaps(seq, pos):
    number = format_case_number("WH01", dt.date(2026, 11, 23), seq)
    if number[pos] == number[pos + 1]:
        return
    swapped = number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]
    assert not is_valid_case_number(swapped)


def test_known_value():
    # W=32 H=17 → 321701202611230000100 mod 97 = 7 → check digits 98 − 7 = 91 (as in IBANs)
    assert int("321701202611230000100") % 97 == 7
    assert check_char("WH01" + "20261123" + "00001") == "91"
    assert is_valid_case_number("WH01202611230000191") and not is_valid_case_number("WH01202611230000119")
    assert format_case_number("WH01", dt.date(2026, 11, 23), 1) == "WH012026112300001" + check_char("WH012026112300001")


def test_no_adjacent_swap_of_the_number_part_goes_unnoticed_exhaustively():
    for seq in range(1, 100000, 13):
        number = format_case_number("WH01", dt.date(2026, 11, 23), seq)
        for pos in range(4, len(number) - 1):
            if number[pos] != number[pos + 1]:
                swapped = number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]
                assert not is_valid_case_number(swapped), swapped


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
