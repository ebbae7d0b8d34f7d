"""Case search and history (F3): CaseSearch over a lazy result model, and the case view."""

from ui.search.page import SearchPage

__all__ = ["SearchPage"]
