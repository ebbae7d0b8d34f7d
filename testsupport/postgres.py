"""A throw-away PostgreSQL cluster for one test run (initdb in a temp dir, loopback port, stopped by
pg_ctl at the end). Runs the server as the ``postgres`` system user when the tests run as root."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass


def _pg_bin() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql (deps/apt-test.txt)")
    return os.path.dirname(found[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    datadir: str
    port: int
    bindir: str
    as_user: str | None

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, args: list[str]) -> None:
        if self.as_user:
            args = ["runuser", "-u", self.as_user, "--"] + args
        subprocess.run(args, check=True, capture_output=True, timeout=60)

    def create_database(self, name: str) -> str:
        self._run(
            [
                f"{self.bindir}/psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-q",
                "-c",
                f'CREATE DATABASE "{name}"',
            ]
        )
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run([f"{self.bindir}/pg_ctl", "-D", self.datadir, "stop", "-m", "fast", "-w"])
        finally:
            shutil.rmtree(os.path.dirname(self.datadir), ignore_errors=True)


def start_postgres(*, fsync: bool = False) -> PostgresServer:
    """``fsync=False`` for the tests (speed); benchmarks pass True to measure what a hall would see."""
    bindir = _pg_bin()
    root = tempfile.mkdtemp(prefix="clerk-pg-")
    datadir = os.path.join(root, "data")
    as_user = "postgres" if os.geteuid() == 0 else None
    if as_user:
        shutil.chown(root, user=as_user)
    server = PostgresServer(datadir=datadir, port=free_port(), bindir=bindir, as_user=as_user)
    server._run(
        [
            f"{bindir}/initdb",
            "-D",
            datadir,
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C.UTF-8",
        ]
    )
    server._run(
        [
            f"{bindir}/pg_ctl",
            "-D",
            datadir,
            "-l",
            os.path.join(root, "log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {server.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync={'on' if fsync else 'off'}",
            "start",
        ]
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return server
