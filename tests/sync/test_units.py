"""Small properties of the sync pieces that need no server."""

from __future__ import annotations

import logging
import random

from hypothesis import given
from hypothesis import strategies as st

from clerk_app.sync import BackOfficeClient, PacketBuilder, StationCredentials, SyncSettings, TransportSettings
from clerk_app.sync.worker import backoff_delay
from testsupport.sync import MemoryKeyring, make_station, masked_decoder, seed_cases


@given(
    st.integers(min_value=1, max_value=200),
    st.floats(min_value=0.01, max_value=10),
    st.floats(min_value=1, max_value=600),
    st.integers(),
)
def test_backoff_is_exponential_jittered_and_capped(attempts, base, cap, seed):
    d = backoff_delay(attempts, base, cap, random.Random(seed))
    nominal = min(cap, base * 2 ** (attempts - 1))
    assert nominal / 2 <= d <= nominal


def test_jitter_spreads_stations_apart():
    delays = {round(backoff_delay(5, 2.0, 300.0, random.Random(seed)), 6) for seed in range(50)}
    assert len(delays) > 40


def test_packet_is_deterministic_for_a_decided_case(local_store, tmp_path):
    (cid,) = seed_cases(local_store, tmp_path / "att", 1, random.Random(1), pages=(3, 3))
    builder = PacketBuilder(masked_decoder)
    with local_store() as s:
        first = builder.build(s, cid)
    with local_store() as s:
        second = builder.build(s, cid)
    assert first.body == second.body
    assert [f.sha256 for f in first.files] == [a["sha256"] for a in first.body["attachments"]]
    assert first.body["decision"] == "accepted" and len(first.body["lines"][0]["pages"]) == 3


def test_station_secret_stays_out_of_reprs_and_logs(local_store, tmp_path, caplog):
    keyring = MemoryKeyring()
    keyring.set_password("clerk-app", "station-secret:S01", "TOP-SECRET-VALUE")
    creds = StationCredentials("S01", keyring)
    assert "TOP-SECRET" not in repr(creds)
    seed_cases(local_store, tmp_path / "att", 2, random.Random(2))
    # Nothing listens on this port: the worker fails, retries, logs — never the secret.
    station = make_station("http://127.0.0.1:9", local_store, tmp_path / "att", keyring=keyring)
    with caplog.at_level(logging.DEBUG):
        report = station.worker.run_once()
    station.client.close()
    assert report.upload_error is not None and "TOP-SECRET" not in caplog.text
    assert "TOP-SECRET" not in str(report.upload_error)


def test_worker_thread_starts_and_stops_promptly(local_store, tmp_path):
    import time

    seed_cases(local_store, tmp_path / "att", 1, random.Random(3))
    states = []
    station = make_station(
        "http://127.0.0.1:9",
        local_store,
        tmp_path / "att",
        settings=SyncSettings(backoff_base=0.01, backoff_max=0.02),
        on_state=states.append,
    )
    station.worker.start()
    time.sleep(0.2)
    t0 = time.monotonic()
    station.worker.stop()
    station.client.close()
    assert time.monotonic() - t0 < 2
    assert states and states[-1].pending == 1 and states[-1].last_success is None
    assert states[-1].online is None and states[-1].problem  # no secret: never reached the server


def test_state_reports_offline_when_the_server_is_unreachable(local_store, tmp_path):
    seed_cases(local_store, tmp_path / "att", 1, random.Random(3))
    keyring = MemoryKeyring()
    keyring.set_password("clerk-app", "station-secret:S01", "x")
    station = make_station("http://127.0.0.1:9", local_store, tmp_path / "att", keyring=keyring)
    station.worker.run_once()
    station.worker.run_once()  # nothing due (backoff): still offline, no success invented
    station.client.close()
    state = station.worker.state
    assert (state.online, state.pending, state.last_success) == (False, 1, None) and state.problem


def test_unused_client_import_surface():
    # TransportSettings defaults: verified TLS, bounded timeouts.
    s = TransportSettings("https://backoffice.example.gov.cn")
    assert s.ca_file is None and 0 < s.connect_timeout <= 10 and 0 < s.read_timeout <= 60
    client = BackOfficeClient(s, StationCredentials("S01", MemoryKeyring()))
    client.close()


def test_the_station_batch_body_is_what_the_back_office_reads():
    """The station frames a batch as bytes (JSON head, newline, the pages' bytes); the back office's
    parser must read back exactly the keys, packets and pages, whatever the packet holds (quotes, CJK,
    newlines, an empty page)."""
    import hashlib
    import os

    from backoffice.batch import parse_binary
    from clerk_app.sync.transport import BatchCase, _batch_body

    pages = {hashlib.sha256(b).hexdigest(): b for b in (os.urandom(300), b"", b"\n" * 7)}
    cases = [
        BatchCase('key "1"', {"case_id": "c1", "applicant": {"name": "张三\n\\"}, "n": 1.5, "x": None}, pages),
        BatchCase("k2", {"case_id": "c2", "lines": []}, {}),
    ]
    parsed = parse_binary(_batch_body(cases))
    assert [(item, got) for item, got in parsed] == [
        ({"idempotency_key": c.key, "packet": c.packet}, c.pages) for c in cases
    ]


def test_packets_built_together_are_the_packets_built_one_by_one(tmp_path):
    """build_many (a fixed number of queries for a group) gives byte-identical packets to build (the
    back office compares retried packets by hash), and a case it cannot build gets its LookupError."""
    import json

    from clerk_app.store.db import open_store

    engine, sessions = open_store(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        ids = seed_cases(sessions, tmp_path / "att", 12, random.Random(4), pages=(0, 4))
        builder = PacketBuilder(masked_decoder)
        with sessions() as s:
            one_by_one = [builder.build(s, cid) for cid in ids]
            together = builder.build_many(s, [*ids, "no-such-case"])
        assert isinstance(together.pop("no-such-case"), LookupError)
        assert [json.dumps(b.body, sort_keys=True) for b in one_by_one] == [
            json.dumps(together[cid].body, sort_keys=True)
            for cid in ids  # type: ignore[union-attr]
        ]
        assert [b.files for b in one_by_one] == [together[cid].files for cid in ids]  # type: ignore[union-attr]
    finally:
        engine.dispose()
