"""Card emulators behind the vsmartcard virtual reader (vpcd): an ICAO 9303 eMRTD with PACE and/or BAC
and secure messaging, and a non-eMRTD card, plus fault injection.

vpcd protocol (both directions): 2-byte big-endian length + payload. From vpcd, a 1-byte payload is
a control code (00 power off, 01 power on, 02 reset, 04 send ATR); anything else is a command APDU.
A card is a TCP client of pcscd's vpcd port: connecting inserts it, closing removes it.

Run standalone for the demo:  python -m testsupport.cards.vpcd_card --port 35963
"""

from __future__ import annotations

import hmac
import os
import socket
import threading
import time
from dataclasses import dataclass

from devices.cards import bac, pace, tlv
from devices.cards.api import MrzKey
from devices.cards.lds import EMRTD_AID
from devices.cards.mrz import bac_mrz_information

# 3B 85 80 01 | historical 80 73 00 00 40 (card capabilities: extended Lc/Le) | TCK
ATR_EMRTD_EXTENDED = bytes.fromhex("3B8580018073000040")
ATR_EMRTD_SHORT = bytes.fromhex("3B8580018073000000")
# MIFARE Classic 1K as a PC/SC part 3 contactless storage card
ATR_MIFARE = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")
# an ISO 14443-4 card with some other application (e.g. a bank card)
ATR_OTHER = bytes.fromhex("3B8880018031C073D621C0")


def with_tck(atr: bytes) -> bytes:
    tck = 0
    for b in atr[1:]:
        tck ^= b
    return atr + bytes([tck])


def sw(code: int) -> bytes:
    return code.to_bytes(2, "big")


class VirtualCard:
    atr: bytes = with_tck(ATR_OTHER)

    def power_on(self) -> None: ...

    def reset(self) -> None:
        self.power_on()

    def process(self, apdu: bytes) -> bytes:
        return sw(0x6A82) if apdu[1:2] == b"\xa4" else sw(0x6D00)


@dataclass
class Faults:
    """Fault injection for the eMRTD emulator."""

    remove_after_apdus: int | None = None  # close the socket when this APDU number arrives
    garbage_read: str | None = None  # "truncated" | "random" | "bad_sw" | "bad_mac"
    garbage_after_reads: int = 0  # how many good READ BINARYs before the garbage
    refuse_extended: bool = False  # answer 6700 to an extended-length command
    refuse_mse: bool = False  # answer 6A80 to MSE:Set AT (a PACE variant the chip will not run)


def card_access(offers: list[tuple[str, int]]) -> bytes:
    """EF.CardAccess: a SET OF PACEInfo {OID, version 2, parameter ID} (9303-11 §9.2.1)."""
    infos = b"".join(
        tlv.encode(
            0x30,
            tlv.encode(0x06, pace.algorithm_named(name).oid)
            + tlv.encode(0x02, b"\x02")
            + tlv.encode(0x02, bytes([pid])),
        )
        for name, pid in offers
    )
    return tlv.encode(0x31, infos)


class EmrtdCard(VirtualCard):
    """An eMRTD LDS1 application with BAC (ICAO 9303-11 §4.3) and/or PACE generic mapping (§4.4), 3DES
    or AES secure messaging, READ BINARY by short EF identifier (``sfi``) and extended length.

    ``pace_offers``: the PACE variants in EF.CardAccess, e.g. [("id-PACE-ECDH-GM-AES-CBC-CMAC-128", 13)];
    ``offer_bac=False`` makes a PACE-only chip; ``can`` is the card access number printed on it."""

    def __init__(
        self,
        files: dict[int, bytes],
        mrz_key: MrzKey,
        extended: bool = True,
        faults: Faults | None = None,
        pace_offers: list[tuple[str, int]] | None = None,
        offer_bac: bool = True,
        can: str = "123456",
        sfi: bool = True,
    ) -> None:
        self.files = files
        self.pace_offers = pace_offers or []
        self.card_access = card_access(self.pace_offers) if self.pace_offers else None
        self.bac_enabled = offer_bac
        self.can = can
        self.sfi = sfi
        self.mrz_information = bac_mrz_information(mrz_key)
        seed = self._bac_seed()
        self.k_enc = bac.derive_key(seed, bac.ENC)
        self.k_mac = bac.derive_key(seed, bac.MAC)
        self.extended = extended
        self.atr = with_tck(ATR_EMRTD_EXTENDED if extended else ATR_EMRTD_SHORT)
        self.faults = faults or Faults()
        self.apdu_count = 0
        self.read_count = 0
        self.odd_reads = 0  # READ BINARY B1 (offsets above 32767)
        self.sfi_reads = 0
        self.protocols: list[str] = []  # "BAC" / PACE algorithm name, per successful access
        self.power_on()

    def _bac_seed(self) -> bytes:
        return bac.key_seed(self.mrz_information)

    def power_on(self) -> None:
        self.selected_app = False
        self.rnd_ic = b""
        self.sm: bac.SecureMessaging | None = None
        self.current: bytes | None = None
        self.pace_state: dict[str, object] | None = None

    # --- APDU parsing (ISO 7816-4 §5.1 cases 1-4, short and extended) ---------------------
    @staticmethod
    def parse(apdu: bytes) -> tuple[bytes, bytes, int | None, bool]:
        """(header, data, Le, extended)."""
        header, body = apdu[:4], apdu[4:]
        if not body:
            return header, b"", None, False
        if len(body) == 1:
            return header, b"", body[0] or 256, False
        if body[0] == 0 and len(body) >= 3:  # extended
            if len(body) == 3:
                return header, b"", int.from_bytes(body[1:3], "big") or 65536, True
            lc = int.from_bytes(body[1:3], "big")
            data = body[3 : 3 + lc]
            rest = body[3 + lc :]
            le = (int.from_bytes(rest, "big") or 65536) if rest else None
            return header, data, le, True
        lc = body[0]
        data = body[1 : 1 + lc]
        rest = body[1 + lc :]
        return header, data, ((rest[0] or 256) if rest else None), False

    def process(self, apdu: bytes) -> bytes:
        self.apdu_count += 1
        if len(apdu) < 4:
            return sw(0x6700)
        header, data, le, extended = self.parse(apdu)
        if extended and (self.faults.refuse_extended or not self.extended):
            return sw(0x6700)
        cla, ins, p1, p2 = header
        if cla & 0x0C == 0x0C:
            return self._secure(header, data)
        if ins == 0xA4 and p1 == 0x04:
            self.power_on()
            if data == EMRTD_AID:
                self.selected_app = True
                return sw(0x9000)
            return sw(0x6A82)
        if ins == 0xB0 and p1 == 0x9C and not self.selected_app:  # EF.CardAccess by SFI, in the MF
            if self.card_access is None:
                return sw(0x6A82)
            want = le or 256
            chunk = self.card_access[p2 : p2 + want]
            return chunk + sw(0x9000 if len(chunk) == want else 0x6282)
        if ins == 0x22 and p1 == 0xC1 and p2 == 0xA4:
            return self._mse_set_at(data)
        if ins == 0x86:
            return self._general_authenticate(cla, data)
        if not self.selected_app:
            return sw(0x6985)
        if not self.bac_enabled and ins in (0x84, 0x82):
            return sw(0x6D00)
        if ins == 0x84:
            self.rnd_ic = os.urandom(8)
            return self.rnd_ic + sw(0x9000)
        if ins == 0x82:
            return self._mutual_authenticate(data)
        return sw(0x6982)  # everything else needs secure messaging

    def _mutual_authenticate(self, data: bytes) -> bytes:
        if len(data) != 40 or not self.rnd_ic:
            return sw(0x6700)
        e_ifd, m_ifd = data[:32], data[32:]
        if not hmac.compare_digest(bac.retail_mac(self.k_mac, e_ifd), m_ifd):
            return sw(0x6300)
        s = bac.tdes_decrypt(self.k_enc, e_ifd)
        rnd_ifd, rnd_ic, k_ifd = s[:8], s[8:16], s[16:32]
        if rnd_ic != self.rnd_ic:
            return sw(0x6300)
        k_ic = os.urandom(16)
        e_ic = bac.tdes_encrypt(self.k_enc, self.rnd_ic + rnd_ifd + k_ic)
        seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic))
        self.sm = bac.SecureMessaging(
            bac.SessionKeys(
                bac.derive_key(seed, bac.ENC),
                bac.derive_key(seed, bac.MAC),
                int.from_bytes(self.rnd_ic[4:] + rnd_ifd[4:], "big"),
            )
        )
        self.protocols.append("BAC")
        return e_ic + bac.retail_mac(self.k_mac, e_ic) + sw(0x9000)

    # --- PACE, chip side (9303-11 §4.4.4) ---------------------------------------------------
    def _mse_set_at(self, data: bytes) -> bytes:
        self.pace_state = None
        if not self.pace_offers or self.faults.refuse_mse:
            return sw(0x6A80)
        try:
            objects = {o.tag: o.value for o in tlv.parse_all(data)}
        except Exception:
            return sw(0x6A80)
        algorithm = pace.ALGORITHMS.get(objects.get(0x80, b""))
        offered = {pace.algorithm_named(n).oid: pid for n, pid in self.pace_offers}
        if algorithm is None or algorithm.oid not in offered:
            return sw(0x6A80)
        pid = objects[0x84][0] if 0x84 in objects else offered[algorithm.oid]
        ref = objects.get(0x83, b"")
        if ref == b"\x01":
            password: pace.MrzPassword | pace.CanPassword = pace.MrzPassword(self.mrz_information)
        elif ref == b"\x02" and self.can:
            password = pace.CanPassword(self.can)
        else:
            return sw(0x6A80)
        info = pace.PaceInfo(algorithm, 2, pid)
        secret, _ = pace.password_key(password)
        self.pace_state = {"info": info, "k_pi": pace.kdf(secret, 3, algorithm), "step": 0}
        return sw(0x9000)

    def _general_authenticate(self, cla: int, data: bytes) -> bytes:
        st = self.pace_state
        if st is None:
            return sw(0x6985)
        info = st["info"]
        assert isinstance(info, pace.PaceInfo)
        algorithm = info.algorithm
        try:
            top = tlv.parse_one(data)
            inner = {o.tag: o.value for o in top.children()} if top.tag == 0x7C else None
        except Exception:
            inner = None
        if inner is None:
            self.pace_state = None
            return sw(0x6A80)
        step = st["step"]
        group = st.get("group")
        if step == 0 and not inner:
            nonce = os.urandom(16)
            st["s"] = int.from_bytes(nonce, "big")
            k_pi = st["k_pi"]
            assert isinstance(k_pi, bytes)
            z = pace._cbc_zero_iv(algorithm, k_pi, nonce, encrypt=True)
            st["group"] = pace._Agreement(info)
            st["step"] = 1
            return tlv.encode(0x7C, tlv.encode(0x80, z)) + sw(0x9000)
        assert isinstance(group, pace._Agreement)
        try:
            if step == 1 and 0x81 in inner:
                sk = group.random_private()
                public = group.public(sk)
                h = group.shared(sk, group.decode(inner[0x81]))
                s_value = st["s"]
                assert isinstance(s_value, int)
                group.map_generator(s_value, h)
                st["step"] = 2
                return tlv.encode(0x7C, tlv.encode(0x82, public)) + sw(0x9000)
            if step == 2 and 0x83 in inner:
                sk = group.random_private()
                public = group.public(sk)
                secret = group.secret_bytes(group.shared(sk, group.decode(inner[0x83])))
                st.update(step=3, pk_ic=public, pk_ifd=inner[0x83])
                st["ks_enc"] = pace.kdf(secret, 1, algorithm)
                st["ks_mac"] = pace.kdf(secret, 2, algorithm)
                return tlv.encode(0x7C, tlv.encode(0x84, public)) + sw(0x9000)
            if step == 3 and 0x85 in inner and cla & 0x10 == 0:
                ks_enc, ks_mac, pk_ic, pk_ifd = st["ks_enc"], st["ks_mac"], st["pk_ic"], st["pk_ifd"]
                assert isinstance(ks_mac, bytes) and isinstance(pk_ic, bytes) and isinstance(pk_ifd, bytes)
                assert isinstance(ks_enc, bytes)
                expected = pace.authentication_token(algorithm, ks_mac, pace.public_key_data(algorithm, pk_ic))
                self.pace_state = None
                if not hmac.compare_digest(expected, inner[0x85]):
                    return sw(0x6300)  # wrong password: the tokens differ
                token = pace.authentication_token(algorithm, ks_mac, pace.public_key_data(algorithm, pk_ifd))
                keys = bac.SessionKeys(ks_enc, ks_mac, 0)
                self.sm = bac.AesSecureMessaging(keys) if algorithm.cipher == "AES" else bac.SecureMessaging(keys)
                self.protocols.append(algorithm.name)
                return tlv.encode(0x7C, tlv.encode(0x86, token)) + sw(0x9000)
        except Exception:  # an invalid point or value from the terminal
            self.pace_state = None
            return sw(0x6A80)
        self.pace_state = None
        return sw(0x6A80)

    def _secure(self, header: bytes, body: bytes) -> bytes:
        sm = self.sm
        if sm is None:
            return sw(0x6982)
        try:
            data, le = sm.unwrap_command(header, body)
        except Exception:
            self.sm = None  # 9303-11 §9.8.6: an SM error ends the session
            return sw(0x6988)
        ins, p1, p2 = header[1], header[2], header[3]
        if ins == 0xA4 and p1 == 0x04:  # SELECT the application after PACE
            if data == EMRTD_AID:
                self.selected_app = True
                return self._protect(b"", 0x9000)
            return self._protect(b"", 0x6A82)
        if not self.selected_app:
            return self._protect(b"", 0x6985)
        if ins == 0xA4 and p1 == 0x02:
            fid = int.from_bytes(data, "big")
            if fid not in self.files:
                return self._protect(b"", 0x6A82)
            self.current = self.files[fid]
            return self._protect(b"", 0x9000)
        if ins in (0xB0, 0xB1):
            if ins == 0xB0 and p1 & 0x80:  # short EF identifier (ISO 7816-4 §11.2.2): select + read
                if not self.sfi:
                    return self._protect(b"", 0x6A81)
                fid = 0x0100 | (p1 & 0x1F)
                if fid not in self.files:
                    return self._protect(b"", 0x6A82)
                self.current = self.files[fid]
                self.sfi_reads += 1
                offset = p2
            elif self.current is None:
                return self._protect(b"", 0x6986)
            elif ins == 0xB1:
                self.odd_reads += 1
                offset = int.from_bytes(tlv.parse_one(data).value, "big")
            else:
                offset = (p1 << 8) | p2
            want = le or 256
            if offset > len(self.current):
                return self._protect(b"", 0x6B00)
            if ins == 0xB1:  # Le covers the DO'53' header (at most 4 bytes)
                want = max(0, want - 4)
            chunk = self.current[offset : offset + want]
            status = 0x9000 if len(chunk) == want else 0x6282
            if ins == 0xB1:
                chunk = tlv.encode(0x53, chunk)
            self.read_count += 1
            return self._maybe_garbage(self._protect(chunk, status, odd=ins == 0xB1))
        return self._protect(b"", 0x6D00)

    def _protect(self, data: bytes, status: int, odd: bool = False) -> bytes:
        sm = self.sm
        assert sm is not None
        return sm.protect(data, status, odd)

    def _maybe_garbage(self, response: bytes) -> bytes:
        kind = self.faults.garbage_read
        if kind is None or self.read_count <= self.faults.garbage_after_reads:
            return response
        if kind == "truncated":
            return response[: len(response) // 2] + sw(0x9000)
        if kind == "random":
            return os.urandom(37) + sw(0x9000)
        if kind == "bad_sw":
            return sw(0x6F00)
        if kind == "bad_mac":
            return response[:-4] + bytes([response[-4] ^ 0xFF]) + response[-3:]
        return response


class VpcdClient:
    """Connects a ``VirtualCard`` to pcscd's vpcd port: ``insert()`` / ``remove()``."""

    def __init__(self, card: VirtualCard, port: int, host: str = "127.0.0.1", quickack: bool = True) -> None:
        self.card = card
        self.port = port
        self.host = host
        self.quickack = quickack
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.apdus = 0
        self.removed = threading.Event()
        self.remove_after_apdus: int | None = None
        self.hang_at_apdu: int | None = None
        self.apdu_delay = 0.0  # seconds per APDU: a slow chip, for cancel tests

    def insert(self) -> VpcdClient:
        sock = socket.create_connection((self.host, self.port), timeout=5)
        sock.settimeout(None)
        # Nagle + delayed ACK cost ~48 ms per APDU because vpcd writes length and payload apart
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        self.removed.clear()
        self._thread = threading.Thread(target=self._serve, args=(sock,), daemon=True, name=f"vpcd-card-{self.port}")
        self._thread.start()
        return self

    def remove(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self.removed.set()

    def _recv_exact(self, sock: socket.socket, n: int) -> bytes | None:
        buf = b""
        while len(buf) < n:
            try:
                if self.quickack:  # the socket may be closed by remove() at any moment: that ends the card
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
                part = sock.recv(n - len(buf))
            except OSError:
                return None
            if not part:
                return None
            buf += part
        return buf

    def _serve(self, sock: socket.socket) -> None:
        while True:
            head = self._recv_exact(sock, 2)
            if head is None:
                break
            payload = self._recv_exact(sock, int.from_bytes(head, "big"))
            if payload is None:
                break
            if len(payload) == 1:
                code = payload[0]
                if code == 0x04:
                    reply = self.card.atr
                elif code in (0x01, 0x02):
                    self.card.reset()
                    continue
                else:
                    continue
            else:
                self.apdus += 1
                if self.hang_at_apdu is not None and self.apdus >= self.hang_at_apdu:
                    continue  # a chip that never answers; still "inserted"
                limit = self.remove_after_apdus
                if limit is not None and self.apdus >= limit:
                    # the holder pulls the card: no answer, connection gone
                    threading.Thread(target=self.remove, daemon=True).start()
                    break
                reply = self.card.process(payload)
                if self.apdu_delay:
                    time.sleep(self.apdu_delay)
            try:
                sock.sendall(len(reply).to_bytes(2, "big") + reply)
            except OSError:
                break
        self.removed.set()


def main() -> None:  # pragma: no cover - demo helper
    import argparse

    from testsupport.cards.testdocs import Holder, make_document, make_pki

    parser = argparse.ArgumentParser(description="Emulated eMRTD behind vpcd (demo)")
    parser.add_argument("--port", type=int, default=35963)
    parser.add_argument("--csca-out", help="write the test CSCA certificate (PEM) here")
    parser.add_argument("--pace-only", action="store_true", help="a PACE-only chip (ECDH-GM AES-128, brainpoolP256r1)")
    parser.add_argument("--can", default="123456", help="card access number of the PACE chip")
    args = parser.parse_args()
    doc = make_document(Holder())
    if args.csca_out:
        with open(args.csca_out, "wb") as f:
            f.write(make_pki().csca_pem())
    key = MrzKey(doc.holder.number, doc.holder.birth, doc.holder.expiry)
    pace_offers = [("id-PACE-ECDH-GM-AES-CBC-CMAC-128", 13)]
    card = EmrtdCard(doc.files, key, pace_offers=pace_offers, offer_bac=not args.pace_only, can=args.can)
    client = VpcdClient(card, args.port).insert()
    print(
        f"card inserted on port {args.port}; MRZ key {doc.holder.number} {doc.holder.birth} "
        f"{doc.holder.expiry}, CAN {args.can} ({'PACE only' if args.pace_only else 'PACE and BAC'}; "
        "a fictional test document); Ctrl-C to remove",
        flush=True,
    )
    try:
        while not client.removed.is_set():
            time.sleep(0.5)
    except KeyboardInterrupt:
        client.remove()


if __name__ == "__main__":  # pragma: no cover
    main()


__all__ = ["EmrtdCard", "Faults", "VirtualCard", "VpcdClient", "with_tck", "ATR_MIFARE", "ATR_OTHER"]
