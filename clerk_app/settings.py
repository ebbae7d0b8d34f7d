"""Settings: every option declared once with its type, default and description; a TOML file under
the platformdirs config folder; typed validation with clear errors and close-match suggestions."""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from clerk_app import i18n
from clerk_app.errors import ConfigurationError

APP_NAME = "clerk-app"


class SettingsError(ConfigurationError):
    key = i18n.register("error.settings", "设置文件有误：{problems}", "Settings are invalid: {problems}")


_Check = Callable[[object], str | None]  # a validator: None when the value is fine, else the problem


class _Choice:
    """One of a few values (the admin's settings page offers them in a list: ``options``)."""

    def __init__(self, *options: str) -> None:
        self.options = options

    def __call__(self, value: object) -> str | None:
        return None if value in self.options else "must be one of " + ", ".join(o or '"" (empty)' for o in self.options)


def _choice(*options: str) -> _Check:
    return _Choice(*options)


def _pattern(regex: str, what: str) -> _Check:
    rx = re.compile(regex)

    def check(value: object) -> str | None:
        return None if isinstance(value, str) and rx.fullmatch(value) else what

    return check


class _Range:
    """A whole number from ``lo`` to ``hi`` (the settings page's spin box takes the bounds)."""

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi

    def __call__(self, value: object) -> str | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and self.lo <= value <= self.hi
        return None if ok else f"must be {self.lo}–{self.hi}"


def _range(lo: int, hi: int) -> _Check:
    return _Range(lo, hi)


def choices_of(name: str) -> tuple[str, ...] | None:
    """The allowed values of a choice option, None for a free one."""
    check = next(f for f in fields(Settings) if f.name == name).metadata.get("check")
    return check.options if isinstance(check, _Choice) else None


def bounds_of(name: str) -> tuple[int, int] | None:
    """(lowest, highest) of a whole-number option with a range, None otherwise."""
    check = next(f for f in fields(Settings) if f.name == name).metadata.get("check")
    return (check.lo, check.hi) if isinstance(check, _Range) else None


def problem_of(name: str, value: object) -> str | None:
    """The problem of one option's value (English, for the log), None when it is fine."""
    try:
        validate({name: value})
    except SettingsError as exc:
        return str(exc.params.get("problems", exc.detail))
    return None


# Document kinds a print policy may name (values of printing.model.DocumentKind; clerk_app does not
# import printing, tests/printing/test_from_case.py checks the two lists agree).
PRINT_DOCUMENT_KINDS = (
    "receipt",
    "one_time_notice",
    "deficiency_commitment",
    "rejection_notice",
    "materials_received",
    "delivery_receipt",
    "supplement_receipt",
    "material_request_notice",
    "result_document",
)


def parse_print_policy(value: str) -> dict[str, str]:
    """``"receipt=ask, materials_received=always"`` → {kind: policy}; raises ValueError.
    Policies: always (printed at once), ask (the clerk confirms), queue (kept until the clerk prints
    it), never (no job)."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in value.split(","))):
        kind, sep, policy = (x.strip() for x in part.partition("="))
        if not sep or kind not in PRINT_DOCUMENT_KINDS or policy not in ("always", "ask", "queue", "never"):
            raise ValueError(
                f"{part!r}: expected <kind>=always|ask|queue|never, kind one of " + ", ".join(PRINT_DOCUMENT_KINDS)
            )
        out[kind] = policy
    return out


def _print_policy(value: Any) -> str | None:
    try:
        parse_print_policy(value)
    except (ValueError, AttributeError) as exc:
        return str(exc)
    return None


def _opt(default: Any, doc: str, check: Any = None) -> Any:
    return field(default=default, metadata={"doc": doc, "check": check})


@dataclass(frozen=True)
class Settings:
    station_code: str = _opt(
        "WH01",
        "Station code used in case numbers (2–12 of 0-9A-Z)",
        _pattern(r"[0-9A-Z]{2,12}", "2–12 characters of 0-9 and A-Z"),
    )
    hall_name: str = _opt("示范区政务服务中心", "Hall name printed on every document")
    hall_address: str = _opt("示范区人民路1号", "Hall address")
    hall_phone: str = _opt("12345", "Hall phone")
    window_no: str = _opt(
        "01", "Window number of this workstation", _pattern(r"[0-9A-Za-z-]{1,8}", "1–8 letters/digits")
    )
    database_url: str = _opt("", "SQLAlchemy URL; empty = SQLite file in the data folder")
    data_dir: str = _opt("", "Folder for the database and attachments; empty = platformdirs user data dir")
    catalogue_dir: str = _opt("", "Catalogue folder; empty = the shipped sample catalogue")
    holiday_file: str = _opt("", "Holiday file; empty = the shipped resources/calendar/holidays.toml")
    card_backend: str = _opt(
        "",
        "Card reader backend: pyscard (PC/SC eMRTD readers), ga467 (resident ID card readers), both (one key "
        "reads whichever card is presented), none; simulated only in demo mode; "
        "empty = simulated in demo mode, pyscard otherwise",
        _choice("", "simulated", "pyscard", "ga467", "both", "none"),
    )
    csca_dir: str = _opt(
        "", "Folder of CSCA certificates (PEM/DER) for passive authentication of chips; empty = not checked"
    )
    master_list_files: str = _opt(
        "", "ICAO master list files (CMS-signed), separated by ';' — their CSCAs are trusted once the signature checks"
    )
    crl_dir: str = _opt("", "Folder of CRLs issued by the trusted CSCAs; empty = no revocation check")
    ga467_port: str = _opt(
        "",
        "Serial port of the resident ID card reader (e.g. /dev/ttyUSB0, COM3); empty = found automatically "
        "(USB serial ports probed with the SAM status command, the port found remembered)",
    )
    ga467_baudrate: int = _opt(115200, "Baud rate of the resident ID card reader", _range(9600, 921600))
    card_read_on_placement: bool = _opt(
        False,
        "Read the identity document as soon as it is placed on a reader (intake page, a case on the desk, "
        "nothing being read); off = the clerk presses F6",
    )
    wlt_decoder_library: str = _opt(
        "", "Vendor library that decodes the resident ID card's WLT photo; empty = photo not decodable"
    )
    scanner_backend: str = _opt(
        "",
        "Scanner backend: sane, folder (files dropped by a network scanner), none; simulated only in demo mode; "
        "empty = simulated in demo mode, sane otherwise",
        _choice("", "simulated", "sane", "folder", "none"),
    )
    sane_config_dir: str = _opt("", "SANE configuration folder (SANE_CONFIG_DIR); empty = the system's")
    scan_folder: str = _opt("", "Folder the folder scanner backend watches; empty = <data dir>/scan-inbox")
    printer_backend: str = _opt("pdf-folder", "Printer backend", _choice("pdf-folder", "cups", "none"))
    printer_name: str = _opt("", "Printer (CUPS queue) name")
    print_layout: str = _opt("a4", "Paper layout", _choice("a4", "roll80"))
    print_policy: str = _opt(
        "",
        "Per document kind: print on decision always / ask / queue / never, e.g. "
        "\"materials_received=always, receipt=ask\"; kinds not named keep their default",
        _print_policy,
    )
    reconsideration_body: str = _opt(
        "示范区人民政府", "Administrative reconsideration body named on a rejection notice (行政复议机关)"
    )
    litigation_court: str = _opt("示范区人民法院", "Court for administrative litigation named on a rejection notice")
    language: str = _opt("zh_CN", "Interface language", _choice("zh_CN", "en"))
    idle_lock_minutes: int = _opt(10, "Lock the screen after this many idle minutes", _range(1, 240))
    claim_expiry_minutes: int = _opt(
        480,
        "Minutes after which a claim on a case (who works on it now) lapses by itself, so a station that "
        "crashed does not hold cases; a claim also lapses at midnight (China time) of the day it was taken",
        _range(10, 1440),
    )
    retention_days: int = _opt(
        180,
        "Days after the back office confirmed a case (delivered) before its "
        "local personal data and page images are purged",
        _range(1, 3650),
    )
    backoffice_url: str = _opt("", "Back-office base URL (https://…); empty = offline")
    backoffice_ca_file: str = _opt(
        "", "CA certificate file (PEM) the back office's TLS certificate is checked against; empty = the system CAs"
    )
    sync_interval_seconds: int = _opt(
        30, "Seconds between sync cycles when nothing is waiting (\"sync now\" does not wait)", _range(5, 3600)
    )
    customer_window: bool = _opt(True, "Show the customer-facing window (checklist, confirmation, rating) to clerks")
    customer_screen: str = _opt(
        "",
        "Screen for the customer window: empty = the second screen if any, "
        "else a screen name as Qt reports it (e.g. HDMI-1)",
    )
    customer_rating_timeout: int = _opt(
        60, "Seconds the rating screen waits before thanking and returning to idle", _range(5, 600)
    )
    customer_large_type: bool = _opt(
        False, "适老化: the customer window in large type and high contrast (older applicants, poor eyesight)"
    )
    customer_confirmation_required: bool = _opt(
        False,
        "Acceptance (with or without deficiencies) needs the applicant's confirmation of the current checklist "
        "on the customer window",
    )
    demo: bool = _opt(False, "Demo mode: simulated devices, seeded users, sample data")

    def resolved_data_dir(self) -> Path:
        return Path(self.data_dir) if self.data_dir else Path(platformdirs.user_data_dir(APP_NAME))

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.resolved_data_dir() / 'clerk.db'}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def describe() -> list[tuple[str, Any, str]]:
    """(name, default, description) of every option, for docs and the settings dialog."""
    return [(f.name, f.default, f.metadata["doc"]) for f in fields(Settings)]


def validate(raw: dict[str, Any], source: str = "settings") -> Settings:
    problems = []
    known = {f.name: f for f in fields(Settings)}
    values: dict[str, Any] = {}
    for name, value in raw.items():
        f = known.get(name)
        if f is None:
            close = difflib.get_close_matches(name, known, n=1)
            problems.append(f"{name}: unknown option" + (f" (did you mean {close[0]}?)" if close else ""))
            continue
        typ = type(f.default)
        if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
            problems.append(f"{name}: must be {typ.__name__}, got {type(value).__name__}")
            continue
        check = f.metadata.get("check")
        problem = check(value) if check else None
        if problem:
            problems.append(f"{name}: {problem}")
            continue
        values[name] = value
    if problems:
        raise SettingsError(problems="; ".join(problems), detail=source)
    return Settings(**values)


def default_settings_path() -> Path:
    return Path(os.environ.get("CLERK_APP_SETTINGS") or Path(platformdirs.user_config_dir(APP_NAME)) / "settings.toml")


def load_settings(path: Path | None = None) -> Settings:
    path = path or default_settings_path()
    if not path.exists():
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(problems=f"{path.name}: {exc}", detail=str(path)) from exc
    return validate(raw, str(path))


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    path = path or default_settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps({k: v for k, v in settings.to_dict().items()}), encoding="utf-8")
    os.replace(tmp, path)
    return path


def changed_fields(old: Settings, new: Settings) -> list[str]:
    return [f.name for f in fields(Settings) if getattr(old, f.name) != getattr(new, f.name)]
