# SPDX-License-Identifier: Apache-2.0
"""`cardkit readers`: list PC/SC readers and whether a card is present."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("readers", help="list PC/SC readers and card presence")
    p.add_argument("--json", action="store_true", help='[{"name", "card_present", "atr"}]')
    p.add_argument("--probe", action="store_true",
                   help="also probe each reader + card pair: extended length, READ BINARY block (no key needed)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from cardkit.transport.pcsc import list_readers

    rows = []
    for reader in list_readers():
        atr = reader.atr()
        row: dict[str, object] = {"name": reader.name, "card_present": atr is not None, "atr": atr.hex() if atr else None}
        if args.probe and atr is not None:
            from cardkit.icao.probe import probe

            with reader.connect() as conn:
                report = probe(conn)
            row["probe"] = {k: v for k, v in report.to_dict().items() if k not in ("reader", "atr")}
        rows.append(row)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        if not rows:
            print("no readers")
        for r in rows:
            state = f"card {r['atr']}" if r["card_present"] else "no card"
            print(f"{r['name']}: {state}")
            if "probe" in r:
                p = r["probe"]
                ext = "extended length" if p["extended"] else "short APDUs only"
                print(f"  {ext}, READ BINARY {p['block']} bytes (ATR claims extended: {p['atr_extended']}); "
                      f"EF.CardAccess: {p['card_access'] if p['card_access'] is not None else 'absent'}")
    return 0
