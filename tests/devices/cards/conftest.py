"""Fixtures for the card tests: a private pcscd with the vpcd virtual reader driver, emulated cards
(the daemon, the card slot and the emulated cards themselves live in testsupport.cards)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from testsupport.cards.pcscd import VPCD_DRIVER, CardSlot, Pcscd
from testsupport.cards.testdocs import EmrtdFiles, Holder, make_document, make_pki


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd]:
    if not VPCD_DRIVER.exists():
        pytest.fail(f"{VPCD_DRIVER} missing: install the packages in deps/apt-cards.txt")
    saved = os.environ.get("PCSCLITE_CSOCK_NAME")
    daemon = Pcscd(tmp_path_factory.mktemp("pcscd"))
    daemon.start()
    yield daemon
    daemon.stop()
    if saved is None:
        os.environ.pop("PCSCLITE_CSOCK_NAME", None)
    else:
        os.environ["PCSCLITE_CSOCK_NAME"] = saved


@pytest.fixture(scope="session")
def pki():  # type: ignore[no-untyped-def]
    return make_pki()


@pytest.fixture(scope="session")
def csca_folder(tmp_path_factory: pytest.TempPathFactory, pki) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("csca")
    (folder / "test-csca.pem").write_bytes(pki.csca_pem())
    (folder / "README.txt").write_text("not a certificate; must be ignored")
    return folder


@pytest.fixture(scope="session")
def impostor_csca_folder(tmp_path_factory: pytest.TempPathFactory, pki) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("csca-untrusted")
    (folder / "other-csca.pem").write_bytes(pki.impostor_pem())
    return folder


@pytest.fixture(scope="session")
def document() -> EmrtdFiles:
    return make_document(Holder())


@pytest.fixture
def card_slot(pcscd: Pcscd) -> Iterator[CardSlot]:
    slot = CardSlot(pcscd)
    yield slot
    slot.remove_all()
