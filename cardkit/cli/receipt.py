# SPDX-License-Identifier: Apache-2.0
"""`cardkit verify --receipt FILE`: re-check a verification receipt offline (exit statuses as
`cardkit verify`: 0 VALID, 1 INVALID, 3 UNKNOWN_ISSUER / NOT_CHECKED, 2 error)."""

from __future__ import annotations

import argparse
import json
import sys

from cardkit.cli.outcome import EXIT, load_trust
from cardkit.errors import InputError


def load_receipt(path) -> dict:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"cannot read receipt {path}: {type(exc).__name__}",
                         message_vi="Không đọc được tệp biên nhận.") from None
    return data


def run_receipt(args: argparse.Namespace) -> int:
    from cardkit.station.receipt import check_receipt

    receipt = load_receipt(args.receipt)
    status, verdicts = check_receipt(receipt, load_trust(args.trust))
    if args.json:
        json.dump({"overall": status.value, "verdicts": [v.to_dict() for v in verdicts],
                   "checkin_id": receipt.get("checkin_id"), "at": receipt.get("at")}, sys.stdout, indent=2)
        print()
    else:
        for v in verdicts:
            print(f"{v.status.value:14} {v.check:32} {v.reason}")
        print(f"overall: {status.value} (receipt {receipt.get('checkin_id')}, {receipt.get('at')})")
    return EXIT[status]
