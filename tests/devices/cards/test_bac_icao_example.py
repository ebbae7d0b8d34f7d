"""ICAO Doc 9303 part 11, appendix D (worked example of BAC and secure messaging), value by value."""

from __future__ import annotations

import pytest

from devices.cards import bac
from devices.cards.api import BacFailedError, GarbageResponseError, MrzKey
from devices.cards.mrz import bac_mrz_information

H = bytes.fromhex
KS_ENC = H("979EC13B1CBFE9DCD01AB0FED307EAE5")
KS_MAC = H("F1CB1F1FB5ADF208806B89DC579DC1F8")


def test_mrz_information_and_seed() -> None:
    info = bac_mrz_information(MrzKey("L898902C", "690806", "940623"))
    assert info == b"L898902C<369080619406236"
    assert bac.key_seed(info) == H("239AB9CB282DAF66231DC5A4DF6BFBAE")


def test_key_derivation() -> None:
    seed = H("239AB9CB282DAF66231DC5A4DF6BFBAE")
    assert bac.derive_key(seed, bac.ENC) == H("AB94FDECF2674FDFB9B391F85D7F76F2")
    assert bac.derive_key(seed, bac.MAC) == H("7962D9ECE03D1ACD4C76089DCE131543")
    session_seed = H("0036D272F5C350ACAC50C3F572D23600")
    assert bac.derive_key(session_seed, bac.ENC) == KS_ENC
    assert bac.derive_key(session_seed, bac.MAC) == KS_MAC


def test_mutual_authentication() -> None:
    hs = bac.BacHandshake(
        b"L898902C<369080619406236", rnd_ifd=H("781723860C06C226"), k_ifd=H("0B795240CB7049B01C19B33E32804F0B")
    )
    cmd = hs.mutual_authenticate_data(H("4608F91988702212"))
    assert cmd == H("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A7")
    keys = hs.complete(H("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449"))
    assert keys.ks_enc == KS_ENC and keys.ks_mac == KS_MAC
    assert keys.ssc == 0x887022120C06C226


def test_mutual_authentication_rejects_bad_mac() -> None:
    hs = bac.BacHandshake(
        b"L898902C<369080619406236", rnd_ifd=H("781723860C06C226"), k_ifd=H("0B795240CB7049B01C19B33E32804F0B")
    )
    hs.mutual_authenticate_data(H("4608F91988702212"))
    with pytest.raises(BacFailedError):
        hs.complete(H("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7448"))


def test_secure_messaging_select_and_read() -> None:
    sm = bac.SecureMessaging(bac.SessionKeys(KS_ENC, KS_MAC, 0x887022120C06C226))
    assert sm.wrap(0x00, 0xA4, 0x02, 0x0C, b"\x01\x1e") == H("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")
    assert sm.unwrap(H("990290008E08FA855A5D4C50A8ED9000")) == (b"", 0x9000)
    assert sm.wrap(0x00, 0xB0, 0x00, 0x00, le=4) == H("0CB000000D9701048E08ED6705417E96BA5500")
    assert sm.unwrap(H("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000")) == (H("60145F01"), 0x9000)
    assert sm.wrap(0x00, 0xB0, 0x00, 0x04, le=0x12) == H("0CB000040D9701128E082EA28A70F3C7B53500")
    data, sw = sm.unwrap(H("871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000"))
    assert (data, sw) == (H("04303130365F36063034303030305C026175"), 0x9000)
    assert sm.ssc == 0x887022120C06C22C


def test_unwrap_rejects_a_tampered_response() -> None:
    sm = bac.SecureMessaging(bac.SessionKeys(KS_ENC, KS_MAC, 0x887022120C06C228))
    with pytest.raises(GarbageResponseError):
        sm.unwrap(H("8709019FF0EC34F9922651990290008E08AD55CC17140B2DEE9000"))


def test_extended_length_wrap_uses_two_byte_le() -> None:
    sm = bac.SecureMessaging(bac.SessionKeys(KS_ENC, KS_MAC, 0))
    apdu = sm.wrap(0x00, 0xB0, 0x00, 0x08, le=0x7F00)
    assert apdu[4] == 0x00 and apdu[-2:] == b"\x00\x00"  # extended Lc and Le (ISO 7816-4 §5.1)
    body = apdu[7:-2]
    assert body[:4] == H("97027F00")
