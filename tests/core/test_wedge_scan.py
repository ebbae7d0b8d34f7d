"""The keyboard-wedge rule (clerk_app.wedge_scan), no Qt: key times in ms, as the window system gives them."""

from __future__ import annotations

from clerk_app.wedge_scan import KeyRun


def typed(run: KeyRun, text: str, start: float, gap: float) -> float:
    for i, char in enumerate(text):
        run.key(char, start + i * gap)
    return start + len(text) * gap


def test_fast_keys_then_enter_are_a_scan_and_a_person_is_not():
    run = KeyRun()
    assert run.enter(typed(run, "CASE:WH0120261123000017", 0, 2)) == "CASE:WH0120261123000017"
    assert run.keys == []  # a new run starts
    assert run.enter(typed(run, "WH0120261123", 1000, 120)) is None  # a person
    assert run.enter(typed(run, "abc", 5000, 2)) is None  # fast but too short


def test_a_hiccup_mid_scan_and_a_person_typing_just_before():
    run = KeyRun()
    end = typed(run, "ab", 0, 150)  # a person, then at once the scanner
    end = typed(run, "CASE:WH01202611", end + 20, 2)
    end = typed(run, "23000017", end + 80, 2)  # the event loop was busy for a moment
    assert run.enter(end) == "CASE:WH0120261123000017"


def test_a_pause_starts_a_new_run_and_a_late_enter_is_not_a_scan():
    run = KeyRun()
    end = typed(run, "OLD1234", 0, 2)
    end = typed(run, "CASE:WH01", end + 400, 2)
    assert run.enter(end) == "CASE:WH01"
    end = typed(run, "CASE:WH01", 10_000, 2)
    assert run.enter(end + 400) is None
