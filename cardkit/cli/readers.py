# SPDX-License-Identifier: Apache-2.0
"""`cardkit readers`: list PC/SC readers and whether a card is present."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("readers", help="list PC/SC readers and card presence")
    p.add_argument("--json", action="store_true", help='[{"name", "card_present", "atr"}]')
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from cardkit.transport.pcsc import list_readers

    rows = []
    for reader in list_readers():
        atr = reader.atr()
        rows.append({"name": reader.name, "card_present": atr is not None, "atr": atr.hex() if atr else None})
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        if not rows:
            print("no readers")
        for r in rows:
            state = f"card {r['atr']}" if r["card_present"] else "no card"
            print(f"{r['name']}: {state}")
    return 0
