"""Issue 16 item 7: services started by a test run are stopped even when the run ends through
pytest-timeout's ``os._exit`` (no finaliser runs). A child pytest run starts a 'service' (a process
that would run for minutes, with a private ``clerk-*`` temp folder on its command line, like the
PostgreSQL cluster) and a cups-pdf file, then hangs until pytest-timeout ends it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HANGING_TEST = '''
import os, subprocess, sys, time, tempfile
from pathlib import Path

def test_hangs():
    folder = Path(tempfile.mkdtemp(prefix="clerk-reapertest-"))
    service = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", str(folder / "data")])
    cups = Path(os.environ["CLERK_REAPER_CUPS_DIR"]) / f"cups-pdf-clerkci{os.getpid()}.conf"
    cups.write_text("Out /nowhere\\n")
    Path(os.environ["REAPER_REPORT"]).write_text(f"{service.pid} {folder} {cups}")
    time.sleep(600)
'''


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


def test_services_of_a_run_ended_by_pytest_timeout_are_stopped(tmp_path):
    (tmp_path / "test_hang.py").write_text(HANGING_TEST)
    report = tmp_path / "report.txt"
    cups_dir = tmp_path / "cups"
    cups_dir.mkdir()
    env = dict(
        os.environ,
        REAPER_REPORT=str(report),
        CLERK_REAPER_CUPS_DIR=str(cups_dir),
        PYTHONPATH=str(ROOT),
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",  # only what is needed: starts in ~1 s instead of ~10
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "pytest_timeout",
            "-p",
            "tests.helpers.reaper",
            "--timeout",
            "3",
            "--timeout-method",
            "thread",
            "-c",
            os.devnull,
            "--rootdir",
            str(tmp_path),
            str(tmp_path / "test_hang.py"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Timeout" in run.stdout + run.stderr, run.stdout[-2000:]  # really ended by pytest-timeout
    pid_text, folder, cups = report.read_text().split()
    pid = int(pid_text)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not (_gone(pid) and not Path(folder).exists()):
        time.sleep(0.1)
    try:
        assert _gone(pid), "the service outlived its test run"
        assert not Path(folder).exists() and not Path(cups).exists()
    finally:
        if not _gone(pid):
            os.kill(pid, 9)


def test_this_run_is_marked_for_the_watchdog():
    marker = os.environ.get("CLERK_TEST_RUN", "")
    assert marker.startswith(f"{os.getpid()}-")
    assert tempfile.gettempdir()
