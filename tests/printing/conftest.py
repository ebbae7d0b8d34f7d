"""Fixtures for the printing tests: text/QR/image helpers and a private cupsd with a cups-pdf printer.

The cupsd runs from a temp dir (its own ServerRoot, spool, cache, logs) and listens only on a Unix
socket there; it is started once per session and stopped by PID. cups-pdf reads its configuration
from /etc/cups/cups-pdf-<instance>.conf (the path is compiled in), so the fixture writes one file
with a per-run instance name there and removes it at the end. Needs root (cups-pdf refuses otherwise).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CUPS_PDF_CONF_DIR = Path("/etc/cups")


def normalise(text: str) -> str:
    """NFKC (full-width punctuation → ASCII, compatibility ideographs → unified) without whitespace,
    so a table cell that wraps a long name still matches."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def pdf_text(pdf: bytes, tmp_path: Path, first: int | None = None, last: int | None = None) -> str:
    src = tmp_path / "doc.pdf"
    src.write_bytes(pdf)
    cmd = ["pdftotext", "-enc", "UTF-8"]
    if first:
        cmd += ["-f", str(first)]
    if last:
        cmd += ["-l", str(last)]
    out = subprocess.run(cmd + [str(src), "-"], check=True, capture_output=True).stdout
    return out.decode("utf-8")


def render_page(pdf_path: Path, out_prefix: Path, dpi: int = 150, page: int = 1, gray: bool = False) -> Path:
    cmd = ["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile"]
    if gray:
        cmd.append("-gray")
    subprocess.run(cmd + [str(pdf_path), str(out_prefix)], check=True, capture_output=True)
    return out_prefix.with_name(out_prefix.name + ".png")


def decode_qr(png: Path) -> list[str]:
    """The QR payloads on the image. ``-Sbinary`` gives the raw bytes: without it zbar guesses
    Shift-JIS for non-ASCII byte-mode data (ReportLab writes UTF-8 without an ECI header).
    zbarimg exits 4 when it finds nothing; its stderr may carry harmless D-Bus noise."""
    res = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", "-Sbinary", str(png)], capture_output=True
    )
    data = res.stdout.decode("utf-8")
    return [data] if data else []


@dataclass
class CupsServer:
    socket: Path
    queue: str
    out_dir: Path
    log_dir: Path
    pid: int

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "CUPS_SERVER": str(self.socket)}

    def run(self, *args: str) -> None:
        subprocess.run(list(args), check=True, env=self.env, capture_output=True, timeout=20)

    def disable(self, reason: str = "paused by test") -> None:
        self.run("cupsdisable", "-r", reason, self.queue)

    def enable(self) -> None:
        self.run("cupsenable", self.queue)

    def log_tail(self, lines: int = 15) -> str:
        """The end of cupsd's error log, for a failure message (the temp dir is removed afterwards)."""
        try:
            text = (self.log_dir / "error_log").read_text("utf-8", errors="replace")
        except OSError:
            return "(no error_log)"
        return "\n".join(text.splitlines()[-lines:])

    def outputs(self) -> list[Path]:
        return sorted(self.out_dir.glob("*.pdf"))


def _write_conf(root: Path, base: Path) -> None:
    (root / "cupsd.conf").write_text(f"""\
Listen {base}/cups.sock
LogLevel info
Browsing Off
WebInterface No
DefaultAuthType None
JobRetryLimit 0
PreserveJobHistory Yes
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order allow,deny
    Allow all
  </Limit>
</Policy>
""")
    (root / "cups-files.conf").write_text(f"""\
ServerRoot {root}
RequestRoot {base}/spool
TempDir {base}/spool/tmp
CacheDir {base}/cache
StateDir {base}/state
AccessLog {base}/log/access_log
ErrorLog {base}/log/error_log
PageLog {base}/log/page_log
Printcap {base}/printcap
ServerBin /usr/lib/cups
DataDir /usr/share/cups
FileDevice No
User lp
Group lp
SystemGroup root
""")
    for name in ("raw.convs", "raw.types"):
        if (CUPS_PDF_CONF_DIR / name).exists():
            shutil.copy(CUPS_PDF_CONF_DIR / name, root / name)


@pytest.fixture(scope="session")
def cups_server() -> Iterator[CupsServer]:
    if os.geteuid() != 0:
        pytest.fail("the CUPS fixture needs root: cups-pdf refuses to run otherwise (see docs/printing.md)")
    for tool in ("cupsd", "lpadmin", "cupsenable", "cupsdisable"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} not found: install the packages in deps/apt-printing.txt")
    # Not under pytest's tmp dir: that is 0700 and cupsd's filters run as user lp and must reach the spool.
    base = Path(tempfile.mkdtemp(prefix="clerk-cups-"))
    base.chmod(0o755)
    root = base / "root"
    for d in ("root", "spool/tmp", "cache", "state", "log", "out"):
        (base / d).mkdir(parents=True, exist_ok=True)
    (base / "out").chmod(0o755)
    _write_conf(root, base)
    instance = f"clerkci{os.getpid()}"
    pdf_conf = CUPS_PDF_CONF_DIR / f"cups-pdf-{instance}.conf"
    pdf_conf.write_text(f"Out {base}/out\nAnonDirName {base}/out\nLabel 0\nTitlePref 1\n")
    sock = base / "cups.sock"
    log = open(base / "log" / "cupsd.stderr", "wb")
    proc = subprocess.Popen(
        ["cupsd", "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")], stdout=log, stderr=log
    )
    server = CupsServer(socket=sock, queue="CLERK_CI", out_dir=base / "out", log_dir=base / "log", pid=proc.pid)
    try:
        deadline = time.monotonic() + 15
        while not sock.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"cupsd did not start; see {base}/log")
            time.sleep(0.02)
        server.run(
            "lpadmin",
            "-p",
            server.queue,
            "-E",
            "-v",
            f"cups-pdf:/{instance}",
            "-m",
            "lsb/usr/cups-pdf/CUPS-PDF_opt.ppd",
        )
        yield server
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        pdf_conf.unlink(missing_ok=True)
        shutil.rmtree(base, ignore_errors=True)
