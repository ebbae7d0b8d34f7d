"""The same behaviour from every ``CardReaderService`` backend: pyscard through pcscd + vpcd, GA 467
over a pseudo-terminal SAM emulator, and the simulator the demo and UI tests use (qutebrowser's
backend-parametrized fixture pattern). The access-key tests run on the families that have keys."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest

from clerk_app.errors import UserCancelled
from devices.cards import create_card_service
from devices.cards.api import (
    BacFailedError,
    CardReaderService,
    CardRemovedError,
    IdentityDocument,
    MrzKey,
    NoCardError,
    PassiveAuthStatus,
    ReaderBusyError,
    ReaderState,
)
from devices.cards.simulated import SIMULATED_READER, SimulatedCardService
from testsupport.cards.pcscd import READER_0, CardSlot, key_for, wait_for_card
from testsupport.cards.testdocs import EmrtdFiles

from .sam_emulator import ResidentCard, SamEmulator


class Harness(Protocol):
    service: CardReaderService
    reader: str

    def insert(self) -> MrzKey: ...

    def remove(self) -> None: ...

    def pull_during_next_read(self) -> None: ...

    def slow_down(self) -> None: ...


class PcscHarness:
    def __init__(self, slot: CardSlot, doc: EmrtdFiles, csca: Path) -> None:
        self.service = create_card_service("pyscard", csca_folder=csca, poll_timeout=0.2)
        self.reader = READER_0
        self.slot, self.doc = slot, doc
        self._pull = False
        self._slow = False

    def insert(self) -> MrzKey:
        _, client = self.slot.insert_emrtd(self.doc, extended=not self._slow)
        if self._pull:
            client.remove_after_apdus = 7  # during DG2 (8 APDUs in all with BAC, SFI, extended length)
        if self._slow:
            client.apdu_delay = 0.02
        return key_for(self.doc)

    def remove(self) -> None:
        self.slot.remove_all()
        wait_for_card(READER_0, present=False)

    def pull_during_next_read(self) -> None:
        self._pull = True

    def slow_down(self) -> None:
        self._slow = True


class SimulatedHarness:
    def __init__(self) -> None:
        self.service = create_card_service("simulated", read_delay=0.01)
        assert isinstance(self.service, SimulatedCardService)
        self.sim = self.service
        self.reader = SIMULATED_READER

    def insert(self) -> MrzKey:
        self.sim.insert("passport")
        doc = self.sim.documents["passport"]
        lines = doc.raw_mrz.split("\n")
        return MrzKey(doc.document_number, lines[1][13:19], lines[1][21:27])

    def remove(self) -> None:
        self.sim.remove()

    def pull_during_next_read(self) -> None:
        self.sim.remove_during_next_read()

    def slow_down(self) -> None:
        self.sim.read_delay = 2.0


class Ga467Harness:
    """A resident-ID reader: no ATR, no access key (the SAM authenticates the card)."""

    def __init__(self) -> None:
        self.emulator = SamEmulator(None)
        self.service = create_card_service("ga467", port=self.emulator.port_name, timeout=3.0, poll_interval=0.05)
        self.reader = self.emulator.port_name

    def insert(self) -> MrzKey:
        self.emulator.card = ResidentCard()
        return MrzKey("X", "000101", "300101")  # ignored by this family

    def remove(self) -> None:
        self.emulator.card = None
        self.emulator.fault = None

    def pull_during_next_read(self) -> None:
        self.emulator.fault = "lift_during_read"

    def slow_down(self) -> None:
        self.emulator.fault = "read_delay"
        self.emulator.read_delay = 2.0


def _make(request: pytest.FixtureRequest, kind: str, document: EmrtdFiles, csca_folder: Path) -> Harness:
    if kind == "pyscard":
        slot: CardSlot = request.getfixturevalue("card_slot")
        return PcscHarness(slot, document, csca_folder)
    if kind == "ga467":
        return Ga467Harness()
    return SimulatedHarness()


@pytest.fixture(params=["pyscard", "ga467", "simulated"])
def harness(request: pytest.FixtureRequest, document: EmrtdFiles, csca_folder: Path) -> Iterator[Harness]:
    h = _make(request, request.param, document, csca_folder)
    yield h
    h.service.close()
    if isinstance(h, Ga467Harness):
        h.emulator.close()


@pytest.fixture(params=["pyscard", "simulated"])
def keyed_harness(request: pytest.FixtureRequest, document: EmrtdFiles, csca_folder: Path) -> Iterator[Harness]:
    """Families whose documents need an access key and carry an EF.SOD."""
    h = _make(request, request.param, document, csca_folder)
    yield h
    h.service.close()


def test_is_a_card_reader_service(harness: Harness) -> None:
    assert isinstance(harness.service, CardReaderService)


def test_lists_the_reader_and_its_card(harness: Harness) -> None:
    names = {r.name: r for r in harness.service.list_readers()}
    assert harness.reader in names and not names[harness.reader].card_present
    harness.insert()
    names = {r.name: r for r in harness.service.list_readers()}
    assert names[harness.reader].card_present
    assert bool(names[harness.reader].atr) is not isinstance(harness, Ga467Harness)  # SAM readers give no ATR


def test_states_through_a_read(harness: Harness) -> None:
    events: list[ReaderState] = []
    cards: list[bytes] = []
    harness.service.start_watching(
        lambda r, s, e: events.append(s) if r == harness.reader else None, lambda r, atr: cards.append(atr)
    )
    _wait(lambda: ReaderState.READER_READY in events)
    key = harness.insert()
    _wait(lambda: ReaderState.CARD_PRESENT in events)
    doc = harness.service.read(harness.reader, key)
    assert isinstance(doc, IdentityDocument)
    _wait(lambda: events[-1] is ReaderState.READ_OK)
    assert events.index(ReaderState.READING) < events.index(ReaderState.READ_OK)
    assert len(cards) == 1
    harness.service.stop_watching()


def test_read_gives_a_chip_verified_document(keyed_harness: Harness) -> None:
    harness = keyed_harness
    key = harness.insert()
    doc = harness.service.read(harness.reader, key)
    assert doc.verified_by == "chip"
    assert doc.document_number == key.document_number
    assert doc.passive_auth.status is PassiveAuthStatus.VERIFIED
    assert doc.full_name and doc.birth_date and doc.expiry_date
    assert key.document_number not in repr(doc)


def test_wrong_key_is_bac_failed(keyed_harness: Harness) -> None:
    harness = keyed_harness
    key = harness.insert()
    with pytest.raises(BacFailedError):
        harness.service.read(harness.reader, MrzKey(key.document_number, key.birth_date, "010101"))


def test_no_card(harness: Harness) -> None:
    with pytest.raises(NoCardError):
        harness.service.read(harness.reader, MrzKey("E12345678", "900115", "340620"))


def test_removed_mid_read_then_works_again(harness: Harness) -> None:
    harness.pull_during_next_read()
    key = harness.insert()
    with pytest.raises(CardRemovedError):
        harness.service.read(harness.reader, key)
    harness.remove()
    if isinstance(harness, PcscHarness):
        harness._pull = False
    key = harness.insert()
    assert harness.service.read(harness.reader, key).verified_by == "chip"


def test_cancel(harness: Harness) -> None:
    harness.slow_down()
    key = harness.insert()
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            harness.service.read(harness.reader, key)
        except BaseException as exc:  # noqa: B036 - collected for the assertion
            outcome.append(exc)

    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.3)
    harness.service.cancel()
    t.join(timeout=5)
    assert len(outcome) == 1 and isinstance(outcome[0], UserCancelled)


def test_a_second_concurrent_read_is_busy(harness: Harness) -> None:
    harness.slow_down()
    key = harness.insert()
    t = threading.Thread(target=lambda: _swallow(lambda: harness.service.read(harness.reader, key)))
    t.start()
    time.sleep(0.5)  # the first read lasts about 2 s (slowed chip / simulator)
    with pytest.raises(ReaderBusyError):
        harness.service.read(harness.reader, key)
    harness.service.cancel()
    t.join(timeout=5)


def _swallow(fn) -> None:  # type: ignore[no-untyped-def]
    try:
        fn()
    except UserCancelled:
        pass


def _wait(cond, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.01)
    raise AssertionError("condition not reached")
