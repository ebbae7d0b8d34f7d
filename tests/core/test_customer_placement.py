"""Where the applicant's screen goes (clerk_app.customer_placement), no Qt: made-up screens."""

from __future__ import annotations

from clerk_app.customer_placement import ScreenInfo, choose_placement

LAPTOP = ScreenInfo("eDP-1", 0, 0, 1920, 1080, primary=True)
FACING = ScreenInfo("HDMI-1", 1920, 0, 1280, 800)
THIRD = ScreenInfo("DP-2", 3200, 0, 1024, 768)


def test_second_screen_is_chosen_automatically():
    p = choose_placement([LAPTOP, FACING])
    assert (p.screen, p.geometry, p.fullscreen) == ("HDMI-1", (1920, 0, 1280, 800), True)


def test_named_screen_wins_and_unknown_name_falls_back():
    assert choose_placement([LAPTOP, FACING, THIRD], "DP-2").screen == "DP-2"
    p = choose_placement([LAPTOP, FACING], "HDMI-9")
    assert p.screen == "HDMI-1" and p.fullscreen and "not found" in p.note


def test_clerk_on_the_second_screen_puts_the_applicant_on_the_other():
    p = choose_placement([LAPTOP, FACING], "", clerk_screen="HDMI-1")
    assert p.screen == "eDP-1" and p.fullscreen


def test_one_screen_gives_a_movable_window_inside_it():
    p = choose_placement([LAPTOP])
    x, y, w, h = p.geometry
    assert not p.fullscreen and p.screen == "eDP-1"
    assert 0 <= x and x + w <= 1920 and 0 <= y and y + h <= 1080 and w >= 800
    small = choose_placement([ScreenInfo("tiny", 0, 0, 1024, 600, True)], "tiny")
    assert not small.fullscreen and small.geometry[2] <= 1024 and small.geometry[3] <= 600
