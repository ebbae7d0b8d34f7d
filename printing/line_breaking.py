"""Chinese line breaking (避头尾, GB/T 15834 标点符号用法 and the usual typesetting rule): a line of a
printed document never starts with a closing mark (，。、；：？！）》」』】〕〉”’…%℃ …) and never ends
with an opening one (（《「『【〔〈“‘).

ReportLab's CJK wrap (``wordWrap="CJK"``) already hangs a character that may not start a line at the
end of the line before, but its list is the Japanese one: the full-width comma, semicolon, colon,
question and exclamation marks, 》 and ” were missing, so a line of the 80 mm receipt could start with
"，". :func:`apply` adds the Chinese set to both places ReportLab reads it (the one-style fast path in
``reportlab.lib.textsplit`` and the mixed-style path in ``reportlab.platypus.paragraph``). ReportLab
has no rule for a line's end: :func:`apply` wraps both of its split functions — when a line would end
with an opening mark, that line's width is narrowed by the mark and the paragraph split again, so the
mark goes down with the character it opens (its alignment space is given back). Idempotent; called
when ``printing.documents`` is imported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Closing punctuation and marks that may not begin a line in Chinese text.
CANNOT_START_ZH = "，。、；：？！）》」』】〕〗〉”’…·%‰℃°"
# Opening marks that may not end one.
CANNOT_END_ZH = "（《「『【〔〖〈“‘"
_MAX_PASSES = 50  # one more split per opening mark moved down; a paragraph has far fewer


def _line_text(line: Any) -> str:
    if isinstance(line, list | tuple):  # one-style path: [extra space, text]
        text = line[1]
        return text if isinstance(text, str) else "".join(text)
    return "".join(getattr(w, "text", "") for w in getattr(line, "words", ()))


def _add_space(line: Any, delta: float) -> Any:
    if isinstance(line, list):
        line[0] += delta
        return line
    if isinstance(line, tuple):
        return (line[0] + delta, *line[1:])
    line.extraSpace += delta
    return line


def _keep_openers_down(split: Callable[..., Any], width_of: Callable[[Any, str], float]) -> Callable[..., Any]:
    def wrapped(first: Any, max_widths: Any, *rest: Any, **kw: Any) -> Any:
        widths = list(max_widths) if isinstance(max_widths, list | tuple) else [max_widths]
        narrowed: dict[int, float] = {}
        result = split(first, widths, *rest, **kw)
        for _ in range(_MAX_PASSES):
            lines = result if isinstance(result, list) else result.lines
            bad = next(
                (
                    k
                    for k, line in enumerate(lines[:-1])
                    if len(_line_text(line)) > 1 and _line_text(line)[-1] in CANNOT_END_ZH
                ),
                None,
            )
            if bad is None:
                break
            mark = _line_text(lines[bad])[-1]
            delta = width_of(lines[bad], mark)
            while len(widths) <= bad + 1:  # per-line widths: the last one repeats
                widths.append(widths[-1])
            widths[bad] -= delta
            narrowed[bad] = narrowed.get(bad, 0.0) + delta
            result = split(first, widths, *rest, **kw)
        lines = result if isinstance(result, list) else result.lines
        for k, delta in narrowed.items():  # the narrowed lines' alignment space, given back
            if k < len(lines):
                lines[k] = _add_space(lines[k], delta)
        return result

    wrapped.__wrapped__ = split  # type: ignore[attr-defined]
    return wrapped


def apply() -> None:
    from reportlab.lib import textsplit
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import paragraph

    for module in (textsplit, paragraph):
        have: str = module.ALL_CANNOT_START
        extra = "".join(c for c in CANNOT_START_ZH if c not in have)
        if extra:
            module.ALL_CANNOT_START = have + extra
    if not hasattr(paragraph.wordSplit, "__wrapped__"):
        split = paragraph.wordSplit

        def one_style(word: Any, max_widths: Any, font_name: str, font_size: float, *rest: Any) -> Any:
            return _keep_openers_down(split, lambda _line, mark: stringWidth(mark, font_name, font_size))(
                word, max_widths, font_name, font_size, *rest
            )

        one_style.__wrapped__ = split  # type: ignore[attr-defined]
        paragraph.wordSplit = one_style
    if not hasattr(paragraph.cjkFragSplit, "__wrapped__"):

        def frag_width(line: Any, mark: str) -> float:
            frag = line.words[-1]
            return float(stringWidth(mark, frag.fontName, frag.fontSize))

        paragraph.cjkFragSplit = _keep_openers_down(paragraph.cjkFragSplit, frag_width)
