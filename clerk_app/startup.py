"""Start-up off the critical path: the composition root is built on a worker thread while the login
window is already on screen (issue 19: the login window at Qt's own start). Importing SQLAlchemy and
the core, opening and migrating the store, importing the catalogue and starting the workers take most
of a cold start; the clerk types the user name meanwhile. Qt-free: the UI polls ``ready``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from clerk_app.settings import Settings

if TYPE_CHECKING:
    from clerk_app.app_context import AppContext

log = logging.getLogger(__name__)


def _build(settings: Settings) -> AppContext:
    from clerk_app.app_context import build_context

    ctx = build_context(settings)
    if settings.demo:
        from clerk_app.demo import seed_demo_cases, seed_demo_users

        seed_demo_users(ctx)
        seed_demo_cases(ctx)
    ctx.purge_expired_in_background()
    return ctx


class PendingContext:
    """An AppContext being built on a worker thread. ``result()`` returns it or raises what the
    build raised (a ClerkAppError with the clerk's message: missing key, damaged store …)."""

    def __init__(self, settings: Settings, build: Callable[[Settings], AppContext] = _build) -> None:
        self.settings = settings
        self._build = build
        self._done = threading.Event()
        self._ctx: AppContext | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="startup", daemon=True)

    def start(self) -> PendingContext:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self._ctx = self._build(self.settings)
        except BaseException as exc:  # handed to the GUI thread by result()
            self._error = exc
        finally:
            self._done.set()

    @property
    def ready(self) -> bool:
        return self._done.is_set()

    def result(self, timeout: float | None = None) -> AppContext:
        if not self._done.wait(timeout):
            raise TimeoutError("the application context is still being built")
        if self._error is not None:
            raise self._error
        assert self._ctx is not None
        return self._ctx

    def finish(self) -> None:
        """At quit: let a build still running end (never cut a store upgrade, a key creation or a
        migration in the middle: the build thread is a daemon and would be killed at interpreter exit,
        which once left a first-start store half made), then close what it built."""
        if not self._done.is_set():
            log.info("quit while the store is still being opened: waiting for it to finish")
            self._done.wait()
        if self._error is None and self._ctx is not None:
            self._ctx.close()

    @classmethod
    def of(cls, ctx: AppContext) -> PendingContext:
        """An already built context (tests, a restart after logout)."""
        pending = cls(ctx.settings)
        pending._ctx = ctx
        pending._done.set()
        return pending
