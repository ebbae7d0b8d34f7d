"""Supervisor area: audit trail, case timeline, void and corrections, accounts, retention, statistics."""
