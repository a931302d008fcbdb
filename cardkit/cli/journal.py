# SPDX-License-Identifier: Apache-2.0
"""`cardkit journal list`: the check-ins recorded by the stations; `cardkit journal purge`: drop
check-ins, BHYT lookups and receipts older than the retention period; `cardkit journal receipt`:
the verification receipt of one check-in (identity only when asked)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

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
        at = r.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        worst = _worst(r.discrepancies)
        print(f"{r.seq:6}  {at}Z  {r.station:10} {r.operator:10} {r.access_method:9} {r.id_number or '-':12} "
              f"{r.match_outcome:18} {r.overall_verdict or '-':10} {len(r.discrepancies)} discrepancies{worst}")
    return 0


def _worst(discrepancies) -> str:
    for level in ("blocking", "warning", "info"):
        if any(d.get("severity") == level for d in discrepancies):
            return f" (worst: {level})"
    return ""


def _retention_days(args: argparse.Namespace) -> float:
    from cardkit.station.config import load_config

    days = args.days if args.days is not None else float(load_config(args.config).retention_days)
    if days <= 0:
        raise InputError("no retention period: give --days N or set retention_days in the station config",
                         message_vi="Chưa có thời hạn lưu: dùng --days N hoặc đặt retention_days trong cấu hình trạm.")
    return days


def cmd_purge(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from cardkit.registry.evidence import purge
    from cardkit.registry.store import open_store
    from cardkit.station.config import load_config

    days = _retention_days(args)
    url = args.db or load_config(args.config).registry_url
    with open_store(url) as store:
        done = purge(store, older_than=timedelta(days=days), now=datetime.now(UTC))
    if args.json:
        print(json.dumps({"days": days, **done.to_dict(), "total": done.total}))
    else:
        print(f"purged {done.total} entries older than {days:g} days: {done.checkins} check-ins, "
              f"{done.lookups} BHYT lookups, {done.receipts} receipts")
    return 0


def cmd_receipt(args: argparse.Namespace) -> int:
    from cardkit.registry.evidence import ReceiptStore
    from cardkit.registry.journal import Journal
    from cardkit.registry.store import open_store

    with open_store(args.db) as store:
        receipt = ReceiptStore(store).get(args.checkin_id)
        if receipt is not None and args.identity:
            rec = next((r for r in Journal(store).list() if r.checkin_id == args.checkin_id), None)
            receipt["identity"] = rec.extra.get("identity") if rec else None
    if receipt is None:
        raise InputError(f"no receipt for check-in {args.checkin_id}", message_vi="Không có biên nhận cho lượt này.")
    print(json.dumps(receipt, ensure_ascii=False, indent=2, sort_keys=True))
    return 0


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
    r = sub.add_parser("purge", help="delete check-ins, BHYT lookups and receipts older than the retention period")
    r.add_argument("--db", help=DB_HELP)
    r.add_argument("--days", type=float, help="retention in days (default: retention_days of the station config)")
    r.add_argument("--config", metavar="FILE", help="station config (default $CARDKIT_HOME/station.toml)")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_purge)
    c = sub.add_parser("receipt", help="print the verification receipt of one check-in (JSON)")
    c.add_argument("checkin_id")
    c.add_argument("--db", help=DB_HELP)
    c.add_argument("--identity", action="store_true", help="include the holder's identity (only when asked)")
    c.set_defaults(func=cmd_receipt)
