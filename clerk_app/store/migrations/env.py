"""Alembic environment: the engine is handed in by clerk_app.store.db (no ini file, no URL here)."""

from alembic import context

from clerk_app.store.models import Base

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection, target_metadata=Base.metadata, render_as_batch=connection.dialect.name == "sqlite"
    )
    with context.begin_transaction():
        context.run_migrations()
