# SPDX-License-Identifier: Apache-2.0
"""`cardkit read`: open the card (PACE or BAC), read every file, verify, print or save.

Exit status: 0 VALID (every check the card's signed data requires passed), 1 INVALID,
2 the read failed (one-line reason: wrong key, no card, card removed...; also any internal
error), 3 UNKNOWN_ISSUER or NOT_CHECKED (not verified: never accept as is).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from cardkit.cli.outcome import EXIT
from cardkit.errors import InputError
from cardkit.icao.lds.ef import DataGroup


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("read", help="read a chip ID card", description=__doc__)
    p.add_argument("--reader", help="PC/SC reader name (substring); default: the first with a card")
    p.add_argument("--id", dest="id_number", help="12-digit ID number (gives the CAN; with --dob/--expiry the MRZ key)")
    p.add_argument("--dob", help="date of birth YYYY-MM-DD (BAC)")
    p.add_argument("--expiry", help="date of expiry YYYY-MM-DD (BAC)")
    p.add_argument("--mrz-key", help="DOC,YYMMDD,YYMMDD (BAC / PACE with MRZ)")
    p.add_argument("--can", help="6-digit CAN (PACE); default: last 6 digits of --id")
    p.add_argument("--access", choices=("auto", "pace", "bac"), default="auto", help="access control policy")
    p.add_argument("--allow-bac", action="store_true",
                   help="do not count BAC on a chip whose signed data advertises PACE as an access downgrade "
                        "(the check is then NOT_CHECKED, switched off by configuration)")
    p.add_argument("--trust", help="trust store folder (CSCA certificates, master lists)")
    p.add_argument("--terminal-cert", action="append", default=[], type=Path, metavar="FILE",
                   help="EAC terminal certificate chain, one CV certificate file each, in chain order "
                        "(CVCA, DV, terminal): with --terminal-key, runs Terminal Authentication to read DG3/DG4")
    p.add_argument("--terminal-key", type=Path, metavar="FILE",
                   help="the terminal certificate's private key (PKCS#8, PEM or DER)")
    p.add_argument("--out", type=Path, help="write each file as EF_COM.bin, DG1.bin ... into this folder")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--face-cache", action="store_true",
                   help="returning cards: take DG2 (the face), DG14 and DG15 from this station's encrypted cache "
                        "when it holds the bytes EF.SOD lists (CA and AA still run on the chip), and keep those of "
                        "a VALID read there (`cardkit cache wipe`)")
    p.set_defaults(func=run)


def access_from_args(args: argparse.Namespace):
    from cardkit.icao.keys import MrzKey, can, cccd_can, cccd_mrz_key
    from cardkit.icao.session import AccessSpec

    mrz = None
    pace_can = None
    if args.mrz_key:
        mrz = MrzKey.parse(args.mrz_key)
    if args.id_number:
        if args.dob and args.expiry:
            mrz = cccd_mrz_key(args.id_number, args.dob, args.expiry)
        elif args.dob or args.expiry:
            raise InputError("--dob and --expiry go together", message_vi="Cần cả ngày sinh và ngày hết hạn.")
        pace_can = cccd_can(args.id_number)
    if args.can:
        pace_can = can(args.can)
    if mrz is None and pace_can is None:
        raise InputError("give --id (and --dob/--expiry), --mrz-key or --can",
                         message_vi="Cần nhập số định danh, khóa MRZ hoặc CAN.")
    return AccessSpec(mrz_key=mrz, can=pace_can, policy=args.access)


def terminal_from_args(args: argparse.Namespace):
    """The EAC terminal credentials of --terminal-cert/--terminal-key, or None when not given."""
    certs, key = getattr(args, "terminal_cert", []), getattr(args, "terminal_key", None)
    if not certs and key is None:
        return None
    if not certs or key is None:
        raise InputError("--terminal-cert and --terminal-key go together",
                         message_vi="Cần cả chứng chỉ và khóa của thiết bị đọc (--terminal-cert, --terminal-key).")
    from cardkit.icao.ta import TerminalCredentials

    return TerminalCredentials.load(certs, key)


def run(args: argparse.Namespace) -> int:
    from cardkit.cli.outcome import load_trust
    from cardkit.icao.policy import DESK_POLICY
    from cardkit.icao.reading import read_and_verify
    from cardkit.transport.pcsc import find_reader

    access = access_from_args(args)
    terminal = terminal_from_args(args)
    policy = replace(DESK_POLICY, forbid_access_downgrade=False) if args.allow_bac else DESK_POLICY
    trust = load_trust(Path(args.trust) if args.trust else None)
    face_cache = None
    if args.face_cache:
        from cardkit.facecache import FileFaceCache

        face_cache = FileFaceCache()
    reader = find_reader(args.reader)
    with reader.connect() as conn:
        result = read_and_verify(conn, access, trust=trust, policy=policy, terminal=terminal,
                                 face_cache=face_cache)
    if args.out:
        save_files(_files_to_save(result.read), args.out)
    doc = result.to_dict()
    if args.json:
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print_human(doc)
    return EXIT[result.overall]


def _files_to_save(read) -> dict[DataGroup, bytes]:
    """The data groups read, plus EF.CardAccess and EF.CardSecurity when the session read them."""
    files = dict(read.files)
    for dg, data in ((DataGroup.CARD_ACCESS, read.card_access),
                     (DataGroup.CARD_SECURITY, getattr(read, "card_security", None))):
        if data:
            files[dg] = data
    return files


def save_files(files: dict[DataGroup, bytes], out: Path) -> None:
    """The card's files (personal data, the face image: sensitive) in a 0700 folder, each 0600,
    under the file names ``cardkit verify`` reads back (``DataGroup.filename``)."""
    from cardkit.home import private_dir, write_private

    folder = private_dir(out)
    for dg, data in files.items():
        write_private(folder / dg.filename, data)


def print_human(doc: dict) -> None:
    access = doc["access_detail"]
    extra = ", ".join(v for v in (access.get("mapping"), access.get("cipher")) if v)
    print(f"access: {doc['access']} ({extra}) - {access.get('reason', '')}")
    for name, value in doc["files"].items():
        print(f"  {name:8} {value if isinstance(value, str) else str(value) + ' bytes'}")
    for v in doc.get("verdicts", []):
        print(f"  [{v['status']}] {v['check']}: {v['reason']}")
    for f in doc.get("findings", []):
        print(f"  [note] {f['code']}: {f['reason']}")
    if "overall" in doc:
        print(f"overall: {doc['overall']}")
    print(f"{doc['apdus']} APDUs, {doc['bytes_sent']}+{doc['bytes_received']} bytes, {doc['seconds']:.2f} s")
