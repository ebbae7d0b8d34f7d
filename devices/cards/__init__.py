"""devices/cards."""
