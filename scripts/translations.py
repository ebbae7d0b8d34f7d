"""Update the Qt translation source: run lupdate over ui/, then fill translations from
resources/translations/<lang>/*.toml. Usage: .venv/bin/python scripts/translations.py [--check]
--check fails when a UI string has no translation (used by tests/ui/test_translations.py)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("zh_CN",)


def update(lang: str, check_only: bool = False) -> list[str]:
    ts = ROOT / "resources" / "translations" / f"clerk_app_{lang}.ts"
    if check_only:  # work on a copy: a check must not rewrite the committed file (line numbers move)
        import shutil
        import tempfile

        tmp = Path(tempfile.mkdtemp()) / ts.name
        shutil.copyfile(ts, tmp)
        ts = tmp
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "ui").rglob("*.py"))
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    subprocess.run([str(lupdate), *sources, "-no-obsolete", "-ts", str(ts)], cwd=ROOT, check=True, capture_output=True)
    table: dict[str, str] = {}
    # One file per part of the UI (resources/translations/<lang>/*.toml), so parts never collide;
    # a string translated in two files must be translated the same way.
    for part in sorted((ROOT / "resources" / "translations" / lang).glob("*.toml")):
        for source, target in tomllib.loads(part.read_text(encoding="utf-8")).items():
            if table.setdefault(source, target) != target:
                raise SystemExit(f"{part.name}: {source!r} translated differently elsewhere")
    tree = ET.parse(ts)
    missing = []
    for message in tree.iter("message"):
        source = message.findtext("source") or ""
        tr = message.find("translation")
        assert tr is not None
        if source in table:
            tr.text = table[source]
            tr.attrib.pop("type", None)
        else:
            missing.append(source)
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    return missing


if __name__ == "__main__":
    problems = {lang: update(lang, check_only="--check" in sys.argv) for lang in LANGS}
    for lang, missing in problems.items():
        for m in missing:
            print(f"{lang}: no translation for {m!r}")
    sys.exit(1 if "--check" in sys.argv and any(problems.values()) else 0)
