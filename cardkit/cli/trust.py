# SPDX-License-Identifier: Apache-2.0
"""`cardkit trust import FILE...` and `cardkit trust list`: manage the CSCA trust store."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cardkit.icao.pa.trust import ImportKind
from cardkit.trustdir import default_trust_dir, import_trust_files, load_trust_store


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("trust", help="manage trusted CSCA certificates, master lists and CRLs")
    sub = p.add_subparsers(dest="trust_command", metavar="ACTION")
    sub.required = True
    imp = sub.add_parser("import", help="add CSCA certificates (DER/PEM), master lists (.ml) or CRLs",
                         description="Master lists are added only when their own signature verifies and "
                                     "their signer chains to a CSCA in the list or the store.")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imp.add_argument("--trust", type=Path, default=None, help=f"trust store directory (default {default_trust_dir()})")
    imp.set_defaults(func=run_import)
    lst = sub.add_parser("list", help="list trusted CSCA certificates")
    lst.add_argument("--trust", type=Path, default=None, help=f"trust store directory (default {default_trust_dir()})")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=run_list)


def run_import(args: argparse.Namespace) -> int:
    directory = args.trust or default_trust_dir()
    store, results = import_trust_files(directory, args.files)
    failed = 0
    for r in results:
        if r.kind is ImportKind.REJECTED:
            failed += 1
            print(f"rejected  {r.file}: {r.reason}", file=sys.stderr)
        else:
            print(f"{r.kind:<12} {r.file}: {r.reason}")
    print(f"trust store {directory}: {store.summary()}")
    return 1 if failed else 0


def run_list(args: argparse.Namespace) -> int:
    store = load_trust_store(args.trust)
    rows = [a.to_dict() for a in store.anchors]
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for r in rows:
        print(f"{r['country'] or '--'}  {r['not_after'][:10]}  {r['key']:<42} {r['subject']}  [{r['source']}]")
    print(f"{len(rows)} certificates")
    return 0
