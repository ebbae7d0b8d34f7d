"""The admin's core operations behind ui/admin: catalogue import as an inactive version (validated,
refused without change, version clashes refused), and account management (disable, role, reset)
with their guards; all audited, the audit labels in Chinese."""

from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import select

from clerk_app.audit_labels import action_label, detail_text
from clerk_app.catalogue import CatalogueError
from clerk_app.errors import DomainError, PermissionDenied
from clerk_app.roles import Role
from clerk_app.store.models import AuditEvent
from clerk_app.users import LoginFailed, WeakPassword
from tests.helpers.core import RESOURCES


def _events(world, prefix: str) -> list[AuditEvent]:
    with world.ctx.sessions() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action.like(prefix + "%")).order_by(AuditEvent.seq)))


def _copy(tmp_path, version: str, name: str):
    folder = tmp_path / name
    shutil.copytree(RESOURCES / "catalogue", folder)
    head = folder / "catalogue.toml"
    head.write_text(re.sub(r'version = "[^"]*"', f'version = "{version}"', head.read_text("utf-8")), "utf-8")
    return folder


def test_import_stores_an_inactive_version_and_refusals_change_nothing(world, tmp_path):
    ctx = world.ctx
    admin = ctx.users.authenticate("admin", "Admin2026")
    clerk = ctx.users.authenticate("clerk", "Clerk2026")
    shipped = ctx.catalogue.active().version
    with pytest.raises(PermissionDenied):
        ctx.catalogue.import_version(_copy(tmp_path, "2027.1", "x"), clerk)

    new = ctx.catalogue.import_version(_copy(tmp_path, "2027.1", "a") / "catalogue.toml", admin)
    assert new.version == "2027.1" and ctx.catalogue.active().version == shipped
    assert {(v.version, v.active) for v in ctx.catalogue.versions(admin)} == {(shipped, True), ("2027.1", False)}
    before = ctx.catalogue.versions(admin)
    shown = {v.version: v.cells() for v in before}
    assert shown[shipped][1] == "当前启用" and shown["2027.1"][1] == "" and len(shown["2027.1"][5]) == 12

    bad = _copy(tmp_path, "2027.2", "bad")
    (bad / "items" / "oops.toml").write_text("not = = toml", "utf-8")
    with pytest.raises(CatalogueError):
        ctx.catalogue.import_version(bad, admin)
    with pytest.raises(DomainError, match="already imported"):
        ctx.catalogue.import_version(_copy(tmp_path, "2027.1", "same"), admin)
    clash = _copy(tmp_path, "2027.1", "clash")
    next((clash / "items").glob("*.toml")).unlink()
    with pytest.raises(DomainError) as info:
        ctx.catalogue.import_version(clash, admin)
    assert "内容不同" in info.value.user_message("zh_CN")
    with pytest.raises(DomainError) as info:
        ctx.catalogue.import_version(tmp_path / "missing", admin)
    assert "catalogue.toml" in info.value.user_message("zh_CN")
    assert ctx.catalogue.versions(admin) == before
    assert ctx.catalogue.version_of("2027.1").content_hash == new.content_hash  # not overwritten

    ctx.catalogue.activate_version("2027.1", admin)
    assert ctx.catalogue.roll_back(admin).version == shipped
    acts = [e.action for e in _events(world, "catalogue.")]
    assert acts[0] == "catalogue.activate"  # the shipped folder at start
    assert acts[1:] == [
        "catalogue.import",
        "catalogue.import_refused",
        "catalogue.import_refused",
        "catalogue.import_refused",
        "catalogue.import_refused",
        "catalogue.activate",
        "catalogue.rollback",
    ]
    for e in _events(world, "catalogue."):
        assert "其他操作" not in action_label(e.action)
    assert "版本：2027.1" in detail_text(_events(world, "catalogue.import")[0].detail)
    assert ctx.auditor.verify() is None


def test_admin_manages_accounts_with_guards(world):
    users = world.ctx.users
    admin = users.authenticate("admin", "Admin2026")
    clerk = users.authenticate("clerk", "Clerk2026")
    with pytest.raises(PermissionDenied):
        users.accounts(clerk)
    with pytest.raises(PermissionDenied):
        users.set_active(clerk, "prereview", False)
    assert [a.username for a in users.accounts(admin)] == ["admin", "clerk", "prereview", "supervisor"]

    users.set_active(admin, "clerk", False)
    with pytest.raises(LoginFailed):
        users.authenticate("clerk", "Clerk2026")
    assert not next(a for a in users.accounts(admin) if a.username == "clerk").active
    users.set_active(admin, "clerk", True)
    assert users.authenticate("clerk", "Clerk2026").username == "clerk"

    with pytest.raises(WeakPassword):
        users.reset_password(admin, "clerk", "short")
    users.reset_password(admin, "clerk", "NewPass2027")
    with pytest.raises(LoginFailed):
        users.authenticate("clerk", "Clerk2026")
    assert users.authenticate("clerk", "NewPass2027").username == "clerk"

    users.set_role(admin, "clerk", Role.SUPERVISOR)
    assert users.authenticate("clerk", "NewPass2027").role is Role.SUPERVISOR
    with pytest.raises(DomainError):
        users.set_role(admin, "clerk", Role.SYSTEM)
    with pytest.raises(DomainError) as info:
        users.set_active(admin, "admin", False)  # not oneself
    assert "自己" in info.value.user_message("zh_CN")
    with pytest.raises(DomainError):
        users.set_role(admin, "admin", Role.CLERK)
    with pytest.raises(DomainError) as info:
        users.set_active(admin, "nobody", False)
    assert "nobody" in info.value.user_message("zh_CN")
    # One enabled admin must stay: a second admin cannot disable or demote the last other one.
    users.create_user(admin, "admin2", "Admin2027x", Role.ADMIN, "第二管理员", "A002")
    admin2 = users.authenticate("admin2", "Admin2027x")
    users.set_active(admin2, "admin", False)
    with pytest.raises(DomainError) as info:
        users.set_role(admin2, "admin2", Role.CLERK)  # oneself anyway
    users.set_active(admin2, "admin", True)
    users.set_role(admin2, "admin", Role.CLERK)
    with pytest.raises(DomainError) as info:
        users.set_active(users.authenticate("admin2", "Admin2027x"), "admin2", False)

    acts = [e.action for e in _events(world, "user.")]
    for code in ("user.disable", "user.enable", "user.password_reset", "user.role"):
        assert code in acts and "其他操作" not in action_label(code)
    role_event = next(e for e in _events(world, "user.role"))
    assert "角色：监督管理人员" in detail_text(role_event.detail)
    assert all("NewPass2027" not in str(e.detail) for e in _events(world, "user."))


def test_every_setting_has_a_chinese_name_and_choice_values_are_named():
    from clerk_app import settings_labels
    from clerk_app.settings import Settings, choices_of

    assert settings_labels.missing() == []
    for name in Settings.__dataclass_fields__:
        for value in choices_of(name) or ():
            assert settings_labels.value_label(name, value) != value, (name, value)
