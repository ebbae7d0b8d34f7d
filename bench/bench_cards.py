"""Time and APDU count to read an eMRTD (EF.COM + DG1 + DG2 ≈ 16 KB face + EF.SOD) through the real
PC/SC stack — emulated chip → vpcd → a private pcscd → pyscard → PcscCardService — against a floor,
per chip profile: access control (BAC, or PACE ECDH-GM AES-128 on brainpoolP256r1), extended or
short APDUs, READ BINARY by short EF identifier (SFI) or SELECT + READ BINARY (a chip without SFI).

The floor is the median round trip of a minimal APDU (GET CHALLENGE) measured in the same run,
times the number of APDUs the read needed: what the read would cost if our side took no time.
Every configuration is measured with the emulator's socket options TCP_NODELAY + TCP_QUICKACK
(``quickack=on``) and with TCP_NODELAY only (``quickack=off``): without QUICKACK, Nagle + delayed
ACK cost ~40-50 ms per APDU because vpcd writes the length and the payload separately.

    .venv/bin/python bench/bench_cards.py [--runs 7] [--slow]

Needs pcscd and vsmartcard-vpcd (deps/apt-cards.txt) and no other pcscd running.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from smartcard import scard

from devices.cards.api import MrzKey
from devices.cards.pcsc import PcscCardService
from testsupport.cards.pcscd import READER_0, Pcscd, wait_for_card
from testsupport.cards.testdocs import make_document, make_pki
from testsupport.cards.vpcd_card import EmrtdCard, VpcdClient


def apdu_round_trip(samples: int = 200) -> float:
    """Median seconds of one minimal APDU through pcscd (SELECT once, then GET CHALLENGE)."""
    _, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    _, hcard, proto = scard.SCardConnect(
        ctx, READER_0, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
    )
    scard.SCardTransmit(hcard, proto, list(bytes.fromhex("00A4040C07A0000002471001")))
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        scard.SCardTransmit(hcard, proto, [0x00, 0x84, 0x00, 0x00, 0x08])
        times.append(time.perf_counter() - t)
    scard.SCardDisconnect(hcard, scard.SCARD_RESET_CARD)
    scard.SCardReleaseContext(ctx)
    return statistics.median(times)


PACE = [("id-PACE-ECDH-GM-AES-CBC-CMAC-128", 13)]
PROFILES = {  # name → EmrtdCard options
    "BAC  extended SFI": {"extended": True},
    "BAC  short    SFI": {"extended": False},
    "BAC  extended sel": {"extended": True, "sfi": False},
    "BAC  short    sel": {"extended": False, "sfi": False},
    "PACE extended SFI": {"extended": True, "pace_offers": PACE, "offer_bac": False},
    "PACE short    SFI": {"extended": False, "pace_offers": PACE, "offer_bac": False},
}


def measure(daemon: Pcscd, service: PcscCardService, quickack: bool, options: dict, runs: int) -> dict[str, float]:
    doc = make_document()
    key = MrzKey(doc.holder.number, doc.holder.birth, doc.holder.expiry)
    card = EmrtdCard(doc.files, key, **options)
    client = VpcdClient(card, daemon.port, quickack=quickack).insert()
    wait_for_card(READER_0, present=True)
    try:
        rtt = apdu_round_trip(200 if quickack else 10)
        times, apdus, size = [], 0, 0
        for _ in range(runs):
            t = time.perf_counter()
            service.read(READER_0, key)
            times.append(time.perf_counter() - t)
            stats = service.diagnostics.last_read
            assert stats is not None
            apdus, size = stats.apdus, stats.bytes_read
    finally:
        client.remove()
        wait_for_card(READER_0, present=False)
    median = statistics.median(times)
    return {
        "median_ms": median * 1000,
        "apdus": apdus,
        "bytes": size,
        "rtt_ms": rtt * 1000,
        "floor_ms": rtt * apdus * 1000,
        "ratio": median / (rtt * apdus),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--slow", action="store_true", help="also measure without TCP_QUICKACK (~44 ms per APDU)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        daemon = Pcscd(Path(tmp))
        daemon.start()
        csca = Path(tmp) / "csca"
        csca.mkdir()
        (csca / "test.pem").write_bytes(make_pki().csca_pem())
        service = PcscCardService(csca_folder=csca)
        try:
            print(
                f"# eMRTD read through pcscd + vpcd, {platform.python_implementation()} "
                f"{platform.python_version()}, {platform.machine()}, median of {args.runs} runs"
            )
            print("quickack  profile             APDUs  bytes   median ms  APDU rtt ms  floor ms  ratio")
            for quickack in (True, False):
                for name, options in PROFILES.items():
                    if not quickack and not args.slow:
                        continue
                    runs = args.runs if quickack else max(3, args.runs // 3)
                    r = measure(daemon, service, quickack, options, runs)
                    print(
                        f"{'on ' if quickack else 'off'}      {name}  {r['apdus']:5.0f}  {r['bytes']:6.0f}"
                        f"  {r['median_ms']:9.1f}  {r['rtt_ms']:11.3f}  {r['floor_ms']:8.1f}  {r['ratio']:5.1f}"
                    )
        finally:
            service.close()
            daemon.stop()


if __name__ == "__main__":
    main()
