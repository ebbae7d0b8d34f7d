"""A GA 467 resident-ID reader (SAM) emulator on a pseudo-terminal pair: the service opens the slave
side with pyserial like a real /dev/ttyUSB0, the emulator answers on the master side."""

from __future__ import annotations

import os
import select
import threading
import time
import tty
from dataclasses import dataclass

from devices.cards.ga467 import (
    CMD_FIND_CARD,
    CMD_READ_TEXT_PHOTO,
    CMD_SAM_ID,
    CMD_SAM_STATUS,
    CMD_SELECT_CARD,
    PREAMBLE,
    build_response,
    id_number_check_digit,
)


@dataclass
class ResidentCard:
    """A fictional resident ID card."""

    name: str = "测试样例"
    sex: str = "2"
    nation: str = "01"
    birth: str = "19491231"
    address: str = "北京市西城区示例路1号"
    id17: str = "11010519491231002"
    authority: str = "北京市公安局西城分局"
    valid_from: str = "20100101"
    valid_to: str = "长期"
    photo: bytes = bytes(range(256)) * 4  # 1024 bytes standing in for WLT

    @property
    def id_number(self) -> str:
        return self.id17 + id_number_check_digit(self.id17)

    def text(self) -> bytes:
        def f(value: str, size: int) -> bytes:
            raw = value.encode("utf-16-le")
            return raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)

        out = (
            f(self.name, 30)
            + f(self.sex, 2)
            + f(self.nation, 4)
            + f(self.birth, 16)
            + f(self.address, 70)
            + f(self.id_number, 36)
            + f(self.authority, 30)
            + f(self.valid_from, 16)
            + f(self.valid_to, 16)
        )
        return out + f("", 36)


def _f(value: str, size: int) -> bytes:
    raw = value.encode("utf-16-le")[:size]
    return raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)


@dataclass
class HmtResidencePermit:
    """A fictional 港澳台居民居住证 (type flag "J")."""

    name: str = "测试港民"
    sex: str = "1"
    birth: str = "19800101"
    address: str = "广东省深圳市福田区示例路2号"
    id17: str = "81000019800101001"
    authority: str = "深圳市公安局"
    valid_from: str = "20200101"
    valid_to: str = "20250101"
    permit_number: str = "H60000001"
    issue_count: str = "01"
    photo: bytes = bytes(range(256)) * 4

    @property
    def id_number(self) -> str:
        return self.id17 + id_number_check_digit(self.id17)

    def text(self) -> bytes:
        out = (
            _f(self.name, 30)
            + _f(self.sex, 2)
            + _f("", 4)
            + _f(self.birth, 16)
            + _f(self.address, 70)
            + _f(self.id_number, 36)
            + _f(self.authority, 30)
            + _f(self.valid_from, 16)
            + _f(self.valid_to, 16)
            + _f(self.permit_number, 18)
            + _f(self.issue_count, 4)
            + _f("", 6)
            + _f("J", 2)
            + _f("", 6)
        )
        assert len(out) == 256
        return out


@dataclass
class ForeignerCard2017:
    """A fictional 外国人永久居留身份证, 2017 edition (type flag "I")."""

    name_en: str = "EXAMPLE, ALEX"
    sex: str = "2"
    number: str = "UTO110088010101"
    nationality: str = "UTO"
    name: str = "艾历克斯"
    valid_from: str = "20180101"
    valid_to: str = "20280101"
    birth: str = "19880229"
    authority: str = "1100"
    photo: bytes = bytes(range(256)) * 4

    def text(self) -> bytes:
        out = (
            _f(self.name_en, 120)
            + _f(self.sex, 2)
            + _f(self.number, 30)
            + _f(self.nationality, 6)
            + _f(self.name, 30)
            + _f(self.valid_from, 16)
            + _f(self.valid_to, 16)
            + _f(self.birth, 16)
            + _f("01", 4)
            + _f(self.authority, 8)
            + _f("I", 2)
            + _f("", 6)
        )
        assert len(out) == 256
        return out


@dataclass
class ForeignerCard2023:
    """A fictional 外国人永久居留身份证, 2023 edition (type flag "Y"), 18-digit number starting with 9."""

    name: str = "艾历克斯"
    sex: str = "1"
    birth: str = "19880229"
    name_en: str = "EXAMPLE ALEXANDER MAXIMILIAN JOHANN"  # 35 characters: the rest goes to the spare field
    name_en_more: str = "OTTO"
    id17: str = "93311019880229001"  # 9, region 33, country 110, birth date, sequence
    valid_from: str = "20240101"
    valid_to: str = "20340101"
    nationality: str = "UTO"
    photo: bytes = bytes(range(256)) * 4

    @property
    def id_number(self) -> str:
        return self.id17 + id_number_check_digit(self.id17)

    def text(self) -> bytes:
        out = (
            _f(self.name, 30)
            + _f(self.sex, 2)
            + _f("00", 4)
            + _f(self.birth, 16)
            + _f(self.name_en, 70)
            + _f(self.id_number, 36)
            + _f("", 30)
            + _f(self.valid_from, 16)
            + _f(self.valid_to, 16)
            + _f(self.name_en_more, 22)
            + _f(self.nationality, 6)
            + _f("Y", 2)
            + _f("", 6)
        )
        assert len(out) == 256
        return out


SAM_ID = (
    (5).to_bytes(2, "little")
    + (1).to_bytes(2, "little")
    + (20101010).to_bytes(4, "little")
    + (40561).to_bytes(4, "little")
    + (2143451234).to_bytes(4, "little")
)


class SamEmulator:
    def __init__(
        self, card: ResidentCard | HmtResidencePermit | ForeignerCard2017 | ForeignerCard2023 | None = None
    ) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.master)
        self.port_name = os.ttyname(self.slave)
        self.card = card
        self.sam_id = SAM_ID
        self.read_delay = 0.5  # seconds, with fault "read_delay"
        self.fault: str | None = None  # "lift_during_read" | "garbage" | "bad_checksum" | "silent" | "read_delay"
        self.commands: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="sam-emulator")
        self._thread.start()

    def _serve(self) -> None:
        buf = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                buf += os.read(self.master, 4096)
            except OSError:
                return
            while True:
                at = buf.find(PREAMBLE)
                if at < 0 or len(buf) < at + 7:
                    break
                n = int.from_bytes(buf[at + 5 : at + 7], "big")
                if len(buf) < at + 7 + n:
                    break
                frame, buf = buf[at : at + 7 + n], buf[at + 7 + n :]
                reply = self.answer(frame[7:9])
                if reply:
                    os.write(self.master, reply)

    def answer(self, cmd: bytes) -> bytes:
        self.commands.append(cmd)
        if self.fault == "read_delay" and cmd == CMD_READ_TEXT_PHOTO:
            time.sleep(self.read_delay)  # a slow read, for cancel tests
        if cmd == CMD_SAM_STATUS:
            return build_response(0x90)
        if cmd == CMD_SAM_ID:
            return build_response(0x90, self.sam_id)
        if cmd == CMD_FIND_CARD:
            return build_response(0x9F, bytes(4)) if self.card else build_response(0x80, bytes(4))
        if cmd == CMD_SELECT_CARD:
            return build_response(0x90, bytes(8)) if self.card else build_response(0x81, bytes(8))
        if cmd == CMD_READ_TEXT_PHOTO:
            if self.card is None:
                return build_response(0x41)
            fault = self.fault
            if fault == "lift_during_read":
                self.card = None
                return build_response(0x41)
            if fault == "silent":
                return b""
            if fault == "read_delay":
                pass
            data = (256).to_bytes(2, "big") + (1024).to_bytes(2, "big") + self.card.text() + self.card.photo
            frame = build_response(0x90, data)
            if fault == "garbage":
                return b"\x00\x13" + frame[:40]  # truncated mid-frame after line noise
            if fault == "bad_checksum":
                return frame[:-1] + bytes([frame[-1] ^ 0x5A])
            return frame
        return build_response(0x21)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass
