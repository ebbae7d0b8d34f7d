"""Sizes and start-up of the desktop packages (issue 20), after ``bash scripts/build-deb.sh``.

Run: .venv/bin/python bench/bench_packaging.py [--runs 5] [--cold]
Prints:
- sizes: the .deb, its installed size, the bundle folder, the bundle tarball;
- start-up to the login dialog shown (offscreen, demo mode, existing data folder): the frozen bundle
  (``build/pkg/dist/clerk-app/clerk-app --install-check --until-login``) against the same code from the
  source checkout in the venv (``python packaging/clerk_install_check.py --until-login``), and the floor
  of a bare QApplication + QDialog in the venv, all measured in the same run (median of --runs);
- an admin command end to end (``clerk-app --demo --data-dir D admin verify-audit``), bundle and venv;
- with --cold: one run of each start-up after evicting its files from the page cache
  (posix_fadvise DONTNEED on every file of the bundle, resp. of the venv's site-packages, the
  interpreter's standard library and the source tree), i.e. read from disk again — without dropping the
  whole machine's cache under other people's benchmarks.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._util import median_subprocess, python  # noqa: E402

PKG = ROOT / "build" / "pkg"
BUNDLE = PKG / "dist" / "clerk-app" / "clerk-app"
FLOOR = (
    "from PySide6.QtWidgets import QApplication, QDialog; a = QApplication([]); d = QDialog(); d.show(); "
    "a.processEvents()"
)


def mib(path: Path) -> float:
    if path.is_dir():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / 2**20
    return path.stat().st_size / 2**20


def installed_size_mib(deb: Path) -> float:
    out = subprocess.run(["dpkg-deb", "-f", str(deb), "Installed-Size"], check=True, capture_output=True, text=True)
    return int(out.stdout.strip()) / 1024


def evict(*roots: Path) -> None:
    """Drop these files' pages from the page cache (they are clean: nothing is lost)."""
    for root in roots:
        for f in [root] if root.is_file() else root.rglob("*"):
            if f.is_file() and not f.is_symlink():
                try:
                    fd = os.open(f, os.O_RDONLY)
                except OSError:
                    continue
                try:
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                finally:
                    os.close(fd)


def login_times(args: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Medians of (login dialog shown, store ready), seconds since process start, as the check reports."""
    shown, ready = [], []
    for _ in range(runs):
        out = subprocess.run(args, check=True, capture_output=True, env=env, text=True).stdout
        m = re.search(r"login dialog shown after ([0-9.]+) s, store ready after ([0-9.]+) s", out)
        assert m, out
        shown.append(float(m.group(1)))
        ready.append(float(m.group(2)))
    return statistics.median(shown), statistics.median(ready)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="also one run each with its files evicted from the cache")
    args = parser.parse_args()
    debs = sorted(PKG.glob("clerk-app_*_*.deb"))
    if not debs or not BUNDLE.exists():
        raise SystemExit("build the packages first: bash scripts/build-deb.sh")
    deb = debs[-1]
    tarball = sorted(PKG.glob("clerk-app-*-linux-*.tar.gz"))[-1]
    print(f"{deb.name}: {mib(deb):.0f} MiB; installed {installed_size_mib(deb):.0f} MiB")
    print(f"bundle folder: {mib(BUNDLE.parent):.0f} MiB; {tarball.name}: {mib(tarball):.0f} MiB")

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    venv_env = dict(env, PYTHONPATH=str(ROOT))
    data = Path(tempfile.mkdtemp(prefix="bench-pkg-"))
    bundle_login = [str(BUNDLE), "--install-check", "--until-login", "--data-dir", str(data / "b")]
    venv_login = [python(), str(ROOT / "packaging" / "clerk_install_check.py"), "--until-login"]
    venv_login += ["--data-dir", str(data / "v")]
    floor = [python(), "-c", FLOOR]
    for cmd, e in ((bundle_login, env), (venv_login, venv_env)):  # first start: creates and migrates the store
        subprocess.run(cmd, check=True, capture_output=True, env=e)
    b_shown, b_ready = login_times(bundle_login, env, args.runs)
    v_shown, v_ready = login_times(venv_login, venv_env, args.runs)
    floor_s = median_subprocess(floor, args.runs, env)
    print(f"process start → login dialog shown / store ready (median of {args.runs}, existing data folder):")
    print(
        f"  bundle {b_shown * 1000:.0f} / {b_ready * 1000:.0f} ms; venv {v_shown * 1000:.0f} / {v_ready * 1000:.0f} ms"
    )
    print(
        f"  floor (bare QApplication + QDialog in the venv, whole process) {floor_s * 1000:.0f} ms; "
        f"bundle/floor {b_shown / floor_s:.1f}×, venv/floor {v_shown / floor_s:.1f}× (dialog shown)"
    )
    bundle_cli = [str(BUNDLE), "--demo", "--data-dir", str(data / "b"), "admin", "verify-audit"]
    venv_cli = [python(), "-m", "ui.launcher", "--demo", "--data-dir", str(data / "v"), "admin", "verify-audit"]
    b_cli = median_subprocess(bundle_cli, args.runs, env)
    v_cli = median_subprocess(venv_cli, args.runs, venv_env)
    print(f"admin verify-audit (median of {args.runs}): bundle {b_cli * 1000:.0f} ms, venv {v_cli * 1000:.0f} ms")
    if args.cold:
        import sysconfig

        evict(BUNDLE.parent)
        b_cold = login_times(bundle_login, env, 1)[0]
        evict(Path(sysconfig.get_paths()["purelib"]), Path(sysconfig.get_paths()["stdlib"]), ROOT / "clerk_app")
        evict(ROOT / "ui", ROOT / "printing", ROOT / "devices", Path(sys.executable).resolve())
        v_cold = login_times(venv_login, venv_env, 1)[0]
        print(
            f"cold (files evicted from the page cache) start → login dialog: bundle {b_cold * 1000:.0f} ms, "
            f"venv {v_cold * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
