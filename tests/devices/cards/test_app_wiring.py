"""The card reader as the running app gets it: built by the composition root from the settings
(``ctx.devices``), never by a widget — with a CSCA folder in the settings a chip read through the real
pcscd + emulated card reports passive authentication ``verified``; without one, ``not_checked``."""

from __future__ import annotations

from pathlib import Path

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
