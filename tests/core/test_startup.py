"""Quitting while the store is still being opened (issue 20: a quit during first-start migrations
once left the store half made): PendingContext.finish waits for the build, then closes what it built;
a failed build is not closed and does not raise at quit."""

from __future__ import annotations

import threading
import time

from clerk_app.startup import PendingContext


class FakeContext:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def close(self) -> None:
        self.log.append("closed")


def test_quit_during_the_build_waits_for_it_then_closes_the_store():
    log: list[str] = []
    release = threading.Event()

    def slow_build(settings):  # e.g. migrations of a first start
        release.wait(10)
        time.sleep(0.2)
        log.append("built")
        return FakeContext(log)

    pending = PendingContext(settings=None, build=slow_build).start()  # type: ignore[arg-type]
    assert not pending.ready
    threading.Timer(0.1, release.set).start()
    pending.finish()  # the clerk quit from the login window
    assert log == ["built", "closed"]


def test_a_failed_build_is_not_closed_and_quit_does_not_raise():
    def broken(settings):
        raise RuntimeError("store damaged")

    pending = PendingContext(settings=None, build=broken).start()  # type: ignore[arg-type]
    pending.finish()
    assert pending.ready
