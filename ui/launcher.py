"""Console entry point ``clerk-app``: the core's CLI with the Qt interface plugged in."""

from __future__ import annotations

import sys

from clerk_app import cli
from clerk_app.settings import Settings


def _gui(settings: Settings) -> int:
    from ui.app import run  # Qt is imported only when the window is wanted

    return run(settings)


def main(argv: list[str] | None = None) -> int:
    return cli.main(argv, gui=_gui)


if __name__ == "__main__":
    sys.exit(main())
