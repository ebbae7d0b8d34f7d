"""Entry point of the frozen bundle (PyInstaller): the same ``clerk-app`` as ``ui.launcher:run``,
plus ``clerk-app --install-check`` (packaging/clerk_install_check.py), the check a hall's IT staff
(and CI's clean-root test) run after installing: demo data in a temporary folder, the real login
dialog, one intake, a receipt printed, the audit chain verified."""

from __future__ import annotations

import multiprocessing
import sys


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--install-check":
        from clerk_install_check import main as check

        return check(sys.argv[2:])
    from ui.launcher import run as launch  # ends the process itself once the window has closed

    return launch()


if __name__ == "__main__":
    multiprocessing.freeze_support()  # harmless on Linux; needed by a frozen Windows build
    sys.exit(main())
