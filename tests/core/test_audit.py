from __future__ import annotations

import pytest
from sqlalchemy import text

from clerk_app.roles import Actor, Role


def _fill(world, n=5):
    actor = Actor(None, "tester", Role.CLERK, "WH01")
    for i in range(n):
        world.ctx.auditor.record_now(actor, "test.event", None, index=i)


def _last_seq(world):
    with world.ctx.engine.connect() as c:
        return c.execute(text("SELECT max(seq) FROM audit_events")).scalar()


def test_intact_chain_verifies(world):
    _fill(world)
    assert world.ctx.auditor.verify() is None


@pytest.mark.parametrize(
    "sql,reason",
    [
        ("UPDATE audit_events SET detail = '{\"index\": 99}' WHERE seq = :seq", "hash mismatch"),
        ("UPDATE audit_events SET actor = 'someone-else' WHERE seq = :seq", "hash mismatch"),
        ("UPDATE audit_events SET at = '2020-01-01 00:00:00' WHERE seq = :seq", "hash mismatch"),
    ],
)
def test_edited_row_is_named(world, sql, reason):
    _fill(world)
    target = _last_seq(world) - 2
    with world.ctx.engine.begin() as c:
        c.execute(text(sql), {"seq": target})
    broken = world.ctx.auditor.verify()
    assert broken is not None and broken.seq == target and broken.reason == reason


def test_rewritten_hash_breaks_the_next_link(world):
    _fill(world)
    target = _last_seq(world) - 2
    with world.ctx.engine.begin() as c:
        c.execute(text("UPDATE audit_events SET hash = :h WHERE seq = :seq"), {"h": "f" * 64, "seq": target})
    broken = world.ctx.auditor.verify()
    assert broken.seq == target  # its own hash no longer matches its content


def test_deleted_row_and_truncated_tail_are_detected(world):
    _fill(world)
    last = _last_seq(world)
    with world.ctx.engine.begin() as c:
        c.execute(text("DELETE FROM audit_events WHERE seq = :seq"), {"seq": last - 3})
    broken = world.ctx.auditor.verify()
    assert broken.seq == last - 3 and broken.reason == "sequence gap"


def test_truncated_tail_is_detected_by_the_head(world):
    _fill(world)
    last = _last_seq(world)
    with world.ctx.engine.begin() as c:
        c.execute(text("DELETE FROM audit_events WHERE seq = :seq"), {"seq": last})
    broken = world.ctx.auditor.verify()
    assert broken is not None and broken.reason == "head mismatch"


def test_clerk_reads_only_own_events_supervisor_all(world):
    clerk, supervisor = world.login("clerk"), world.login("supervisor")
    assert {e.actor for e in world.ctx.auditor.events(clerk)} == {"clerk"}
    assert {"clerk", "supervisor", "admin"} <= {e.actor for e in world.ctx.auditor.events(supervisor)}


def test_cli_verify_audit(world, tmp_path, capsys, monkeypatch):
    from clerk_app import cli

    _fill(world)
    settings = ["--data-dir", str(tmp_path)]
    # The CLI opens the store through the OS keyring; pin an explicit file backend in a temp home
    # holding this station's keys (another keyring would stop the start: issue 16).
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    (tmp_path / "xdg" / "python_keyring").mkdir(parents=True)
    (tmp_path / "xdg" / "python_keyring" / "keyring_pass.cfg").write_bytes((tmp_path / "keyring.cfg").read_bytes())
    assert cli.main(settings + ["admin", "verify-audit"]) == 0
    assert "intact" in capsys.readouterr().out
    with world.ctx.engine.begin() as c:
        c.execute(text("UPDATE audit_events SET action = 'x' WHERE seq = 2"))
    assert cli.main(settings + ["admin", "verify-audit"]) == 1
    assert "BROKEN at event 2" in capsys.readouterr().out


def test_threads_appending_at_once_keep_one_unbroken_chain(world):
    """The GUI thread and the print / sync workers audit at the same time. On SQLite (FOR UPDATE
    ignored) two of them used to read the same head and the second insert failed on ``seq``."""
    import threading

    from clerk_app.roles import system_actor

    actor = system_actor(world.ctx.settings.station_code)
    errors: list[str] = []

    def append(n: int) -> None:
        try:
            for i in range(40):
                world.ctx.auditor.record_now(actor, "test.concurrent", None, thread=n, i=i)
        except Exception as exc:
            errors.append(type(exc).__name__)

    threads = [threading.Thread(target=append, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert world.ctx.auditor.verify() is None
    with world.ctx.sessions() as s:
        assert s.execute(text("SELECT COUNT(*) FROM audit_events WHERE action = 'test.concurrent'")).scalar() == 160
