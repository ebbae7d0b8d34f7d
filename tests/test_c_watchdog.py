"""The run ends with every thread's stack even when a hung test holds the GIL (pyproject.toml:
``faulthandler_timeout`` with ``faulthandler_exit_on_timeout`` behind pytest-timeout).

libc's sleep called through ``ctypes.PyDLL`` keeps the GIL for its whole length, like the SANE call
that once froze pytest-timeout's own thread in CI after it had printed only its header: without the
C watchdog this run hangs for the full 90 s.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ini(name: str) -> str:
    import tomllib

    value = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"][name]
    return str(value).lower() if isinstance(value, bool) else str(value)


def test_the_c_watchdog_is_set_behind_pytest_timeout():
    assert float(_ini("faulthandler_timeout")) > float(_ini("timeout"))
    assert _ini("faulthandler_exit_on_timeout") == "true"


def test_a_hang_holding_the_gil_ends_the_run_with_the_stacks(tmp_path):
    (tmp_path / "test_hangs.py").write_text(
        "import ctypes\n"
        "def test_holds_the_gil():\n"
        "    ctypes.PyDLL(None).sleep(90)  # the GIL stays held during the call\n"
    )
    started = time.monotonic()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "-c",
            "/dev/null",
            "-o",
            "timeout=1",
            "-o",
            "timeout_method=thread",
            "-o",
            "faulthandler_timeout=3",
            "-o",
            "faulthandler_exit_on_timeout=true",
            str(tmp_path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.monotonic() - started
    assert run.returncode != 0
    assert elapsed < 60, elapsed
    assert "test_hangs.py" in run.stderr, run.stderr[-2000:]  # the hung frame is named
