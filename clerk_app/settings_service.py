"""Changing settings: administrators only, validated as a whole, saved atomically, audited with
the names and new values of the changed options (settings hold no personal data)."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from clerk_app.audit import Auditor
from clerk_app.roles import Actor, Permission
from clerk_app.settings import Settings, changed_fields, problem_of, save_settings, validate


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


def invalid_options(changes: dict[str, Any]) -> list[str]:
    """The changed options whose new value is not allowed, in the settings' order (nothing is saved
    while one is)."""
    return [f.name for f in fields(Settings) if f.name in changes and problem_of(f.name, changes[f.name]) is not None]
