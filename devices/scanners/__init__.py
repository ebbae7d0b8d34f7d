"""Scanners behind one Qt-free interface: SANE (real), file and watched-folder import, simulated.

Pick a backend by name with ``factory.create_backend``; the SANE module is imported only then.
"""

from devices.scanners.base import (
    BatchResult,
    Capabilities,
    ColourMode,
    DeviceInfo,
    ScanJob,
    ScannedPage,
    Scanner,
    ScannerBackend,
    ScanOptions,
    ScanProgress,
    ScanSource,
)
from devices.scanners.errors import (
    BackendUnavailable,
    CoverOpen,
    DeviceBusy,
    DeviceGone,
    NoPaper,
    OptionUnsupported,
    PaperJammed,
    ScanCancelled,
    ScannerError,
)

__all__ = [
    "BackendUnavailable",
    "BatchResult",
    "Capabilities",
    "ColourMode",
    "CoverOpen",
    "DeviceBusy",
    "DeviceGone",
    "DeviceInfo",
    "NoPaper",
    "OptionUnsupported",
    "PaperJammed",
    "ScanCancelled",
    "ScanJob",
    "ScanOptions",
    "ScanProgress",
    "ScanSource",
    "ScannedPage",
    "Scanner",
    "ScannerBackend",
    "ScannerError",
]
