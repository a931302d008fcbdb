# SPDX-License-Identifier: Apache-2.0
"""`cardkit registry ...` (import, synth, match, discrepancies) and `cardkit bench registry`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import date

from cardkit.errors import InputError
from cardkit.person import DobPrecision, Sex, parse_year_only

DB_HELP = "database: a file path, sqlite:///path or postgresql://... (default: $CARDKIT_HOME/registry.sqlite3)"


def _date(text: str) -> date:
    from cardkit.registry.rowparse import parse_date  # the registry is an optional extra: lazily

    value = parse_date(text.strip(), "date")
    assert value is not None
    return value


def _progress_bar(enabled: bool):
    if not enabled:
        return None

    def show(read: int, done: int, total: int) -> None:
        share = done / total if total else 0.0
        bar = "#" * int(share * 30)
        print(f"\r[{bar:<30}] {share:6.1%} {read:,} rows", end="", file=sys.stderr, flush=True)

    return show


def cmd_import(args: argparse.Namespace) -> int:
    from cardkit.registry.importer import import_file
    from cardkit.registry.store import open_store

    mapping = {}
    for item in args.map or []:
        field, sep, header = item.partition("=")
        if not sep:
            raise InputError("--map wants FIELD=HEADER", message_vi="--map cần dạng TRƯỜNG=TIÊU_ĐỀ")
        mapping[field.strip()] = header.strip()
    show = _progress_bar(not args.no_progress and sys.stderr.isatty())

    def reject(rej) -> None:
        if show:
            print(file=sys.stderr)
        print(f"line {rej.line}: {rej.reason} / {rej.reason_vi}", file=sys.stderr)

    def wait() -> None:
        print("another import into this registry is running: waiting for it to end | "
              "Đang có một lượt nhập khác vào cơ sở dữ liệu này: chờ lượt đó kết thúc", file=sys.stderr)

    with open_store(args.db) as store:
        rep = import_file(store, args.file, mapping=mapping or None, on_progress=show, on_reject=reject,
                          workers=args.workers, on_wait=wait)
    if show:
        print(file=sys.stderr)
    print(rep.summary())
    return 1 if rep.rejected else 0


def cmd_synth(args: argparse.Namespace) -> int:
    from cardkit.registry.synth import Synth, write_csv

    if args.count < 0:
        raise InputError("--count must be >= 0", message_vi="--count phải >= 0")
    n = write_csv(args.out, Synth(args.seed).rows(args.count, dirty=args.dirty, broken=args.broken))
    print(f"{n} synthetic residents written to {args.out}")
    return 0


def cmd_match(args: argparse.Namespace) -> int:
    from cardkit.idnumber import validate_cmnd, validate_id
    from cardkit.registry.match import match
    from cardkit.registry.store import open_store

    if args.name and not args.dob:
        raise InputError("--name needs --dob", message_vi="Tìm theo tên cần kèm ngày sinh (--dob)")
    idn = validate_id(args.id) if args.id else None
    cmnd = None
    if args.cmnd:
        cmnd = "".join(args.cmnd.split())
        if len(cmnd) != 12:
            cmnd = validate_cmnd(cmnd)
    year_only = parse_year_only(args.dob)  # "1948": only the year is known
    dob = year_only or (_date(args.dob) if args.dob else None)
    precision = DobPrecision.YEAR if year_only else DobPrecision.EXACT
    sex = Sex.parse(args.sex) if args.sex else None
    with open_store(args.db) as store:
        found = match(store, id_number=idn, cmnd=cmnd, name=args.name, dob=dob, sex=sex, limit=args.limit,
                      dob_precision=precision)
    if args.json:
        print(json.dumps({"candidates": [c.to_dict() for c in found]}, ensure_ascii=False, indent=2))
        return 0 if found else 1
    if not found:
        print("no match / không tìm thấy")
        return 1
    for c in found:
        r = c.resident
        print(f"{c.score:5.1f}  {r.id_number or '-':12}  {r.full_name}  {r.dob_text}  "
              f"{r.sex.value if r.sex else '-'}  [{'; '.join(c.reasons)}]")
    return 0


DISCREPANCY_COLUMNS = ("origin", "checkin_seq", "at", "record", "kind", "field", "severity", "source_a",
                       "value_a", "source_b", "value_b", "message_vi", "message_en")


def cmd_discrepancies(args: argparse.Namespace) -> int:
    from cardkit.exports import write_table
    from cardkit.registry.discrepancies import sweep
    from cardkit.registry.journal import Journal
    from cardkit.registry.store import open_store

    today = _date(args.today) if args.today else date.today()

    def rows(store) -> Iterator[dict]:
        if args.source in ("journal", "both"):
            for rec in Journal(store).list():
                for d in rec.discrepancies:
                    yield {**d, "origin": "journal", "checkin_seq": rec.seq, "at": rec.at.isoformat(),
                           "record": rec.matched_key or rec.id_number or rec.old_id_number}
        if args.source in ("registry", "both"):
            for r in store.iter_residents():
                for d in sweep(r, today=today):
                    yield {**d.to_dict(), "origin": "registry", "record": r.key}

    with open_store(args.db) as store:
        n = write_table(args.out, DISCREPANCY_COLUMNS, rows(store))
    print(f"{n} discrepancies written to {args.out}")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("registry", help="residents registry: import, synth, match, discrepancies")
    sub = p.add_subparsers(dest="registry_command", metavar="ACTION")
    sub.required = True

    q = sub.add_parser("import", help="import residents from CSV or XLSX (upsert by ID)")
    q.add_argument("file")
    q.add_argument("--db", help=DB_HELP)
    q.add_argument("--map", action="append", metavar="FIELD=HEADER", help="read FIELD from column HEADER")
    q.add_argument("--no-progress", action="store_true")
    q.add_argument("--workers", type=int, metavar="N",
                   help="CSV parser processes (default: one per core for files over 16 MB; 0: parse here)")
    q.set_defaults(func=cmd_import)

    q = sub.add_parser("synth", help="write synthetic residents (with dirty rows) to a CSV file")
    q.add_argument("--count", type=int, required=True)
    q.add_argument("--out", required=True)
    q.add_argument("--seed", type=int, default=0)
    q.add_argument("--dirty", type=float, default=0.05, help="share of defective but valid rows")
    q.add_argument("--broken", type=float, default=0.0, help="share of invalid rows (rejected on import)")
    q.set_defaults(func=cmd_synth)

    q = sub.add_parser("match", help="find a resident by ID, old CMND, or name + date of birth")
    q.add_argument("--db", help=DB_HELP)
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("--id", help="12-digit personal ID number")
    g.add_argument("--cmnd", help="old 9-digit CMND number")
    g.add_argument("--name", help="full name (with or without diacritics)")
    q.add_argument("--dob", help="date of birth YYYY-MM-DD, or the year alone (YYYY) when only the year is known")
    q.add_argument("--sex", help="Nam/Nữ/M/F")
    q.add_argument("--limit", type=int, default=10)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_match)

    q = sub.add_parser("discrepancies", help="export discrepancies (journal and/or registry sweep) to CSV or XLSX")
    q.add_argument("--db", help=DB_HELP)
    q.add_argument("--out", required=True, help="CSV file (XLSX when it ends in .xlsx), written 0600; "
                                                "cells that would start a formula get a leading '")
    q.add_argument("--source", choices=("journal", "registry", "both"), default="both")
    q.add_argument("--today", help="reference date for expiry checks (default: today)")
    q.set_defaults(func=cmd_discrepancies)


def cmd_bench(args: argparse.Namespace) -> int:
    from cardkit.registry.bench import run

    result = run(args.rows, url=args.db, queries=args.queries, seed=args.seed, workdir=args.workdir,
                 reuse_db=args.reuse_db, progress=_progress_bar(sys.stderr.isatty() and not args.json))
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:20} {v}")
    return 0


def cmd_bench_match(args: argparse.Namespace) -> int:
    from cardkit.registry.matcheval import run

    result = run(args.rows, args.per_class, seed=args.seed, url=args.db)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"rows {result['rows']}  queries {result['queries']}  seed {result['seed']}  "
          f"query p50 {result['query_ms_p50']} ms  p99 {result['query_ms_p99']} ms")
    for kind, rate in result["rank1"].items():
        print(f"{kind:20} rank-1 {rate:7.2%}  of {result['decidable'][kind]:5}  "
              f"(ambiguous, not counted: {result['ambiguous'][kind]})")
    print(f"{'exact_marks':20} ranked first as an exact-marks match: {result['exact_marks_kind_exact']:.2%}")
    return 0


def register_bench(bench_subparsers) -> None:
    q = bench_subparsers.add_parser("match", help="matcher rank-1 per variant class on a hard synthetic registry")
    q.add_argument("--rows", type=int, default=200_000)
    q.add_argument("--per-class", type=int, default=200, help="queries per variant class")
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("--db", help="an EMPTY store to fill (default: SQLite in memory)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_bench_match)

    q = bench_subparsers.add_parser("registry", help="registry import rate and lookup latency")
    q.add_argument("--rows", type=int, required=True)
    q.add_argument("--db", help="database URL (PostgreSQL: a schema cardkit_bench is recreated)")
    q.add_argument("--queries", type=int, default=1000)
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("--workdir", help="where the synthetic CSV and SQLite file go (default: /tmp/cardkit-bench)")
    q.add_argument("--reuse-db", action="store_true",
                   help="SQLite: query the existing bench file of this size instead of re-importing it")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_bench)
