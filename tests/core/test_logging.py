"""Logs: rotating files under the data folder; no ID number, name or photo bytes reach them."""

from __future__ import annotations

import logging

import pytest

from clerk_app.logging_setup import PersonalDataFilter, redact, setup_logging
from clerk_app.persons import PersonData
from tests.helpers.supervision import ADDRESS, ID_NUMBER, NAME, accepted_case, attachment_store, page_bytes

USCC = "91420100MA4K0EX254"


@pytest.fixture
def log_file(tmp_path):
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    path = setup_logging(tmp_path / "data", logging.DEBUG, console=False)
    engine_log = logging.getLogger("sqlalchemy.engine")
    engine_log.setLevel(logging.INFO)  # SQL statements and their parameters: the hardest case
    yield path
    engine_log.setLevel(logging.WARNING)
    for h in list(root.handlers):
        if h not in saved[0]:
            root.removeHandler(h)
            h.close()
    root.setLevel(saved[1])


def test_redaction_patterns():
    assert ID_NUMBER not in redact(f"id={ID_NUMBER}.") and "1101**********002X" in redact(ID_NUMBER)
    assert "110105491231002" not in redact("old card 110105491231002")
    assert USCC not in redact(f"uscc {USCC}")
    case_number = "WH012026092800001Q"  # not a valid USCC: stays readable
    assert redact(case_number) == case_number


def test_no_personal_data_reaches_the_log(world, tmp_path, log_file):
    store = attachment_store(world, tmp_path / "att")
    clerk = world.login("clerk")
    photo = page_bytes(77, marker=NAME.encode())
    cid = accepted_case(world, clerk, store, pages=2)
    store.put(photo, "image/png")
    sup = world.login("supervisor")
    world.ctx.cases.reveal_applicant(sup, cid, "核对")
    log = logging.getLogger("clerk_app.test")
    # a careless developer: every one of these must arrive redacted or withheld
    log.info("card read: %s / %s", ID_NUMBER, USCC)
    log.info(f"typed number {ID_NUMBER.lower()}")
    log.debug("photo %r", photo)
    log.debug("apdu %s", bytearray(photo[:64]))
    log.warning(photo)
    log.info("payload %(p)s", {"p": memoryview(photo)})
    try:
        raise ValueError(f"bad number {ID_NUMBER}")
    except ValueError:
        log.exception("validation failed")
    try:
        PersonData(document_number=ID_NUMBER[:-1] + "0").validated()
    except Exception:
        log.exception("the core's own error")
    for h in logging.getLogger().handlers:
        h.flush()
    data = log_file.read_bytes()
    text = data.decode("utf-8")
    assert "card read" in text and "bytes withheld" in text and "validation failed" in text
    assert "Traceback" in text and "SELECT" in text  # tracebacks and SQL are logged, redacted
    for needle in (ID_NUMBER, ID_NUMBER.lower(), ID_NUMBER[:-1] + "0", USCC, NAME, ADDRESS, "13800138000"):
        assert needle not in text, needle
    assert photo[100:140] not in data and repr(photo[100:140])[2:-1] not in text
    assert log_file.parent.name == "logs"


def test_rotating_handler_rolls_over(tmp_path):
    root = logging.getLogger()
    saved = list(root.handlers)
    path = setup_logging(tmp_path, console=False)
    try:
        handler = next(h for h in root.handlers if h not in saved)
        handler.maxBytes = 2000
        for i in range(200):
            logging.getLogger("x").warning("line %d %s", i, ID_NUMBER)
        handler.flush()
        files = sorted(p.name for p in path.parent.iterdir())
        assert "clerk-app.log.1" in files
        assert all(ID_NUMBER.encode() not in p.read_bytes() for p in path.parent.iterdir())
    finally:
        for h in list(root.handlers):
            if h not in saved:
                root.removeHandler(h)
                h.close()


def test_filter_is_idempotent():
    f = PersonalDataFilter()
    rec = logging.LogRecord("x", logging.INFO, __file__, 1, "n=%s", (ID_NUMBER,), None)
    assert f.filter(rec) and f.filter(rec)
    assert ID_NUMBER not in rec.getMessage()
