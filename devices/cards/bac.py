"""Basic Access Control and 3DES secure messaging (ICAO 9303-11 §4.3 and §9.8, appendix D).

Key derivation (§9.7.1), 3DES-CBC with a zero IV, ISO/IEC 9797-1 MAC algorithm 3 ("retail MAC",
padding method 2) and the send sequence counter. The worked example of appendix D is a unit test.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

# TripleDES lives in cryptography's "decrepit" module since 43: BAC is 3DES by standard, not choice.
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from devices.cards import tlv
from devices.cards.api import BacFailedError, GarbageResponseError

ENC, MAC = 1, 2  # KDF counters, ICAO 9303-11 §9.7.1.1
ZERO_IV = bytes(8)


def adjust_parity(key: bytes) -> bytes:
    """DES keys carry odd parity in the low bit of every byte (9303-11 appendix D.1 shows it)."""
    out = bytearray()
    for b in key:
        b &= 0xFE
        out.append(b | (bin(b).count("1") + 1) % 2)
    return bytes(out)


def derive_key(seed: bytes, counter: int) -> bytes:
    """KDF(K, c) = SHA-1(K || c)[0:16] with parity adjusted (9303-11 §9.7.1.1)."""
    return adjust_parity(hashlib.sha1(seed + counter.to_bytes(4, "big")).digest()[:16])


def key_seed(mrz_information: bytes) -> bytes:
    """Kseed = SHA-1(MRZ_information)[0:16] (9303-11 §9.7.2)."""
    return hashlib.sha1(mrz_information).digest()[:16]


def _tdes(key16: bytes) -> TripleDES:
    # Two-key 3DES: K1 K2 K1. Passing 24 bytes avoids cryptography's deprecation of 16-byte keys.
    return TripleDES(key16 + key16[:8])


def tdes_encrypt(key: bytes, data: bytes) -> bytes:
    enc = Cipher(_tdes(key), modes.CBC(ZERO_IV)).encryptor()
    return enc.update(data) + enc.finalize()


def tdes_decrypt(key: bytes, data: bytes) -> bytes:
    if len(data) % 8:
        raise GarbageResponseError(detail="encrypted data not a multiple of 8 bytes")
    dec = Cipher(_tdes(key), modes.CBC(ZERO_IV)).decryptor()
    return dec.update(data) + dec.finalize()


def pad(data: bytes) -> bytes:
    """ISO/IEC 9797-1 padding method 2."""
    data = data + b"\x80"
    return data + bytes(-len(data) % 8)


def unpad(data: bytes) -> bytes:
    stripped = data.rstrip(b"\x00")
    if not stripped or stripped[-1] != 0x80:
        raise GarbageResponseError(detail="bad ISO 9797-1 padding")
    return stripped[:-1]


def retail_mac(key: bytes, data: bytes, padded: bool = False) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 with DES: single-DES CBC over all blocks with Ka, then
    decrypt with Kb and encrypt with Ka on the last block (9303-11 §9.8.6.2)."""
    if not padded:
        data = pad(data)
    ka, kb = key[:8], key[8:16]
    # single DES expressed as 3DES with three equal keys (EDE with K,K,K is DES).
    cbc = Cipher(TripleDES(ka * 3), modes.CBC(ZERO_IV)).encryptor()
    h = (cbc.update(data) + cbc.finalize())[-8:]
    h = Cipher(TripleDES(kb * 3), modes.ECB()).decryptor().update(h)
    return Cipher(TripleDES(ka * 3), modes.ECB()).encryptor().update(h)


@dataclass
class SessionKeys:
    ks_enc: bytes
    ks_mac: bytes
    ssc: int


class BacHandshake:
    """Terminal side of GET CHALLENGE + MUTUAL AUTHENTICATE (9303-11 §4.3.3.1)."""

    def __init__(self, mrz_information: bytes, rnd_ifd: bytes | None = None, k_ifd: bytes | None = None) -> None:
        seed = key_seed(mrz_information)
        self.k_enc = derive_key(seed, ENC)
        self.k_mac = derive_key(seed, MAC)
        self.rnd_ifd = rnd_ifd or os.urandom(8)
        self.k_ifd = k_ifd or os.urandom(16)
        self.rnd_ic = b""

    def mutual_authenticate_data(self, rnd_ic: bytes) -> bytes:
        if len(rnd_ic) != 8:
            raise GarbageResponseError(detail="challenge is not 8 bytes")
        self.rnd_ic = rnd_ic
        e_ifd = tdes_encrypt(self.k_enc, self.rnd_ifd + rnd_ic + self.k_ifd)
        return e_ifd + retail_mac(self.k_mac, e_ifd)

    def complete(self, response: bytes) -> SessionKeys:
        if len(response) != 40:
            raise BacFailedError(detail="MUTUAL AUTHENTICATE response has the wrong length")
        e_ic, m_ic = response[:32], response[32:]
        if not hmac.compare_digest(retail_mac(self.k_mac, e_ic), m_ic):
            raise BacFailedError(detail="MUTUAL AUTHENTICATE MAC does not verify")
        r = tdes_decrypt(self.k_enc, e_ic)
        if r[:8] != self.rnd_ic or r[8:16] != self.rnd_ifd:
            raise BacFailedError(detail="MUTUAL AUTHENTICATE nonces do not match")
        k_ic = r[16:32]
        seed = bytes(a ^ b for a, b in zip(self.k_ifd, k_ic))
        return SessionKeys(
            derive_key(seed, ENC), derive_key(seed, MAC), int.from_bytes(self.rnd_ic[4:] + self.rnd_ifd[4:], "big")
        )


def _le_bytes(le: int, extended: bool) -> bytes:
    if extended:
        return (le & 0xFFFF).to_bytes(2, "big") if le < 65536 else b"\x00\x00"
    return bytes([le & 0xFF])  # 256 is encoded as 00


def pad_block(data: bytes, block: int) -> bytes:
    """ISO/IEC 9797-1 padding method 2 to ``block`` bytes (8 for 3DES, 16 for AES)."""
    data = data + b"\x80"
    return data + bytes(-len(data) % block)


class SecureMessaging:
    """Wraps command APDUs and unwraps responses (9303-11 §9.8.4-9.8.6, 3DES variant: zero IV,
    retail MAC, 8-byte SSC). ``AesSecureMessaging`` is the §9.8.7 variant after PACE.

    The card side (``unwrap_command``/``protect``) serves the project's own card emulator."""

    block = 8

    def __init__(self, keys: SessionKeys) -> None:
        self.ks_enc = keys.ks_enc
        self.ks_mac = keys.ks_mac
        self.ssc = keys.ssc

    # --- primitives (overridden by the AES variant) --------------------------------------------
    def _next_ssc(self) -> bytes:
        self.ssc = (self.ssc + 1) % (1 << (8 * self.block))
        return self.ssc.to_bytes(self.block, "big")

    def encrypt(self, ssc: bytes, data: bytes) -> bytes:
        return tdes_encrypt(self.ks_enc, pad(data))

    def decrypt(self, ssc: bytes, data: bytes) -> bytes:
        return unpad(tdes_decrypt(self.ks_enc, data))

    def mac(self, data: bytes) -> bytes:
        """MAC over ``data`` (SSC first), padded here."""
        return retail_mac(self.ks_mac, data)

    # --- terminal side -------------------------------------------------------------------------
    def wrap(self, cla: int, ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None) -> bytes:
        """Protected APDU. ``le`` > 256 selects extended length for DO'97' and the outer APDU.
        Odd INS (READ BINARY B1) carries its data in DO'85' (BER-TLV content, no padding indicator)."""
        extended = (le is not None and le > 256) or len(data) > 200
        header = bytes([cla | 0x0C, ins, p1, p2])
        ssc = self._next_ssc()
        body = b""
        if data:
            enc = self.encrypt(ssc, data)
            body += tlv.encode(0x85, enc) if ins & 1 else tlv.encode(0x87, b"\x01" + enc)
        if le is not None:
            body += tlv.encode(0x97, _le_bytes(le, extended))
        mac = self.mac(ssc + pad_block(header, self.block) + body)
        body += tlv.encode(0x8E, mac)
        if extended:
            return header + b"\x00" + len(body).to_bytes(2, "big") + body + b"\x00\x00"
        return header + bytes([len(body)]) + body + b"\x00"

    def unwrap(self, response: bytes) -> tuple[bytes, int]:
        """(plain data, SW) of a protected response; checks DO'99' and the MAC (DO'8E')."""
        if len(response) < 2:
            raise GarbageResponseError(detail="response shorter than a status word")
        sw = int.from_bytes(response[-2:], "big")
        body = response[:-2]
        ssc = self._next_ssc()
        if not body:
            # an error status without SM objects (e.g. 6987/6988: SM session ended) is plain; a
            # success without a MAC is not acceptable (anyone could have sent it).
            if sw in (0x9000, 0x6282):
                raise GarbageResponseError(detail="unprotected success response under secure messaging")
            return b"", sw
        objects = tlv.parse_all(body)
        mac_obj = next((o for o in objects if o.tag == 0x8E), None)
        if mac_obj is None:
            raise GarbageResponseError(detail="protected response without DO'8E'")
        covered = b"".join(tlv.encode(o.tag, o.value) for o in objects if o.tag in (0x85, 0x87, 0x99))
        if not hmac.compare_digest(self.mac(ssc + covered), mac_obj.value):
            raise GarbageResponseError(detail="response MAC does not verify")
        data = b""
        inner_sw = sw
        for o in objects:
            if o.tag == 0x87:
                if not o.value or o.value[0] != 0x01:
                    raise GarbageResponseError(detail="DO'87' without padding indicator 01")
                data = self._decrypt_checked(ssc, o.value[1:])
            elif o.tag == 0x85:
                data = self._decrypt_checked(ssc, o.value)
            elif o.tag == 0x99:
                if len(o.value) != 2:
                    raise GarbageResponseError(detail="DO'99' is not 2 bytes")
                inner_sw = int.from_bytes(o.value, "big")
        return data, inner_sw

    def _decrypt_checked(self, ssc: bytes, data: bytes) -> bytes:
        if not data or len(data) % self.block:
            raise GarbageResponseError(detail="encrypted data not a multiple of the block size")
        return self.decrypt(ssc, data)

    # --- card side (the test emulator) ---------------------------------------------------------
    def unwrap_command(self, header: bytes, body: bytes) -> tuple[bytes, int | None]:
        """(plain data, Le) of a protected command; raises GarbageResponseError on a bad MAC."""
        objects = tlv.parse_all(body)
        ssc = self._next_ssc()
        mac = next((o.value for o in objects if o.tag == 0x8E), b"")
        covered = b"".join(tlv.encode(o.tag, o.value) for o in objects if o.tag in (0x85, 0x87, 0x97))
        expected = self.mac(ssc + pad_block(bytes([header[0] | 0x0C]) + header[1:4], self.block) + covered)
        if not hmac.compare_digest(expected, mac):
            raise GarbageResponseError(detail="command MAC does not verify")
        data, le = b"", None
        for o in objects:
            if o.tag == 0x87:
                data = self._decrypt_checked(ssc, o.value[1:])
            elif o.tag == 0x85:
                data = self._decrypt_checked(ssc, o.value)
            elif o.tag == 0x97:
                le = int.from_bytes(o.value, "big") or (65536 if len(o.value) == 2 else 256)
        return data, le

    def protect(self, data: bytes, status: int, odd: bool = False) -> bytes:
        """A protected response (data in DO'87', or DO'85' for an odd INS) + SW."""
        ssc = self._next_ssc()
        body = b""
        if data:
            enc = self.encrypt(ssc, data)
            body += tlv.encode(0x85, enc) if odd else tlv.encode(0x87, b"\x01" + enc)
        body += tlv.encode(0x99, status.to_bytes(2, "big"))
        body += tlv.encode(0x8E, self.mac(ssc + body))
        return body + (0x9000 if status in (0x9000, 0x6282) else status).to_bytes(2, "big")


class AesSecureMessaging(SecureMessaging):
    """9303-11 §9.8.7: AES-CBC with IV = E(KSenc, SSC), AES-CMAC truncated to 8 bytes, 16-byte SSC
    starting at zero after PACE."""

    block = 16

    def encrypt(self, ssc: bytes, data: bytes) -> bytes:
        iv = _aes_ecb(self.ks_enc, ssc)
        enc = Cipher(algorithms.AES(self.ks_enc), modes.CBC(iv)).encryptor()
        return enc.update(pad_block(data, 16)) + enc.finalize()

    def decrypt(self, ssc: bytes, data: bytes) -> bytes:
        iv = _aes_ecb(self.ks_enc, ssc)
        dec = Cipher(algorithms.AES(self.ks_enc), modes.CBC(iv)).decryptor()
        return unpad(dec.update(data) + dec.finalize())

    def mac(self, data: bytes) -> bytes:
        return aes_cmac(self.ks_mac, pad_block(data, 16))


def _aes_ecb(key: bytes, block: bytes) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def aes_cmac(key: bytes, data: bytes) -> bytes:
    """AES-CMAC (NIST SP 800-38B) truncated to 8 bytes, as secure messaging and PACE tokens use it."""
    c = cmac.CMAC(algorithms.AES(key))
    c.update(data)
    return c.finalize()[:8]
