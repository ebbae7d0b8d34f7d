from __future__ import annotations

import pytest
from sqlalchemy import select

from clerk_app.errors import DomainError, PermissionDenied
from clerk_app.roles import Role
from clerk_app.store.models import AuditEvent, User
from clerk_app.users import AccountLocked, LoginFailed, WeakPassword


def actions(world):
    with world.ctx.sessions() as s:
        return [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))]


def test_password_is_hashed_with_argon2id(world):
    with world.ctx.sessions() as s:
        user = s.scalar(select(User).where(User.username == "clerk"))
    assert user.password_hash.startswith("$argon2id$") and "Clerk2026" not in user.password_hash


def test_lockout_after_repeated_failures_and_supervisor_unlock(world):
    users = world.ctx.users
    for left in (4, 3, 2, 1):
        with pytest.raises(LoginFailed) as info:
            users.authenticate("clerk", "nope-nope-1")
        assert str(left) in info.value.user_message("zh_CN")
    with pytest.raises(AccountLocked):
        users.authenticate("clerk", "nope-nope-1")
    with pytest.raises(AccountLocked):  # even the right password, while locked
        users.authenticate("clerk", "Clerk2026")
    assert "login.lockout" in actions(world) and "login.refused_locked" in actions(world)
    world.clock.advance(minutes=16)
    assert users.authenticate("clerk", "Clerk2026").role is Role.CLERK  # lock expires


def test_unlock_by_supervisor_is_audited(world):
    for _ in range(5):
        with pytest.raises((LoginFailed, AccountLocked)):
            world.ctx.users.authenticate("prereview", "wrong-pass-1")
    clerk = world.login("clerk")
    with pytest.raises(PermissionDenied):
        world.ctx.users.unlock(clerk, "prereview")
    world.ctx.users.unlock(world.login("supervisor"), "prereview")
    assert world.ctx.users.authenticate("prereview", "Helper2026").role is Role.PREREVIEW
    assert "user.unlock" in actions(world)


def test_unknown_user_fails_like_a_wrong_password(world):
    with pytest.raises(LoginFailed):
        world.ctx.users.authenticate("nobody", "whatever-1")


def failed_logins(world):
    with world.ctx.sessions() as s:
        return [
            e.actor
            for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed").order_by(AuditEvent.seq))
        ]


def test_a_failed_login_never_audits_the_typed_name_of_an_unknown_user(world):
    """Issue 16 finding 6: an ID number scanned into the name field landed verbatim in
    audit_events.actor. Unknown names are a keyed hash now; known users stay as they are."""
    from clerk_app.audit_labels import actor_label
    from clerk_app.users import unknown_user_label

    scanned = "11010519491231002X"
    for _ in range(2):
        with pytest.raises(LoginFailed):
            world.ctx.users.authenticate(scanned, "whatever-1")
    with pytest.raises(LoginFailed):
        world.ctx.users.authenticate("clerk", "wrong-pass-1")
    first, again, known = failed_logins(world)[-3:]
    assert known == "clerk"
    assert first == again and first.startswith("?") and len(first) == 13  # the same name, the same label
    assert scanned not in first and "1101" not in first and "002X" not in first
    assert actor_label(first) == f"未知用户（{first[1:]}）"
    with world.ctx.sessions() as s:
        assert not any(scanned in str(e.actor) + str(e.detail) for e in s.scalars(select(AuditEvent)))
    assert world.ctx.auditor.verify() is None
    # Without the hall key (a tool run before it is open): a masked form, never the name.
    assert unknown_user_label(scanned) == "?1…"


@pytest.mark.parametrize("password", ["short1", "onlyletters", "1234567890"])
def test_password_rules(world, password):
    with pytest.raises(WeakPassword):
        world.ctx.users.create_user(world.login("admin"), "newbie", password, Role.CLERK, "新人", "0199")


def test_only_admins_create_users_and_first_must_be_admin(world):
    with pytest.raises(PermissionDenied):
        world.ctx.users.create_user(world.login("supervisor"), "x1", "Passw0rd!", Role.CLERK, "X", "1")
    with pytest.raises(DomainError):
        world.ctx.users.create_user(None, "x2", "Passw0rd!", Role.ADMIN, "X", "2")  # users exist already
    created = world.ctx.users.create_user(world.login("admin"), "x3", "Passw0rd!", Role.CLERK, "X", "3")
    assert world.ctx.users.authenticate("x3", "Passw0rd!").user_id == created.user_id


def test_change_password(world):
    clerk = world.login("clerk")
    world.ctx.users.change_password(clerk, "Clerk2026", "NewSecret99")
    with pytest.raises(LoginFailed):
        world.ctx.users.authenticate("clerk", "Clerk2026")
    assert world.ctx.users.authenticate("clerk", "NewSecret99")


def test_cli_creates_first_admin(tmp_path, monkeypatch, capsys):
    import io

    from clerk_app import cli

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr("sys.stdin", io.StringIO("FirstAdmin1\n"))
    args = [
        "--data-dir",
        str(tmp_path / "d"),
        "admin",
        "create-user",
        "root",
        "--role",
        "admin",
        "--name",
        "管理员",
        "--staff-no",
        "A1",
    ]
    assert cli.main(args) == 0
    assert "created root" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("Another1x\n"))
    args2 = [
        "--data-dir",
        str(tmp_path / "d"),
        "admin",
        "create-user",
        "c2",
        "--role",
        "clerk",
        "--name",
        "窗口",
        "--staff-no",
        "0102",
    ]
    assert cli.main(args2) == 2  # a second account needs an authenticated admin


def test_account_fields_are_checked_by_the_core_and_states_are_labelled(world):
    from clerk_app.users import check_repeated_password

    users, admin = world.ctx.users, world.login("admin")
    for username, name, staff, words in (
        (" ", "张伟", "0102", "请输入用户名"),
        ("zhang", "", "0102", "请输入姓名"),
        ("zhang", "张伟", " ", "请输入工号"),
    ):
        with pytest.raises(DomainError) as info:
            users.create_user(admin, username, "Window2026", Role.CLERK, name, staff)
        assert words in info.value.user_message("zh_CN")
    with pytest.raises(DomainError) as info:
        check_repeated_password("Window2026", "Window2027")
    assert info.value.user_message("zh_CN") == "两次输入的密码不一致。"
    users.create_user(admin, " zhang ", "Window2026", Role.CLERK, " 张伟 ", "0102")
    for _ in range(5):
        with pytest.raises((LoginFailed, AccountLocked)):
            users.authenticate("zhang", "wrong-pass1")
    states = {a.username: a.state_label() for a in users.accounts(world.login("supervisor"))}
    assert states["zhang"].startswith("已锁定至 ") and states["clerk"] == "启用中"
    zhang = next(a for a in users.accounts(admin) if a.username == "zhang")
    assert zhang.cells()[:5] == ("zhang", "张伟", "0102", "窗口受理人员", states["zhang"])
    users.set_active(admin, "zhang", False)
    assert {a.username: a.state_label() for a in users.accounts(admin)}["zhang"] == "已停用"
