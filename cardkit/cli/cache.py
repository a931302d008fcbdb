# SPDX-License-Identifier: Apache-2.0
"""`cardkit cache status|wipe`: the station's face cache (:mod:`cardkit.facecache`).

``status`` shows how many faces are kept and how many bytes, never whose; ``wipe`` deletes every
entry and the station key (what a copy of the folder held can no longer be decrypted).
"""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cache", help="the face cache of returning cards (status, wipe)", description=__doc__)
    what = p.add_subparsers(dest="cache_command", metavar="ACTION")
    what.required = True
    status = what.add_parser("status", help="entries and bytes kept (no personal data)")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=run_status)
    wipe = what.add_parser("wipe", help="delete every cached face and the station key")
    wipe.set_defaults(func=run_wipe)


def run_status(args: argparse.Namespace) -> int:
    from cardkit.facecache import FileFaceCache

    st = FileFaceCache().status()
    if args.json:
        print(json.dumps(st.to_dict(), indent=2))
    else:
        print(f"face cache {st.folder}: {st.entries} entries, {st.bytes} bytes "
              f"(at most {st.max_entries} entries, {st.max_bytes} bytes, {st.max_age_days:g} days); "
              f"station key {'present' if st.key_present else 'absent'}")
    return 0


def run_wipe(args: argparse.Namespace) -> int:
    from cardkit.facecache import FileFaceCache

    count = FileFaceCache().wipe()
    print(f"face cache wiped: {count} entries and the station key deleted")
    return 0
