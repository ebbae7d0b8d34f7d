"""A private SANE configuration with only the ``test`` backend, for the whole test run.

SANE reads its configuration once, at ``sane_init``; the directory holds ``dll.conf`` naming only
``test`` (probing every backend costs seconds) and a copy of Debian's ``test.conf`` with the
geometry raised so an A4 sheet (210 x 297 mm) is not clipped to the default 200 x 200 mm.
If SANE or python-sane is missing the fixture fails: a missing stack is a broken set-up, not a skip.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SYSTEM_TEST_CONF = Path("/etc/sane.d/test.conf")


@pytest.fixture(scope="session")
def sane_config_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("sane.d")
    (directory / "dll.conf").write_text("test\n")
    if not SYSTEM_TEST_CONF.exists():
        pytest.fail(f"{SYSTEM_TEST_CONF} missing: install the packages in deps/apt-scanners.txt")
    conf = SYSTEM_TEST_CONF.read_text()
    conf, count = re.subn(r"(?m)^geometry_max\s+\S+", "geometry_max 300.0", conf)
    if count != 1:
        conf += "\ngeometry_max 300.0\n"
    (directory / "test.conf").write_text(conf)
    return directory


@pytest.fixture(scope="session")
def sane_backend(sane_config_dir: Path):
    from devices.scanners.factory import backend_status, create_backend

    status = backend_status("sane")
    if not status.available:
        pytest.fail(f"SANE backend unavailable: {status.reason}")
    backend = create_backend("sane", config_dir=str(sane_config_dir))
    yield backend
    backend.close()


@pytest.fixture
def sane_scanner(sane_backend):
    """The SANE test device for one test. The test backend keeps option values across close and
    open within a process, so the fault-injection options are put back to normal afterwards."""
    scanner = sane_backend.open("test:0")
    _reset(scanner)
    yield scanner
    _reset(scanner)
    scanner.close()


def _reset(scanner) -> None:
    for name, value in (("read_return_value", "Default"), ("read_delay", False), ("test_picture", "Solid black")):
        scanner.set_device_option(name, value)


@pytest.fixture
def attachment_store(tmp_path: Path):
    """An encrypted attachment store with the data key in a file keyring under tmp_path."""
    from keyrings.alt.file import PlaintextKeyring

    from clerk_app.attachments import AttachmentStore
    from clerk_app.security.crypto import FieldCipher
    from clerk_app.security.keys import DataKeyService

    keyring = PlaintextKeyring()
    keyring.file_path = str(tmp_path / "keyring.cfg")
    keys = DataKeyService("test", keyring_module=keyring)
    return AttachmentStore(tmp_path / "attachments", FieldCipher(keys, purpose="attachments"))
