"""The application's version, kept in one place: ``version`` in pyproject.toml's ``[project]`` table.

An installed or frozen build reads it from the package metadata (``importlib.metadata``; the frozen
bundle carries the ``clerk_app-*.dist-info`` folder for this). A source checkout reads pyproject.toml
beside the packages first, because an editable install's metadata keeps the version it was installed
with until ``scripts/setup.sh`` reinstalls it. Shown in the About box and the status bar, written into
every case packet (``app_version``) and every audit export.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

DIST_NAME = "clerk-app"
_PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


@cache
def app_version() -> str:
    if _PYPROJECT.is_file():  # a source checkout: the one place itself
        try:
            project = tomllib.loads(_PYPROJECT.read_text(encoding="utf-8")).get("project", {})
        except (OSError, tomllib.TOMLDecodeError):
            project = {}
        if project.get("name") == DIST_NAME and isinstance(project.get("version"), str):
            return str(project["version"])
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DIST_NAME)
    except PackageNotFoundError:  # neither a checkout nor installed: say so rather than invent one
        return "0+unknown"


__version__ = app_version()
