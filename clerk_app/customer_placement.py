"""Where the customer window (ui/customer/window.py) goes, as a pure function of the screens (no Qt
here, so the rule is tested with made-up geometry): full screen on the applicant's screen when there
is one, otherwise a normal movable window on the clerk's screen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ScreenInfo:
    name: str
    x: int
    y: int
    width: int
    height: int
    primary: bool = False


@dataclass(frozen=True)
class Placement:
    screen: str  # name of the screen the window goes on
    geometry: tuple[int, int, int, int]  # x, y, width, height in virtual-desktop coordinates
    fullscreen: bool  # True: frameless full screen facing the applicant
    note: str = ""  # why (for the log): "auto", "setting", "not found: …", "one screen"
    # False on one screen: the window waits hidden until the clerk shows it (Ctrl+Shift+C, e.g. to turn
    # the screen to the applicant), so it never opens over the clerk's scan panel and decision buttons.
    shown: bool = True


WINDOWED_SIZE = (1024, 720)


def choose_placement(screens: Sequence[ScreenInfo], preference: str = "", clerk_screen: str | None = None) -> Placement:
    """``preference`` is the ``customer_screen`` setting: "" = automatic (a screen other than the
        clerk's), or a screen name. ``clerk_screen`` is where the main window is (default: the primary
        screen). With one screen the result is a movable window in the lower right of that screen, hidden
    until the clerk asks for it."""
    if not screens:
        raise ValueError("no screens")
    clerk = next((s for s in screens if s.name == clerk_screen), None) or next(
        (s for s in screens if s.primary), screens[0]
    )
    others = [s for s in screens if s is not clerk]
    note = "auto"
    if preference:
        named = next((s for s in screens if s.name == preference), None)
        if named is not None and len(screens) > 1:
            return Placement(named.name, (named.x, named.y, named.width, named.height), True, "setting")
        note = "one screen" if named is not None else f"not found: {preference}"
    if others:
        # Leftmost-then-topmost of the remaining screens, so the choice is stable across restarts.
        target = sorted(others, key=lambda s: (s.x, s.y, s.name))[0]
        return Placement(target.name, (target.x, target.y, target.width, target.height), True, note)
    w = min(WINDOWED_SIZE[0], clerk.width * 3 // 4)
    h = min(WINDOWED_SIZE[1], clerk.height * 3 // 4)
    x = clerk.x + clerk.width - w - 24
    y = clerk.y + clerk.height - h - 64  # clear of a bottom task bar
    return Placement(
        clerk.name,
        (max(clerk.x, x), max(clerk.y, y), w, h),
        False,
        note if note != "auto" else "one screen",
        shown=False,
    )
