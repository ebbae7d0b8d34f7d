"""Printing through CUPS with pycups (Linux). Imported lazily: without pycups the backend is
"unavailable, because pycups is not installed" instead of breaking the app.

Why pycups rather than ``lp``/``lpstat``: it returns IPP attributes as data (job-state,
printer-state-reasons such as ``media-empty-error`` or ``offline-report``), where the commands print
localised text that would have to be parsed; and it can cancel exactly the job it submitted. It builds
from source in seconds with ``libcups2-dev`` (no Linux wheels).

One ``cups.Connection`` per call: a connection is not thread-safe and is cheap on the local socket.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any

from printing.dispatch import PrinterStatus
from printing.documents import PrintableDocument
from printing.errors import PrinterUnavailable, PrintFailed

try:  # pragma: no cover - exercised by the environment, not by a test
    import cups
except ImportError as exc:  # pycups missing (e.g. Windows)
    cups = None
    IMPORT_ERROR: str = f"pycups is not installed ({exc})"
else:
    IMPORT_ERROR = ""

# IPP job-state values (RFC 8011 §5.3.7)
JOB_PENDING, JOB_HELD, JOB_PROCESSING, JOB_STOPPED, JOB_CANCELED, JOB_ABORTED, JOB_COMPLETED = range(3, 10)
PRINTER_STOPPED = 5  # printer-state (RFC 8011 §5.4.11)

# printer-state-reasons keywords (RFC 8011 §5.4.12, PWG 5100.9) that keep a job from printing.
_BLOCKING_REASONS = {
    "media-empty": "media-empty",
    "media-needed": "media-empty",
    "input-tray-missing": "media-empty",
    "media-jam": "media-jam",
    "cover-open": "cover-open",
    "door-open": "cover-open",
    "interlock-open": "cover-open",
    "toner-empty": "toner-empty",
    "marker-supply-empty": "toner-empty",
    "offline": "offline",
    "shutdown": "offline",
    "timed-out": "offline",
}
_PRINTER_ATTRS = ["printer-state", "printer-state-reasons", "printer-state-message", "printer-is-accepting-jobs"]


def available() -> tuple[bool, str]:
    """Whether this backend can be used here, and if not, why (for the settings page)."""
    return (cups is not None, IMPORT_ERROR)


def classify(attrs: dict[str, Any]) -> PrinterStatus:
    """Printer attributes → ready, or the first blocking reason (a key of PRINTER_REASONS)."""
    message = str(attrs.get("printer-state-message", "") or "")
    reasons = attrs.get("printer-state-reasons") or []
    if isinstance(reasons, str):
        reasons = [reasons]
    for raw in reasons:
        base, severity = raw, "error"
        for suffix in ("-error", "-warning", "-report"):
            if raw.endswith(suffix):
                base, severity = raw[: -len(suffix)], suffix[1:]
        # Warnings (paper low) never block; "offline-report" is how CUPS says the device is offline.
        if severity == "warning" or (severity == "report" and base != "offline"):
            continue
        if base in _BLOCKING_REASONS:
            return PrinterStatus(False, _BLOCKING_REASONS[base], f"{raw}; {message}".strip("; "))
    if attrs.get("printer-state") == PRINTER_STOPPED:
        return PrinterStatus(False, "stopped", f"printer-state stopped; {message}".strip("; "))
    if attrs.get("printer-is-accepting-jobs") is False:
        return PrinterStatus(False, "not-accepting", message)
    return PrinterStatus(True)


class CupsPrinter:
    """A CUPS queue. ``server`` is a host name or a local socket path (default: CUPS_SERVER / client.conf)."""

    def __init__(
        self,
        queue: str,
        *,
        name: str | None = None,
        server: str | None = None,
        timeout: float = 60.0,
        stall_grace: float = 3.0,
        poll_interval: float = 0.1,
        connection_factory: Callable[[], Any] | None = None,
    ) -> None:
        self.queue = queue
        self.name = name or queue
        self.server = server
        self.timeout = timeout
        self.stall_grace = stall_grace  # how long a submitted job may wait on a stopped printer
        self.poll_interval = poll_interval
        self._factory = connection_factory

    def _connect(self) -> Any:
        if self._factory is not None:
            return self._factory()
        if cups is None:
            raise PrinterUnavailable(self.name, "spooler-unreachable", detail=IMPORT_ERROR)
        try:
            return cups.Connection(host=self.server) if self.server else cups.Connection()
        except RuntimeError as exc:  # "failed to connect to server"
            raise PrinterUnavailable(self.name, "spooler-unreachable", detail=str(exc)) from exc

    def status(self) -> PrinterStatus:
        conn = self._connect()
        return self._status(conn)

    def _status(self, conn: Any) -> PrinterStatus:
        try:
            attrs = conn.getPrinterAttributes(self.queue, requested_attributes=_PRINTER_ATTRS)
        except Exception as exc:  # cups.IPPError(status, text); IPP_NOT_FOUND for an unknown queue
            code = exc.args[0] if exc.args else None
            not_found = cups is not None and code == getattr(cups, "IPP_NOT_FOUND", object())
            return PrinterStatus(
                False, "not-found" if not_found else "spooler-unreachable", f"{type(exc).__name__}: {exc}"
            )
        return classify(attrs)

    def print_document(self, doc: PrintableDocument, job_name: str) -> str:
        conn = self._connect()
        st = self._status(conn)
        if not st.ready:
            # Do not hand the job to CUPS: it would print by itself later, and a retry would print twice.
            raise PrinterUnavailable(self.name, st.reason, detail=st.detail)
        options = {"media": doc.media, "fit-to-page": "false"}
        fd, path = tempfile.mkstemp(prefix="clerk-print-", suffix=".pdf")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(doc.pdf)
            try:
                job_id = conn.printFile(self.queue, path, job_name, options)
            except Exception as exc:
                raise PrintFailed(
                    detail=f"printFile: {type(exc).__name__}: {exc}", printer=self.name, problem="打印服务拒绝了该任务"
                ) from exc
        finally:
            os.unlink(path)  # CUPS has copied the file into its spool by now
        self._wait(conn, job_id)
        return str(job_id)

    def _wait(self, conn: Any, job_id: int) -> None:
        deadline = time.monotonic() + self.timeout
        stalled_since: float | None = None
        while True:
            attrs = conn.getJobAttributes(
                job_id, requested_attributes=["job-state", "job-state-reasons", "job-printer-state-message"]
            )
            state = attrs.get("job-state")
            if state == JOB_COMPLETED:
                return
            if state in (JOB_CANCELED, JOB_ABORTED):
                why = attrs.get("job-printer-state-message") or attrs.get("job-state-reasons") or ""
                raise PrintFailed(
                    detail=f"CUPS job {job_id} state {state}: {why}", printer=self.name, problem="打印任务被取消或中止"
                )
            now = time.monotonic()
            st = self._status(conn)
            if not st.ready or state == JOB_STOPPED:
                stalled_since = stalled_since or now
                if now - stalled_since >= self.stall_grace:
                    self._cancel(conn, job_id)
                    if st.ready:  # the job itself stopped (filter or backend error), not the printer
                        why = attrs.get("job-printer-state-message") or attrs.get("job-state-reasons") or ""
                        raise PrintFailed(
                            detail=f"CUPS job {job_id} stopped: {why}",
                            printer=self.name,
                            problem="打印服务处理该任务时出错",
                        )
                    raise PrinterUnavailable(
                        self.name, st.reason, detail=f"CUPS job {job_id} cancelled while stalled: {st.detail}"
                    )
            else:
                stalled_since = None
            if now >= deadline:
                self._cancel(conn, job_id)
                raise PrinterUnavailable(self.name, "timeout", detail=f"CUPS job {job_id} state {state}")
            time.sleep(self.poll_interval)

    @staticmethod
    def _cancel(conn: Any, job_id: int) -> None:
        try:
            conn.cancelJob(job_id, purge_job=True)
        except Exception:  # already finished or gone: nothing left to print twice
            pass


def list_queues(server: str | None = None) -> Sequence[str]:
    """Names of the CUPS queues, for the printer choice in the settings."""
    if cups is None:
        return []
    conn = cups.Connection(host=server) if server else cups.Connection()
    return sorted(conn.getPrinters())
