"""Small helpers for the benchmarks: median of several runs and a floor measured in the same run."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], runs: int = 7) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def median_subprocess(args: list[str], runs: int = 5, env: dict[str, str] | None = None) -> float:
    def once() -> None:
        subprocess.run(args, check=True, capture_output=True, env=env)

    return median_seconds(once, runs)


def python() -> str:
    return sys.executable
