"""Local accounts: Argon2id password hashes, lockout after repeated failures, audited logins."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n
from clerk_app.audit import Auditor
from clerk_app.clock import Clock
from clerk_app.errors import ClerkAppError, DomainError
from clerk_app.roles import Actor, Permission, Role
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
    ) -> None:
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
            raise DomainError(detail="the system role is not a login role")
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
                self._auditor.record(s, _anonymous(self._station, username), "login.failed", reason="unknown user")
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
                raise DomainError(detail="unknown user")
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

    def list_users(self) -> list[User]:
        with self._sessions() as s:
            return list(s.scalars(select(User).order_by(User.username)))


def _anonymous(station: str, username: str) -> Actor:
    # The typed name is not PII of an applicant, but keep it short in the trail.
    return Actor(None, username[:64], Role.CLERK, station)


i18n.register("error.user_exists", "用户名 {username} 已存在", "User name {username} already exists")
