"""Changing settings: administrators only, validated as a whole, saved atomically, audited with
the names and new values of the changed options (settings hold no personal data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clerk_app.audit import Auditor
from clerk_app.roles import Actor, Permission
from clerk_app.settings import Settings, changed_fields, save_settings, validate


def change_settings(
    actor: Actor, auditor: Auditor, current: Settings, changes: dict[str, Any], path: Path | None = None
) -> Settings:
    """Validate ``current`` + ``changes``, save, audit; returns the new settings."""
    actor.require(Permission.SETTINGS_MANAGE)
    new = validate({**current.to_dict(), **changes})
    names = changed_fields(current, new)
    if not names:
        return current
    save_settings(new, path)
    auditor.record_now(actor, "settings.change", changed={n: getattr(new, n) for n in names})
    return new
