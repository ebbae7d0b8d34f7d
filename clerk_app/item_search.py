"""Finding a service item fast: by name, item code, keyword, or pinyin initials (``gtgsh`` finds
个体工商户设立登记), optionally within one theme. Built once per catalogue version."""
from __future__ import annotations

from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

from clerk_app.catalogue.model import Catalogue, ServiceItem


def pinyin_initials(text: str) -> str:
    """个体工商户 → gtgsh (letters and digits kept, everything else dropped)."""
    initials = lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda s: list(s))
    return "".join(c for c in "".join(initials).lower() if c.isalnum())


def pinyin_full(text: str) -> str:
    return "".join(lazy_pinyin(text, errors=lambda s: list(s))).lower()


@dataclass(frozen=True)
class _Entry:
    item: ServiceItem
    code: str
    name: str
    initials: str
    full: str
    keywords: tuple[str, ...]
    keyword_initials: tuple[str, ...]


class ItemIndex:
    def __init__(self, catalogue: Catalogue) -> None:
        self.version = catalogue.version
        self.themes = catalogue.themes
        self._entries = [
            _Entry(item, item.code.lower(), item.name, pinyin_initials(item.name), pinyin_full(item.name),
                   tuple(k.lower() for k in item.keywords), tuple(pinyin_initials(k) for k in item.keywords))
            for item in sorted(catalogue.items.values(), key=lambda i: (i.theme, i.code))
        ]

    def search(self, query: str, theme: str | None = None, limit: int = 50) -> list[ServiceItem]:
        """Items matching ``query``, best first: exact code, code prefix, name, initials, keywords."""
        q = query.strip().lower()
        scored: list[tuple[int, int, ServiceItem]] = []
        for pos, e in enumerate(self._entries):
            if theme and e.item.theme != theme:
                continue
            score = self._score(e, q)
            if score is not None:
                scored.append((score, pos, e.item))
        scored.sort(key=lambda t: (t[0], t[1]))
        return [item for _, _, item in scored[:limit]]

    @staticmethod
    def _score(e: _Entry, q: str) -> int | None:
        if not q:
            return 50
        if e.code == q:
            return 0
        if e.name == q or e.name.lower() == q:
            return 1
        if e.code.startswith(q):
            return 2
        if e.initials.startswith(q):
            return 3
        if q in e.name.lower():
            return 4 + e.name.lower().index(q) // 4
        if q in e.initials:
            return 10
        if e.full.startswith(q) or q in e.full:
            return 12
        if any(q in k for k in e.keywords) or any(k.startswith(q) for k in e.keyword_initials):
            return 15
        if q in e.code:
            return 20
        return None
