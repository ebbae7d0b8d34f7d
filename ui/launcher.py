"""Console entry point ``clerk-app``: the core's CLI with the Qt interface plugged in.

``run`` is what the command and the frozen bundle call: once the window has closed (the store closed,
the log flushed) the process ends with ``os._exit`` rather than through the interpreter's and the C
library's exit handlers. A device library can leave a lock held behind it — the SANE ``test``
backend's reader thread is ended with an asynchronous ``pthread_cancel``, and a test run that had
passed then hung for ever in libp11-kit's exit handler waiting on glibc's locale lock (gdb; see
docs/scanning.md) — and a clerk who quits must get the desktop back, not a frozen window. Nothing the
app needs happens in those handlers: everything is closed before."""

from __future__ import annotations

import logging
import os
import sys

from clerk_app import cli
from clerk_app.settings import Settings

_window_ran = False


def _gui(settings: Settings) -> int:
    from ui.app import run  # Qt is imported only when the window is wanted

    global _window_ran
    _window_ran = True
    return run(settings)


def main(argv: list[str] | None = None) -> int:
    return cli.main(argv, gui=_gui)


def end_process(code: int) -> None:
    """Flush what is buffered (the log, stdout, stderr), then end at once with ``code``."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # closed or replaced: nothing more to save
            pass
    os._exit(code)


def run(argv: list[str] | None = None) -> int:
    """``clerk-app``: the CLI; after the window, the process ends here (``end_process``)."""
    code = main(argv)
    if _window_ran:
        end_process(code)
    return code


if __name__ == "__main__":
    sys.exit(run())
