"""Reference back-office receiving service (FastAPI + SQLAlchemy); shares only the wire schema."""
