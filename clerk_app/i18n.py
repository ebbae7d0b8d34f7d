"""Message catalogue for user-facing text produced by the Qt-free core (errors, notices).

The core cannot use Qt translations, so it keeps a small table of message keys with a Simplified
Chinese and an English text; the UI picks the language. Technical details for logs stay English.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = ("zh_CN", "en")

_current = DEFAULT_LANGUAGE

# key -> {language: template}; templates use str.format with named fields.
MESSAGES: dict[str, Mapping[str, str]] = {}


def register(key: str, zh: str, en: str) -> str:
    """Declare a message; returns the key so modules can write ``KEY = register(...)``."""
    if key in MESSAGES and (MESSAGES[key]["zh_CN"], MESSAGES[key]["en"]) != (zh, en):
        raise ValueError(f"message key {key!r} declared twice with different texts")
    MESSAGES[key] = {"zh_CN": zh, "en": en}
    return key


class Msg:
    """A message key with parameters, translated only when shown (so one error can be logged in
    English and shown in Chinese). Usable as a parameter of another message."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params

    def render(self, language: str | None = None) -> str:
        return text(self.key, language, **self.params)

    def __str__(self) -> str:
        return self.render()


def set_language(language: str) -> None:
    global _current
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; choose one of {LANGUAGES}")
    _current = language


def current_language() -> str:
    return _current


def text(key: str, language: str | None = None, **params: object) -> str:
    """The message ``key`` in ``language`` (default: the current one), formatted with ``params``."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    template = entry.get(language or _current) or entry["en"]
    params = {k: v.render(language) if isinstance(v, Msg) else v for k, v in params.items()}
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template
