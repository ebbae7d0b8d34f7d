"""devices/scanners."""
