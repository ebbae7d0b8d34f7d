"""The administrator's page (F10): catalogue versions and the station's user accounts."""
