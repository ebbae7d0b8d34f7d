"""The package's own files: maintainer scripts that never touch services, a menu entry pointing at the
launcher and the icon, the icon rendered at every size from the SVG drawn for it, and the install check
driving the real app (login dialog, one intake, receipt, audit) in this source checkout."""

from __future__ import annotations

import configparser
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


@pytest.mark.parametrize("script", ["postinst", "postrm"])
def test_maintainer_scripts_never_touch_services_or_user_data(script):
    text = (PACKAGING / script).read_text(encoding="utf-8")
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("#", "echo")))
    assert not re.search(r"systemctl|invoke-rc\.d|\bservice\b|deb-systemd|update-rc\.d|\brm\b|/home|\.local", code)
    assert text.startswith("#!/bin/sh\n") and "set -e" in text and os.access(PACKAGING / script, os.X_OK)


def test_desktop_entry_starts_the_launcher_with_the_icon():
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(PACKAGING / "clerk-app.desktop", encoding="utf-8")
    d = entry["Desktop Entry"]
    assert (d["Type"], d["Exec"], d["Icon"], d["Terminal"]) == ("Application", "clerk-app", "clerk-app", "false")
    assert d["Name[zh_CN]"] == "一窗受理工作台" and d["Categories"].endswith(";")


def test_icon_sizes_are_rendered_from_the_svg():
    icons = ROOT / "resources" / "icons"
    assert "<svg" in (icons / "clerk-app.svg").read_text(encoding="utf-8")
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        with Image.open(icons / f"clerk-app-{size}.png") as im:
            assert im.size == (size, size) and im.mode == "RGBA"
            assert im.getpixel((size // 2, size // 2))[3] == 255 and im.getpixel((0, 0))[3] == 0  # drawn, rounded
    with Image.open(icons / "clerk-app.ico") as ico:
        assert (256, 256) in ico.info["sizes"] and (16, 16) in ico.info["sizes"]


@pytest.mark.slow
def test_install_check_drives_the_real_app(tmp_path):
    """The same check CI runs inside the clean root, here from the source checkout (offscreen)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    run = subprocess.run(
        [sys.executable, str(PACKAGING / "clerk_install_check.py"), "--data-dir", str(tmp_path / "data")],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=280,
    )
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert "install-check: ok   sign in as clerk through the login dialog (keyboard)" in run.stdout
    assert re.search(r"install-check: PASSED .*receipt", run.stdout)
    assert list((tmp_path / "data" / "printed").glob("*-receipt-*.pdf"))
