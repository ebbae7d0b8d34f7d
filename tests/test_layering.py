"""Layering: clerk_app never imports Qt or ui; devices and printing never import ui (nor Qt).
Walks every module's import statements with ast, so a lazy import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES = {
    "clerk_app": ("PySide6", "ui", "shiboken6"),
    "devices": ("PySide6", "ui", "shiboken6"),
    "printing": ("PySide6", "ui", "shiboken6"),
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("package", sorted(RULES))
def test_package_respects_layering(package):
    forbidden = RULES[package]
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package} has no modules"
    violations = [
        f"{f.relative_to(ROOT)}:{line} imports {mod}"
        for f in files
        for line, mod in imported_modules(f)
        if mod.split(".")[0] in forbidden
    ]
    assert not violations, "\n".join(violations)


def test_the_checker_catches_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from PySide6.QtWidgets import QWidget\n    import ui.main_window\n")
    mods = [m for _, m in imported_modules(bad)]
    assert "PySide6.QtWidgets" in mods and "ui.main_window" in mods
