# SPDX-License-Identifier: Apache-2.0
"""`cardkit journal list`: the check-ins recorded by the stations."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone

from cardkit.cli.registry import DB_HELP
from cardkit.errors import InputError


def _since(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError("--since wants YYYY-MM-DD or YYYY-MM-DDTHH:MM", message_vi="--since cần dạng YYYY-MM-DD") from None
    return value if value.tzinfo else value.astimezone()  # naive: local time at the desk


def cmd_list(args: argparse.Namespace) -> int:
    from cardkit.registry.journal import Journal
    from cardkit.registry.store import open_store

    since = _since(args.since) if args.since else None
    with open_store(args.db) as store:
        records = Journal(store).list(since=since, query=args.query, limit=args.limit)
    if args.json:
        print(json.dumps([r.to_dict() for r in records], ensure_ascii=False, indent=2))
        return 0
    for r in records:
        at = r.at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        worst = _worst(r.discrepancies)
        print(f"{r.seq:6}  {at}Z  {r.station:10} {r.operator:10} {r.access_method:9} {r.id_number or '-':12} "
              f"{r.match_outcome:18} {r.overall_verdict or '-':10} {len(r.discrepancies)} discrepancies{worst}")
    return 0


def _worst(discrepancies) -> str:
    for level in ("blocking", "warning", "info"):
        if any(d.get("severity") == level for d in discrepancies):
            return f" (worst: {level})"
    return ""


def register(subparsers) -> None:
    p = subparsers.add_parser("journal", help="check-in journal")
    sub = p.add_subparsers(dest="journal_command", metavar="ACTION")
    sub.required = True
    q = sub.add_parser("list", help="list check-ins, oldest first")
    q.add_argument("--db", help=DB_HELP)
    q.add_argument("--since", help="only check-ins at or after this time (ISO date/time)")
    q.add_argument("--query", help="ID number, old CMND, station, operator or match outcome")
    q.add_argument("--limit", type=int)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_list)
