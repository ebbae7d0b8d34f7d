"""clerk_app/store."""
