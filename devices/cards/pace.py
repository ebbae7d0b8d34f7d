"""PACE, Password Authenticated Connection Establishment (ICAO Doc 9303 part 11 §4.4), generic mapping.

Supported: ECDH generic mapping (id-PACE-ECDH-GM-*) on the standardized curves of §9.5.1 table 6
(IDs 8-18: NIST P-192 … P-521 and brainpool P192r1 … P512r1) and DH generic mapping (id-PACE-DH-GM-*)
on the RFC 5114 groups (IDs 0-2), each with 3DES (retail MAC) or AES-128/192/256 (CMAC) secure
messaging. Integrated mapping and chip-authentication mapping are recognised in EF.CardAccess but not
used: a chip that offers only those is read with BAC if it can, else refused with a clear error.

The passwords (§9.7.3): the MRZ (f(π) = SHA-1(document number + check digit, birth date + cd,
expiry + cd)) or the card access number printed on the document (f(π) = the CAN as ASCII).

The elliptic-curve arithmetic is our own (Python integers, Jacobian coordinates): the generic mapping
needs s·G + H on the curve and key agreement on the mapped generator, which no library here exposes.
Every curve constant is checked in the tests against the ``cryptography`` package where it has the
curve, and every step against the worked examples of 9303-11 appendix G.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from devices.cards import bac, tlv
from devices.cards.api import BacFailedError, GarbageResponseError

ID_PACE = bytes.fromhex("04007F0007020204")  # 0.4.0.127.0.7.2.2.4 (BSI TR-03110 / 9303-11 §9.2.1)

PASSWORD_MRZ = 0x01
PASSWORD_CAN = 0x02


@dataclass(frozen=True)
class PaceAlgorithm:
    oid: bytes  # DER content of the OBJECT IDENTIFIER
    name: str
    agreement: str  # "ECDH" | "DH"
    mapping: str  # "GM" | "IM" | "CAM"
    cipher: str  # "3DES" | "AES"
    key_length: int  # bytes

    @property
    def supported(self) -> bool:
        return self.mapping == "GM"


def _algorithms() -> dict[bytes, PaceAlgorithm]:
    out: dict[bytes, PaceAlgorithm] = {}
    for arc, agreement, mapping in (
        (1, "DH", "GM"),
        (2, "ECDH", "GM"),
        (3, "DH", "IM"),
        (4, "ECDH", "IM"),
        (6, "ECDH", "CAM"),
    ):
        for sub, cipher, length in ((1, "3DES", 16), (2, "AES", 16), (3, "AES", 24), (4, "AES", 32)):
            if arc == 6 and cipher == "3DES":
                continue
            oid = ID_PACE + bytes([arc, sub])
            suffix = "3DES-CBC-CBC" if cipher == "3DES" else f"AES-CBC-CMAC-{length * 8}"
            out[oid] = PaceAlgorithm(oid, f"id-PACE-{agreement}-{mapping}-{suffix}", agreement, mapping, cipher, length)
    return out


ALGORITHMS = _algorithms()


def algorithm_named(name: str) -> PaceAlgorithm:
    for a in ALGORITHMS.values():
        if a.name == name:
            return a
    raise KeyError(name)


@dataclass(frozen=True)
class PaceInfo:
    """One PACEInfo of EF.CardAccess (9303-11 §9.2.1)."""

    algorithm: PaceAlgorithm
    version: int
    parameter_id: int | None

    @property
    def supported(self) -> bool:
        return (
            self.algorithm.supported
            and self.version == 2
            and self.parameter_id is not None
            and (self.parameter_id in CURVES if self.algorithm.agreement == "ECDH" else self.parameter_id in DH_GROUPS)
        )


def parse_card_access(data: bytes) -> list[PaceInfo]:
    """The PACEInfos of EF.CardAccess (a SET OF SecurityInfo). Other SecurityInfos (PACE domain
    parameters, chip authentication …) are skipped. Malformed data → GarbageResponseError."""
    top = tlv.parse_one(data)
    if top.tag != 0x31:
        raise GarbageResponseError(detail="EF.CardAccess is not a SET OF SecurityInfo")
    out = []
    for info in top.children():
        if info.tag != 0x30:
            raise GarbageResponseError(detail="SecurityInfo is not a SEQUENCE")
        parts = info.children()
        if len(parts) < 2 or parts[0].tag != 0x06:
            raise GarbageResponseError(detail="SecurityInfo without protocol OID")
        algorithm = ALGORITHMS.get(parts[0].value)
        if algorithm is None:
            continue
        if parts[1].tag != 0x02 or len(parts) > 3 or (len(parts) == 3 and parts[2].tag != 0x02):
            raise GarbageResponseError(detail="PACEInfo malformed")
        version = int.from_bytes(parts[1].value, "big")
        parameter = int.from_bytes(parts[2].value, "big") if len(parts) == 3 else None
        out.append(PaceInfo(algorithm, version, parameter))
    return out


_PREFERENCE = {("ECDH", "AES"): 3, ("DH", "AES"): 2, ("ECDH", "3DES"): 1, ("DH", "3DES"): 0}


def choose(infos: list[PaceInfo]) -> PaceInfo | None:
    """The strongest PACEInfo we can run: ECDH before DH, AES before 3DES, longer keys first."""
    usable = [i for i in infos if i.supported]
    if not usable:
        return None
    return max(usable, key=lambda i: (_PREFERENCE[(i.algorithm.agreement, i.algorithm.cipher)], i.algorithm.key_length))


# --- domain parameters -------------------------------------------------------------------------

Point = tuple[int, int] | None  # affine; None is the point at infinity


@dataclass(frozen=True)
class Curve:
    """A short Weierstrass curve y² = x³ + ax + b over GF(p) with a base point of prime order n."""

    name: str
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int
    h: int

    @property
    def size(self) -> int:
        return (self.p.bit_length() + 7) // 8

    @property
    def generator(self) -> Point:
        return (self.gx, self.gy)

    def on_curve(self, pt: Point) -> bool:
        if pt is None:
            return False
        x, y = pt
        return 0 <= x < self.p and 0 <= y < self.p and (y * y - x * x * x - self.a * x - self.b) % self.p == 0

    # Jacobian coordinates (X, Y, Z) ↔ affine (X/Z², Y/Z³): no inversion per step.
    def _double(self, P: tuple[int, int, int]) -> tuple[int, int, int]:
        X, Y, Z = P
        p = self.p
        if Y == 0 or Z == 0:
            return (1, 1, 0)
        YY = Y * Y % p
        S = 4 * X * YY % p
        ZZ = Z * Z % p
        M = (3 * X * X + self.a * ZZ * ZZ) % p
        X3 = (M * M - 2 * S) % p
        Y3 = (M * (S - X3) - 8 * YY * YY) % p
        Z3 = 2 * Y * Z % p
        return (X3, Y3, Z3)

    def _add(self, P: tuple[int, int, int], Q: tuple[int, int, int]) -> tuple[int, int, int]:
        if P[2] == 0:
            return Q
        if Q[2] == 0:
            return P
        p = self.p
        X1, Y1, Z1 = P
        X2, Y2, Z2 = Q
        Z1Z1, Z2Z2 = Z1 * Z1 % p, Z2 * Z2 % p
        U1, U2 = X1 * Z2Z2 % p, X2 * Z1Z1 % p
        S1, S2 = Y1 * Z2 * Z2Z2 % p, Y2 * Z1 * Z1Z1 % p
        if U1 == U2:
            return self._double(P) if S1 == S2 else (1, 1, 0)
        H = (U2 - U1) % p
        R = (S2 - S1) % p
        HH = H * H % p
        HHH = H * HH % p
        V = U1 * HH % p
        X3 = (R * R - HHH - 2 * V) % p
        Y3 = (R * (V - X3) - S1 * HHH) % p
        Z3 = H * Z1 * Z2 % p
        return (X3, Y3, Z3)

    def _affine(self, P: tuple[int, int, int]) -> Point:
        if P[2] == 0:
            return None
        zi = pow(P[2], -1, self.p)
        zi2 = zi * zi % self.p
        return (P[0] * zi2 % self.p, P[1] * zi2 * zi % self.p)

    def mul(self, k: int, pt: Point) -> Point:
        if pt is None or k % self.n == 0:
            return None
        if pt == (self.gx, self.gy) and self.name in _OPENSSL_CURVES:
            # multiples of the standard base point: OpenSSL's constant-time code, ~50× faster
            numbers = ec.derive_private_key(k % self.n, _OPENSSL_CURVES[self.name]()).public_key().public_numbers()
            return (numbers.x, numbers.y)
        Q = (pt[0], pt[1], 1)
        R = (1, 1, 0)
        for bit in bin(k)[2:]:
            R = self._double(R)
            if bit == "1":
                R = self._add(R, Q)
        return self._affine(R)

    def add(self, P: Point, Q: Point) -> Point:
        if P is None:
            return Q
        if Q is None:
            return P
        return self._affine(self._add((P[0], P[1], 1), (Q[0], Q[1], 1)))

    def encode(self, pt: Point) -> bytes:
        if pt is None:
            raise ValueError("the point at infinity has no encoding")
        return b"\x04" + pt[0].to_bytes(self.size, "big") + pt[1].to_bytes(self.size, "big")

    def decode(self, data: bytes) -> Point:
        """An uncompressed point from the chip, checked to lie on the curve (an invalid-curve
        attack would otherwise leak the terminal's key)."""
        if len(data) != 1 + 2 * self.size or data[0] != 0x04:
            raise GarbageResponseError(detail="public point is not an uncompressed point of the curve")
        pt = (int.from_bytes(data[1 : 1 + self.size], "big"), int.from_bytes(data[1 + self.size :], "big"))
        if not self.on_curve(pt):
            raise GarbageResponseError(detail="public point is not on the curve")
        return pt


@dataclass(frozen=True)
class DhGroup:
    """A MODP group (RFC 5114) with prime-order subgroup q."""

    name: str
    p: int
    g: int
    q: int

    @property
    def size(self) -> int:
        return (self.p.bit_length() + 7) // 8

    def encode(self, y: int) -> bytes:
        return y.to_bytes(self.size, "big")

    def decode(self, data: bytes) -> int:
        y = int.from_bytes(data, "big")
        # 1 < y < p-1 and y in the order-q subgroup (small-subgroup attacks)
        if not 1 < y < self.p - 1 or pow(y, self.q, self.p) != 1:
            raise GarbageResponseError(detail="DH public value outside the group")
        return y


_OPENSSL_CURVES: dict[str, type[ec.EllipticCurve]] = {
    "NIST P-192": ec.SECP192R1,
    "NIST P-224": ec.SECP224R1,
    "NIST P-256": ec.SECP256R1,
    "brainpoolP256r1": ec.BrainpoolP256R1,
    "NIST P-384": ec.SECP384R1,
    "brainpoolP384r1": ec.BrainpoolP384R1,
    "brainpoolP512r1": ec.BrainpoolP512R1,
    "NIST P-521": ec.SECP521R1,
}

# Standardized domain parameters, 9303-11 §9.5.1 table 6. Constants exported from OpenSSL's
# explicit encodings and checked in tests (on the curve, order n, and against `cryptography`).
CURVES: dict[int, Curve] = {
    8: Curve(
        "NIST P-192",
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFFFFFFFFFF,
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFFFFFFFFFC,
        0x64210519E59C80E70FA7E9AB72243049FEB8DEECC146B9B1,
        0x188DA80EB03090F67CBF20EB43A18800F4FF0AFD82FF1012,
        0x7192B95FFC8DA78631011ED6B24CDD573F977A11E794811,
        0xFFFFFFFFFFFFFFFFFFFFFFFF99DEF836146BC9B1B4D22831,
        1,
    ),
    9: Curve(
        "brainpoolP192r1",
        0xC302F41D932A36CDA7A3463093D18DB78FCE476DE1A86297,
        0x6A91174076B1E0E19C39C031FE8685C1CAE040E5C69A28EF,
        0x469A28EF7C28CCA3DC721D044F4496BCCA7EF4146FBF25C9,
        0xC0A0647EAAB6A48753B033C56CB0F0900A2F5C4853375FD6,
        0x14B690866ABD5BB88B5F4828C1490002E6773FA2FA299B8F,
        0xC302F41D932A36CDA7A3462F9E9E916B5BE8F1029AC4ACC1,
        1,
    ),
    10: Curve(
        "NIST P-224",
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF000000000000000000000001,
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFE,
        0xB4050A850C04B3ABF54132565044B0B7D7BFD8BA270B39432355FFB4,
        0xB70E0CBD6BB4BF7F321390B94A03C1D356C21122343280D6115C1D21,
        0xBD376388B5F723FB4C22DFE6CD4375A05A07476444D5819985007E34,
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFF16A2E0B8F03E13DD29455C5C2A3D,
        1,
    ),
    11: Curve(
        "brainpoolP224r1",
        0xD7C134AA264366862A18302575D1D787B09F075797DA89F57EC8C0FF,
        0x68A5E62CA9CE6C1C299803A6C1530B514E182AD8B0042A59CAD29F43,
        0x2580F63CCFE44138870713B1A92369E33E2135D266DBB372386C400B,
        0xD9029AD2C7E5CF4340823B2A87DC68C9E4CE3174C1E6EFDEE12C07D,
        0x58AA56F772C0726F24C6B89E4ECDAC24354B9E99CAA3F6D3761402CD,
        0xD7C134AA264366862A18302575D0FB98D116BC4B6DDEBCA3A5A7939F,
        1,
    ),
    12: Curve(
        "NIST P-256",
        0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
        0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC,
        0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
        0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
        0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
        0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
        1,
    ),
    13: Curve(
        "brainpoolP256r1",
        0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377,
        0x7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9,
        0x26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6,
        0x8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262,
        0x547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997,
        0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7,
        1,
    ),
    14: Curve(
        "brainpoolP320r1",
        0xD35E472036BC4FB7E13C785ED201E065F98FCFA6F6F40DEF4F92B9EC7893EC28FCD412B1F1B32E27,
        0x3EE30B568FBAB0F883CCEBD46D3F3BB8A2A73513F5EB79DA66190EB085FFA9F492F375A97D860EB4,
        0x520883949DFDBC42D3AD198640688A6FE13F41349554B49ACC31DCCD884539816F5EB4AC8FB1F1A6,
        0x43BD7E9AFB53D8B85289BCC48EE5BFE6F20137D10A087EB6E7871E2A10A599C710AF8D0D39E20611,
        0x14FDD05545EC1CC8AB4093247F77275E0743FFED117182EAA9C77877AAAC6AC7D35245D1692E8EE1,
        0xD35E472036BC4FB7E13C785ED201E065F98FCFA5B68F12A32D482EC7EE8658E98691555B44C59311,
        1,
    ),
    15: Curve(
        "NIST P-384",
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF,
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFC,
        0xB3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF,
        0xAA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB7,
        0x3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F,
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
        1,
    ),
    16: Curve(
        "brainpoolP384r1",
        0x8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123ACD3A729901D1A71874700133107EC53,
        0x7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F8AA5814A503AD4EB04A8C7DD22CE2826,
        0x4A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D57CB4390295DBC9943AB78696FA504C11,
        0x1D1C64F068CF45FFA2A63A81B7C13F6B8847A3E77EF14FE3DB7FCAFE0CBD10E8E826E03436D646AAEF87B2E247D4AF1E,
        0x8ABE1D7520F9C2A45CB1EB8E95CFD55262B70B29FEEC5864E19C054FF99129280E4646217791811142820341263C5315,
        0x8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565,
        1,
    ),
    17: Curve(
        "brainpoolP512r1",
        0xAADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA703308717D4D9B009BC66842AECDA12AE6A380E62881FF2F2D82C68528AA6056583A48F3,
        0x7830A3318B603B89E2327145AC234CC594CBDD8D3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CA,
        0x3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CADC083E67984050B75EBAE5DD2809BD638016F723,
        0x81AEE4BDD82ED9645A21322E9C4C6A9385ED9F70B5D916C1B43B62EEF4D0098EFF3B1F78E2D0D48D50D1687B93B97D5F7C6D5047406A5E688B352209BCB9F822,
        0x7DDE385D566332ECC0EABFA9CF7822FDF209F70024A57B1AA000C55B881F8111B2DCDE494A5F485E5BCA4BD88A2763AED1CA2B2FA8F0540678CD1E0F3AD80892,
        0xAADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069,
        1,
    ),
    18: Curve(
        "NIST P-521",
        0x1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF,
        0x1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC,
        0x51953EB9618E1C9A1F929A21A0B68540EEA2DA725B99B315F3B8B489918EF109E156193951EC7E937B1652C0BD3BB1BF073573DF883D2C34F1EF451FD46B503F00,
        0xC6858E06B70404E9CD9E3ECB662395B4429C648139053FB521F828AF606B4D3DBAA14B5E77EFE75928FE1DC127A2FFA8DE3348B3C1856A429BF97E7E31C2E5BD66,
        0x11839296A789A3BC0045C8A5FB42C7D1BD998F54449579B446817AFBD17273E662C97EE72995EF42640C550B9013FAD0761353C7086A272C24088BE94769FD16650,
        0x1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409,
        1,
    ),
}

DH_GROUPS: dict[int, DhGroup] = {}  # filled below from _DH_CONSTANTS (long lines kept apart)


# --- the terminal side ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MrzPassword:
    mrz_information: bytes  # document number + cd + birth + cd + expiry + cd (9303-11 §9.7.2)

    def __repr__(self) -> str:
        return "MrzPassword(***)"


@dataclass(frozen=True)
class CanPassword:
    can: str

    def __repr__(self) -> str:
        return "CanPassword(***)"


def password_key(password: MrzPassword | CanPassword) -> tuple[bytes, int]:
    """(f(π), password reference) of 9303-11 §9.7.3 and §4.4.4.1 (MSE:Set AT tag 83)."""
    if isinstance(password, MrzPassword):
        return hashlib.sha1(password.mrz_information).digest(), PASSWORD_MRZ
    return password.can.encode("iso-8859-1"), PASSWORD_CAN


def kdf(secret: bytes, counter: int, algorithm: PaceAlgorithm) -> bytes:
    """9303-11 §9.7.1: 3DES and AES-128 from SHA-1, AES-192/256 from SHA-256."""
    if algorithm.cipher == "3DES":
        return bac.derive_key(secret, counter)
    data = secret + counter.to_bytes(4, "big")
    if algorithm.key_length == 16:
        return hashlib.sha1(data).digest()[:16]
    return hashlib.sha256(data).digest()[: algorithm.key_length]


def _cbc_zero_iv(algorithm: PaceAlgorithm, key: bytes, data: bytes, encrypt: bool) -> bytes:
    if algorithm.cipher == "3DES":
        return bac.tdes_encrypt(key, data) if encrypt else bac.tdes_decrypt(key, data)
    if len(data) % 16:
        raise GarbageResponseError(detail="encrypted nonce not a multiple of 16 bytes")
    c = Cipher(algorithms.AES(key), modes.CBC(bytes(16)))
    op = c.encryptor() if encrypt else c.decryptor()
    return op.update(data) + op.finalize()


def authentication_token(algorithm: PaceAlgorithm, ks_mac: bytes, public_key_data: bytes) -> bytes:
    """§4.4.3.4: MAC over the public key data object (7F49) of the *other* side's ephemeral key."""
    if algorithm.cipher == "3DES":
        return bac.retail_mac(ks_mac, public_key_data)
    return bac.aes_cmac(ks_mac, public_key_data)


def public_key_data(algorithm: PaceAlgorithm, encoded_public: bytes) -> bytes:
    """9303-11 §9.4.2 / TR-03110 D.3: 7F49 { 06 OID, 86 point } (EC) or { 06 OID, 84 y } (DH)."""
    tag = 0x86 if algorithm.agreement == "ECDH" else 0x84
    return tlv.encode(0x7F49, tlv.encode(0x06, algorithm.oid) + tlv.encode(tag, encoded_public))


_Element = tuple[int, int] | int  # an affine point (ECDH) or a group element (DH)


def _point(e: _Element | None, what: str) -> tuple[int, int]:
    if not isinstance(e, tuple):
        raise GarbageResponseError(detail=f"{what} is not a curve point")
    return e


def _number(e: _Element | None) -> int:
    assert isinstance(e, int), "a DH group element is an integer"
    return e


class _Agreement:
    """Generic mapping and key agreement in one group (EC or DH)."""

    def __init__(self, info: PaceInfo) -> None:
        assert info.parameter_id is not None
        self.curve: Curve | None = CURVES[info.parameter_id] if info.algorithm.agreement == "ECDH" else None
        self.group: DhGroup | None = None if self.curve else DH_GROUPS[info.parameter_id]
        self.generator: _Element = _point(self.curve.generator, "the base point") if self.curve else self._dh.g

    @property
    def _dh(self) -> DhGroup:
        assert self.group is not None, "a DH agreement has its group"
        return self.group

    @property
    def order(self) -> int:
        return self.curve.n if self.curve else self._dh.q

    def random_private(self) -> int:
        return secrets.randbelow(self.order - 1) + 1

    def public(self, sk: int) -> bytes:
        if self.curve:
            return self.curve.encode(self.curve.mul(sk, _point(self.generator, "the generator")))
        return self._dh.encode(pow(_number(self.generator), sk, self._dh.p))

    def decode(self, data: bytes) -> _Element:
        if self.curve:
            return _point(self.curve.decode(data), "the chip's public key")
        return self._dh.decode(data)

    def shared(self, sk: int, public: _Element) -> _Element:
        if self.curve:
            pt = self.curve.mul(sk, _point(public, "the chip's public key"))
            if pt is None:
                raise GarbageResponseError(detail="key agreement gave the point at infinity")
            return pt
        return pow(_number(public), sk, self._dh.p)

    def map_generator(self, s: int, h: _Element) -> None:
        """§4.4.3.3.1: Ĝ = s·G + H (EC) or ĝ = g^s · h (DH)."""
        if self.curve:
            g = self.curve.add(self.curve.mul(s, self.curve.generator), _point(h, "the mapping point"))
            if g is None:
                raise GarbageResponseError(detail="mapped generator is the point at infinity")
            self.generator = g
        else:
            self.generator = pow(self._dh.g, s, self._dh.p) * _number(h) % self._dh.p

    def secret_bytes(self, shared: _Element) -> bytes:
        if self.curve:
            return _point(shared, "the shared secret")[0].to_bytes(self.curve.size, "big")
        return self._dh.encode(_number(shared))


@dataclass
class PaceResult:
    secure_messaging: bac.SecureMessaging
    ks_enc: bytes
    ks_mac: bytes
    chip_public: bytes  # PK_DH,IC, for a later chip authentication


KeySource = Callable[[], int]


class PaceHandshake:
    """The terminal's side of PACE, step by step (transport-free so the appendix G examples can be
    replayed). ``private_keys`` fixes SK_map and SK_DH for those tests; otherwise they are random."""

    def __init__(
        self,
        info: PaceInfo,
        password: MrzPassword | CanPassword,
        private_keys: tuple[int, int] | None = None,
    ) -> None:
        if not info.supported:
            raise GarbageResponseError(detail=f"PACE variant {info.algorithm.name} not supported")
        self.info = info
        self.algorithm = info.algorithm
        self.group = _Agreement(info)
        secret, self.password_reference = password_key(password)
        self.k_pi = kdf(secret, 3, self.algorithm)
        self._private_keys = list(private_keys) if private_keys else None
        self.nonce = 0
        self.sk_map = self.sk_eph = 0
        self.pk_eph = b""
        self.pk_eph_chip = b""
        self.ks_enc = self.ks_mac = b""

    def _private(self) -> int:
        if self._private_keys:
            return self._private_keys.pop(0)
        return self.group.random_private()

    def mse_set_at(self, include_parameter_id: bool) -> bytes:
        """MSE:Set AT (§4.4.4.1): 80 protocol OID, 83 password reference, 84 domain parameter ID."""
        data = tlv.encode(0x80, self.algorithm.oid) + tlv.encode(0x83, bytes([self.password_reference]))
        if include_parameter_id and self.info.parameter_id is not None:
            data += tlv.encode(0x84, bytes([self.info.parameter_id]))
        return b"\x00\x22\xc1\xa4" + bytes([len(data)]) + data

    def decrypt_nonce(self, z: bytes) -> bytes:
        s = _cbc_zero_iv(self.algorithm, self.k_pi, z, encrypt=False)
        self.nonce = int.from_bytes(s, "big")
        return s

    def mapping_public(self) -> bytes:
        self.sk_map = self._private()
        return self.group.public(self.sk_map)

    def map(self, chip_mapping_public: bytes) -> None:
        h = self.group.shared(self.sk_map, self.group.decode(chip_mapping_public))
        self.group.map_generator(self.nonce, h)

    def ephemeral_public(self) -> bytes:
        self.sk_eph = self._private()
        self.pk_eph = self.group.public(self.sk_eph)
        return self.pk_eph

    def agree(self, chip_ephemeral_public: bytes) -> bytes:
        """Derives the session keys and returns the terminal's token T_IFD."""
        if hmac.compare_digest(chip_ephemeral_public, self.pk_eph):
            raise GarbageResponseError(detail="chip echoed the terminal's ephemeral key")  # §4.4.3.3.2
        shared = self.group.shared(self.sk_eph, self.group.decode(chip_ephemeral_public))
        secret = self.group.secret_bytes(shared)
        self.pk_eph_chip = chip_ephemeral_public
        self.ks_enc = kdf(secret, 1, self.algorithm)
        self.ks_mac = kdf(secret, 2, self.algorithm)
        return authentication_token(self.algorithm, self.ks_mac, public_key_data(self.algorithm, chip_ephemeral_public))

    def verify_chip_token(self, token: bytes) -> PaceResult:
        expected = authentication_token(self.algorithm, self.ks_mac, public_key_data(self.algorithm, self.pk_eph))
        if not hmac.compare_digest(expected, token):
            raise BacFailedError(detail="PACE: the chip's authentication token does not verify")
        keys = bac.SessionKeys(self.ks_enc, self.ks_mac, 0)
        sm = bac.AesSecureMessaging(keys) if self.algorithm.cipher == "AES" else bac.SecureMessaging(keys)
        return PaceResult(sm, self.ks_enc, self.ks_mac, self.pk_eph_chip)


def general_authenticate(tag: int, value: bytes, last: bool) -> bytes:
    """GENERAL AUTHENTICATE (INS 86) with a dynamic authentication data object 7C; command chaining
    (CLA 10) on all but the last step (9303-11 §4.4.4.2). Extended length when the data needs it."""
    data = tlv.encode(0x7C, tlv.encode(tag, value) if tag else b"")
    header = bytes([0x00 if last else 0x10, 0x86, 0x00, 0x00])
    if len(data) > 255:
        return header + b"\x00" + len(data).to_bytes(2, "big") + data + b"\x00\x00"
    return header + bytes([len(data)]) + data + b"\x00"


def dynamic_data(response_data: bytes, tag: int) -> bytes:
    """The value of ``tag`` inside the 7C of a GENERAL AUTHENTICATE response."""
    top = tlv.parse_one(response_data)
    if top.tag != 0x7C:
        raise GarbageResponseError(detail="GENERAL AUTHENTICATE response without 7C")
    for child in top.children():
        if child.tag == tag:
            return child.value
    raise GarbageResponseError(detail=f"GENERAL AUTHENTICATE response without tag {tag:02X}")


_DH_CONSTANTS = {
    0: (
        "RFC 5114 1024-bit MODP, 160-bit subgroup",
        "B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C013ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371",
        "A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F5504F213160217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F531DBF0A0169B6A28AD662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5",
        "F518AA8781A8DF278ABA4E7D64B7CB9D49462353",
    ),
    1: (
        "RFC 5114 2048-bit MODP, 224-bit subgroup",
        "AD107E1E9123A9D0D660FAA79559C51FA20D64E5683B9FD1B54B1597B61D0A75E6FA141DF95A56DBAF9A3C407BA1DF15EB3D688A309C180E1DE6B85A1274A0A66D3F8152AD6AC2129037C9EDEFDA4DF8D91E8FEF55B7394B7AD5B7D0B6C12207C9F98D11ED34DBF6C6BA0B2C8BBC27BE6A00E0A0B9C49708B3BF8A317091883681286130BC8985DB1602E714415D9330278273C7DE31EFDC7310F7121FD5A07415987D9ADC0A486DCDF93ACC44328387315D75E198C641A480CD86A1B9E587E8BE60E69CC928B2B9C52172E413042E9B23F10B0E16E79763C9B53DCF4BA80A29E3FB73C16B8E75B97EF363E2FFA31F71CF9DE5384E71B81C0AC4DFFE0C10E64F",
        "AC4032EF4F2D9AE39DF30B5C8FFDAC506CDEBE7B89998CAF74866A08CFE4FFE3A6824A4E10B9A6F0DD921F01A70C4AFAAB739D7700C29F52C57DB17C620A8652BE5E9001A8D66AD7C17669101999024AF4D027275AC1348BB8A762D0521BC98AE247150422EA1ED409939D54DA7460CDB5F6C6B250717CBEF180EB34118E98D119529A45D6F834566E3025E316A330EFBB77A86F0C1AB15B051AE3D428C8F8ACB70A8137150B8EEB10E183EDD19963DDD9E263E4770589EF6AA21E7F5F2FF381B539CCE3409D13CD566AFBB48D6C019181E1BCFE94B30269EDFE72FE9B6AA4BD7B5A0F1C71CFFF4C19C418E1F6EC017981BC087F2A7065B384B890D3191F2BFA",
        "801C0D34C58D93FE997177101F80535A4738CEBCBF389A99B36371EB",
    ),
    2: (
        "RFC 5114 2048-bit MODP, 256-bit subgroup",
        "87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF4561B2AA3016C3D91134096FAA3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1CAA6B7902D52526735488A0EF13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103A4B54330C198AF126116D2276E11715F693877FAD7EF09CADB094AE91E1A1597",
        "3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA12510DBC15077BE463FFF4FED4AAC0BB555BE3A6C1B0C6B47B1BC3773BF7E8C6F62901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193B5045AF2767164E1DFC967C1FB3F2E55A4BD1BFFE83B9C80D052B985D182EA0ADB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C32F63078490F00EF8D647D148D47954515E2327CFEF98C582664B4C0F6CC41659",
        "8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3",
    ),
}

for _id, (_name, _p, _g, _q) in _DH_CONSTANTS.items():
    DH_GROUPS[_id] = DhGroup(_name, int(_p, 16), int(_g, 16), int(_q, 16))
