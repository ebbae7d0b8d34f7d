"""A GA 467 resident-ID reader (SAM) emulator on a pseudo-terminal pair: the service opens the slave
side with pyserial like a real /dev/ttyUSB0, the emulator answers on the master side."""

from __future__ import annotations

import os
import select
import threading
import tty
from dataclasses import dataclass

from devices.cards.ga467 import (
    CMD_FIND_CARD,
    CMD_READ_TEXT_PHOTO,
    CMD_SAM_ID,
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


SAM_ID = (
    (5).to_bytes(2, "little")
    + (1).to_bytes(2, "little")
    + (20101010).to_bytes(4, "little")
    + (40561).to_bytes(4, "little")
    + (2143451234).to_bytes(4, "little")
)


class SamEmulator:
    def __init__(self, card: ResidentCard | None = None) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.master)
        self.port_name = os.ttyname(self.slave)
        self.card = card
        self.fault: str | None = None  # "lift_during_read" | "garbage" | "bad_checksum" | "silent"
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
        if cmd == CMD_SAM_ID:
            return build_response(0x90, SAM_ID)
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
