"""The CJK font documents are set in: found on a search list, registered with ReportLab once.

ReportLab embeds a TrueType font as a subset (only the glyphs used), so the text stays extractable
and looks the same on every machine. It refuses CFF-outlined fonts (Noto CJK .ttc/.otf), hence the
TrueType families below. See docs/printing.md for the licences.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from printing.errors import FontMissingError

FONT_NAME = "ClerkCJK"


@dataclass(frozen=True)
class FontCandidate:
    path: Path
    subfont_index: int = 0


# First hit wins. The environment variable lets a hall (or a test) point at a specific file.
ENV_VAR = "CLERK_APP_PRINT_FONT"
_REPO_FONTS = Path(__file__).resolve().parent.parent / "resources" / "fonts"
DEFAULT_CANDIDATES: tuple[FontCandidate, ...] = (
    FontCandidate(_REPO_FONTS / "wqy-microhei.ttc", 0),
    FontCandidate(Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),  # fonts-wqy-microhei
    FontCandidate(Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),  # fonts-wqy-zenhei
    FontCandidate(Path("/usr/share/fonts/truetype/arphic/uming.ttc"), 0),  # fonts-arphic-uming
    # Windows: Microsoft YaHei and SimSun are TrueType collections ReportLab can embed.
    FontCandidate(Path("C:/Windows/Fonts/msyh.ttc"), 0),
    FontCandidate(Path("C:/Windows/Fonts/simsun.ttc"), 0),
)

_lock = threading.Lock()
_registered: dict[tuple[FontCandidate, ...], str] = {}
_registered_files: dict[FontCandidate, str] = {}


def candidates_from_env() -> tuple[FontCandidate, ...]:
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        return ()
    path, _, index = value.partition("#")  # "/path/font.ttc#1" selects a subfont
    return (FontCandidate(Path(path), int(index or 0)),)


def cjk_font(candidates: Sequence[FontCandidate] | None = None) -> str:
    """Register (once) and return the ReportLab font name of the first usable candidate.

    Raises FontMissingError (a clear, clerk-readable message) when none can be used.
    """
    search = tuple(candidates) if candidates is not None else candidates_from_env() + DEFAULT_CANDIDATES
    with _lock:
        name = _registered.get(search)
        if name is not None:
            return name
        problems: list[str] = []
        for cand in search:
            if cand in _registered_files:
                name = _registered_files[cand]
                break
            if not cand.path.is_file():
                continue
            # One ReportLab name per file, so two search lists that hit the same file share it.
            name = FONT_NAME if not _registered_files else f"{FONT_NAME}{len(_registered_files)}"
            try:
                pdfmetrics.registerFont(TTFont(name, str(cand.path), subfontIndex=cand.subfont_index))
            except Exception as exc:  # TTFError for CFF outlines, damaged files ...
                problems.append(f"{cand.path}: {exc}")
                continue
            _registered_files[cand] = name
            pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
            break
        else:
            searched = ", ".join(str(c.path) for c in search) or "-"
            raise FontMissingError(detail="; ".join(problems), searched=searched)
        _registered[search] = name
        return name
