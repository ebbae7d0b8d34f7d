"""docs/api/openapi.yaml is the contract: the running server has exactly its routes, and a
property-based API tester (schemathesis) checks the live server's answers against it."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
import schemathesis
import yaml
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

SPEC = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml"
# The binary form of a case batch (a JSON head, a newline, the pages' bytes): random bytes (framing
# errors, 422 for the request) and a well-framed head whose one case is refused on its own (200).
schemathesis.openapi.media_type(
    "application/vnd.clerk.case-batch",
    st.one_of(
        st.binary(max_size=256),
        st.just(b'{"cases":[{"idempotency_key":"k","packet":{},"pages":[{"sha256":"x","size":2}]}]}\nab'),
    ),
)
schema = schemathesis.openapi.from_path(SPEC)

pytestmark = pytest.mark.postgres


def test_server_routes_are_exactly_the_documented_ones():
    from sqlalchemy.orm import sessionmaker

    from backoffice.app import create_app

    documented = {
        (method.upper(), path)
        for path, ops in yaml.safe_load(SPEC.read_text())["paths"].items()
        for method in ops
        if method in ("get", "put", "post", "delete", "patch")
    }
    served = {
        (method, route.path)
        for route in create_app(sessionmaker()).routes
        if isinstance(route, APIRoute) and not route.path.startswith("/bench")  # the workbench's HTML pages
        for method in route.methods
    }
    assert served == documented


@pytest.fixture(scope="module")
def live(backoffice_server):
    """The back office with a registered station and its token, for the whole property run."""
    server = backoffice_server
    enrol = server.add_station("ST1")
    with httpx.Client(base_url=server.url) as c:
        secret = c.post("/v1/stations/register", json={"station_code": "ST1", "enrolment_code": enrol}).json()[
            "station_secret"
        ]
        token = c.post("/v1/auth/token", json={"station_code": "ST1", "station_secret": secret}).json()["access_token"]
    return server, token


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@schema.parametrize()
# 8 examples per operation keeps the suite fast; API_FUZZ_EXAMPLES=200 for a deeper run.
@settings(
    max_examples=int(os.environ.get("API_FUZZ_EXAMPLES", "8")), deadline=None, suppress_health_check=list(HealthCheck)
)
def test_live_server_conforms_to_the_openapi_file(case, live):
    server, token = live
    auth = server.admin_token if case.path.startswith("/v1/admin/") else token
    case.call_and_validate(base_url=server.url, headers={"Authorization": f"Bearer {auth}"}, checks=CHECKS)


def test_every_documented_operation_is_served_by_the_running_server(backoffice_server):
    """Unauthenticated calls to each documented operation reach a handler (401/422/200), never the
    router's 404/405 — so the file and the running server agree on paths and methods."""
    fill = {"{case_id}": "00000000-0000-4000-8000-000000000000", "{sha256}": "0" * 64}
    with httpx.Client(base_url=backoffice_server.url, timeout=10) as c:
        for path, ops in yaml.safe_load(SPEC.read_text())["paths"].items():
            for method in ops:
                if method not in ("get", "put", "post"):
                    continue
                url = path
                for k, v in fill.items():
                    url = url.replace(k, v)
                r = c.request(method.upper(), url, params={"offset": 0} if method == "put" else None)
                assert r.status_code not in (404, 405), (method, path, r.status_code)
