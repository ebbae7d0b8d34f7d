"""Trust material for passive authentication pushed by the back office (issue 15 item 2): published by
a back-office admin, pulled by a station's sync, checked and swapped in under <data dir>/trust, used by
the station's card reader store, audited; a bundle of the wrong shape is refused by the back office and
a bundle the station cannot trust is refused by the station with the material in use unchanged."""

from __future__ import annotations

import base64
from pathlib import Path

from devices.cards.api import PassiveAuthStatus
from devices.cards.passive_auth import passive_authenticate
from devices.cards.trust import TrustStore
from tests.sync.test_app_wiring import app_settings, enrol, open_app
from testsupport.cards.testdocs import Holder, make_crl, make_document, make_pki


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _pa(doc, trust) -> PassiveAuthStatus:  # type: ignore[no-untyped-def]
    groups = {1: doc.files[0x0101], 2: doc.files[0x0102]}
    return passive_authenticate(doc.files[0x011D], groups, trust).status


def test_pushed_trust_is_installed_used_audited_and_a_bad_one_refused(backoffice, tmp_path, capsys):
    settings = app_settings(tmp_path, backoffice.url)
    enrol(tmp_path, backoffice, settings, capsys)
    pki = make_pki()
    document = make_document(Holder(), pki=pki)
    ctx = open_app(settings, start_sync=False)
    pushed = Path(settings.data_dir) / "trust"
    try:
        # the back office checks the shape before storing anything
        for bad in (
            {"files": {}},
            {"files": {"run.sh": _b64(b"echo")}},
            {"files": {"cn.pem": "not base64!"}},
            {"other": 1},
        ):
            answer = backoffice.admin("POST", "/v1/admin/trust", json={"version": "x1", "content": bad})
            assert answer.status_code == 422, bad
        good = {"files": {"cn.pem": _b64(pki.csca_pem())}}
        answer = backoffice.admin("POST", "/v1/admin/trust", json={"version": "2026-12", "content": good})
        assert answer.status_code == 201

        ctx.sync.worker.force_publication_pull()
        report = ctx.sync.run_once()
        assert "trust 2026-12" in report.installed
        assert (pushed / "current").read_text().strip() == "bundle-2026-12"
        assert ctx.devices.trust is not None
        assert _pa(document, ctx.devices.trust.current()) is PassiveAuthStatus.VERIFIED
        supervisor = ctx.users.authenticate("supervisor", "Audit2026")
        events = [e for e in ctx.auditor.events(supervisor) if e.action == "trust.installed"]
        assert len(events) == 1 and events[0].detail["cscas"] == 1

        # well-formed, but a CRL signed by nobody the station trusts: refused by the station
        forged = make_crl(pki, [pki.ds_cert.serial_number], signer_key=pki.impostor_key)
        bad = {"files": {"cn.pem": _b64(pki.csca_pem()), "cn.crl": _b64(forged)}}
        answer = backoffice.admin("POST", "/v1/admin/trust", json={"version": "2026-12b", "content": bad})
        assert answer.status_code == 201
        ctx.sync.worker.force_publication_pull()
        report = ctx.sync.run_once()
        assert report.refused == ["trust 2026-12b"]
        assert "原有信任材料继续有效" in (ctx.sync.last_state.catalogue_problem or "")
        assert (pushed / "current").read_text().strip() == "bundle-2026-12"
        assert _pa(document, ctx.devices.trust.current()) is PassiveAuthStatus.VERIFIED
    finally:
        ctx.close()
    # after a restart a reader's store finds the pushed material in the data folder
    assert _pa(document, TrustStore(pushed_dir=pushed).current()) is PassiveAuthStatus.VERIFIED
