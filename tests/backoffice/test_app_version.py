"""The workstation's version in the case packet (``app_version``, issue 20): accepted and validated by the
real back office, optional for older stations, and not part of the replay comparison — a station
upgraded between a lost response and its retry sends the same case with a newer version."""

from __future__ import annotations

import pytest

from tests.backoffice.test_api import packet, station_client

pytestmark = pytest.mark.postgres


def test_app_version_is_accepted_and_a_retry_after_an_upgrade_is_a_replay(backoffice):
    c = station_client(backoffice)
    p = dict(packet("S01", [b"page"]), app_version="0.1.0")
    key = {"Idempotency-Key": p["case_id"] + ":packet"}
    first = c.post("/v1/case-packets", json=p, headers=key)
    assert first.status_code == 201
    upgraded = c.post("/v1/case-packets", json=dict(p, app_version="0.2.0"), headers=key)
    assert upgraded.status_code == 200 and upgraded.json() == dict(first.json(), created=False)
    older = c.post("/v1/case-packets", json={k: v for k, v in p.items() if k != "app_version"}, headers=key)
    assert older.status_code == 200  # a station from before the field: the same packet
    changed = c.post("/v1/case-packets", json=dict(p, window_no="02", app_version="0.2.0"), headers=key)
    assert changed.status_code == 409 and changed.json()["error"] == "idempotency_conflict"


@pytest.mark.parametrize("bad", ["", "x" * 65, "1.0 beta", "1.0\n", 10])
def test_a_malformed_app_version_is_refused(backoffice, bad):
    c = station_client(backoffice)
    p = dict(packet("S01", []), app_version=bad)
    r = c.post("/v1/case-packets", json=p, headers={"Idempotency-Key": p["case_id"] + ":packet"})
    assert r.status_code == 422
