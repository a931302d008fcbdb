# SPDX-License-Identifier: Apache-2.0
"""`cardkit sim make` and `cardkit sim persons`: build card folders from person records."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from cardkit.errors import InputError

PROFILES = ("cccd2021", "cancuoc2024")


def register_sim(sim_sub: argparse._SubParsersAction) -> None:
    """Add ``make`` and ``persons`` under ``cardkit sim`` (called by cardkit/cli/sim.py)."""
    m = sim_sub.add_parser("make", help="personalise a card folder from a person record",
                           description="Writes the card files, card.json (with the chip's TEST private keys), "
                                       "qr.png, front.png and back.png.")
    src = m.add_mutually_exclusive_group(required=True)
    src.add_argument("person_file", nargs="?", type=Path, help="person JSON (PersonData.to_dict() or persons.json record)")
    src.add_argument("--person", help="a bundled person's key (see `cardkit sim persons`)")
    m.add_argument("--out", required=True, type=Path, help="card folder to write")
    m.add_argument("--profile", default="cccd2021", choices=PROFILES)
    m.add_argument("--seed", type=int, help="reproducible keys and face (default: fresh)")
    m.add_argument("--pki", type=Path, help="test PKI folder (default: $CARDKIT_HOME/sim-pki)")
    m.add_argument("--pki-profile", default="ecdsa", choices=("ecdsa", "rsa-pss"),
                   help="document signer: ECDSA brainpool (explicit-parameter CSCA) or RSA-PSS")
    m.add_argument("--fault", action="append", default=[],
                   help="personalisation fault: cloned, altered-dg:N, untrusted-csca, expired-ds, "
                        "dg13-unknown-field, com-lists-absent:N")
    m.add_argument("--ca-domain", default="explicit", choices=("explicit", "standardized"),
                   help="DG14's chip authentication key: explicit EC parameters (as passports) or standardized ID 13")
    m.add_argument("--ta-version", type=int, default=1, choices=(1, 2),
                   help="Terminal Authentication version DG14 announces: 1 (EAC 1, as the CCCD) or 2 (EAC 2: TA "
                        "between PACE and chip authentication)")
    m.add_argument("--photo", type=Path, help="face image for DG2 (JPEG kept as is; others converted)")
    m.add_argument("--trust", type=Path, help="also write the test CSCA into this trust directory")
    m.set_defaults(func=make)

    t = sim_sub.add_parser("make-terminal", help="write a test EAC terminal chain and key for `cardkit read`",
                           description="CVCA.cvcert, DV.cvcert, IS.cvcert (chain order) and IS.key.pem (0600), "
                                       "matching the CVCA of `cardkit sim serve --eac`.")
    t.add_argument("out", type=Path, help="folder to write")
    t.add_argument("--expires", type=date.fromisoformat, default=date(2030, 1, 1),
                   help="expiry date of the terminal certificate, YYYY-MM-DD (the card's date starts at 2026-01-01)")
    t.add_argument("--read", default="dg3,dg4", help="data groups the terminal may read: dg3, dg4, dg3,dg4 or none")
    t.add_argument("--seed", type=int, help="another seed: a CVCA of the same name the served card does not trust")
    t.set_defaults(func=make_terminal)

    p = sim_sub.add_parser("persons", help="list the bundled synthetic persons (each in both profiles)")
    p.add_argument("--profile", choices=PROFILES, help="only this profile (default: both)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=list_persons)


def make(args: argparse.Namespace) -> int:
    from cardkit.sim.issuer import personalise
    from cardkit.sim.pki import TestPki
    from cardkit.sim.population import load_person_file, person
    from cardkit.sim.printed import has_vietnamese_font, write_printed

    who = person(args.person).data(args.profile) if args.person else load_person_file(args.person_file, args.profile)
    photo = None
    if args.photo:
        try:
            photo = args.photo.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read photo {args.photo}: {exc.strerror}") from None
    pki = TestPki(args.pki) if args.pki else TestPki()
    image = personalise(who, profile=args.profile, pki=pki, seed=args.seed, photo=photo, faults=args.fault,
                        pki_profile=args.pki_profile, ca_domain=args.ca_domain, ta_version=args.ta_version)
    folder = image.save(args.out)
    write_printed(image, folder)
    if args.trust:
        pki.write_trust(args.trust, (args.pki_profile,))
    print(f"card written to {folder} (profile {args.profile}, CAN {image.meta['can']})")
    if args.fault:
        print(f"faults: {', '.join(args.fault)}")
    if not has_vietnamese_font():
        print("note: DejaVuSans not found; card images use Pillow's default font (install fonts-dejavu-core)")
    return 0


def make_terminal(args: argparse.Namespace) -> int:
    from cardkit.icao.cvc import READ_DG3, READ_DG4
    from cardkit.sim.eac import EAC_SEED, sim_eac_pki, write_terminal

    bits = {"dg3": READ_DG3, "dg4": READ_DG4}
    wanted = [w.strip().lower() for w in args.read.split(",") if w.strip() and w.strip().lower() != "none"]
    if any(w not in bits for w in wanted):
        raise InputError(f"--read takes dg3, dg4 or none, not {args.read!r}")
    pki = sim_eac_pki(EAC_SEED if args.seed is None else args.seed, terminal_expiration=args.expires,
                      terminal_authorization=sum(bits[w] for w in set(wanted)))
    paths = write_terminal(args.out, pki)
    certs = " ".join(f"--terminal-cert {p}" for p in paths[:3])
    print(f"terminal {pki.terminal.certificate.chr} written to {args.out}; read with:")
    print(f"  cardkit read ... {certs} --terminal-key {paths[3]}")
    return 0


def list_persons(args: argparse.Namespace) -> int:
    from cardkit.sim.population import persons

    profiles = [args.profile] if args.profile else list(PROFILES)
    rows = [p.summary(profile) for p in persons() for profile in profiles]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        print(f"{r['key']:<20} {r['profile']:<12} {r['id']}  {r['dob']}  {r['sex']}  {r['name']}  ({r['province']})")
    return 0
