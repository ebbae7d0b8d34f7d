"""clerk_app/sync."""
