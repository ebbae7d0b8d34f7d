"""Layering: every "never" of DESIGN.md §2, checked by walking each module's imports with ast.

- clerk_app never imports Qt or ui; only its composition root package (clerk_app/wiring/) may import
  devices or printing, and only lazily (inside a function, or for type checking);
- devices and printing never import ui or Qt;
- backoffice shares nothing with the app but the wire schema: it imports none of clerk_app, ui, devices,
  printing, and none of those imports backoffice;
- bench never imports tests (shared fakes live in testsupport/), tests never import bench.

An import inside a function counts, and so does ``importlib.import_module("…")`` / ``__import__("…")``
with a literal name. Relative imports are resolved against the module's package.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QT = ("PySide6", "shiboken6", "PyQt5", "PyQt6")
APP = ("clerk_app", "ui", "devices", "printing")

# package -> top-level packages it must never import
RULES: dict[str, tuple[str, ...]] = {
    "clerk_app": (*QT, "ui", "backoffice"),
    "devices": (*QT, "ui", "backoffice"),
    "printing": (*QT, "ui", "backoffice"),
    "ui": ("backoffice",),
    "backoffice": (*QT, *APP),
    "bench": ("tests",),
    "tests": ("bench",),
}
# Only the composition root builds device backends and printers, so only it may import them.
WIRING = "clerk_app/wiring/"
WIRING_ONLY = ("devices", "printing")


@dataclass(frozen=True)
class Import:
    line: int
    module: str
    lazy: bool  # inside a function or under `if TYPE_CHECKING:`: not run when the module is imported


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(path: Path, level: int, module: str | None) -> str:
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    base = package[: len(package) - (level - 1)] if level > 1 else package
    return ".".join([*base, module] if module else base)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _dynamic_import(node: ast.Call) -> str | None:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if name not in ("import_module", "__import__") or not node.args:
        return None
    first = node.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def imported_modules(path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[Import] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend(Import(node.lineno, a.name, lazy) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                module = _resolve(path, node.level, node.module)
            found.append(Import(node.lineno, module, lazy))
            if node.module is None or node.level:  # `from . import x` imports the submodule x
                found.extend(Import(node.lineno, f"{module}.{a.name}".strip("."), lazy) for a in node.names)
        elif isinstance(node, ast.Call) and (target := _dynamic_import(node)):
            found.append(Import(node.lineno, target, lazy))
        inner = lazy or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, lazy)
            visit(node.test, lazy)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(tree, False)
    return found


def _files(package: str) -> list[Path]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package} has no modules"
    return files


@pytest.mark.parametrize("package", sorted(RULES))
def test_package_respects_layering(package):
    forbidden = RULES[package]
    violations = [
        f"{f.relative_to(ROOT)}:{imp.line} imports {imp.module}"
        for f in _files(package)
        for imp in imported_modules(f)
        if imp.module.split(".")[0] in forbidden
    ]
    assert not violations, "\n".join(violations)


def test_only_the_wiring_package_imports_devices_and_printing_and_only_lazily():
    violations = []
    for f in _files("clerk_app"):
        rel = f.relative_to(ROOT).as_posix()
        for imp in imported_modules(f):
            if imp.module.split(".")[0] not in WIRING_ONLY:
                continue
            if not rel.startswith(WIRING):
                violations.append(f"{rel}:{imp.line} imports {imp.module} (only {WIRING} may)")
            elif not imp.lazy:
                violations.append(f"{rel}:{imp.line} imports {imp.module} at import time (import it in the factory)")
    assert not violations, "\n".join(violations)


def test_the_checker_catches_a_violation(tmp_path, monkeypatch):
    pkg = tmp_path / "clerk_app" / "wiring"
    pkg.mkdir(parents=True)
    bad = pkg / "bad.py"
    bad.write_text(
        "import importlib\n"
        "from typing import TYPE_CHECKING\n"
        "import devices.cards\n"
        "from .. import ui_bridge\n"
        "from ..store import db\n"
        "if TYPE_CHECKING:\n"
        "    from printing.dispatch import PrintDispatcher\n"
        "def f():\n"
        "    from PySide6.QtWidgets import QWidget\n"
        "    import ui.main_window\n"
        "    importlib.import_module('backoffice.app')\n"
        "    __import__('PyQt6')\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = {(i.module, i.lazy) for i in imported_modules(bad)}
    assert ("devices.cards", False) in found
    assert ("clerk_app.ui_bridge", False) in found and ("clerk_app.store.db", False) in found
    assert ("printing.dispatch", True) in found
    assert {("PySide6.QtWidgets", True), ("ui.main_window", True), ("backoffice.app", True), ("PyQt6", True)} <= found


# -- No UI module builds a service or a device backend (DESIGN.md §2: one place creates everything) ----
SERVICE_SUFFIXES = ("Service", "Search", "Queries", "Store", "Repository", "Dispatcher", "Worker", "Runtime")
BACKEND_SUFFIXES = ("Backend", "Printer", "Scanner", "CardService")
# Factories of the composition root's parts beyond the classes found by name below.
FACTORIES = {
    "create_card_service",
    "create_backend",
    "create_printer",
    "create_scanner",
    "build_card_readers",
    "build_sync",
    "open_store",
    "open_hall",
    "create_store_engine",
}
# What the UI may call: the root itself (the launcher asks it for the context).
ROOT_ENTRIES = {"build_context"}


def _built_names() -> set[str]:
    """Classes of clerk_app, devices and printing named like services or backends, and the factories
    (devices/printing ``create_*`` and FACTORIES): found by walking their definitions, so a new one counts."""
    names = set(FACTORIES)
    for package in ("clerk_app", "devices", "printing"):
        suffixes = SERVICE_SUFFIXES if package == "clerk_app" else SERVICE_SUFFIXES + BACKEND_SUFFIXES
        for f in _files(package):
            for node in ast.parse(f.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.ClassDef) and node.name.endswith(suffixes):
                    names.add(node.name)
                elif isinstance(node, ast.FunctionDef) and package != "clerk_app" and node.name.startswith("create_"):
                    names.add(node.name)
    return names - ROOT_ENTRIES


def constructions(path: Path, names: set[str]) -> list[tuple[int, str]]:
    """Calls of one of ``names`` (by bare name or as an attribute, e.g. ``stats.StatsService(…)``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name in names:
                found.append((node.lineno, name))
    return found


def test_no_ui_module_builds_a_service_or_a_device_backend():
    names = _built_names()
    assert {"CaseService", "PrintDispatcher", "SyncWorker", "PcscCardService", "create_printer"} <= names
    violations = [
        f"{f.relative_to(ROOT)}:{line} calls {name}(…)" for f in _files("ui") for line, name in constructions(f, names)
    ]
    assert not violations, "\n".join(violations)


def test_the_construction_check_catches_a_call(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(
        "from clerk_app import stats\n"
        "from clerk_app.search import CaseSearch\n"
        "def build(ctx):\n"
        "    a = CaseSearch(ctx.sessions)\n"
        "    b = stats.StatsService(ctx.sessions)\n"
        "    c = ctx.search.find('x')\n"
        "    return create_printer('cups')\n",
        encoding="utf-8",
    )
    found = constructions(page, {"CaseSearch", "StatsService", "create_printer"})
    assert found == [(4, "CaseSearch"), (5, "StatsService"), (7, "create_printer")]
