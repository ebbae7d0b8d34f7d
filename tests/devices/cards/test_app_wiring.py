"""The card reader as the running app gets it: built by the composition root from the settings
(``ctx.devices``), never by a widget — with a CSCA folder in the settings a chip read through the real
pcscd + emulated card reports passive authentication ``verified``; without one, ``not_checked``."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.cards.api import PassiveAuthStatus
from tests.helpers.core import make_world
from testsupport.cards.pcscd import READER_0, CardSlot, Pcscd, key_for
from testsupport.cards.testdocs import EmrtdFiles


def test_csca_folder_from_the_settings_reaches_the_reader(
    tmp_path: Path, pcscd: Pcscd, card_slot: CardSlot, csca_folder: Path, document: EmrtdFiles
) -> None:
    world = make_world(tmp_path, card_backend="pyscard", csca_dir=str(csca_folder))
    try:
        reader = world.ctx.devices.card_reader()
        assert reader is not None and world.ctx.devices.card_reader() is reader  # built once
        card_slot.insert_emrtd(document)
        doc = reader.read(READER_0, key_for(document))
        assert doc.passive_auth.status is PassiveAuthStatus.VERIFIED
    finally:
        world.ctx.close()


def test_the_card_workflow_reads_through_the_real_reader_and_files_a_verified_applicant(
    tmp_path: Path, pcscd: Pcscd, card_slot: CardSlot, csca_folder: Path, document: EmrtdFiles
) -> None:
    """ctx.cards over the device port: a passport needs its access key (the core's AccessKeyNeeded),
    then the chip is read through pcscd, checked against the CSCA folder and saved on the case."""
    from clerk_app.card_workflow import AccessKeyNeeded

    world = make_world(tmp_path, card_backend="pyscard", csca_dir=str(csca_folder))
    try:
        clerk = world.login("clerk")
        cid = world.ctx.cases.start_case(clerk, "SC-GTGSH-SL", {"premises": "rented"})
        card_slot.insert_emrtd(document)
        with pytest.raises(AccessKeyNeeded) as asked:
            world.ctx.cards.read_applicant(clerk, cid)
        assert asked.value.refused is None
        read = world.ctx.cards.read_applicant(clerk, cid, access_key=key_for(document))
        assert read.saved is not None and read.person.passive_auth == "verified"
        applicant = world.ctx.cases.get(clerk, cid).applicant
        assert applicant is not None and applicant.verified_by == "chip" and applicant.passive_auth == "verified"
        assert read.comparison is not None and read.comparison.document_number == read.person.document_number
    finally:
        world.ctx.close()


def test_without_trust_material_the_chip_is_read_but_not_checked(
    tmp_path: Path, pcscd: Pcscd, card_slot: CardSlot, document: EmrtdFiles
) -> None:
    world = make_world(tmp_path, card_backend="pyscard")
    try:
        reader = world.ctx.devices.card_reader()
        assert reader is not None
        card_slot.insert_emrtd(document)
        doc = reader.read(READER_0, key_for(document))
        assert doc.passive_auth.status is PassiveAuthStatus.NOT_CHECKED
    finally:
        world.ctx.close()


def test_app_context_with_ga467_settings_reads_a_resident_id_card(tmp_path: Path) -> None:
    """Issue 15's done-means: the app context started with GA 467 settings (the port of the
    pseudo-terminal SAM emulator) reads a resident ID card end to end, with the SAM ID recorded."""
    from devices.cards.api import DocumentType

    from .sam_emulator import ResidentCard, SamEmulator

    emulator = SamEmulator(ResidentCard())
    world = make_world(tmp_path, card_backend="ga467", ga467_port=emulator.port_name)
    try:
        reader = world.ctx.devices.card_reader()
        assert reader is not None
        doc = reader.read(emulator.port_name)
        assert doc.document_type is DocumentType.RESIDENT_ID
        assert doc.document_number == "11010519491231002X" and doc.verified_by == "chip"
        assert doc.reader_id.startswith("05.01-")  # the SAM ID goes with the read
    finally:
        world.ctx.close()
        emulator.close()


def test_a_reader_family_that_cannot_run_is_explained(tmp_path: Path) -> None:
    from clerk_app.wiring.devices import BackendUnavailable

    world = make_world(tmp_path, card_backend="ga467", ga467_port=str(tmp_path / "no-such-tty"))
    try:
        try:
            reader = world.ctx.devices.card_reader()
        except BackendUnavailable as exc:  # refused at build time: the clerk reads why
            assert "读卡器" in exc.user_message("zh_CN")
        else:  # or built, and the first read says the reader is gone
            from devices.cards.api import CardError

            assert reader is not None
            with pytest.raises(CardError):
                reader.read(str(tmp_path / "no-such-tty"))
    finally:
        world.ctx.close()
