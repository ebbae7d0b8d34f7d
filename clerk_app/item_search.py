"""Finding a service item fast: by name, item code, keyword, or pinyin initials (``gtgsh`` finds
个体工商户设立登记), optionally within one theme. Built once per catalogue version."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from clerk_app.catalogue.model import Catalogue, ServiceItem


@lru_cache(maxsize=65536)
def _syllables(text: str) -> tuple[str, ...]:
    # One pypinyin call per distinct text (phrase-aware, so 银行 reads hang); cached across rebuilds.
    # errors=: characters without pinyin (digits, Latin, punctuation) are kept one by one; pypinyin
    # accepts a callable returning a list, its stubs say str.
    keep = lambda s: list(s)  # noqa: E731
    return tuple(s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors=keep))  # type: ignore[arg-type]


def pinyin_initials(text: str) -> str:
    """个体工商户 → gtgsh (letters and digits kept, everything else dropped)."""
    return "".join(s[0] for s in _syllables(text) if s and s[0].isalnum())


def pinyin_full(text: str) -> str:
    return "".join(_syllables(text))


@dataclass(frozen=True)
class _Entry:
    item: ServiceItem
    code: str
    name: str
    initials: str
    full: str
    keywords: tuple[str, ...]
    keyword_initials: tuple[str, ...]
    haystack: str  # every searchable form joined: one substring test rejects most entries


class ItemIndex:
    def __init__(self, catalogue: Catalogue) -> None:
        self.version = catalogue.version
        self.themes = catalogue.themes
        self._entries = [
            self._entry(item) for item in sorted(catalogue.items.values(), key=lambda i: (i.theme, i.code))
        ]

    @staticmethod
    def _entry(item: ServiceItem) -> _Entry:
        initials, full = pinyin_initials(item.name), pinyin_full(item.name)
        keywords = tuple(k.lower() for k in item.keywords)
        keyword_initials = tuple(pinyin_initials(k) for k in item.keywords)
        hay = "\x00".join((item.code.lower(), item.name.lower(), initials, full, *keywords, *keyword_initials))
        return _Entry(item, item.code.lower(), item.name, initials, full, keywords, keyword_initials, hay)

    def search(self, query: str, theme: str | None = None, limit: int = 50) -> list[ServiceItem]:
        """Items matching ``query``, best first: exact code, code prefix, name, initials, keywords."""
        q = query.strip().lower()
        scored: list[tuple[int, int, ServiceItem]] = []
        for pos, e in enumerate(self._entries):
            if theme and e.item.theme != theme:
                continue
            if q and q not in e.haystack:
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
