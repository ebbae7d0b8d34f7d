"""Start-up: keyring refusal with instructions; a malformed catalogue keeps the active version."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from clerk_app.app_context import build_context, file_keyring
from clerk_app.catalogue import CatalogueError
from clerk_app.security.keys import KeyringUnavailable
from clerk_app.settings import Settings
from clerk_app.store.models import CatalogueVersion
from tests.helpers.core import RESOURCES


class NoKeyring:
    def get_password(self, service, name):
        from keyring.errors import NoKeyringError

        raise NoKeyringError("No recommended backend was available.")

    set_password = get_password


def test_no_keyring_refuses_to_start_and_says_how_to_fix(tmp_path):
    with pytest.raises(KeyringUnavailable) as info:
        build_context(Settings(data_dir=str(tmp_path)), keyring_module=NoKeyring())
    assert "gnome-keyring" in info.value.user_message("zh_CN")
    assert "NoKeyringError" in str(info.value)


def test_malformed_catalogue_keeps_the_active_version(tmp_path):
    folder = tmp_path / "cat"
    shutil.copytree(RESOURCES / "catalogue", folder)
    ring = file_keyring(tmp_path / "k.cfg")
    settings = Settings(data_dir=str(tmp_path), catalogue_dir=str(folder))
    ctx = build_context(settings, keyring_module=ring)
    version = ctx.catalogue.active().version
    ctx.close()
    head = folder / "catalogue.toml"
    head.write_text(head.read_text(encoding="utf-8").replace(version, "2099.1"), encoding="utf-8")
    item = folder / "items" / "SC-GTGSH-SL.toml"
    item.write_text(
        item.read_text(encoding="utf-8").replace('necessity = "required"', 'necessity = "sometimes"', 1),
        encoding="utf-8",
    )
    ctx = build_context(settings, keyring_module=ring)
    try:
        assert ctx.catalogue.active().version == version
        assert ctx.startup_warnings and "SC-GTGSH-SL" in ctx.startup_warnings[0]
        assert "items/SC-GTGSH-SL.toml" in ctx.startup_warnings[0]
        with ctx.sessions() as s:
            assert [v.version for v in s.scalars(select(CatalogueVersion))] == [version]
    finally:
        ctx.close()


def test_first_start_with_a_broken_catalogue_fails_clearly(tmp_path):
    folder = tmp_path / "cat"
    shutil.copytree(RESOURCES / "catalogue", folder)
    (folder / "catalogue.toml").write_text("version = \n", encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        build_context(
            Settings(data_dir=str(tmp_path), catalogue_dir=str(folder)), keyring_module=file_keyring(tmp_path / "k.cfg")
        )
    assert "catalogue.toml" in info.value.user_message("zh_CN")


def test_outside_demo_mode_a_simulated_device_is_refused_at_start(tmp_path):
    from clerk_app.app_context import build_context, file_keyring
    from clerk_app.settings import Settings
    from clerk_app.wiring.devices import SimulatedDeviceRefused

    for option in ("card_backend", "scanner_backend"):
        settings = Settings(data_dir=str(tmp_path / option), **{option: "simulated"})
        with pytest.raises(SimulatedDeviceRefused) as info:
            build_context(settings, keyring_module=file_keyring(tmp_path / "k.cfg"))
        text = info.value.user_message("zh_CN")
        assert "演示模式" in text and option in text and "none" in text


def test_the_mode_decides_the_default_devices(tmp_path):
    from clerk_app.settings import Settings
    from clerk_app.wiring.devices import Devices

    assert (Devices(Settings(demo=True)).card_backend, Devices(Settings(demo=True)).scanner_backend) == (
        "simulated",
        "simulated",
    )
    real = Devices(Settings())
    assert (real.card_backend, real.scanner_backend) == ("pyscard", "sane")
    real.check_allowed()  # real devices pass


def test_pages_and_retention_share_one_attachment_store(world):
    # before the composition root owned it, the supervisor page built a second store of its own
    assert world.ctx.retention._attachments is world.ctx.pages.store
