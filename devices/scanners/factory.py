"""Scanner backends chosen by name, imported lazily: a missing library makes a backend
"unavailable, because …" instead of breaking the app (the Electrum hardware-plugin habit)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from devices.scanners.base import ScannerBackend
from devices.scanners.errors import BackendUnavailable

# name -> (module, class, what to install when the import fails)
_BACKENDS = {
    "sane": ("devices.scanners.sane_backend", "SaneBackend", "python-sane (pip) with libsane1 / libsane-dev (apt)"),
    "folder": ("devices.scanners.folder", "FolderBackend", "Pillow and pypdfium2 (pip)"),
    "simulated": ("devices.scanners.simulated", "SimulatedBackend", "Pillow (pip)"),
}


@dataclass(frozen=True)
class BackendStatus:
    name: str
    available: bool
    reason: str = ""


def backend_names() -> list[str]:
    return list(_BACKENDS)


def backend_status(name: str) -> BackendStatus:
    try:
        _load(name)
    except BackendUnavailable as exc:
        return BackendStatus(name, False, str(exc.params.get("reason", "")))
    return BackendStatus(name, True)


def create_backend(name: str, **settings: object) -> ScannerBackend:
    """Instantiate the backend ``name`` with its settings (e.g. ``config_dir`` for SANE)."""
    cls = _load(name)
    return cls(**settings)


def _load(name: str) -> type[ScannerBackend]:
    if name not in _BACKENDS:
        raise BackendUnavailable(
            backend=name, reason=f"unknown backend; choose one of {', '.join(_BACKENDS)}", detail="unknown backend"
        )
    module_name, class_name, hint = _BACKENDS[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        raise BackendUnavailable(
            backend=name, reason=f"missing library {missing}; install {hint}", detail=str(exc)
        ) from exc
    cls = getattr(module, class_name)
    if not (isinstance(cls, type) and issubclass(cls, ScannerBackend)):
        raise BackendUnavailable(backend=name, reason=f"{class_name} is not a scanner backend", detail=module_name)
    return cls
