"""A watchdog that stops what a test run started, even when the run does not end cleanly.

pytest-timeout ends a hung run with ``os._exit``: no fixture finaliser runs, so pcscd, cupsd,
PostgreSQL and the back office's uvicorn were left running (and a cups-pdf file in /etc/cups).
At session start (``pytest_configure``) the run marks its environment with ``CLERK_TEST_RUN=<id>``,
which every service it starts inherits (also PostgreSQL through ``runuser``/``pg_ctl``, which leave
the process group, so a process-group kill alone would miss it), and starts this module as a
separate process in its own session. When the pytest process is gone, for whatever reason, the
watchdog:

1. sends SIGTERM to every process whose environment carries the run's marker, then SIGKILL to those
   still alive after 5 s;
2. removes the run's ``clerk-*`` temp folders named on those processes' command lines (the private
   PostgreSQL cluster, the CUPS spool) and ``/etc/cups/cups-pdf-clerkci<pytest pid>.conf``.

At session start it also reaps what an earlier run left when its watchdog could not run (the whole
process tree killed): processes marked with a run whose pytest is gone, stale cups-pdf files.
After a clean run there is nothing left to do and the watchdog just exits.

Usage as a process: ``python -m tests.helpers.reaper PYTEST_PID PYTEST_START RUN_ID``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

MARKER = "CLERK_TEST_RUN"
CUPS_DIR_ENV = "CLERK_REAPER_CUPS_DIR"  # tests of the reaper point it at a temp folder
_CUPS_CONF = re.compile(r"^cups-pdf-clerkci(\d+)\.conf$")


def _start_time(pid: int) -> str | None:
    """The process start time (clock ticks since boot), or None if it is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):
        return None
    return fields[19]


def _alive(pid: int, start: str) -> bool:
    return _start_time(pid) == start


def _marked(run_id: str | None = None) -> dict[int, str]:
    """pid → run id of every process carrying a run marker (of ``run_id`` only, if given)."""
    found: dict[int, str] = {}
    me = os.getpid()
    needle = MARKER.encode() + b"="
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            env = Path(entry.path, "environ").read_bytes()
        except OSError:
            continue
        for item in env.split(b"\0"):
            if item.startswith(needle):
                value = item[len(needle) :].decode(errors="replace")
                if run_id is None or value == run_id:
                    found[int(entry.name)] = value
                break
    return found


def _temp_dirs_of(pid: int) -> set[Path]:
    """``clerk-*`` folders directly under the temp dir named on a process's command line."""
    tmp = Path(tempfile.gettempdir()).resolve()
    dirs = set()
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return dirs
    for arg in args:
        for token in arg.decode(errors="replace").replace("=", " ").split():
            p = Path(token)
            if p.is_absolute() and len(p.parts) > len(tmp.parts) and Path(*p.parts[: len(tmp.parts)]) == tmp:
                top = Path(*p.parts[: len(tmp.parts) + 1])
                if top.name.startswith("clerk-"):
                    dirs.add(top)
    return dirs


def reap(run_id: str, pytest_pid: int) -> list[int]:
    """Stop every process of the run, remove its temp folders and cups-pdf file. Returns the pids."""
    victims = _marked(run_id)
    dirs: set[Path] = set()
    for pid in victims:
        dirs |= _temp_dirs_of(pid)
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_start_time(p) for p in victims):
        time.sleep(0.1)
    for pid in victims:
        if _start_time(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
    cups = Path(os.environ.get(CUPS_DIR_ENV, "/etc/cups")) / f"cups-pdf-clerkci{pytest_pid}.conf"
    cups.unlink(missing_ok=True)
    return sorted(victims)


def reap_orphans_of_dead_runs() -> None:
    """What runs that died with their watchdog left behind (pytest pid encoded in the run id)."""
    for pid, run in _marked().items():
        owner, _, rest = run.partition("-")
        start = rest.partition("-")[0]
        if owner.isdigit() and not _alive(int(owner), start):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    cups_dir = Path(os.environ.get(CUPS_DIR_ENV, "/etc/cups"))
    try:
        names = os.listdir(cups_dir)
    except OSError:
        return
    for name in names:
        m = _CUPS_CONF.match(name)
        if m and _start_time(int(m.group(1))) is None:
            (cups_dir / name).unlink(missing_ok=True)


def start_watchdog() -> str:
    """Mark this process's environment for its children and start the watchdog. Returns the run id."""
    pid = os.getpid()
    start = _start_time(pid) or "0"
    run_id = f"{pid}-{start}-{uuid.uuid4().hex[:8]}"
    reap_orphans_of_dead_runs()
    os.environ[MARKER] = run_id
    env = {k: v for k, v in os.environ.items() if k != MARKER}  # the watchdog is not one of the victims
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    launcher = subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.reaper", str(pid), start, run_id],
        env=env,
        cwd=root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # survives a kill of pytest's process group
    )
    launcher.wait(30)  # it forks the watchdog and exits: the watchdog is no child of pytest
    return run_id


def pytest_configure(config: object) -> None:
    """Pytest hook (imported into tests/conftest.py; ``-p tests.helpers.reaper`` also works)."""
    if os.environ.get(MARKER, "").startswith(f"{os.getpid()}-"):
        return  # already started for this process
    start_watchdog()


def _watch(pytest_pid: int, start: str, run_id: str) -> None:
    while _alive(pytest_pid, start):
        time.sleep(0.5)
    reap(run_id, pytest_pid)


if __name__ == "__main__":
    if os.fork() == 0:
        _watch(int(sys.argv[1]), sys.argv[2], sys.argv[3])
    os._exit(0)
