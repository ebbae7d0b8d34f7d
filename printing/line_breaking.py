"""Chinese line breaking (避头尾, GB/T 15834 标点符号用法 and the usual typesetting rule): a line of a
printed document never starts with a closing mark (，。、；：？！）》」』】〕〉”’…%℃ …).

ReportLab's CJK wrap (``wordWrap="CJK"``) already hangs a character that may not start a line at the
end of the line before, but its list is the Japanese one: the full-width comma, semicolon, colon,
question and exclamation marks, 》 and ” were missing, so a line of the 80 mm receipt could start with
"，". :func:`apply` adds the Chinese set to both places ReportLab reads it (the one-style fast path in
``reportlab.lib.textsplit`` and the mixed-style path in ``reportlab.platypus.paragraph``); it is
idempotent and only ever adds characters. Called when ``printing.documents`` is imported.

Not covered (ReportLab's wrap has no hook for it): an opening mark (“《（) left at the end of a line."""

from __future__ import annotations

# Closing punctuation and marks that may not begin a line in Chinese text.
CANNOT_START_ZH = "，。、；：？！）》」』】〕〗〉”’…·%‰℃°"


def apply() -> None:
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    for module in (textsplit, paragraph):
        have: str = module.ALL_CANNOT_START
        extra = "".join(c for c in CANNOT_START_ZH if c not in have)
        if extra:
            module.ALL_CANNOT_START = have + extra
