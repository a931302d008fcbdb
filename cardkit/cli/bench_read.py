# SPDX-License-Identifier: Apache-2.0
"""`cardkit bench read`: read the built-in card N times, in-process and through pcscd.

Reports medians of APDUs, bytes, wall time and host CPU time (the reader's process only: for
the pcscd run the card is served by a separate ``cardkit sim serve`` process).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def register_bench(bench: argparse._SubParsersAction) -> None:
    p = bench.add_parser("read", help="read the built-in card N times (in-process and via pcscd)")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--person", help="bundled person key (default: the demo card)")
    p.add_argument("--no-pcscd", action="store_true", help="in-process only")
    p.add_argument("--latency", help="also emulate air time, e.g. 424k:5ms (pcscd run)")
    p.add_argument("--link", default="424k:5ms", help="link model for the modelled table: t_apdu, fsc, frame "
                                                     "(every bitrate 106/212/424/848k is reported)")
    p.add_argument("--no-model", action="store_true", help="skip the modelled per-profile/bitrate table")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def _one(connect, access, trust) -> dict[str, float]:
    from cardkit.icao.reading import read_and_verify

    wall0, cpu0 = time.perf_counter(), time.process_time()
    with connect() as conn:
        result = read_and_verify(conn, access, trust=trust)
    r = result.read
    return {
        "apdus": r.apdus, "bytes": r.bytes_sent + r.bytes_received,
        "wall_ms": (time.perf_counter() - wall0) * 1e3, "cpu_ms": (time.process_time() - cpu0) * 1e3,
        "overall": result.overall.value,
    }


def _median(rows: list[dict]) -> dict[str, object]:
    out: dict[str, object] = {"runs": len(rows)}
    for key in ("apdus", "bytes", "wall_ms", "cpu_ms"):
        out[key] = round(statistics.median(r[key] for r in rows), 2)
    out["overall"] = sorted({r["overall"] for r in rows})
    return out


def run(args: argparse.Namespace) -> int:
    from cardkit.cli.sim import load_images
    from cardkit.icao.keys import cccd_can
    from cardkit.icao.session import AccessSpec
    from cardkit.sim.factory import make_card, mrz_key_of
    from cardkit.transport.inproc import InProcessConnection

    (image,) = load_images([], [args.person] if args.person else [], "cccd2021")
    access = AccessSpec(mrz_key=mrz_key_of(image), can=cccd_can(image.meta["id"]))
    trust = _demo_trust()
    report: dict[str, object] = {}
    card = make_card(image)

    def fresh_connection():  # a power cycle between runs, as a card put down again
        card.reset()
        return InProcessConnection(card)

    rows = [_one(fresh_connection, access, trust) for _ in range(args.runs)]
    report["in_process"] = _median(rows)
    if not args.no_model:
        from cardkit.cli.bench_model import run_model
        from cardkit.transport.link import parse_link

        report["model"] = run_model(args.runs, trust, parse_link(args.link))
    if not args.no_pcscd:
        report["pcscd"] = _via_pcscd(image, access, trust, args)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for name, m in report.items():
            if name == "model":
                _print_model(m)
                continue
            print(f"{name:10} runs={m['runs']} apdus={m['apdus']} bytes={m['bytes']} "
                  f"wall={m['wall_ms']} ms cpu={m['cpu_ms']} ms overall={','.join(m['overall'])}")
    return 0


def _print_model(m: dict) -> None:
    for profile, entry in m.items():
        if profile == "link":
            continue
        print(f"{profile} (DG2 {entry['dg2_bytes']} B)")
        for strategy in ("cardkit", "cardkit-short", "223+select", "160", "returning"):
            e = entry[strategy]
            rates = "  ".join(f"{r}: {v['modelled_ms']:.0f} ms (floor {v['floor_ms']:.0f}, x{v['ratio']:.2f}, "
                              f"identity {v['time_to_identity_ms']:.0f}"
                              + (f", x{v['vs_first_read']:.2f} of a first read" if "vs_first_read" in v else "") + ")"
                              for r, v in e["by_bitrate"].items())
            print(f"  {strategy:10} apdus={e['apdus']} air={e['bytes_on_air']} B cpu={e['host_cpu_ms']} ms  {rates}")


def _demo_trust():
    """A trust store holding the simulator's test CSCA, so the runs verify end to end."""
    from cardkit.sim.pki import TestPki
    from cardkit.trustdir import load_trust_store

    with tempfile.TemporaryDirectory() as tmp:
        TestPki().write_trust(tmp)
        return load_trust_store(tmp)


def _via_pcscd(image, access, trust, args) -> dict[str, object]:
    from cardkit.sim.pcscd import Pcscd
    from cardkit.transport.pcsc import find_reader, list_readers

    with tempfile.TemporaryDirectory() as tmp, Pcscd():
        folder = image.save(Path(tmp) / "card")
        cmd = [sys.executable, "-m", "cardkit", "sim", "serve", str(folder), "--no-pcscd"]
        if args.latency:
            cmd += ["--latency", args.latency]
        server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
        try:
            deadline = time.monotonic() + 15
            while not any(r.name.endswith("00 00") and r.card_present() for r in list_readers()):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the served card did not appear in pcscd")
                time.sleep(0.1)
            reader = find_reader("Virtual PCD 00 00")
            rows = [_one(reader.connect, access, trust) for _ in range(args.runs)]
        finally:
            server.terminate()
            server.wait(5)
    return _median(rows)
