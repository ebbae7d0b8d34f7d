"""Type checks (mypy settings in pyproject.toml): strict on clerk_app, devices and printing; ui and
backoffice checked, not strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_is_clean():
    # Runs the packages configured in [tool.mypy] (strict for the core, devices and printing).
    out = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "Success" in out.stdout, out.stdout
