"""``clerk-app`` ends its process itself once the window has closed (ui/launcher.py ``run``): the log is
flushed, the exit code kept, and neither the interpreter's nor the C library's exit handlers run — a
device library's thread left stuck (or a lock it left held) cannot keep a station from quitting."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = textwrap.dedent(
    """
    import atexit, logging, sys, threading
    from pathlib import Path

    import ui.app
    from ui import launcher

    marker = Path(sys.argv[2])

    def fake_window(settings):
        # what a device library can leave behind: a thread that never ends (a normal exit joins it
        # for ever) and an exit handler that would run after the window
        threading.Thread(target=threading.Event().wait, name="stuck-device-thread").start()
        atexit.register(marker.write_text, "exit handlers ran")
        logging.getLogger("clerk_app.test").info("window closed by the clerk")
        return 7

    ui.app.run = fake_window
    sys.exit(launcher.run(["--demo", "--data-dir", sys.argv[1]]))
    """
)


def test_the_app_ends_its_process_after_the_window_with_the_log_flushed(tmp_path):
    marker = tmp_path / "atexit-ran"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(tmp_path / "data"), str(marker)],
        env=env,
        cwd=ROOT,
        timeout=60,  # without os._exit the stuck thread keeps the process alive: this times out
        capture_output=True,
    )
    assert done.returncode == 7, done.stderr.decode()[-2000:]
    assert not marker.exists()  # the exit handlers were skipped
    log = (tmp_path / "data" / "logs" / "clerk-app.log").read_text(encoding="utf-8")
    assert "window closed by the clerk" in log  # flushed before the end


def test_the_command_and_the_bundle_start_through_run():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["clerk-app"] == "ui.launcher:run"
    assert "from ui.launcher import run as launch" in (ROOT / "packaging" / "entry.py").read_text(encoding="utf-8")


def test_cli_commands_without_the_window_return_normally(tmp_path):
    """``clerk-app admin …`` (no window) returns its code to the caller: only the window's end is cut short."""
    from ui import launcher

    args = ["--demo", "--data-dir", str(tmp_path), "admin", "verify-audit"]
    code = launcher.run(args)  # an empty demo store: the chain cannot be read, said with exit code 1
    assert code == launcher.main(args) == 1 and not launcher._window_ran  # returned: this process goes on
