"""Versioned catalogue in the local store: exactly one active version; a new version is validated
completely before it replaces the active one in a single transaction (file or back-office push).

Versions hold (issue 14, part 5): the shipped/local folder is imported at start only when it is
*newer* — its content is not stored yet and its version sorts after the active one — or when asked
(``import_folder(..., force=True)``), so a version the back office pushed stays active across
restarts. Every stored version stays readable (``version_of``): a case keeps the exact version it was
drafted under. ``versions``/``activate_version``/``roll_back`` are the admin's (audited)."""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n
from clerk_app.audit import Auditor
from clerk_app.catalogue.loader import CatalogueError, load_catalogue, parse_catalogue
from clerk_app.catalogue.model import Catalogue
from clerk_app.clock import Clock, local_time
from clerk_app.errors import DomainError, NotFound
from clerk_app.roles import Actor, Permission
from clerk_app.store.models import CatalogueVersion

_E_NO_PREVIOUS = i18n.register(
    "error.catalogue_no_previous",
    "没有可回退的早期事项清单版本",
    "There is no earlier catalogue version to roll back to",
)
_E_ALREADY = i18n.register(
    "error.catalogue_already_imported",
    "事项清单版本 {version} 已导入，内容相同，无需再次导入",
    "Catalogue version {version} is already imported with the same content",
)
_E_VERSION_CLASH = i18n.register(
    "error.catalogue_version_clash",
    "已有版本号为 {version} 的事项清单，但内容不同：请在 catalogue.toml 中使用新的版本号后再导入（原版本保持不变）",
    "A catalogue version {version} with different content exists: give the new one a new version number in "
    "catalogue.toml (nothing was changed)",
)
_E_NOT_A_CATALOGUE = i18n.register(
    "error.catalogue_not_a_folder",
    "请选择事项清单文件夹（内含 catalogue.toml 和 items/）或其中的 catalogue.toml 文件",
    "Choose a catalogue folder (with catalogue.toml and items/) or its catalogue.toml file",
)


_ACTIVE = i18n.register("catalogue.version_active", "当前启用", "Active")


@dataclass(frozen=True)
class CatalogueVersionView:
    version: str
    content_hash: str
    source: str
    active: bool
    loaded_at: dt.datetime  # aware
    items: int

    def cells(self) -> tuple[str, ...]:
        """As the admin's list shows it: version, state, items, imported / activated, source, fingerprint."""
        state = i18n.text(_ACTIVE) if self.active else ""
        return (self.version, state, str(self.items), local_time(self.loaded_at), self.source, self.content_hash[:12])


def version_key(version: str) -> tuple[tuple[int, object], ...]:
    """Natural order of version strings: ``2026.9`` < ``2026.11`` < ``2026.11-b``."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", version) if p)


class CatalogueStore:
    def __init__(self, session_factory: sessionmaker[Session], clock: Clock, auditor: Auditor) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._auditor = auditor
        self._lock = threading.Lock()
        self._active: Catalogue | None = None
        self._versions: dict[str, Catalogue] = {}

    def version_of(self, version: str) -> Catalogue | None:
        """A stored version, whether active or not (cached; None when unknown)."""
        with self._lock:
            if version in self._versions:
                return self._versions[version]
        with self._sessions() as s:
            row = s.scalar(select(CatalogueVersion).where(CatalogueVersion.version == version))
            if row is None:
                return None
            cat = parse_catalogue(row.payload, f"db:{row.version}")
        with self._lock:
            self._versions[version] = cat
        return cat

    def versions(self, actor: Actor) -> list[CatalogueVersionView]:
        """Every stored version, newest loaded first."""
        actor.require(Permission.CATALOGUE_MANAGE)
        with self._sessions() as s:
            return [
                CatalogueVersionView(
                    r.version, r.content_hash, r.source, bool(r.active), r.loaded_at, len(r.payload.get("items", []))
                )
                for r in s.scalars(select(CatalogueVersion).order_by(CatalogueVersion.loaded_at.desc()))
            ]

    def import_if_newer(self, folder: str | Path, actor: Actor) -> Catalogue | None:
        """Start-up import: the folder only when no version is active, or its content is new and its
        version sorts after the active one. Returns the activated catalogue, None when kept."""
        candidate = load_catalogue(folder)
        with self._sessions() as s:
            current = s.scalar(select(CatalogueVersion).where(CatalogueVersion.active.is_(True)))
            known = s.scalar(
                select(CatalogueVersion.id).where(CatalogueVersion.content_hash == candidate.content_hash).limit(1)
            )
        if current is not None and (
            known is not None or version_key(candidate.version) <= version_key(current.version)
        ):
            return None
        return self.activate(candidate, actor)

    def activate_version(self, version: str, actor: Actor, *, action: str = "catalogue.activate") -> Catalogue:
        """Make a stored version the active one again (audited)."""
        actor.require(Permission.CATALOGUE_MANAGE)
        cat = self.version_of(version)
        if cat is None:
            raise NotFound(what=f"事项清单版本 {version}", detail=f"catalogue version {version}")
        return self.activate(cat, actor, action=action)

    def roll_back(self, actor: Actor) -> Catalogue:
        """Back to the version active before the current one (the latest loaded before it; audited)."""
        actor.require(Permission.CATALOGUE_MANAGE)
        with self._sessions() as s:
            rows = list(s.scalars(select(CatalogueVersion).order_by(CatalogueVersion.loaded_at.desc())))
        current = next((r for r in rows if r.active), None)
        earlier = [r for r in rows if not r.active and (current is None or r.loaded_at <= current.loaded_at)]
        if not earlier:
            raise DomainError(_E_NO_PREVIOUS, detail="no earlier version")
        return self.activate_version(earlier[0].version, actor, action="catalogue.rollback")

    def import_version(self, path: str | Path, actor: Actor) -> Catalogue:
        """The admin's import (issue 14, part 5): a catalogue folder, or its ``catalogue.toml``, is
        validated completely and stored as a new, *inactive* version (``activate_version`` makes it
        active). A malformed catalogue raises CatalogueError and changes nothing; a version number
        that is already stored is refused (with other content it would change the checklist of the
        cases drafted under it). Refusals and imports are audited."""
        actor.require(Permission.CATALOGUE_MANAGE)
        path = Path(path)
        folder = path.parent if path.is_file() and path.name == "catalogue.toml" else path
        if not folder.is_dir():
            self._auditor.record_now(actor, "catalogue.import_refused", source=str(path)[:255], errors=1)
            raise DomainError(_E_NOT_A_CATALOGUE, detail=f"not a catalogue folder: {path}")
        try:
            candidate = load_catalogue(folder)
        except CatalogueError as exc:
            self._auditor.record_now(
                actor, "catalogue.import_refused", source=str(folder)[:255], errors=len(exc.issues)
            )
            raise
        with self._lock, self._sessions.begin() as s:
            row = s.scalar(select(CatalogueVersion).where(CatalogueVersion.version == candidate.version))
            if row is not None:
                same = row.content_hash == candidate.content_hash
                self._auditor.record(
                    s,
                    actor,
                    "catalogue.import_refused",
                    source=candidate.source[:255],
                    version=candidate.version,
                    reason="already imported" if same else "version exists with other content",
                )
                error = DomainError(
                    _E_ALREADY if same else _E_VERSION_CLASH,
                    detail=f"catalogue version {candidate.version} exists",
                    version=candidate.version,
                )
            else:
                error = None
                s.add(
                    CatalogueVersion(
                        version=candidate.version,
                        content_hash=candidate.content_hash,
                        source=candidate.source[:255],
                        payload=dict(candidate.raw),
                        active=False,
                        loaded_at=self._clock.now(),
                    )
                )
                self._auditor.record(
                    s,
                    actor,
                    "catalogue.import",
                    version=candidate.version,
                    items=len(candidate.items),
                    source=candidate.source[:255],
                )
                self._versions[candidate.version] = candidate
        if error is not None:
            raise error
        return candidate

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
        """Load, validate, activate (asked for explicitly). On CatalogueError nothing changes."""
        return self.activate(load_catalogue(folder), actor)

    def import_raw(self, raw: dict[str, Any], source: str, actor: Actor) -> Catalogue:
        return self.activate(parse_catalogue(raw, source), actor)

    def activate(self, catalogue: Catalogue, actor: Actor, *, action: str = "catalogue.activate") -> Catalogue:
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
            if row.content_hash != catalogue.content_hash or action == "catalogue.activate":
                row.loaded_at = self._clock.now()
            self._auditor.record(
                s,
                actor,
                action,
                version=catalogue.version,
                items=len(catalogue.items),
                previous=current.version if current is not None else None,
            )
            self._active = catalogue
            self._versions[catalogue.version] = catalogue
        return catalogue
