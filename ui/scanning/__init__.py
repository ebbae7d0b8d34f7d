"""The scanning panel (device, profile, thumbnails, page viewer) over devices/scanners and
clerk_app.pages."""
