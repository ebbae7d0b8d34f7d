"""Sizes and start-up of the desktop packages (issue 20), after ``bash scripts/build-deb.sh``.

Run: .venv/bin/python bench/bench_packaging.py [--runs 5] [--cold]
Prints:
- sizes: the .deb, its installed size, the bundle folder, the bundle tarball;
- start-up to the login dialog shown (offscreen, demo mode, existing data folder): the frozen bundle
  (``build/pkg/dist/clerk-app/clerk-app --install-check --until-login``) against the same code from the
  source checkout in the venv (``python packaging/clerk_install_check.py --until-login``), and the floor
  of a bare QApplication + QDialog in the venv, all measured in the same run (median of --runs);
- an admin command end to end (``clerk-app --demo --data-dir D admin verify-audit``), bundle and venv;
- with --cold (root): one run of each start-up after dropping the page cache
  (``echo 3 > /proc/sys/vm/drop_caches``), i.e. every file read from disk.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
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


def drop_caches() -> None:
    os.sync()
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def once(args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=env)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="also one run each after dropping the page cache (root)")
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
    bundle_s = median_subprocess(bundle_login, args.runs, env)
    venv_s = median_subprocess(venv_login, args.runs, venv_env)
    floor_s = median_subprocess(floor, args.runs, env)
    print(
        f"start → login dialog (median of {args.runs}, existing data folder): bundle {bundle_s * 1000:.0f} ms, "
        f"venv {venv_s * 1000:.0f} ms, floor (bare QApplication + QDialog, venv) {floor_s * 1000:.0f} ms; "
        f"bundle/floor {bundle_s / floor_s:.1f}×, venv/floor {venv_s / floor_s:.1f}×"
    )
    bundle_cli = [str(BUNDLE), "--demo", "--data-dir", str(data / "b"), "admin", "verify-audit"]
    venv_cli = [python(), "-m", "ui.launcher", "--demo", "--data-dir", str(data / "v"), "admin", "verify-audit"]
    b_cli = median_subprocess(bundle_cli, args.runs, env)
    v_cli = median_subprocess(venv_cli, args.runs, venv_env)
    print(f"admin verify-audit (median of {args.runs}): bundle {b_cli * 1000:.0f} ms, venv {v_cli * 1000:.0f} ms")
    if args.cold:
        drop_caches()
        b_cold = once(bundle_login, env)
        drop_caches()
        v_cold = once(venv_login, venv_env)
        print(
            f"cold (page cache dropped) start → login dialog: bundle {b_cold * 1000:.0f} ms, "
            f"venv {v_cold * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
