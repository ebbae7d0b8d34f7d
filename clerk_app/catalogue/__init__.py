"""clerk_app/catalogue."""
