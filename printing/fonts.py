"""The CJK font documents are set in: found on a search list, registered with ReportLab once.

ReportLab embeds a TrueType font as a subset (only the glyphs used), so the text stays extractable
and looks the same on every machine. It refuses CFF-outlined fonts (Noto CJK .ttc/.otf), hence the
TrueType families below. See docs/printing.md for the licences.

Speed: subsetting and compressing the font took about a third of a receipt's build. ReportLab
numbers glyphs into 256-glyph subsets in the order characters first appear in a document, so the
subsets differ between two receipts for different applicants. ``_StableSubsetFont`` first assigns
a fixed repertoire (every character of the documents' own wording, ``REPERTOIRE_SOURCES``) in code
point order, so the leading subsets are the same in every document, and keeps each built subset
(raw and compressed) per process; only the subset holding the variable text (names, items,
addresses) is built per document. The cost: those fixed glyphs are embedded in every PDF
(about 30 KB).
"""

from __future__ import annotations

import functools
import os
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, TTFont, TTFontFace

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
                pdfmetrics.registerFont(_StableSubsetFont(name, str(cand.path), subfontIndex=cand.subfont_index))
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


# ---------------------------------------------------------------------------------------------------
# Stable, cached subsets

# Modules whose string literals are the documents' fixed wording (titles, labels, legal text).
REPERTOIRE_SOURCES = ("documents.py", "model.py")
_SUBSET_CACHE_MAX = 64  # subsets kept per font file (each ~50 KB raw + ~30 KB compressed)


@functools.lru_cache(maxsize=1)
def repertoire() -> str:
    """The non-ASCII characters of the documents' own wording, in code point order."""
    here = Path(__file__).resolve().parent
    chars = {ch for name in REPERTOIRE_SOURCES for ch in (here / name).read_text(encoding="utf-8") if ord(ch) > 127}
    return "".join(sorted(chars))


class _StableSubsetFont(TTFont):  # type: ignore[misc]  # reportlab ships no type hints
    """A TTFont whose leading subsets are the same in every document, and built once per process."""

    def __init__(self, name: str, filename: str, subfontIndex: int = 0) -> None:  # noqa: N803 - ReportLab's keyword
        super().__init__(name, filename, subfontIndex=subfontIndex)
        self._subset_lock = threading.Lock()
        self._subsets: dict[tuple[int, ...], tuple[int, bytes]] = {}
        face = self.face
        # An instance attribute wins over the class method; the cache lives with this face.
        face.addSubsetObjects = functools.partial(self._add_subset_objects, face)
        chars = "".join(ch for ch in repertoire() if ord(ch) in face.charToGlyph)
        self._repertoire = chars

    def splitString(self, text: str, doc: Any, encoding: str = "utf-8") -> list[tuple[int, bytes]]:  # noqa: N802 - override
        if doc not in self.state:
            super().splitString(self._repertoire, doc, encoding)  # fixed codes first, in a fixed order
        result: list[tuple[int, bytes]] = super().splitString(text, doc, encoding)
        return result

    def _subset_bytes(self, face: TTFontFace, subset: list[int], compress: bool) -> tuple[int, bytes]:
        key = (int(compress), *subset)
        with self._subset_lock:
            hit = self._subsets.get(key)
        if hit is not None:
            return hit
        raw = face.makeSubset(subset)
        value = (len(raw), zlib.compress(raw) if compress else raw)
        with self._subset_lock:
            if len(self._subsets) >= _SUBSET_CACHE_MAX:
                self._subsets.pop(next(iter(self._subsets)))  # oldest first
            self._subsets[key] = value
        return value

    def _add_subset_objects(self, face: TTFontFace, doc: Any, fontname: str, subset: list[int]) -> Any:
        """``TTFontFace.addSubsetObjects`` with the font program taken from the cache (same bytes)."""
        length1, content = self._subset_bytes(face, subset, bool(doc.compression))
        font_file = pdfdoc.PDFStream()
        font_file.content = content
        font_file.dictionary["Length1"] = length1
        if doc.compression:  # already compressed: naming the filter stops ReportLab compressing again
            font_file.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
        font_file_ref = doc.Reference(font_file, f"fontFile:{face.filename}({fontname})")
        flags = (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC
        descriptor = pdfdoc.PDFDictionary(
            {
                "Type": "/FontDescriptor",
                "Ascent": face.ascent,
                "CapHeight": face.capHeight,
                "Descent": face.descent,
                "Flags": flags,
                "FontBBox": pdfdoc.PDFArray(face.bbox),
                "FontName": pdfdoc.PDFName(fontname),
                "ItalicAngle": face.italicAngle,
                "StemV": face.stemV,
                "FontFile2": font_file_ref,
                "MissingWidth": face.defaultWidth,
            }
        )
        return doc.Reference(descriptor, "fontDescriptor:" + fontname)
