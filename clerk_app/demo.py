"""Demo mode: one account of each role with documented passwords (README), nothing else invented."""

from __future__ import annotations

from clerk_app.app_context import AppContext
from clerk_app.roles import Role

DEMO_USERS = (
    # username, password, role, display name, staff number
    ("admin", "Admin2026", Role.ADMIN, "系统管理员", "A001"),
    ("clerk", "Clerk2026", Role.CLERK, "王晓敏", "0101"),
    ("prereview", "Helper2026", Role.PREREVIEW, "帮办 李婷", "B017"),
    ("supervisor", "Audit2026", Role.SUPERVISOR, "监督 陈刚", "S003"),
)


def seed_demo_users(ctx: AppContext) -> None:
    if ctx.users.has_users():
        return
    first = DEMO_USERS[0]
    admin = ctx.users.create_user(None, first[0], first[1], first[2], first[3], first[4])
    for username, password, role, name, staff in DEMO_USERS[1:]:
        ctx.users.create_user(admin, username, password, role, name, staff)
