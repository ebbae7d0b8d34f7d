"""Local accounts: Argon2id password hashes, lockout after repeated failures, audited logins."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n
from clerk_app.audit import Auditor
from clerk_app.clock import Clock, local_time
from clerk_app.errors import ClerkAppError, DomainError
from clerk_app.roles import Actor, Permission, Role, role_label
from clerk_app.store.models import User


class LoginFailed(ClerkAppError):
    key = i18n.register(
        "error.login_failed",
        "用户名或密码错误（还可尝试 {left} 次）",
        "Wrong user name or password ({left} attempts left)",
    )


class AccountLocked(ClerkAppError):
    key = i18n.register(
        "error.account_locked",
        "账号已锁定，请于 {until} 后重试或联系监督人员解锁",
        "Account locked: try again after {until} or ask a supervisor to unlock it",
    )


class WeakPassword(DomainError):
    key = i18n.register(
        "error.weak_password",
        "密码不符合要求：至少 {n} 位，且同时包含字母和数字",
        "Password too weak: at least {n} characters with both letters and digits",
    )


_E_UNKNOWN_USER = i18n.register("error.user_unknown", "没有用户名为 {username} 的账户", "No account named {username}")
_E_SELF = i18n.register(
    "error.user_self",
    "不能停用自己的账户或更改自己的角色",
    "You cannot disable your own account or change your own role",
)
_E_LAST_ADMIN = i18n.register(
    "error.user_last_admin",
    "至少要保留一个启用的系统管理员账户",
    "At least one enabled administrator account must remain",
)
_E_NO_SYSTEM_ROLE = i18n.register(
    "error.user_system_role", "系统角色不能用于登录账户", "The system role is not a login role"
)
_E_NO_USERNAME = i18n.register("error.user_no_username", "请输入用户名。", "Enter a user name.")
_E_NO_NAME = i18n.register("error.user_no_name", "请输入姓名。", "Enter the person's name.")
_E_NO_STAFF_NO = i18n.register("error.user_no_staff_no", "请输入工号。", "Enter the staff number.")
_E_PASSWORDS_DIFFER = i18n.register("error.passwords_differ", "两次输入的密码不一致。", "The two passwords differ.")
_STATE_DISABLED = i18n.register("user.state.disabled", "已停用", "Disabled")
_STATE_LOCKED = i18n.register(
    "user.state.locked", "已锁定至 {until}（密码错误次数过多）", "Locked until {until} (wrong passwords)"
)
_STATE_ENABLED = i18n.register("user.state.enabled", "启用中", "Enabled")


@dataclass(frozen=True)
class UserAccount:
    """An account as the admin's screen lists it (no password hash)."""

    user_id: int
    username: str
    display_name: str
    staff_no: str
    role: Role
    active: bool
    locked: bool
    failed_attempts: int
    created_at: dt.datetime
    password_changed_at: dt.datetime
    locked_until: dt.datetime | None = None

    def cells(self) -> tuple[str, ...]:
        """As the account lists show it: user name, name, staff no., role, state, failed attempts,
        password set."""
        return (
            self.username,
            self.display_name,
            self.staff_no,
            role_label(self.role.value),
            self.state_label(),
            str(self.failed_attempts),
            local_time(self.password_changed_at),
        )

    def state_label(self) -> str:
        """已停用 / 已锁定至 … / 启用中, as the admin's and the supervisor's account lists show it."""
        if not self.active:
            return i18n.text(_STATE_DISABLED)
        if self.locked and self.locked_until is not None:
            return i18n.text(_STATE_LOCKED, until=local_time(self.locked_until))
        return i18n.text(_STATE_ENABLED)


def check_repeated_password(password: str, again: str) -> None:
    """The new password typed twice must be the same (a form's check, in the clerk's words)."""
    if password != again:
        raise DomainError(_E_PASSWORDS_DIFFER, detail="passwords differ")


@dataclass(frozen=True)
class AuthPolicy:
    max_failures: int = 5
    lockout_minutes: int = 15
    min_password_length: int = 8


def check_password_rules(password: str, policy: AuthPolicy) -> None:
    if (
        len(password) < policy.min_password_length
        or not re.search(r"[A-Za-z]", password)
        or not re.search(r"\d", password)
    ):
        raise WeakPassword(n=policy.min_password_length)


# Argon2id with modest memory so a login stays under ~100 ms on a window PC (RFC 9106 §4 second
# recommended option uses 64 MiB; 32 MiB / t=3 is OWASP's listed alternative).
_HASHER = PasswordHasher(time_cost=3, memory_cost=32 * 1024, parallelism=2)


class UserService:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        clock: Clock,
        auditor: Auditor,
        station: str,
        policy: AuthPolicy | None = None,
        name_key: Callable[[str], str] | None = None,
    ) -> None:
        # A keyed hash (hex) of a typed name that matches no account: the trail records it instead of
        # the name (an ID number scanned into the name field must not land in audit_events.actor).
        self._name_key = name_key
        self._sessions = session_factory
        self._clock = clock
        self._auditor = auditor
        self._station = station
        self.policy = policy or AuthPolicy()

    def has_users(self) -> bool:
        with self._sessions() as s:
            return bool(s.scalar(select(func.count()).select_from(User)))

    def create_user(
        self, actor: Actor | None, username: str, password: str, role: Role, display_name: str, staff_no: str
    ) -> Actor:
        """Create an account. ``actor`` None is allowed only for the very first (admin) account."""
        if actor is None:
            if self.has_users():
                raise DomainError(detail="bootstrap without an actor once users exist")
            if role is not Role.ADMIN:
                raise DomainError(detail="the first account must be an administrator")
        else:
            actor.require(Permission.USER_MANAGE)
        if role is Role.SYSTEM:
            raise DomainError(_E_NO_SYSTEM_ROLE, detail="the system role is not a login role")
        for value, missing in ((username, _E_NO_USERNAME), (display_name, _E_NO_NAME), (staff_no, _E_NO_STAFF_NO)):
            if not value.strip():
                raise DomainError(missing, detail="required account field empty")
        username, display_name, staff_no = username.strip(), display_name.strip(), staff_no.strip()
        check_password_rules(password, self.policy)
        now = self._clock.now()
        with self._sessions.begin() as s:
            if s.scalar(select(User).where(User.username == username)):
                raise DomainError("error.user_exists", username=username)
            user = User(
                username=username,
                display_name=display_name,
                staff_no=staff_no,
                role=role.value,
                password_hash=_HASHER.hash(password),
                failed_attempts=0,
                active=True,
                created_at=now,
                password_changed_at=now,
            )
            s.add(user)
            s.flush()
            created = Actor(user.id, username, role, self._station, staff_no)
            self._auditor.record(s, actor or created, "user.create", target=username, role=role.value)
        return created

    def authenticate(self, username: str, password: str) -> Actor:
        """Check a password. Failures are recorded (and committed) before the error is raised."""
        now = self._clock.now()
        failure: ClerkAppError | None = None
        with self._sessions.begin() as s:
            user = s.scalar(select(User).where(User.username == username))
            if user is None or not user.active:
                _HASHER.hash(password)  # same cost as a real check: do not reveal which names exist
                self._auditor.record(
                    s, _anonymous(self._station, username, self._name_key), "login.failed", reason="unknown user"
                )
                failure = LoginFailed(left="-", detail="unknown or inactive user")
            else:
                actor = Actor(user.id, user.username, Role(user.role), self._station, user.staff_no)
                failure = self._check(s, user, actor, password, now)
        if failure is not None:
            raise failure
        return actor

    def _check(self, s: Session, user: User, actor: Actor, password: str, now: dt.datetime) -> ClerkAppError | None:
        if user.locked_until and user.locked_until > now:
            self._auditor.record(s, actor, "login.refused_locked")
            return AccountLocked(until=user.locked_until.astimezone(now.tzinfo).strftime("%H:%M"))
        try:
            _HASHER.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            user.failed_attempts += 1
            if user.failed_attempts >= self.policy.max_failures:
                user.locked_until = now + dt.timedelta(minutes=self.policy.lockout_minutes)
                user.failed_attempts = 0
                self._auditor.record(s, actor, "login.lockout", minutes=self.policy.lockout_minutes)
                return AccountLocked(until=user.locked_until.strftime("%H:%M"))
            self._auditor.record(s, actor, "login.failed", attempts=user.failed_attempts)
            return LoginFailed(left=self.policy.max_failures - user.failed_attempts)
        user.failed_attempts = 0
        user.locked_until = None
        if _HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = _HASHER.hash(password)
        self._auditor.record(s, actor, "login")
        return None

    def logout(self, actor: Actor, reason: str = "user") -> None:
        self._auditor.record_now(actor, "logout", reason=reason)

    def unlock(self, actor: Actor, username: str) -> None:
        if not (actor.can(Permission.USER_MANAGE) or actor.can(Permission.AUDIT_READ_ALL)):
            actor.require(Permission.USER_MANAGE)
        with self._sessions.begin() as s:
            user = s.scalar(select(User).where(User.username == username))
            if user is None:
                raise DomainError(_E_UNKNOWN_USER, detail="unknown user", username=username)
            user.locked_until, user.failed_attempts = None, 0
            self._auditor.record(s, actor, "user.unlock", target=username)

    def change_password(self, actor: Actor, old: str, new: str) -> None:
        check_password_rules(new, self.policy)
        self.authenticate(actor.username, old)
        with self._sessions.begin() as s:
            user = s.get(User, actor.user_id)
            assert user is not None
            user.password_hash = _HASHER.hash(new)
            user.password_changed_at = self._clock.now()
            self._auditor.record(s, actor, "user.password_changed")

    def display_name(self, user_id: int | None) -> str:
        """A staff member as colleagues name them: ``李婷（B017）``; "—" for none or unknown."""
        if user_id is None:
            return "—"
        with self._sessions() as s:
            user = s.get(User, user_id)
            return f"{user.display_name}（{user.staff_no}）" if user is not None else "—"

    # -- the admin's account management (issue 17: users at the station) ---------------------------
    def accounts(self, actor: Actor) -> list[UserAccount]:
        """Every account (the admin's list; a supervisor reads it to unlock one)."""
        if not actor.can(Permission.AUDIT_READ_ALL):
            actor.require(Permission.USER_MANAGE)
        now = self._clock.now()
        with self._sessions() as s:
            return [
                UserAccount(
                    u.id,
                    u.username,
                    u.display_name,
                    u.staff_no,
                    Role(u.role),
                    bool(u.active),
                    u.locked_until is not None and u.locked_until > now,
                    u.failed_attempts,
                    u.created_at,
                    u.password_changed_at,
                    u.locked_until,
                )
                for u in s.scalars(select(User).order_by(User.username))
            ]

    def _managed(self, s: Session, actor: Actor, username: str) -> User:
        actor.require(Permission.USER_MANAGE)
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise DomainError(_E_UNKNOWN_USER, detail="unknown user", username=username)
        return user

    def _other_active_admins(self, s: Session, user: User) -> int:
        return int(
            s.scalar(
                select(func.count())
                .select_from(User)
                .where(User.role == Role.ADMIN.value, User.active.is_(True), User.id != user.id)
            )
            or 0
        )

    def set_active(self, actor: Actor, username: str, active: bool) -> None:
        """Disable (no more logins; history and audit trail stay) or enable an account. Audited."""
        with self._sessions.begin() as s:
            user = self._managed(s, actor, username)
            if user.id == actor.user_id and not active:
                raise DomainError(_E_SELF, detail="disable own account")
            if not active and user.role == Role.ADMIN.value and not self._other_active_admins(s, user):
                raise DomainError(_E_LAST_ADMIN, detail="disable the last admin")
            if bool(user.active) == active:
                return
            user.active = active
            if active:
                user.failed_attempts, user.locked_until = 0, None
            self._auditor.record(s, actor, "user.enable" if active else "user.disable", target=username)

    def set_role(self, actor: Actor, username: str, role: Role) -> None:
        """Change an account's role (not one's own; never to the system role; one admin stays). Audited."""
        if role is Role.SYSTEM:
            raise DomainError(_E_NO_SYSTEM_ROLE, detail="system role")
        with self._sessions.begin() as s:
            user = self._managed(s, actor, username)
            if user.id == actor.user_id:
                raise DomainError(_E_SELF, detail="change own role")
            if user.role == role.value:
                return
            if user.role == Role.ADMIN.value and user.active and not self._other_active_admins(s, user):
                raise DomainError(_E_LAST_ADMIN, detail="demote the last admin")
            previous, user.role = user.role, role.value
            self._auditor.record(s, actor, "user.role", target=username, role=role.value, previous=previous)

    def reset_password(self, actor: Actor, username: str, new_password: str) -> None:
        """Set a new password for someone who forgot theirs (the rules apply; the lockout is lifted).
        Audited without the password, of course."""
        check_password_rules(new_password, self.policy)
        with self._sessions.begin() as s:
            user = self._managed(s, actor, username)
            user.password_hash = _HASHER.hash(new_password)
            user.password_changed_at = self._clock.now()
            user.failed_attempts, user.locked_until = 0, None
            self._auditor.record(s, actor, "user.password_reset", target=username)


UNKNOWN_USER_PREFIX = "?"  # audit_events.actor of a failed login with a name no account has


def unknown_user_label(username: str, name_key: Callable[[str], str] | None = None) -> str:
    """What the trail records for a typed name that matches no account (or an inactive one's is
    kept as it is: that is a known user). Never the name itself: it may be anything typed or scanned
    into the field, an applicant's ID number included. With the hall key, ``?`` and 12 hex digits of
    a keyed hash (the same typed name gives the same label, so repeated attempts can be told apart
    and counted; it cannot be reversed without the key); without one (tools that run before the key
    is open), ``?``, the first character and an ellipsis."""
    if name_key is not None:
        return UNKNOWN_USER_PREFIX + name_key(username)[:12]
    return UNKNOWN_USER_PREFIX + username.strip()[:1] + "…"


def _anonymous(station: str, username: str, name_key: Callable[[str], str] | None = None) -> Actor:
    return Actor(None, unknown_user_label(username, name_key), Role.CLERK, station)


i18n.register("error.user_exists", "用户名 {username} 已存在", "User name {username} already exists")
