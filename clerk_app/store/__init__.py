"""The local store: SQLAlchemy models, engine/session factory, Alembic migrations."""
