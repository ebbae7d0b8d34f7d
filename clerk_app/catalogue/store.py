"""Versioned catalogue in the local store: exactly one active version; a new version is validated
completely before it replaces the active one in a single transaction (file or back-office push)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from clerk_app.audit import Auditor
from clerk_app.catalogue.loader import load_catalogue, parse_catalogue
from clerk_app.catalogue.model import Catalogue
from clerk_app.clock import Clock
from clerk_app.roles import Actor, Permission
from clerk_app.store.models import CatalogueVersion


class CatalogueStore:
    def __init__(self, session_factory: sessionmaker[Session], clock: Clock, auditor: Auditor) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._auditor = auditor
        self._lock = threading.Lock()
        self._active: Catalogue | None = None

    def active(self) -> Catalogue:
        """The active catalogue (cached). Raises LookupError before any version was activated."""
        with self._lock:
            if self._active is None:
                with self._sessions() as s:
                    row = s.scalar(select(CatalogueVersion).where(CatalogueVersion.active.is_(True)))
                    if row is None:
                        raise LookupError("no active catalogue")
                    self._active = parse_catalogue(row.payload, f"db:{row.version}")
            return self._active

    def has_active(self) -> bool:
        try:
            self.active()
            return True
        except LookupError:
            return False

    def import_folder(self, folder: str | Path, actor: Actor) -> Catalogue:
        """Load, validate, activate. On CatalogueError nothing changes."""
        return self.activate(load_catalogue(folder), actor)

    def import_raw(self, raw: dict[str, Any], source: str, actor: Actor) -> Catalogue:
        return self.activate(parse_catalogue(raw, source), actor)

    def activate(self, catalogue: Catalogue, actor: Actor) -> Catalogue:
        actor.require(Permission.CATALOGUE_MANAGE)
        with self._lock, self._sessions.begin() as s:
            current = s.scalar(select(CatalogueVersion).where(CatalogueVersion.active.is_(True)))
            if current is not None and current.content_hash == catalogue.content_hash:
                self._active = catalogue
                return catalogue
            s.execute(update(CatalogueVersion).values(active=False))
            row = s.scalar(select(CatalogueVersion).where(CatalogueVersion.version == catalogue.version))
            if row is None:
                row = CatalogueVersion(version=catalogue.version, loaded_at=self._clock.now())
                s.add(row)
            row.content_hash = catalogue.content_hash
            row.source = catalogue.source[:255]
            row.payload = dict(catalogue.raw)
            row.active = True
            row.loaded_at = self._clock.now()
            self._auditor.record(
                s,
                actor,
                "catalogue.activate",
                version=catalogue.version,
                items=len(catalogue.items),
                previous=current.version if current is not None else None,
            )
            self._active = catalogue
        return catalogue
