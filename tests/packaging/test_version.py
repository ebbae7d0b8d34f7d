"""The version comes from one place (pyproject.toml) and reaches the case packet, the audit exports,
the status bar and the About box."""

from __future__ import annotations

import csv
import io
import random
import tomllib
from importlib.metadata import version as dist_version
from pathlib import Path

import pytest
from pypdf import PdfReader

import clerk_app
from clerk_app import version as version_module
from clerk_app.audit_queries import AuditFilter, AuditQueries
from clerk_app.sync import PacketBuilder
from printing.audit_report import render_audit_pdf
from tests.helpers.supervision import accepted_case
from testsupport.sync import masked_decoder, seed_cases

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_the_version_is_pyprojects():
    assert version_module.app_version() == PYPROJECT == clerk_app.__version__ == version_module.__version__


@pytest.fixture
def fresh_version(monkeypatch):
    version_module.app_version.cache_clear()
    yield monkeypatch
    version_module.app_version.cache_clear()


def test_without_a_checkout_the_installed_metadata_is_read(fresh_version, tmp_path):
    fresh_version.setattr(version_module, "_PYPROJECT", tmp_path / "pyproject.toml")  # no pyproject here
    assert version_module.app_version() == dist_version("clerk-app")
    version_module.app_version.cache_clear()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\nversion = "9.9"\n', encoding="utf-8")
    assert version_module.app_version() == dist_version("clerk-app")  # another project's file is not ours


def test_neither_checkout_nor_metadata_says_unknown(fresh_version, tmp_path):
    from importlib import metadata

    def missing(name):
        raise metadata.PackageNotFoundError(name)

    fresh_version.setattr(version_module, "_PYPROJECT", tmp_path / "none.toml")
    fresh_version.setattr(metadata, "version", missing)
    assert version_module.app_version() == "0+unknown"


def test_every_case_packet_carries_the_version(local_store, tmp_path):
    (cid,) = seed_cases(local_store, tmp_path / "att", 1, random.Random(3), pages=(1, 1))
    with local_store() as s:
        body = PacketBuilder(masked_decoder).build(s, cid).body
    assert body["app_version"] == PYPROJECT


def test_every_audit_export_carries_the_version(world):
    q = AuditQueries(world.ctx.sessions, world.ctx.auditor, world.clock)
    clerk, sup = world.login("clerk"), world.login("supervisor")
    cid = accepted_case(world, clerk)
    flt = AuditFilter(case_id=cid)
    rows = list(csv.reader(io.StringIO(q.export_csv(sup, flt).decode("utf-8-sig"))))
    assert rows[0][-1] == "app_version" and len(rows) > 2
    assert {r[-1] for r in rows[1:]} == {PYPROJECT}
    pdf = q.export_pdf(sup, flt, render_audit_pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert f"软件版本：{PYPROJECT}" in "".join(p.extract_text() for p in reader.pages).replace(" ", "")
    assert reader.metadata.creator == f"clerk-app {PYPROJECT}"
    exports = q.search(sup, AuditFilter(action="audit.export"))
    assert [e.detail["app_version"] for e in exports] == [PYPROJECT, PYPROJECT]


def test_status_bar_and_about_box_show_it(qtbot, demo_ctx, translations, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from testsupport.ui import open_window

    window = open_window(qtbot, demo_ctx, translations, "clerk")
    assert window.version_label.text() == f"版本 {PYPROJECT}"
    assert window.version_label in window.statusBar().findChildren(type(window.version_label))
    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda parent, title, text: shown.append((title, text)))
    assert window.about_action.text() == "关于(&A)" and window.about_action in window.view_menu.actions()
    window.about_action.trigger()
    assert shown == [("关于", f"一窗受理工作台\n版本 {PYPROJECT}")]
