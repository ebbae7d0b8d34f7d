"""Logging, set up in one place: rotating files under the data folder, and a filter on every handler
that keeps personal data out.

The filter (``PersonalDataFilter``) formats each record itself and then
- replaces resident ID numbers (GB 11643: 17 digits + digit/X) and unified social credit codes
  (GB 32100, only where the check character is right, so case numbers stay readable) by a masked form;
- refuses binary payloads: a ``bytes``/``bytearray``/``memoryview`` argument (a photo, a page, an
  APDU) is logged as ``<N bytes withheld>``;
- applies the same to exception tracebacks and stack info.
Names cannot be recognised by a pattern; the rule is that code never logs them (docs/engineering.md),
and tests/core/test_logging.py drives a whole intake to prove none arrives.
Handlers added to the root logger after ``setup_logging`` must get the filter too (``protect``).
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path
from typing import Any

from clerk_app.identity import mask_id_number, uscc_check_char

LOG_FILE = "clerk-app.log"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 10
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_ID18 = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{14})(?![0-9A-Za-z])")  # first-generation cards
_USCC = re.compile(r"(?<![0-9A-Za-z])([0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})(?![0-9A-Za-z])")


def _uscc_valid(code: str) -> bool:
    try:
        return uscc_check_char(code[:17]) == code[17]
    except (KeyError, ValueError, IndexError):
        return False


def redact(text: str) -> str:
    text = _ID18.sub(lambda m: mask_id_number(m.group(1)), text)
    text = _ID15.sub(lambda m: mask_id_number(m.group(1)), text)
    return _USCC.sub(lambda m: mask_id_number(m.group(1)) if _uscc_valid(m.group(1)) else m.group(1), text)


def _safe_arg(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes withheld>"
    return value


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_pd_clean", False):
            return True
        if isinstance(record.msg, (bytes, bytearray, memoryview)):
            record.msg, record.args = _safe_arg(record.msg), ()
        if isinstance(record.args, dict):
            record.args = {k: _safe_arg(v) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(_safe_arg(a) for a in record.args)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template only
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._pd_clean = True
        return True


_FILTER = PersonalDataFilter()


def protect(handler: logging.Handler) -> logging.Handler:
    if _FILTER not in handler.filters:
        handler.addFilter(_FILTER)
    return handler


def setup_logging(data_dir: Path, level: int = logging.INFO, *, console: bool = True) -> Path:
    """Rotating file ``<data_dir>/logs/clerk-app.log`` (5 MB × 10); every root handler filtered.
    Safe to call again (the file handler is replaced, not doubled)."""
    folder = Path(data_dir) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_clerk_app_file", False):
            root.removeHandler(h)
            h.close()
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
    )
    handler._clerk_app_file = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    if console and not any(
        isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler) for h in root.handlers
    ):
        stream = logging.StreamHandler()
        stream.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(stream)
    root.setLevel(level)
    for h in root.handlers:
        protect(h)
    return path
