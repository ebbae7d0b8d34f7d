"""Cold start to the login window, and catalogue load/validation.

Run: .venv/bin/python bench/bench_startup.py
Prints medians of several runs, and ratios against floors measured in the same run:
- start-up floor: a bare `python -c "from PySide6.QtWidgets import QApplication; QApplication([])"`;
- catalogue floor: reading and TOML-parsing the same files without validation.
"""

from __future__ import annotations

import os
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._util import median_seconds, median_subprocess, python  # noqa: E402

LOGIN_SCRIPT = r"""
import sys
from PySide6.QtCore import QTimer
from clerk_app.settings import Settings
from clerk_app.startup import PendingContext
from ui.app import Translations, create_application
from ui.login import LoginDialog
app = create_application([])
Translations(app).apply("zh_CN")
pending = PendingContext(Settings(demo=True, data_dir=sys.argv[1])).start()  # as ui.app.run does
d = LoginDialog(pending, None)
d.show()
QTimer.singleShot(0, app.quit)  # first event-loop turn with the dialog shown
app.exec()
import os; os._exit(0)  # measure the window, not the context build still running behind it
"""
READY_SCRIPT = r"""
import sys
from clerk_app.settings import Settings
from clerk_app.startup import PendingContext
PendingContext(Settings(demo=True, data_dir=sys.argv[1])).start().result().close()
"""
FLOOR_SCRIPT = (
    "from PySide6.QtWidgets import QApplication, QDialog; "
    "a = QApplication([]); d = QDialog(); d.show(); a.processEvents()"
)


def main() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    runs = 5
    # A warm data folder (demo users exist, catalogue active), as on a workstation's second start.
    data = tempfile.mkdtemp()
    median_subprocess([python(), "-c", LOGIN_SCRIPT, data], runs=1, env=env)
    start = median_subprocess([python(), "-c", LOGIN_SCRIPT, data], runs=runs, env=env)
    floor = median_subprocess([python(), "-c", FLOOR_SCRIPT], runs=runs, env=env)
    ready = median_subprocess([python(), "-c", READY_SCRIPT, data], runs=runs, env=env)
    print(f"start-up to login window (existing data dir): median {start * 1000:.0f} ms over {runs} runs")
    print(f"floor (bare QApplication + dialog):            median {floor * 1000:.0f} ms  ratio {start / floor:.2f}x")
    print(f"context ready behind it (store, core, workers): median {ready * 1000:.0f} ms (overlaps the typing)")
    print(f"load average: {os.getloadavg()[0]:.2f}")

    from clerk_app.catalogue import load_catalogue

    folder = ROOT / "resources" / "catalogue"
    n = len(load_catalogue(folder).items)

    def parse_only() -> None:
        tomllib.loads((folder / "catalogue.toml").read_text(encoding="utf-8"))
        for p in (folder / "items").glob("*.toml"):
            tomllib.loads(p.read_text(encoding="utf-8"))

    cat = median_seconds(lambda: load_catalogue(folder), runs=21)
    cat_floor = median_seconds(parse_only, runs=21)
    print(f"catalogue load + validation ({n} items):       median {cat * 1000:.1f} ms over 21 runs")
    print(
        f"floor (read + TOML parse only):                median {cat_floor * 1000:.1f} ms  ratio {cat / cat_floor:.2f}x"
    )


if __name__ == "__main__":
    main()
