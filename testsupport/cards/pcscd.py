"""Fixtures for the card tests: a private pcscd with the vpcd virtual reader driver, emulated cards.

pcscd runs in the foreground (-f) with a private reader.conf.d (-c) whose vpcd entry listens on a
free TCP port pair, so a stale process on the default 35963 cannot interfere. It is stopped by PID.

pcscd's socket path (/run/pcscd/pcscd.comm) is fixed at build time, but the client library reads
PCSCLITE_CSOCK_NAME. So, where mount namespaces are allowed (root), pcscd runs under
``unshare -m`` with a private directory bind-mounted on /run/pcscd, and this process points
PCSCLITE_CSOCK_NAME at the socket in that directory: test sessions running side by side, or a
system pcscd, do not meet. Elsewhere it falls back to the shared path and fails (does not skip)
when another pcscd is running.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from smartcard import scard

from devices.cards.api import MrzKey
from testsupport.cards.testdocs import EmrtdFiles
from testsupport.cards.vpcd_card import EmrtdCard, Faults, VirtualCard, VpcdClient

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
READER_0 = "Virtual PCD 00 00"
READER_1 = "Virtual PCD 00 01"


def _port_pair_free(port: int) -> bool:
    for p in (port, port + 1):
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("0.0.0.0", p))
            except OSError:
                return False
    return True


def _free_port_pair() -> int:
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port < 65000 and _port_pair_free(port):
            return port
    raise RuntimeError("no free TCP port pair for vpcd")


def _readers() -> list[str]:
    hresult, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != 0:
        return []
    try:
        hresult, names = scard.SCardListReaders(ctx, [])
        return list(names) if hresult == 0 else []
    finally:
        scard.SCardReleaseContext(ctx)


class Pcscd:
    """A private pcscd process; ``restart()`` simulates the service being restarted."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.rundir = workdir / "run"
        self.rundir.mkdir()
        self.isolated = _can_isolate()
        self.port = _free_port_pair()
        conf = workdir / "reader.conf.d"
        conf.mkdir()
        (conf / "vpcd").write_text(
            'FRIENDLYNAME "Virtual PCD"\n'
            f"DEVICENAME /dev/null:0x{self.port:04X}\n"
            f"LIBPATH {VPCD_DRIVER}\n"
            f"CHANNELID 0x{self.port:04X}\n"
        )
        self.conf = conf
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        exe = shutil.which("pcscd") or "/usr/sbin/pcscd"
        cmd = [exe, "-f", "-c", str(self.conf)]
        if self.isolated:
            # unshare execs sh, which execs pcscd: the PID we keep is pcscd's own
            cmd = ["unshare", "-m", "sh", "-c", 'mount --bind "$0" /run/pcscd && exec "$@"', str(self.rundir), *cmd]
            os.environ["PCSCLITE_CSOCK_NAME"] = str(self.rundir / "pcscd.comm")
        else:
            _fail_if_another_pcscd()
        log = open(self.workdir / "pcscd.log", "ab")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if READER_0 in _readers():
                return
            time.sleep(0.02)
        log_text = (self.workdir / "pcscd.log").read_text(errors="replace")[-2000:]
        self.stop()
        pytest.fail(
            f"pcscd with the vpcd driver did not come up (is another pcscd running, "
            f"or is vsmartcard-vpcd missing?). Log:\n{log_text}"
        )

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def restart(self) -> None:
        self.stop()
        self.start()

    def reader_count(self) -> int:
        return len(_readers())


def _can_isolate() -> bool:
    if os.environ.get("CLERK_CARDS_SHARED_PCSCD") or not shutil.which("unshare"):
        return False
    if not Path("/run/pcscd").is_dir():
        try:
            Path("/run/pcscd").mkdir(parents=True)
        except OSError:
            return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind /tmp /run/pcscd"], capture_output=True)
    return probe.returncode == 0


def _fail_if_another_pcscd() -> None:
    pid_file = Path("/run/pcscd/pcscd.pid")
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text().strip()), 0)
            pytest.fail("another pcscd is already running (see /run/pcscd/pcscd.pid); stop it first")
        except (ValueError, ProcessLookupError):
            pass


def key_for(doc: EmrtdFiles) -> MrzKey:
    return MrzKey(doc.holder.number, doc.holder.birth, doc.holder.expiry)


class CardSlot:
    """Puts emulated cards on reader 0 of the private pcscd; removes them after the test."""

    def __init__(self, daemon: Pcscd) -> None:
        self.daemon = daemon
        self.clients: list[VpcdClient] = []

    def insert(self, card: VirtualCard, slot: int = 0, quickack: bool = True) -> VpcdClient:
        client = VpcdClient(card, self.daemon.port + slot, quickack=quickack).insert()
        self.clients.append(client)
        wait_for_card(READER_0 if slot == 0 else READER_1, present=True)
        return client

    def insert_emrtd(
        self, doc: EmrtdFiles, key: MrzKey | None = None, extended: bool = True, faults: Faults | None = None
    ) -> tuple[EmrtdCard, VpcdClient]:
        card = EmrtdCard(doc.files, key or key_for(doc), extended=extended, faults=faults)
        return card, self.insert(card)

    def remove_all_quietly(self) -> None:
        """Disconnect every card without asking pcscd (which may be down)."""
        for client in self.clients:
            client.remove()
        self.clients.clear()

    def remove_all(self) -> None:
        for client in self.clients:
            client.remove()
        for reader in (READER_0, READER_1):
            wait_for_card(reader, present=False)
        self.clients.clear()


def wait_for_card(reader: str, present: bool, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hresult, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult == 0:
            try:
                hresult, states = scard.SCardGetStatusChange(ctx, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
                if hresult == 0 and bool(states[0][1] & scard.SCARD_STATE_PRESENT) == present:
                    return
            finally:
                scard.SCardReleaseContext(ctx)
        time.sleep(0.01)
    raise AssertionError(f"card {'never appeared' if present else 'still present'} on {reader}")
