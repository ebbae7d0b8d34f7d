"""Image pipeline tests on generated pages."""
