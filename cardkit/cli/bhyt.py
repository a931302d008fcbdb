# SPDX-License-Identifier: Apache-2.0
"""`cardkit bhyt check` (one BHYT lookup) and `cardkit bhyt stand-in` (the local stand-in of the
BHXH gateway, for demos and tests). ``check`` exits 0 for a usable card, 1 for a card the desk
must not accept as is, 2 when the lookup failed."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import date

from cardkit.errors import InputError

ACCOUNT_HELP = "gateway account file, 0600 TOML (default $CARDKIT_HOME/bhyt.toml)"


def _dob(text: str) -> str:
    t = text.strip()
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", t):
        try:
            return date.fromisoformat(t).strftime("%d/%m/%Y")
        except ValueError:
            pass
    elif re.fullmatch(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}|[0-9]{4}", t):
        parts = t.split("/")
        return t if len(parts) == 1 else f"{int(parts[0]):02d}/{int(parts[1]):02d}/{parts[2]}"
    raise InputError("--dob wants dd/mm/yyyy, yyyy-mm-dd or the year alone",
                     message_vi="--dob cần dạng dd/mm/yyyy, yyyy-mm-dd hoặc năm sinh.")


def _account(args: argparse.Namespace):
    from cardkit.insurance.settings import load_account
    from cardkit.station.config import cardkit_home

    path = args.account or str(cardkit_home() / "bhyt.toml")
    return load_account(path, host=args.host or "", username=args.user or "", password=args.password or "")


def cmd_check(args: argparse.Namespace) -> int:
    from cardkit.insurance.codes import ACTION_TEXT
    from cardkit.insurance.source import InsuranceQuery
    from cardkit.station.config import load_config

    station = load_config(args.config)
    query = InsuranceQuery(args.id or args.code, args.name, _dob(args.dob),
                           args.operator or station.operator, args.operator_id or station.operator_id)
    source = args.source or ("gateway" if args.host or args.user else station.insurance)
    if source == "registry":
        from cardkit.station.insurance import registry_source

        status = registry_source(station).check(query)
    else:
        client = _account(args).client(timeout=args.timeout)
        try:
            status = client.check(query)
        finally:
            client.close()
    outcome = status.outcome(date.today())
    if args.json:
        out = {"outcome": outcome.value, "meaning_vi": status.code.meaning_vi, "meaning_en": status.code.meaning_en,
               "action": status.code.action.value, **status.to_dict()}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return outcome.exit_status
    vi, en = ACTION_TEXT[status.code.action]
    print(f"{status.code.value} {status.code.meaning_en} | {status.code.meaning_vi} ({status.source})")
    print(f"desk: {outcome.value}: {en} | {vi}")
    fmt = lambda d: d.strftime("%d/%m/%Y") if d else ""  # noqa: E731
    rows = (("card", status.card_code), ("valid", f"{fmt(status.valid_from)} - {fmt(status.valid_to)}"
                                         if status.valid_from or status.valid_to else None),
            ("facility", status.facility_code), ("5 years", fmt(status.five_years) or None),
            ("new card", status.new_card and f"{status.new_card.code} {fmt(status.new_card.valid_from)} - "
                                             f"{fmt(status.new_card.valid_to)} {status.new_card.facility_code or ''}"))
    for label, value in rows:
        if value:
            print(f"  {label:9} {value}")
    return outcome.exit_status


def cmd_standin(args: argparse.Namespace) -> int:
    from cardkit.insurance.standin import DEFAULT_PASSWORD, DEFAULT_USER, StandIn, StandInState

    if bool(args.user) != bool(args.password):
        raise InputError("give --user and --password together", message_vi="Cần cả --user và --password.")
    state = StandInState(username=args.user or DEFAULT_USER, password=args.password or DEFAULT_PASSWORD)
    standin = StandIn(state, port=args.port).start()
    print(f"BHXH gateway stand-in (not the gateway) listening on {standin.url} for account {state.username!r}; "
          "Ctrl-C stops it", file=sys.stderr, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        standin.stop()


def register(subparsers) -> None:
    p = subparsers.add_parser("bhyt", help="health-insurance (BHYT) status from the BHXH gateway")
    sub = p.add_subparsers(dest="bhyt_command", metavar="ACTION")
    sub.required = True
    c = sub.add_parser("check", help="look one card up (exit 0 usable, 1 not as is, 2 lookup failed)")
    who = c.add_mutually_exclusive_group(required=True)
    who.add_argument("--id", help="12-digit ID number (accepted by the gateway in practice) or 10-digit BHXH number")
    who.add_argument("--code", help="15-character BHYT card code")
    c.add_argument("--name", required=True, help="full name as on the card")
    c.add_argument("--dob", required=True, help="date of birth: dd/mm/yyyy, yyyy-mm-dd or the year alone")
    c.add_argument("--host", help="gateway host URL (production or training); overrides the account file")
    c.add_argument("--user", help="gateway username; overrides the account file")
    c.add_argument("--password", help="gateway password; overrides the account file")
    c.add_argument("--account", metavar="FILE", help=ACCOUNT_HELP)
    c.add_argument("--operator", help="operator's name (hoTenCb; default: the station config's operator)")
    c.add_argument("--operator-id", help="operator's ID number (cccdCb; default: the station config's)")
    c.add_argument("--config", metavar="FILE", help="station config (default $CARDKIT_HOME/station.toml)")
    c.add_argument("--source", choices=("gateway", "registry"),
                   help="where to look (default: the station config's `insurance`; gateway when --host/--user given)")
    c.add_argument("--timeout", type=float, default=4.0, help="seconds per request (default 4)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_check)
    s = sub.add_parser("stand-in", help="run the local stand-in of the gateway on 127.0.0.1 (demos, tests)")
    s.add_argument("--port", type=int, default=8787, help="port on 127.0.0.1 (default 8787; 0 = any free port)")
    s.add_argument("--user", help=f"the one account it accepts (default {'standin'!r})")
    s.add_argument("--password", help="that account's password")
    s.set_defaults(func=cmd_standin)


def run_bench(args: argparse.Namespace) -> int:
    """Median time of one card check through the stand-in (HTTP on 127.0.0.1, token cached) and
    of converting one old address to current units (uncached)."""
    import statistics

    from cardkit.address.current import convert
    from cardkit.insurance.gateway import GatewayClient
    from cardkit.insurance.source import InsuranceQuery
    from cardkit.insurance.standin import DEFAULT_OPERATORS, DEFAULT_PASSWORD, DEFAULT_USER, StandIn

    op_id, op_name = next(iter(DEFAULT_OPERATORS.items()))
    query = InsuranceQuery("001090012345", "Nguyễn Văn An", "01/01/1990", op_name, op_id)
    with StandIn() as standin:
        client = GatewayClient(standin.url, DEFAULT_USER, DEFAULT_PASSWORD)
        client.check(query)
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            client.check(query)
            times.append(time.perf_counter() - t)
        client.close()
    convert.cache_clear()
    convert("Phường 1, Quận 3, Thành phố Hồ Chí Minh")  # loads the tables
    conv = []
    for i in range(args.runs):
        t = time.perf_counter()
        convert(f"Số {i} đường Lê Lợi, Phường 1, Thành phố Sóc Trăng, Tỉnh Sóc Trăng")
        conv.append(time.perf_counter() - t)
    out = {"runs": args.runs, "standin_check_ms": round(statistics.median(times) * 1000, 2),
           "address_convert_ms": round(statistics.median(conv) * 1000, 3)}
    print(json.dumps(out) if args.json else
          f"stand-in card check: {out['standin_check_ms']} ms median; old address -> current units: "
          f"{out['address_convert_ms']} ms median ({args.runs} runs)")
    return 0


def register_bench(bench) -> None:
    p = bench.add_parser("bhyt", help="one BHYT check through the stand-in, one address conversion")
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_bench)
