"""Before sane_cancel() the SANE reader thread must be where an asynchronous pthread_cancel is harmless
(blocked in a pipe write, sleeping, or ended) — cancelling it inside malloc() hung CI twice. These
tests check the probe on real threads of this process (Linux /proc), and the wait's bounds."""

from __future__ import annotations

import os
import threading
import time

import pytest

from devices.scanners import sane_backend as sb

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="Linux /proc only")


def _new_thread(target) -> str:
    before = sb._tasks()
    t = threading.Thread(target=target, daemon=True)
    t.start()
    for _ in range(200):
        new = sb._tasks() - before
        if new:
            return new.pop()
        time.sleep(0.005)
    raise AssertionError("no new thread seen")


def test_a_thread_blocked_writing_a_full_pipe_is_safe_to_cancel():
    r, w = os.pipe()
    size = 1 << 20
    try:
        tid = _new_thread(lambda: os.write(w, b"x" * size))  # blocks once the pipe is full
        deadline = time.monotonic() + 5
        while not sb._safe_to_cancel(tid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sb._safe_to_cancel(tid)
    finally:
        got = 0  # drain: the writer finishes (closing the read end would raise SIGPIPE in it)
        while got < size:
            got += len(os.read(r, 1 << 16))
        os.close(r)
        os.close(w)


def test_a_running_thread_is_not_safe_and_the_wait_is_bounded(monkeypatch):
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            sum(range(1000))

    tid = _new_thread(spin)
    try:
        assert not sb._safe_to_cancel(tid)
        monkeypatch.setattr(sb, "_READER_SETTLE_MAX_S", 0.3)
        t0 = time.monotonic()
        sb._let_the_reader_settle({tid})  # gives up after the bound instead of hanging
        assert 0.25 < time.monotonic() - t0 < 3
    finally:
        stop.set()


def test_an_ended_thread_is_safe_and_no_readers_means_no_wait():
    go = threading.Event()
    tid = _new_thread(go.wait)
    go.set()
    time.sleep(0.05)
    assert sb._safe_to_cancel(tid)
    t0 = time.monotonic()
    sb._let_the_reader_settle(set())
    sb._let_the_reader_settle({tid})
    assert time.monotonic() - t0 < 0.1
