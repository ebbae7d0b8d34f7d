"""Persistent sync bookkeeping in the local store (table ``sync_state``, migration 0002): the
status-feed cursor and the ETags of the catalogue/calendar last installed or refused.

A Core table on its own MetaData, so this module does not change the core's model set; the core may
move it into clerk_app/store/models.py as a mapped class with the same columns.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, select
from sqlalchemy.orm import Session

from clerk_app.store.db import rowcount

metadata = MetaData()
sync_state = Table(
    "sync_state",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def get_value(session: Session, key: str) -> str | None:
    return session.execute(select(sync_state.c.value).where(sync_state.c.key == key)).scalar()


def set_value(session: Session, key: str, value: str) -> None:
    now = dt.datetime.now(dt.UTC)
    updated = session.execute(sync_state.update().where(sync_state.c.key == key).values(value=value, updated_at=now))
    if rowcount(updated) == 0:
        session.execute(sync_state.insert().values(key=key, value=value, updated_at=now))
