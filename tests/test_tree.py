"""The tests mirror the package tree (issue 13): each package of the product has its test folder, and
each test folder belongs to a package or is one of the few declared cross-cutting suites. A new
package without tests, or a test folder nobody can place, fails here."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# package folder → its test folder. clerk_app's own subpackages (catalogue, security, store, wiring)
# are small and tested in tests/core next to the services that use them; clerk_app/sync has its own.
MIRROR = {
    "clerk_app": "tests/core",
    "clerk_app/sync": "tests/sync",
    "devices": "tests/devices",
    "devices/cards": "tests/devices/cards",
    "devices/imaging": "tests/devices/imaging",
    "devices/scanners": "tests/devices/scanners",
    "printing": "tests/printing",
    "ui": "tests/ui",
    "backoffice": "tests/backoffice",
}
IN_PARENT = {"clerk_app/catalogue", "clerk_app/security", "clerk_app/store", "clerk_app/wiring"} | {
    p.relative_to(ROOT).as_posix() for p in (ROOT / "ui").iterdir() if p.is_dir() and p.name != "__pycache__"
}
# Suites that cross packages on purpose: the whole hall (stations + back office + PostgreSQL), the
# installed package, and test-only helpers (shared fakes for tests *and* bench live in testsupport/).
CROSS_CUTTING = {"tests/hall", "tests/packaging", "tests/helpers", "tests/printing/golden"}


def _packages() -> set[str]:
    found = set()
    for top in ("clerk_app", "devices", "printing", "ui", "backoffice"):
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT).as_posix()
            if "migrations" not in rel:
                found.add(rel)
    return found


def _test_folders() -> set[str]:
    return {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").rglob("*") if p.is_dir() and p.name != "__pycache__"
    }


def test_every_package_has_its_test_folder():
    unplaced = sorted(p for p in _packages() if p not in MIRROR and p not in IN_PARENT)
    assert not unplaced, f"packages with no test folder in MIRROR: {unplaced}"
    missing = sorted(t for t in MIRROR.values() if not (ROOT / t).is_dir())
    assert not missing, f"test folders named in MIRROR but absent: {missing}"


def test_every_test_folder_belongs_to_a_package():
    stray = sorted(t for t in _test_folders() if t not in MIRROR.values() and t not in CROSS_CUTTING)
    assert not stray, f"test folders that mirror no package: {stray}"


def test_every_package_with_modules_has_test_modules():
    empty = sorted(
        t
        for pkg, t in MIRROR.items()
        if [m for m in (ROOT / pkg).glob("*.py") if m.name != "__init__.py"] and not list((ROOT / t).glob("test_*.py"))
    )
    assert not empty, f"mirrored test folders without a test module: {empty}"


def test_the_check_sees_a_stray_folder(tmp_path, monkeypatch):
    (tmp_path / "tests" / "misc").mkdir(parents=True)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    try:
        test_every_test_folder_belongs_to_a_package()
    except AssertionError as exc:
        assert "tests/misc" in str(exc)
    else:
        raise AssertionError("a stray test folder was not reported")
