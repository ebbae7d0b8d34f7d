"""The card workflow's port (clerk_app.card_workflow.CardPort) over the station's card reader service
(devices.cards, built by ``Devices.card_reader``). The device errors that mean "ask for the access
key" become the core's AccessKeyNeeded; the chip's document becomes the core's ChipRead."""

from __future__ import annotations

import threading

from clerk_app.card_workflow import AccessKeyNeeded, ChipRead, NoCardReader
from clerk_app.wiring.devices import Devices


class DeviceCardPort:
    def __init__(self, devices: Devices) -> None:
        self._devices = devices

    def read(self, access_key: object | None, cancel: threading.Event) -> ChipRead:
        from devices.cards.api import BacFailedError, CanKey, MrzKey, WrongMrzError
        from devices.cards.applicant import display_image, person_from_document

        service = self._devices.card_reader()  # BackendUnavailable says why when it cannot be built
        if service is None:
            raise NoCardReader(detail="card_backend=none")
        listed = service.list_readers()
        readers = [r for r in listed if r.card_present] or listed
        if not readers:
            raise NoCardReader(detail="no reader connected")
        key = access_key if isinstance(access_key, MrzKey | CanKey) else None
        try:
            doc = service.read(readers[0].name, key, cancel=cancel)  # cancel: stops at the next APDU
        except BacFailedError as exc:  # the chip refused the key given: say so, ask again
            raise AccessKeyNeeded(refused=exc) from exc
        except WrongMrzError as exc:
            if key is not None:  # a key was given and is malformed: the message says what is wrong
                raise
            raise AccessKeyNeeded() from exc
        return ChipRead(person_from_document(doc), display_image(doc.photo))
