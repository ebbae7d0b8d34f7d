from __future__ import annotations

import pytest

from clerk_app.settings import Settings, SettingsError, describe, load_settings, save_settings, validate


def test_defaults_and_round_trip(tmp_path):
    path = tmp_path / "settings.toml"
    s = Settings(station_code="HK02", hall_name="江岸区政务服务中心", window_no="12", language="en")
    save_settings(s, path)
    assert load_settings(path) == s
    assert load_settings(tmp_path / "missing.toml") == Settings()
    assert Settings(data_dir=str(tmp_path)).resolved_database_url() == f"sqlite:///{tmp_path}/clerk.db"


def test_every_option_is_documented():
    assert all(doc for _, _, doc in describe())


@pytest.mark.parametrize(
    "raw,message",
    [
        ({"station_cod": "X1"}, "did you mean station_code"),
        ({"station_code": "wh 01"}, "station_code: 2–12 characters"),
        ({"window_no": 3}, "window_no: must be str, got int"),
        ({"card_backend": "magic"}, "card_backend: must be one of \"\" (empty), simulated, pyscard, ga467, both, none"),
        ({"idle_lock_minutes": 0}, "idle_lock_minutes: must be 1–240"),
        ({"idle_lock_minutes": True}, "must be int"),
        ({"language": "fr"}, "language: must be one of zh_CN, en"),
    ],
)
def test_invalid_settings_have_clear_errors(raw, message):
    with pytest.raises(SettingsError) as info:
        validate(raw)
    assert message in str(info.value)
    assert "设置文件有误" in info.value.user_message("zh_CN")


def test_all_problems_reported_at_once():
    with pytest.raises(SettingsError) as info:
        validate({"language": "fr", "window_no": 3})
    assert "language" in str(info.value) and "window_no" in str(info.value)


def test_broken_toml(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("station_code = \n", encoding="utf-8")
    with pytest.raises(SettingsError, match="settings.toml"):
        load_settings(path)


def test_settings_change_is_admin_only_validated_and_audited(world, tmp_path):
    from clerk_app.errors import PermissionDenied
    from clerk_app.settings_service import change_settings

    path = tmp_path / "s.toml"
    current = world.ctx.settings
    with pytest.raises(PermissionDenied):
        change_settings(world.login("clerk"), world.ctx.auditor, current, {"window_no": "07"}, path)
    admin = world.login("admin")
    with pytest.raises(SettingsError):
        change_settings(admin, world.ctx.auditor, current, {"window_no": 7}, path)
    assert not path.exists()
    new = change_settings(admin, world.ctx.auditor, current, {"window_no": "07", "hall_phone": "027-12345"}, path)
    assert load_settings(path) == new and new.window_no == "07"
    last = next(iter(world.ctx.auditor.events(world.login("supervisor"))))
    events = [e for e in world.ctx.auditor.events(world.login("supervisor")) if e.action == "settings.change"]
    assert events and events[0].detail["changed"] == {"window_no": "07", "hall_phone": "027-12345"}
    assert last is not None


def test_invalid_options_are_named_in_the_settings_order():
    from clerk_app.settings_service import invalid_options

    assert invalid_options({"idle_lock_minutes": 15, "window_no": "07"}) == []
    assert invalid_options({"print_policy": "sometimes", "window_no": "窗口!!"}) == ["window_no", "print_policy"]
