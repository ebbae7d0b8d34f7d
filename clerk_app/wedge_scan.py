"""Keyboard-wedge scanner detection, without Qt (ui/wedge.py feeds it the key presses): a barcode/QR
scanner "types" its content as keystrokes, much faster than a person, ending with Enter.

A run of at least ``min_length`` characters ended by Enter is a scan when the typical (median) gap
between its keys is under ``max_gap_ms``. The median, not the largest gap, decides, so one hiccup of
the event loop in the middle of a scan does not cut it in two; a pause longer than ``pause_ms`` starts
a new run, and slow keys at the start of a run (a person typing just before scanning) are not part of
the scan."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass
class KeyRun:
    min_length: int = 6
    max_gap_ms: float = 30.0
    pause_ms: float = 250.0
    keys: list[tuple[str, float]] = field(default_factory=list)  # (character, time in ms)

    def key(self, char: str, at_ms: float) -> None:
        if self.keys and at_ms - self.keys[-1][1] > self.pause_ms:
            self.keys.clear()  # a pause: whatever came before is not part of a scan
        self.keys.append((char, at_ms))

    def enter(self, at_ms: float) -> str | None:
        """Enter at ``at_ms``: the scanned text, or None (a person typed). A new run starts either way."""
        run, self.keys = self.keys, []
        if not run or at_ms - run[-1][1] > self.pause_ms:
            return None
        start = 0  # drop slow keys at the start (typed by a person just before the scan)
        while start < len(run) - 1 and run[start + 1][1] - run[start][1] > self.max_gap_ms:
            start += 1
        run = run[start:]
        if len(run) < max(2, self.min_length):
            return None
        if statistics.median(b[1] - a[1] for a, b in zip(run, run[1:])) >= self.max_gap_ms:
            return None
        return "".join(c for c, _ in run)
