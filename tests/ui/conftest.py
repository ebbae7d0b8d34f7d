"""UI fixtures: a demo-mode AppContext in a temp folder with the demo users seeded."""

from __future__ import annotations

import pytest

from clerk_app.app_context import build_context
from clerk_app.demo import seed_demo_users
from clerk_app.settings import Settings


@pytest.fixture
def demo_ctx(tmp_path):
    ctx = build_context(Settings(demo=True, data_dir=str(tmp_path)))
    seed_demo_users(ctx)
    yield ctx
    ctx.close()


@pytest.fixture
def translations(qapp):
    from ui.app import Translations

    t = Translations(qapp)
    t.apply("zh_CN")
    yield t
    t.apply("en")
