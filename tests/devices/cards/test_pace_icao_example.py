"""PACE known-answer tests: ICAO Doc 9303 part 11 appendix G worked examples (G.1 ECDH generic mapping
on brainpoolP256r1, G.2 DH generic mapping on the RFC 5114 1024-bit group, both AES-128), value by
value and APDU by APDU; the curve table against ``cryptography``; EF.CardAccess parsing."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.cards import bac, pace
from devices.cards.api import BacFailedError, GarbageResponseError, MrzKey
from devices.cards.mrz import bac_mrz_information

H = bytes.fromhex

# --- appendix G: the MRZ of both examples ---------------------------------------------------------
MRZ_INFO = b"T22000129364081251010318"


def test_password_and_k_pi() -> None:
    assert bac_mrz_information(MrzKey("T22000129", "640812", "101031")) == MRZ_INFO
    secret, ref = pace.password_key(pace.MrzPassword(MRZ_INFO))
    assert secret == H("7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD") and ref == pace.PASSWORD_MRZ
    aes128 = pace.algorithm_named("id-PACE-ECDH-GM-AES-CBC-CMAC-128")
    assert pace.kdf(secret, 3, aes128) == H("89DED1B26624EC1E634C1989302849DD")


def test_card_access_of_appendix_g1() -> None:
    infos = pace.parse_card_access(H("31143012060A04007F0007020204020202010202010D"))
    assert len(infos) == 1
    assert infos[0].algorithm.name == "id-PACE-ECDH-GM-AES-CBC-CMAC-128"
    assert (infos[0].version, infos[0].parameter_id, infos[0].supported) == (2, 13, True)
    assert pace.choose(infos) == infos[0]


G1 = {
    "z": "95A3A016522EE98D01E76CB6B98B42C3",
    "s": "3F00C4D39D153F2B2A214A078D899B22",
    "sk_map": 0x7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99,
    "pk_map_ifd": "047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E"
    "544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D",
    "pk_map_ic": "04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57"
    "30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54",
    "h": "0460332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5"
    "0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181",
    "g_mapped": "048CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2"
    "8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522",
    "sk_eph": 0xA73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595,
    "pk_eph_ifd": "042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C"
    "3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462",
    "pk_eph_ic": "049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB"
    "7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094",
    "shared": "28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925",
    "ks_enc": "F5F0E35C0D7161EE6724EE513A0D9A7F",
    "ks_mac": "FE251C7858B356B24514B3BD5F4297D1",
    "t_ifd": "C2B0BD78D94BA866",
    "t_ic": "3ABB9674BCE93C08",
}


def test_appendix_g1_ecdh_generic_mapping_step_by_step() -> None:
    info = pace.PaceInfo(pace.algorithm_named("id-PACE-ECDH-GM-AES-CBC-CMAC-128"), 2, 13)
    hs = pace.PaceHandshake(info, pace.MrzPassword(MRZ_INFO), private_keys=(G1["sk_map"], G1["sk_eph"]))
    curve = pace.CURVES[13]
    # MSE:Set AT (without and with the domain parameter ID)
    assert hs.mse_set_at(False) == H("0022C1A40F800A04007F00070202040202830101")
    assert hs.mse_set_at(True) == H("0022C1A412800A04007F0007020204020283010184010D")
    # GENERAL AUTHENTICATE 1: encrypted nonce
    assert pace.general_authenticate(0, b"", last=False) == H("10860000027C0000")
    z = pace.dynamic_data(H("7C128010" + G1["z"]), 0x80)
    assert hs.decrypt_nonce(z) == H(G1["s"])
    # 2: mapping
    pk_map = hs.mapping_public()
    assert pk_map == H(G1["pk_map_ifd"])
    assert pace.general_authenticate(0x81, pk_map, last=False) == H("10860000457C438141" + G1["pk_map_ifd"] + "00")
    h_point = curve.mul(G1["sk_map"], curve.decode(H(G1["pk_map_ic"])))
    assert curve.encode(h_point) == H(G1["h"])
    hs.map(H(G1["pk_map_ic"]))
    assert curve.encode(hs.group.generator) == H(G1["g_mapped"])  # type: ignore[arg-type]
    # 3: key agreement on the mapped generator
    pk_eph = hs.ephemeral_public()
    assert pk_eph == H(G1["pk_eph_ifd"])
    assert pace.general_authenticate(0x83, pk_eph, last=False) == H("10860000457C438341" + G1["pk_eph_ifd"] + "00")
    shared = curve.mul(G1["sk_eph"], curve.decode(H(G1["pk_eph_ic"])))
    assert shared is not None and shared[0].to_bytes(32, "big") == H(G1["shared"])
    token = hs.agree(H(G1["pk_eph_ic"]))
    assert (hs.ks_enc, hs.ks_mac) == (H(G1["ks_enc"]), H(G1["ks_mac"]))
    # 4: mutual authentication (last command: CLA 00)
    assert token == H(G1["t_ifd"])
    assert pace.general_authenticate(0x85, token, last=True) == H("008600000C7C0A8508" + G1["t_ifd"] + "00")
    result = hs.verify_chip_token(pace.dynamic_data(H("7C0A8608" + G1["t_ic"]), 0x86))
    sm = result.secure_messaging
    assert isinstance(sm, bac.AesSecureMessaging) and sm.ssc == 0
    # AES secure messaging with the session keys (9303-11 §9.8.7, SSC = 0); vector cross-checked
    # against JMRTD by the javacard-express project's ICAO reference script
    assert sm.wrap(0x00, 0xA4, 0x04, 0x0C, H("A0000002471001")) == H(
        "0CA4040C1D871101752F676B09FAC86A87D632749A49C7CC8E08C18BA1FCE707BD9F00"
    )
    assert sm.unwrap(H("990290008E08BEA7B381C494A0799000")) == (b"", 0x9000)


def test_appendix_g1_wrong_chip_token_is_rejected() -> None:
    info = pace.PaceInfo(pace.algorithm_named("id-PACE-ECDH-GM-AES-CBC-CMAC-128"), 2, 13)
    hs = pace.PaceHandshake(info, pace.MrzPassword(MRZ_INFO), private_keys=(G1["sk_map"], G1["sk_eph"]))
    hs.decrypt_nonce(H(G1["z"]))
    hs.mapping_public()
    hs.map(H(G1["pk_map_ic"]))
    hs.ephemeral_public()
    hs.agree(H(G1["pk_eph_ic"]))
    with pytest.raises(BacFailedError):
        hs.verify_chip_token(H("3ABB9674BCE93C09"))


def test_points_off_the_curve_and_echoed_keys_are_refused() -> None:
    info = pace.PaceInfo(pace.algorithm_named("id-PACE-ECDH-GM-AES-CBC-CMAC-128"), 2, 13)
    hs = pace.PaceHandshake(info, pace.MrzPassword(MRZ_INFO), private_keys=(G1["sk_map"], G1["sk_eph"]))
    hs.decrypt_nonce(H(G1["z"]))
    hs.mapping_public()
    bad = bytearray(H(G1["pk_map_ic"]))
    bad[-1] ^= 1
    with pytest.raises(GarbageResponseError):
        hs.map(bytes(bad))  # invalid-curve point
    hs.map(H(G1["pk_map_ic"]))
    own = hs.ephemeral_public()
    with pytest.raises(GarbageResponseError):
        hs.agree(own)  # 9303-11 §4.4.3.3.2: the chip must not echo the terminal's key


G2 = {
    "z": "854D8DF5827FA6852D1A4FA701CDDDCA",
    "s": "FA5B7E3E49753A0DB9178B7B9BD898C8",
    "sk_map": 0x5265030F751F4AD18B08AC565FC7AC952E41618D,
    "pk_map_ifd": "23FB3749EA030D2A25B278D2A562047ADE3F01B74F17A15402CB7352CA7D2B3EB71C343DB13D1DEBCE9A3666DBCFC920"
    "B49174A602CB47965CAA73DC702489A44D41DB914DE9613DC5E98C94160551C0DF86274B9359BC0490D01B03AD54022D"
    "CB4F57FAD6322497D7A1E28D46710F461AFE710FBBBC5F8BA166F4311975EC6C",
    "pk_map_ic": "78879F57225AA8080D52ED0FC890A4B25336F699AA89A2D3A189654AF70729E623EA5738B26381E4DA19E004706FACE7"
    "B235C2DBF2F38748312F3C98C2DD4882A41947B324AA1259AC22579DB93F7085655AF30889DBB845D9E6783FE42C9F24"
    "49400306254C8AE8EE9DD812A804C0B66E8CAFC14F84D8258950A91B44126EE6",
    "g_mapped": "7C9CBFE98F9FBDDA8D143506FA7D9306F4CB17E3C71707AFF5E1C1A12370249684D64EE37AF44B8DBD9D45BF6023919C"
    "BAA027AB97ACC771666C8E98FF483301BFA4872DEDE9034EDFACB70814166B7F360676829B826BEA57291B5AD69FBC84"
    "EF1E779032A305803F74341793E869742D401325B37EE8565FFCDEE618342DC5",
    "sk_eph": 0x89CCD99B0E8D3B1F11E1296DCA68EC53411CF2CA,
    "pk_eph_ifd": "907D89E2D425A178AA81AF4A7774EC8E388C115CAE67031E85EECE520BD911551B9AE4D04369F29A02626C86FBC6747C"
    "C7BC352645B6161A2A42D44EDA80A08FA8D61B76D3A154AD8A5A51786B0BC07147057871A922212C5F67F43173172236"
    "B7747D1671E6D692A3C7D40A0C3C5CE397545D015C175EB5130551EDBC2EE5D4",
    "pk_eph_ic": "075693D9AE941877573E634B6E644F8E60AF17A0076B8B123D9201074D36152BD8B3A213F53820C42ADC79AB5D0AEEC3"
    "AEFB91394DA476BD97B9B14D0A65C1FC71A0E019CB08AF55E1F729005FBA7E3FA5DC41899238A250767A6D46DB974064"
    "386CD456743585F8E5D90CC8B4004B1F6D866C79CE0584E49687FF61BC29AEA1",
    "ks_enc": "2F7F46ADCC9E7E521B45D192FAFA9126",
    "ks_mac": "805A1D27D45A5116F73C54469462B7D8",
    "t_ifd": "B46DD9BD4D98381F",
    "t_ic": "917F37B5C0E6D8D1",
}


def test_appendix_g2_dh_generic_mapping_step_by_step() -> None:
    info = pace.PaceInfo(pace.algorithm_named("id-PACE-DH-GM-AES-CBC-CMAC-128"), 2, 0)
    hs = pace.PaceHandshake(info, pace.MrzPassword(MRZ_INFO), private_keys=(G2["sk_map"], G2["sk_eph"]))
    assert hs.mse_set_at(False) == H("0022C1A40F800A04007F00070202040102830101")
    assert hs.decrypt_nonce(H(G2["z"])) == H(G2["s"])
    pk_map = hs.mapping_public()
    assert pk_map == H(G2["pk_map_ifd"])
    assert pace.general_authenticate(0x81, pk_map, last=False) == H("10860000867C8183818180" + G2["pk_map_ifd"] + "00")
    hs.map(H(G2["pk_map_ic"]))
    assert hs.group.generator == int(G2["g_mapped"], 16)
    pk_eph = hs.ephemeral_public()
    assert pk_eph == H(G2["pk_eph_ifd"])
    token = hs.agree(H(G2["pk_eph_ic"]))
    assert (hs.ks_enc, hs.ks_mac) == (H(G2["ks_enc"]), H(G2["ks_mac"]))
    assert token == H(G2["t_ifd"])
    assert pace.general_authenticate(0x85, token, last=True) == H("008600000C7C0A8508" + G2["t_ifd"] + "00")
    hs.verify_chip_token(H(G2["t_ic"]))


def test_dh_values_outside_the_subgroup_are_refused() -> None:
    group = pace.DH_GROUPS[0]
    for bad in (0, 1, group.p - 1, 2):  # 2 is not in the order-q subgroup of this group
        with pytest.raises(GarbageResponseError):
            group.decode(group.encode(bad) if bad else b"\x00")


_CRYPTOGRAPHY_CURVES = {
    8: ec.SECP192R1(),
    10: ec.SECP224R1(),
    12: ec.SECP256R1(),
    13: ec.BrainpoolP256R1(),
    15: ec.SECP384R1(),
    16: ec.BrainpoolP384R1(),
    17: ec.BrainpoolP512R1(),
    18: ec.SECP521R1(),
}


@pytest.mark.parametrize("parameter_id", sorted(pace.CURVES))
def test_curve_constants(parameter_id: int) -> None:
    curve = pace.CURVES[parameter_id]
    g = curve.generator
    assert curve.on_curve(g)
    # mul() hands multiples of G itself to OpenSSL where it has the curve: work from 2·G so that our
    # own Jacobian arithmetic is what is checked
    two_g = curve.add(g, g)
    assert two_g is not None and curve.on_curve(two_g)
    # the base point has order n: (n-1)·2G + 2G is the point at infinity
    assert curve.add(curve.mul(curve.n - 1, two_g), two_g) is None
    k = 0x1234567890ABCDEF1234567890ABCDEF % curve.n
    ours = curve.mul(k, two_g)
    assert curve.on_curve(ours)
    # k·2G + 2G == (k+1)·2G exercises the addition formulas against the doubling ones
    assert curve.add(ours, two_g) == curve.mul(k + 1, two_g)
    if parameter_id in _CRYPTOGRAPHY_CURVES:
        numbers = ec.derive_private_key(2 * k % curve.n, _CRYPTOGRAPHY_CURVES[parameter_id]).public_key()
        assert ours == (numbers.public_numbers().x, numbers.public_numbers().y)
        assert curve.mul(2 * k, g) == ours  # the OpenSSL path agrees


@pytest.mark.parametrize("parameter_id", sorted(pace.DH_GROUPS))
def test_dh_group_constants(parameter_id: int) -> None:
    group = pace.DH_GROUPS[parameter_id]
    assert pow(group.g, group.q, group.p) == 1 and group.g != 1
    assert group.p.bit_length() in (1024, 2048)


def test_every_supported_variant_is_listed() -> None:
    names = {a.name for a in pace.ALGORITHMS.values() if a.supported}
    for agreement in ("DH", "ECDH"):
        for suffix in ("3DES-CBC-CBC", "AES-CBC-CMAC-128", "AES-CBC-CMAC-192", "AES-CBC-CMAC-256"):
            assert f"id-PACE-{agreement}-GM-{suffix}" in names
    assert not pace.algorithm_named("id-PACE-ECDH-IM-AES-CBC-CMAC-128").supported


def test_choose_prefers_ecdh_and_aes() -> None:
    def info(name: str, pid: int) -> pace.PaceInfo:
        return pace.PaceInfo(pace.algorithm_named(name), 2, pid)

    offered = [
        info("id-PACE-DH-GM-3DES-CBC-CBC", 0),
        info("id-PACE-ECDH-GM-AES-CBC-CMAC-128", 13),
        info("id-PACE-ECDH-GM-AES-CBC-CMAC-256", 12),
        info("id-PACE-ECDH-IM-AES-CBC-CMAC-256", 13),
        info("id-PACE-ECDH-GM-AES-CBC-CMAC-256", 99),  # unknown domain parameters
    ]
    assert pace.choose(offered) == offered[2]
    assert pace.choose([offered[3]]) is None


@given(st.binary(max_size=200))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_card_access_parser_survives_any_bytes(data: bytes) -> None:
    try:
        pace.parse_card_access(data)
    except GarbageResponseError:
        pass


@given(st.binary(max_size=120))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_aes_secure_messaging_unwrap_survives_any_response(data: bytes) -> None:
    sm = bac.AesSecureMessaging(bac.SessionKeys(H(G1["ks_enc"]), H(G1["ks_mac"]), 0))
    try:
        sm.unwrap(data)
    except GarbageResponseError:
        pass
