# SPDX-License-Identifier: Apache-2.0
"""`cardkit` command line: thin argument parsing over the library.

Each command group lives in its own module of this package and exposes
``register(subparsers)`` (optional), which adds its parser(s) and sets ``func`` (a callable taking the
parsed ``argparse.Namespace`` and returning an exit status). A module may also expose
``register_bench(bench_subparsers)`` to add a ``cardkit bench NAME`` subcommand.

Errors of the library (:class:`cardkit.errors.CardkitError`) end the command with a one-line
reason and a non-zero status; a traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from cardkit.errors import CardkitError

# Command modules, in help order. Add yours here.
COMMAND_MODULES = [
    "readers",
    "read",
    "verify",
    "trust",
    "sim",
    "qr",
    "registry",
    "journal",
    "agent",
    "bench_pace",
    "bench_read",
    "bench_agent",
]


def _modules():
    for name in COMMAND_MODULES:
        yield importlib.import_module(f"cardkit.cli.{name}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cardkit", description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument(
        "--traffic", action="store_true", help="log raw APDUs (contains personal data: use with care)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    bench = sub.add_parser("bench", help="measure speed (medians of several runs)")
    bench_sub = bench.add_subparsers(dest="bench", metavar="WHAT")
    bench_sub.required = True
    for mod in _modules():
        if hasattr(mod, "register"):
            mod.register(sub)
        if hasattr(mod, "register_bench"):
            mod.register_bench(bench_sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from cardkit.log import setup_logging

    setup_logging(debug=args.debug, traffic=args.traffic)
    try:
        return int(args.func(args) or 0)
    except CardkitError as exc:
        if args.debug:
            raise
        print(f"cardkit: error: {exc} | {exc.message_vi}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
