"""Test support shared by tests/, bench/ and scripts/: emulated cards and a private pcscd, a throw-away
PostgreSQL, the reference back office on loopback, scripted UI prompts, generated statistics data.

Not part of the installed application (not in setuptools' packages); importable from a source checkout.
bench/ imports from here, never from tests/ (tests/test_layering.py)."""
