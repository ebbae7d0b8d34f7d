"""Building real core services over a throw-away store, for tests (no patching: everything is
passed in, as the composition root does)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from clerk_app.app_context import AppContext, build_context, file_keyring
from clerk_app.clock import CHINA_TZ, FixedClock
from clerk_app.demo import seed_demo_users
from clerk_app.roles import Actor
from clerk_app.settings import Settings

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


@dataclass
class World:
    ctx: AppContext
    clock: FixedClock

    def login(self, username: str) -> Actor:
        from clerk_app.demo import DEMO_USERS

        password = next(p for u, p, *_ in DEMO_USERS if u == username)
        return self.ctx.users.authenticate(username, password)


def make_world(tmp_path: Path, database_url: str = "", at: dt.datetime | None = None, **settings: object) -> World:
    clock = FixedClock(at or dt.datetime(2026, 9, 28, 9, 30, tzinfo=CHINA_TZ))
    # Simulated devices are for the demo and UI tests only: a world is a demo station unless a test
    # asks for real devices (e.g. card_backend="pyscard" against the test pcscd).
    settings.setdefault("demo", True)
    s = Settings(data_dir=str(tmp_path), database_url=database_url, **settings)  # type: ignore[arg-type]
    # The print worker is not started: tests that print drain the outbox by hand or start it.
    ctx = build_context(s, clock=clock, keyring_module=file_keyring(tmp_path / "keyring.cfg"), start_printing=False)
    seed_demo_users(ctx)
    return World(ctx, clock)
