"""Back-office people: per-person accounts (Argon2id password hashes, lockout after repeated failures),
roles and department scopes, sessions kept in the database (so any worker process serves any request),
CSRF tokens per session, one-time form tokens against replayed forms, and the back-office audit log.

Roles:
- ``approver``: works the queue of their department (start approval, request material, approve,
  upload the result, mark it ready), may reveal personal data with a reason (audited).
- ``department_head``: everything an approver may, plus disapprove (不予许可 needs the head).
- ``admin``: stations, departments, users and publications; sees no case content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backoffice.models import (
    BackOfficeAudit,
    BackOfficeUser,
    Department,
    DepartmentItem,
    FormToken,
    UserSession,
)
from backoffice.service import ApiProblem, _aware, utcnow

ROLES = ("approver", "department_head", "admin")
ROLE_NAMES = {"approver": "审批人", "department_head": "科室负责人", "admin": "后台管理员"}
MAX_FAILED = 5
LOCKOUT = dt.timedelta(minutes=15)
IDLE = dt.timedelta(minutes=30)
ABSOLUTE = dt.timedelta(hours=12)
API_TTL = dt.timedelta(hours=1)
MIN_PASSWORD = 10
_hasher = PasswordHasher()  # Argon2id, library defaults
_DUMMY_HASH = _hasher.hash("not-a-password-of-anyone")


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Person:
    """The signed-in person as the HTTP layer sees it (no password hash)."""

    id: int
    username: str
    display_name: str
    role: str
    department_id: int | None
    department_name: str | None
    session_hash: str
    csrf_token: str

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)

    @property
    def works_cases(self) -> bool:
        return self.role in ("approver", "department_head") and self.department_id is not None


# -- departments and users ------------------------------------------------------------------------
def add_department(session: Session, code: str, name: str, item_codes: list[str]) -> Department:
    dept = session.scalar(select(Department).where(Department.code == code))
    if dept is None:
        dept = Department(code=code, name=name)
        session.add(dept)
        session.flush()
    dept.name = name
    for item in item_codes:
        owner = session.get(DepartmentItem, item)
        if owner is None:
            session.add(DepartmentItem(item_code=item, department_id=dept.id))
        elif owner.department_id != dept.id:
            raise ApiProblem(409, "item_taken", f"item {item} belongs to another department")
    session.commit()
    return dept


def department_items(session: Session, department_id: int) -> list[str]:
    return list(
        session.scalars(
            select(DepartmentItem.item_code)
            .where(DepartmentItem.department_id == department_id)
            .order_by(DepartmentItem.item_code)
        )
    )


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ApiProblem(422, "weak_password", f"a password needs at least {MIN_PASSWORD} characters")


def add_user(
    session: Session,
    username: str,
    display_name: str,
    role: str,
    password: str,
    department_code: str | None = None,
    *,
    actor: Person | None = None,
) -> BackOfficeUser:
    if role not in ROLES:
        raise ApiProblem(422, "invalid_role", f"role must be one of {', '.join(ROLES)}")
    check_password_rules(password)
    dept_id = None
    if role != "admin":
        if not department_code:
            raise ApiProblem(422, "department_required", "approvers and department heads need a department")
        dept = session.scalar(select(Department).where(Department.code == department_code))
        if dept is None:
            raise ApiProblem(404, "not_found", "no such department")
        dept_id = dept.id
    user = BackOfficeUser(
        username=username,
        display_name=display_name,
        role=role,
        department_id=dept_id,
        password_hash=_hasher.hash(password),
        failed_attempts=0,
        active=True,
        created_at=utcnow(),
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ApiProblem(409, "user_exists", "this user name is taken") from None
    audit(session, actor, "user.create", None, username=username, role=role, department=department_code)
    session.commit()
    return user


# -- user management by a back-office admin (issue 18 item 3) ----------------------------------------
USER_OPERATIONS = ("disable", "enable", "unlock", "reset_password")


def manage_user(session: Session, actor: Person, username: str, operation: str, password: str = "") -> None:
    """Disable or enable an account, unlock one locked after failed sign-ins, or set a new password
    (the rules apply; the lock is lifted). Disabling and a new password end the person's sessions and
    API tokens at once. An admin cannot disable themself, and one active admin always stays. Audited
    (never the password); committed with the change, or nothing changes."""
    if actor.role != "admin":
        raise ApiProblem(403, "forbidden", "back-office admins only")
    if operation not in USER_OPERATIONS:
        raise ApiProblem(404, "not_found", "no such user operation")
    user = session.scalar(select(BackOfficeUser).where(BackOfficeUser.username == username).with_for_update())
    if user is None:
        raise ApiProblem(404, "unknown_user", "no such user")
    if operation == "disable":
        if user.id == actor.id:
            raise ApiProblem(409, "self_forbidden", "an admin cannot disable their own account")
        if user.role == "admin":
            other = session.scalars(
                select(BackOfficeUser.id)
                .where(BackOfficeUser.role == "admin", BackOfficeUser.active.is_(True), BackOfficeUser.id != user.id)
                .with_for_update()
            ).first()
            if other is None:
                raise ApiProblem(409, "last_admin", "the last active admin cannot be disabled")
        user.active = False
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    elif operation == "enable":
        user.active = True
        user.failed_attempts, user.locked_until = 0, None
    elif operation == "unlock":
        user.failed_attempts, user.locked_until = 0, None
    else:
        check_password_rules(password)
        user.password_hash = _hasher.hash(password)
        user.failed_attempts, user.locked_until = 0, None
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    action = "user.password_reset" if operation == "reset_password" else f"user.{operation}"
    audit(session, actor, action, None, username=username)
    session.commit()


# -- sign-in --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SignIn:
    token: str
    person: Person


class SignInRefused(Exception):
    """Wrong user name or password (one message for both), or the account is locked."""

    def __init__(self, locked: bool) -> None:
        super().__init__("locked" if locked else "wrong credentials")
        self.locked = locked


def sign_in(session: Session, username: str, password: str, kind: str = "web") -> SignIn:
    """Check the password; 5 failures in a row lock the account for 15 minutes (counted in the database,
    so all worker processes agree). Returns a new session token (only its hash is stored)."""
    now = utcnow()
    user = session.scalar(select(BackOfficeUser).where(BackOfficeUser.username == username).with_for_update())
    if user is None or not user.active:
        try:  # the same work as for a real account: no timing hint whether the name exists
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        audit(session, None, "signin.failed", None, username=username[:64])
        session.commit()
        raise SignInRefused(locked=False)
    if user.locked_until is not None and _aware(user.locked_until) > now:
        audit(session, user, "signin.locked", None)
        session.commit()
        raise SignInRefused(locked=True)
    try:
        ok: bool = _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok:
        user.failed_attempts += 1
        locked = user.failed_attempts >= MAX_FAILED
        if locked:
            user.locked_until = now + LOCKOUT
            user.failed_attempts = 0
        audit(session, user, "signin.failed", None, locked=locked)
        session.commit()
        raise SignInRefused(locked=locked)
    user.failed_attempts = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    token = secrets.token_urlsafe(32)
    row = UserSession(
        token_hash=_sha(token),
        user_id=user.id,
        kind=kind,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen=now,
        expires_at=now + (ABSOLUTE if kind == "web" else API_TTL),
    )
    session.add(row)
    session.execute(delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at < now))
    audit(session, user, "signin", None, kind=kind)
    session.commit()
    return SignIn(token, _person(session, user, row))


def _person(session: Session, user: BackOfficeUser, row: UserSession) -> Person:
    dept = session.get(Department, user.department_id) if user.department_id else None
    return Person(
        user.id,
        user.username,
        user.display_name,
        user.role,
        user.department_id,
        dept.name if dept else None,
        row.token_hash,
        row.csrf_token,
    )


def person_for_token(session: Session, token: str, kind: str = "web") -> Person | None:
    """The person of a session token, or None (unknown, expired, idle too long, account disabled)."""
    now = utcnow()
    row = session.get(UserSession, _sha(token))
    if row is None or row.kind != kind or _aware(row.expires_at) < now:
        return None
    if kind == "web" and _aware(row.last_seen) + IDLE < now:
        session.delete(row)
        session.commit()
        return None
    user = session.get(BackOfficeUser, row.user_id)
    if user is None or not user.active:
        return None
    if kind == "web" and now - _aware(row.last_seen) > dt.timedelta(minutes=1):
        row.last_seen = now  # at most one write a minute per session
        session.commit()
    return _person(session, user, row)


def sign_out(session: Session, person: Person) -> None:
    session.execute(delete(UserSession).where(UserSession.token_hash == person.session_hash))
    audit(session, person, "signout", None)
    session.commit()


def csrf_ok(person: Person, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(person.csrf_token.encode(), (presented or "").encode())


# -- one-time form tokens -------------------------------------------------------------------------
def issue_form_token(session: Session, person: Person, case_id: str) -> str:
    token = secrets.token_urlsafe(24)
    now = utcnow()
    session.add(FormToken(token_hash=_sha(token), session_hash=person.session_hash, case_id=case_id, issued_at=now))
    session.execute(delete(FormToken).where(FormToken.issued_at < now - ABSOLUTE))
    session.commit()
    return token


def use_form_token(session: Session, person: Person, case_id: str, token: str | None) -> None:
    """Marks the form token used, in the caller's transaction (committed with the action). A token that
    is unknown, of another session or case, or already used is refused: the form was replayed."""
    if not token:
        raise ApiProblem(409, "form_replayed", "this form was already submitted or has expired")
    result = session.execute(
        update(FormToken)
        .where(
            FormToken.token_hash == _sha(token),
            FormToken.session_hash == person.session_hash,
            FormToken.case_id == case_id,
            FormToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ApiProblem(409, "form_replayed", "this form was already submitted or has expired")


# -- audit ----------------------------------------------------------------------------------------
def audit(
    session: Session, who: Person | BackOfficeUser | None, action: str, case_id: str | None, **detail: Any
) -> None:
    """Adds an audit row to the caller's transaction. ``detail`` must never carry personal data."""
    session.add(
        BackOfficeAudit(
            at=utcnow(),
            user_id=who.id if who is not None else None,
            username=who.username if who is not None else "-",
            action=action,
            case_id=case_id,
            detail=detail,
        )
    )
