"""``clerk-app --install-check``: does the installed workstation work on this machine?

Starts the real application in demo mode (``ui.launcher`` → ``ui.app.run``: a temporary or given data
folder, simulated card reader and scanner, the PDF-folder printer), and drives it like a clerk:

1. the real login dialog: types ``clerk`` / ``Clerk2026`` with QTest key clicks and presses Enter;
2. the main window: checks the version in the status bar, opens the intake page;
3. one intake: item typed into the item picker (``gtgsh`` → 个体工商户设立登记), applicant saved, the
   questions answered, every required material received, the case accepted (the page's confirmation
   prompts are answered yes; the intake is driven through the page's own slots, as the UI tests do);
4. the receipt printed by the print service to the PDF-folder printer (``<data>/printed``): a PDF whose
   text holds 受理回执 and the case number;
5. the audit chain verified; the window closed, the app exits.

Exit status 0 when every step passed, 1 with the failing step otherwise. Used by CI's clean-root test
(packaging/clean-root-test.sh) and by a hall's IT staff after installing the package; in a source
checkout: ``python packaging/clerk_install_check.py``. Options: ``--data-dir DIR`` (kept afterwards,
default a temporary folder that is removed), ``--timeout SECONDS`` (default 120), ``--until-login``
(stop once the login dialog is shown: the start-up figure of bench/bench_packaging.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

if __name__ == "__main__" and not getattr(sys, "frozen", False):  # source checkout: the repository first
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

Wait = Callable[[], bool]


class AutoPrompts:
    """Answers the intake page's prompts (confirmations yes); errors are collected and fail the check."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.shown: list[tuple[str, str]] = []

    def confirm(self, title: str, text: str) -> bool:
        self.shown.append((title, text))
        return True

    def inform(self, title: str, text: str) -> None:
        self.shown.append((title, text))

    def error(self, text: str) -> None:
        self.errors.append(text)

    def defect_reason(self, material: str) -> str | None:
        return None

    def due_date(self, title: str, today: Any) -> Any:
        return None

    def reject(self, legal_basis: str) -> tuple[str, str] | None:
        return None

    def mrz_key(self) -> object | None:
        return None


class Check:
    def __init__(self, data_dir: Path, timeout: float, until_login: bool = False) -> None:
        self.data_dir = data_dir
        self.until_login = until_login
        self.deadline = time.monotonic() + timeout
        self.step = "start"
        self.failure: str | None = None
        self.passed: list[str] = []
        self._wait: Wait | None = None
        self._script = self.script()
        self.crash: str | None = None  # an exception raised in one of the app's own slots

    # -- the driver: a generator that yields "wait until" conditions, polled by a QTimer -------------
    def poll(self) -> None:
        from PySide6.QtWidgets import QApplication

        if self._script is None:
            return
        try:
            if self.crash is not None:
                raise AssertionError(f"the application raised {self.crash}")
            if time.monotonic() > self.deadline:
                raise AssertionError(f"timed out in step: {self.step}")
            if self._wait is not None and not self._wait():
                return
            self._wait = next(self._script)
        except StopIteration:
            self._script = None
        except Exception as exc:  # any failure ends the check with its step
            self.failure = f"{self.step}: {type(exc).__name__}: {exc}"
            self._script = None
            for w in QApplication.topLevelWidgets():  # unwind the login dialog's loop, then the app's
                if w.isVisible():
                    w.close()
            QApplication.exit(1)

    def begin(self, name: str) -> None:
        if self.step != "start":
            self.passed.append(self.step)
        self.step = name
        print(f"install-check: {name}", flush=True)

    def script(self) -> Generator[Wait, None, None]:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication

        from clerk_app.lifecycle import Decision, LineStatus
        from clerk_app.persons import PersonData
        from clerk_app.version import app_version
        from ui.login import LoginDialog
        from ui.main_window import MainWindow
        from ui.operations import busy

        def visible(cls: type) -> Any:
            return next((w for w in QApplication.topLevelWidgets() if isinstance(w, cls) and w.isVisible()), None)

        self.begin("login dialog shown")
        yield lambda: visible(LoginDialog) is not None
        dialog = visible(LoginDialog)
        if self.until_login:  # start-up measurement (bench/bench_packaging.py): stop at the login dialog
            self.shown_at = since_process_start()
            self.begin("store opened (the context is built behind the login dialog)")
            yield lambda: dialog.pending.ready  # never quit half-way through a first start's migrations
            self.ready_at = since_process_start()
            self.passed.append(self.step)
            self.case_number, self.receipt = "-", Path("-")
            dialog.reject()
            return
        self.begin("sign in as clerk through the login dialog (keyboard)")
        QTest.keyClicks(dialog.username, "clerk")
        QTest.keyClick(dialog.username, Qt.Key.Key_Return)
        QTest.keyClicks(dialog.password, "Clerk2026")
        QTest.keyClick(dialog.password, Qt.Key.Key_Return)
        yield lambda: visible(MainWindow) is not None
        window = visible(MainWindow)
        assert window.actor.username == "clerk", window.actor.username
        self.begin(f"version {app_version()} in the status bar")
        assert app_version() in window.version_label.text(), window.version_label.text()
        assert not app_version().startswith("0+unknown"), "no version found (package metadata missing)"

        self.begin("one intake (个体工商户设立登记)")
        window.show_page("intake")
        page = window.pages["intake"]
        prompts = page.prompts = AutoPrompts()
        QTest.keyClicks(page.picker.query, "gtgsh")
        page.picker.pick_current()
        yield lambda: page.case_id is not None and not busy(page)
        page.save_applicant(
            PersonData(
                name="张三丰",
                document_number="11010519491231002X",
                address="湖北省武汉市江岸区胜利街100号",
                phone="13800138000",
            )
        )
        page.answer({"premises": "rented", "via_agent": False})
        yield lambda: not busy(page)  # the answers decide which lines are required: wait for the re-read
        for row in range(page.model.rowCount()):
            if page.model.line(row).status is not LineStatus.NOT_REQUIRED:
                page.table.selectRow(row)
                page.receive_line()
        yield lambda: not busy(page)  # the writes run off the GUI thread, in order (ui.operations.CoreOp)
        assert prompts.errors == [], prompts.errors
        case_id = page.case_id
        self.begin("accept the case")
        page.decide(Decision.ACCEPT)
        yield lambda: not busy(page)
        assert prompts.errors == [], prompts.errors
        view = window.ctx.cases.get(window.actor, case_id)
        assert view.status.value == "accepted", view.status
        self.begin("receipt printed to the PDF-folder printer")
        printed = self.data_dir / "printed"
        yield lambda: window.printing.idle and any(printed.glob("*-receipt-*.pdf"))
        receipt = next(printed.glob("*-receipt-*.pdf"))
        text = _pdf_text(receipt)
        assert "受理回执" in text and view.case_number in text, f"receipt text: {text[:200]!r}"
        if window.printing.ask_dialog is not None:  # the optional materials list: not wanted here
            window.printing.ask_dialog.reject()
        self.begin("audit chain intact")
        broken = window.ctx.auditor.verify()
        assert broken is None, broken
        self.begin("close the window")
        self.receipt = receipt
        self.case_number = view.case_number
        window.close()
        self.passed.append(self.step)
        QApplication.quit()  # the applicant's screen, if any, is another top-level window


def since_process_start() -> float:
    """Seconds since this process was started (Linux: /proc, so the bootloader and interpreter start
    count too; elsewhere: since this module was imported)."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _IMPORTED


_IMPORTED = time.monotonic()


def _pdf_text(path: Path) -> str:
    import pypdfium2  # shipped with the app (imports PDF pages); here it reads the receipt back

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return "".join("".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf)))
    finally:
        pdf.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="clerk-app --install-check", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="data folder to use and keep (default: a temporary one, removed)")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument(
        "--until-login", action="store_true", help="stop once the login dialog is shown (start-up bench)"
    )
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="clerk-app-check-"))
    data_dir.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QTimer

    from ui.app import create_application
    from ui.launcher import main as launch

    app = create_application(["clerk-app"])
    check = Check(data_dir, args.timeout, args.until_login)

    def excepthook(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
        traceback.print_exception(kind, exc, tb)  # Qt slots report here; the check stops at the next poll
        check.crash = f"{kind.__name__}: {exc}"

    sys.excepthook = excepthook
    timer = QTimer(app)
    timer.timeout.connect(check.poll)
    timer.start(100)
    started = time.monotonic()
    try:
        code = launch(["--demo", "--data-dir", str(data_dir), "--lang", "zh_CN"])
    finally:
        timer.stop()
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
    for name in check.passed:
        print(f"install-check: ok   {name}")
    if args.until_login and check.failure is None and check.passed:
        print(
            f"install-check: login dialog shown after {check.shown_at:.2f} s, "
            f"store ready after {check.ready_at:.2f} s (since process start)"
        )
        return 0
    if check.failure or check._script is not None or code != 0:
        print(f"install-check: FAILED {check.failure or f'app exited with {code} in step: {check.step}'}")
        return 1
    print(
        f"install-check: PASSED in {time.monotonic() - started:.1f} s (case {check.case_number}, {check.receipt.name})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
