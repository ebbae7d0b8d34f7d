"""The tools that keep the code's shape pass over the whole tree: ruff's lint rules and ruff's formatter
(configured in pyproject.toml; run from the venv so the version is the one the `test` extra pins)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUFF = [sys.executable, "-m", "ruff"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*RUFF, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_lint_is_clean():
    out = _run("check", "--no-fix", "--output-format", "concise", ".")
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]


def test_ruff_format_is_clean():
    out = _run("format", "--check", "--diff", ".")
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]


def test_ruff_reports_a_violation():
    # The checks above could pass vacuously (wrong folder, empty selection): the same config must flag this
    # source as if it were a module of the core (unused import, missing annotations).
    res = subprocess.run(
        [*RUFF, "check", "--no-fix", "--output-format", "concise", "--stdin-filename", "clerk_app/probe.py", "-"],
        cwd=ROOT,
        input="import os\n\n\ndef f(x):\n    return 1\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 1
    assert "F401" in res.stdout and "ANN001" in res.stdout and "ANN201" in res.stdout, res.stdout
