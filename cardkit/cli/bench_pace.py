# SPDX-License-Identifier: Apache-2.0
"""`cardkit bench pace`: host CPU per PACE run (the CCCD's ECDH-GM brainpoolP256r1 AES-128, CAN).

The terminal side runs against the simulated chip's PACE handler in the same process. The card's
share is measured around each ``transmit`` and subtracted, so ``host_cpu_ms`` is the terminal's
own CPU time (``time.process_time``). Medians over ``--runs`` runs; target <= 40 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

TARGET_MS = 40.0


def register_bench(bench: argparse._SubParsersAction) -> None:
    p = bench.add_parser("pace", help="host CPU per PACE run (ECDH-GM brainpoolP256r1 AES-128), in-process card")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def _card():
    from cardkit.icao.lds.ef import DataGroup
    from cardkit.icao.lds.security_infos import PaceInfo, build_security_infos
    from cardkit.icao.oids import Oid
    from cardkit.sim.card import CardConfig, SimCard
    from cardkit.sim.image import CardImage
    from cardkit.sim.pace_card import PaceCardHandler

    card_access = build_security_infos([PaceInfo(Oid.PACE_ECDH_GM_AES_CBC_CMAC_128, 2, 13)])
    image = CardImage({}, {DataGroup.CARD_ACCESS.fid: card_access}, {})
    return SimCard(image, CardConfig(can="123456"), handlers=[PaceCardHandler()])


def measure(runs: int) -> dict:
    from cardkit.apdu import ResponseApdu
    from cardkit.icao.keys import can
    from cardkit.icao.lds.security_infos import PaceInfo
    from cardkit.icao.oids import Oid
    from cardkit.icao.pace import pace

    info = PaceInfo(Oid.PACE_ECDH_GM_AES_CBC_CMAC_128, 2, 13)
    password = can("123456")
    host, total, wall = [], [], []
    for _ in range(max(1, runs)):
        card = _card()
        card_cpu = 0.0

        def send(cmd, card=card):
            nonlocal card_cpu
            c0 = time.process_time()
            raw = card.transmit(cmd.encode())
            card_cpu += time.process_time() - c0
            return ResponseApdu.decode(raw)

        w0, c0 = time.perf_counter(), time.process_time()
        pace(send, password, info)
        cpu = time.process_time() - c0
        wall.append((time.perf_counter() - w0) * 1000)
        total.append(cpu * 1000)
        host.append((cpu - card_cpu) * 1000)
    med = statistics.median(host)
    return {
        "protocol": "id-PACE-ECDH-GM-AES-CBC-CMAC-128",
        "curve": "brainpoolP256r1",
        "runs": len(host),
        "host_cpu_ms": round(med, 2),
        "host_plus_card_cpu_ms": round(statistics.median(total), 2),
        "wall_ms": round(statistics.median(wall), 2),
        "target_ms": TARGET_MS,
        "within_target": med <= TARGET_MS,
    }


def run(args: argparse.Namespace) -> int:
    report = measure(args.runs)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(
            f"PACE {report['protocol']} on {report['curve']}: median of {report['runs']} runs: "
            f"host CPU {report['host_cpu_ms']} ms (target <= {TARGET_MS:g} ms), "
            f"host+card CPU {report['host_plus_card_cpu_ms']} ms, wall {report['wall_ms']} ms"
        )
    return 0 if report["within_target"] else 1
