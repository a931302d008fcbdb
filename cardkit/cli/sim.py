# SPDX-License-Identifier: Apache-2.0
"""`cardkit sim ...`: virtual cards for developers, served to the real pcscd through vpcd."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path

from cardkit.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sim", help="simulated cards: serve to pcscd, show keys, build")
    sim_sub = p.add_subparsers(dest="sim_command", metavar="WHAT")
    sim_sub.required = True

    s = sim_sub.add_parser("serve", help="serve card(s) to pcscd's vpcd reader until interrupted")
    s.add_argument("dirs", nargs="*", type=Path, help="card folders (one per vpcd slot); default: the demo card")
    s.add_argument("--person", action="append", default=[], help="a bundled person's key (no build step)")
    s.add_argument("--profile", default="cccd2021", choices=("cccd2021", "cancuoc2024"))
    s.add_argument("--port", type=int, default=35963, help="vpcd port of the first slot (next slots: +1)")
    s.add_argument("--fault", action="append", default=[],
                   help="fault: runtime (remove-after:20, bad-mac, slow:50, ...) or, with --person, "
                   "personalisation (cloned, altered-dg:13, untrusted-csca, ...)")
    s.add_argument("--latency", help="link model BITRATE[:T_APDU][,fsc=N][,frame=T], e.g. 424k:5ms")
    s.add_argument("--reader-quirk", action="append", default=[],
                   help="simulated reader/chip quirk: no-extended, max-apdu:N, le256-refused, aa-le-max:N")
    s.add_argument("--eac", nargs="?", const="", metavar="CVCA_FILE",
                   help="enforce EAC Terminal Authentication for DG3/DG4, trusting this CVCA certificate "
                        "(default: the simulator's, matching `cardkit sim make-terminal`)")
    s.add_argument("--insert-after", type=float, help="insert the card(s) after S seconds")
    s.add_argument("--remove-after", type=float, help="remove the card(s) after S seconds")
    s.add_argument("--interactive", action="store_true", help="Enter toggles insert/remove")
    s.add_argument("--no-pcscd", action="store_true", help="do not start pcscd when it is not running")
    s.set_defaults(func=serve)

    i = sim_sub.add_parser("info", help="the access data of a card: ID, DOB, expiry, CAN, MRZ")
    i.add_argument("dir", nargs="?", type=Path)
    i.add_argument("--person", help="a bundled person's key")
    i.add_argument("--profile", default="cccd2021", choices=("cccd2021", "cancuoc2024"))
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=info)

    from cardkit.cli.sim_make import register_sim

    register_sim(sim_sub)


def load_images(dirs: list[Path], persons: list[str], profile: str, content_faults: list[str] = ()) -> list:
    """Card folders, and bundled persons built on the fly (with personalisation faults)."""
    from cardkit.sim.image import CardImage

    if content_faults and dirs:
        raise InputError(f"{', '.join(content_faults)} change a card's content: use `cardkit sim make --fault` for a folder")
    images = [CardImage.load(d) for d in dirs]
    if persons or not images:
        from cardkit.sim.population import builtin_card

        images += [builtin_card(key, profile=profile, faults=tuple(content_faults)) for key in (persons or [None])]
    return images


def access_data(image) -> dict[str, object]:
    m = image.meta
    out = {"id": m.get("id"), "dob": m.get("dob"), "expiry": m.get("expiry"), "can": m.get("can"), "mrz": m.get("mrz")}
    if m.get("expiry") is None and m.get("expiry_text"):
        out["expiry_text"] = m["expiry_text"]  # e.g. "Không thời hạn"
    return out


def info(args: argparse.Namespace) -> int:
    (image,) = load_images([args.dir] if args.dir else [], [args.person] if args.person else [], args.profile)
    data = access_data(image)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for k, v in data.items():
            print(f"{k}: {' / '.join(v) if isinstance(v, list) else v}")
    return 0


def serve(args: argparse.Namespace) -> int:
    from cardkit.sim.factory import make_reader_card
    from cardkit.sim.faults import split_faults
    from cardkit.sim.pcscd import Pcscd
    from cardkit.sim.vpcd import VpcdBridge, parse_latency

    runtime_faults, content_faults = split_faults(args.fault)
    images = load_images(args.dirs, args.person, args.profile, content_faults)
    delay = parse_latency(args.latency) if args.latency else None
    eac = eac_trust_point(args.eac)
    bridges = [
        VpcdBridge(make_reader_card(img, runtime_faults, args.reader_quirk, eac=eac), port=args.port + n, delay=delay)
        for n, img in enumerate(images)
    ]
    pcscd = Pcscd() if not args.no_pcscd else None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop cleanly (and stop our pcscd)
    if pcscd is not None:
        pcscd.start()
    try:
        if args.insert_after:
            for b in bridges:
                b.remove()
        threads = [threading.Thread(target=b.serve_forever, daemon=True) for b in bridges]
        for t in threads:
            t.start()
        for n, (b, img) in enumerate(zip(bridges, images, strict=False)):
            ta = f", TA trusting {eac.chr}" if eac is not None else ""
            print(f"slot {n} (port {b.port}): card CAN {img.meta.get('can')}{ta}", flush=True)
        _schedule(bridges, args)
        if args.interactive:
            print("Enter: insert/remove the card(s); Ctrl-C: stop", flush=True)
            for _ in sys.stdin:
                states = [b.toggle() for b in bridges]
                print("inserted" if states[0] else "removed", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        for b in bridges:
            b.stop()
        if pcscd is not None:
            pcscd.stop()


def eac_trust_point(option: str | None):
    """None (no TA: DG3/DG4 stay 6982), the simulator's CVCA ("") or the CVCA in a file."""
    if option is None:
        return None
    if option == "":
        from cardkit.sim.eac import trust_point

        return trust_point()
    from cardkit.errors import ParseError
    from cardkit.sim.ta_card import parse_trust_point

    try:
        return parse_trust_point(Path(option).read_bytes())
    except OSError as exc:
        raise InputError(f"cannot read the CVCA certificate {option}: {exc.strerror}") from None
    except ParseError as exc:
        raise InputError(f"{option} is not a CVCA certificate: {exc}") from None


def _schedule(bridges: list, args: argparse.Namespace) -> None:
    def later(seconds: float, action: str) -> None:
        def run() -> None:
            time.sleep(seconds)
            for b in bridges:
                getattr(b, action)()
        threading.Thread(target=run, daemon=True).start()

    if args.insert_after:
        later(args.insert_after, "insert")
    if args.remove_after:
        if args.insert_after and args.remove_after <= args.insert_after:
            raise InputError("--remove-after must come after --insert-after")
        later(args.remove_after, "remove")
