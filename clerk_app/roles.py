"""Roles and permissions as data; services check them, widgets only ask (``can``) to enable buttons."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from clerk_app import i18n
from clerk_app.errors import PermissionDenied


class Role(str, enum.Enum):
    CLERK = "clerk"  # 综合窗口受理人员
    PREREVIEW = "prereview"  # 帮办（外包预审）: drafts only, masked personal data
    SUPERVISOR = "supervisor"  # 监督: audit, void, corrections
    ADMIN = "admin"  # users and settings
    SYSTEM = "system"  # the sync worker applying back-office status changes


class Permission(str, enum.Enum):
    CASE_CREATE = "case.create"
    CASE_EDIT_DRAFT = "case.edit_draft"
    CASE_HAND_OVER = "case.hand_over"
    CASE_DECIDE = "case.decide"
    CASE_SUPPLEMENT = "case.supplement"
    CASE_DELIVER = "case.deliver"
    CASE_VOID = "case.void"
    CASE_CORRECT = "case.correct"
    CASE_RELEASE_CLAIM = "case.release_claim"  # release someone else's (stale) claim on a case
    CASE_APPLY_SERVER_STATUS = "case.apply_server_status"
    PII_VIEW_FULL = "pii.view_full"
    AUDIT_READ_ALL = "audit.read_all"
    AUDIT_READ_OWN = "audit.read_own"
    STATS_VIEW = "stats.view"
    CATALOGUE_MANAGE = "catalogue.manage"
    USER_MANAGE = "user.manage"
    SETTINGS_MANAGE = "settings.manage"
    PRINT = "print"
    DATA_PURGE = "data.purge"  # retention: purge personal data of confirmed cases
    KEY_ROTATE = "key.rotate"  # rotate the data key and re-encrypt


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset(
        {
            P.CASE_CREATE,
            P.CASE_EDIT_DRAFT,
            P.CASE_DECIDE,
            P.CASE_SUPPLEMENT,
            P.CASE_DELIVER,
            P.PII_VIEW_FULL,
            P.AUDIT_READ_OWN,
            P.PRINT,
        }
    ),
    Role.PREREVIEW: frozenset({P.CASE_CREATE, P.CASE_EDIT_DRAFT, P.CASE_HAND_OVER, P.AUDIT_READ_OWN}),
    Role.SUPERVISOR: frozenset(
        {
            P.CASE_VOID,
            P.CASE_CORRECT,
            P.CASE_RELEASE_CLAIM,
            P.PII_VIEW_FULL,
            P.AUDIT_READ_ALL,
            P.AUDIT_READ_OWN,
            P.STATS_VIEW,
            P.PRINT,
            P.DATA_PURGE,
        }
    ),
    Role.ADMIN: frozenset(
        {P.USER_MANAGE, P.SETTINGS_MANAGE, P.CATALOGUE_MANAGE, P.AUDIT_READ_OWN, P.DATA_PURGE, P.KEY_ROTATE}
    ),
    Role.SYSTEM: frozenset({P.CASE_APPLY_SERVER_STATUS, P.CATALOGUE_MANAGE, P.DATA_PURGE}),
}

ROLE_LABELS = {
    Role.CLERK: i18n.register("role.clerk", "窗口受理人员", "Window clerk"),
    Role.PREREVIEW: i18n.register("role.prereview", "帮办（预审）", "Pre-review staff"),
    Role.SUPERVISOR: i18n.register("role.supervisor", "监督管理人员", "Supervisor"),
    Role.ADMIN: i18n.register("role.admin", "系统管理员", "Administrator"),
    Role.SYSTEM: i18n.register("role.system", "系统", "System"),
}


def role_label(value: str) -> str:
    """A stored role code as people read it (an unknown one as it is)."""
    try:
        return i18n.text(ROLE_LABELS[Role(value)])
    except ValueError:
        return value


PERMISSION_LABELS = {
    p: i18n.register(f"perm.{p.value}", zh, en)
    for p, zh, en in (
        (P.CASE_CREATE, "新建案件", "create a case"),
        (P.CASE_EDIT_DRAFT, "编辑草稿", "edit a draft"),
        (P.CASE_HAND_OVER, "移交窗口", "hand a draft over to the window"),
        (P.CASE_DECIDE, "作出受理决定", "decide on a case"),
        (P.CASE_SUPPLEMENT, "登记补正材料", "record supplements"),
        (P.CASE_DELIVER, "办结出件", "hand out a result"),
        (P.CASE_VOID, "作废案件", "void a case"),
        (P.CASE_CORRECT, "更正案件", "correct a case"),
        (P.CASE_RELEASE_CLAIM, "释放他人占用的案件", "release someone else's claim on a case"),
        (P.CASE_APPLY_SERVER_STATUS, "同步审批状态", "apply a back-office status"),
        (P.PII_VIEW_FULL, "查看完整个人信息", "view full personal data"),
        (P.AUDIT_READ_ALL, "查看全部审计记录", "read the whole audit trail"),
        (P.AUDIT_READ_OWN, "查看本人审计记录", "read one's own audit events"),
        (P.STATS_VIEW, "查看统计", "view statistics"),
        (P.CATALOGUE_MANAGE, "管理事项清单", "manage the catalogue"),
        (P.USER_MANAGE, "管理用户", "manage users"),
        (P.SETTINGS_MANAGE, "修改设置", "change settings"),
        (P.PRINT, "打印", "print"),
        (P.DATA_PURGE, "清除到期个人数据", "purge expired personal data"),
        (P.KEY_ROTATE, "轮换数据密钥", "rotate the data key"),
    )
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: passed to every service call that changes something."""

    user_id: int | None
    username: str
    role: Role
    station: str
    staff_no: str = ""

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied(
                role=i18n.Msg(ROLE_LABELS[self.role]),
                action=i18n.Msg(PERMISSION_LABELS[permission]),
                detail=f"{self.role.value} lacks {permission.value}",
            )


def system_actor(station: str) -> Actor:
    return Actor(user_id=None, username="system", role=Role.SYSTEM, station=station)
