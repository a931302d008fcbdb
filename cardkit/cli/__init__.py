# SPDX-License-Identifier: Apache-2.0
"""`cardkit` command line: thin argument parsing over the library.

Each command group lives in its own module of this package and exposes
``register(subparsers)`` (optional), which adds its parser(s) and sets ``func`` (a callable taking the
parsed ``argparse.Namespace`` and returning an exit status). A module may also expose
``register_bench(bench_subparsers)`` to add a ``cardkit bench NAME`` subcommand.

Errors of the library (:class:`cardkit.errors.CardkitError`) end the command with a one-line
reason (English | Vietnamese) and status 2; so do a file that cannot be read or written
(:class:`OSError`) and, as a last resort, any other exception: a crash never exits with a
verdict's status (``cardkit verify``: 1 is INVALID). A traceback is shown only with ``--debug``.
SIGTERM ends a command as Ctrl+C does, through its ``finally`` blocks (scratch files are removed).
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys

from cardkit.errors import CardkitError, FileAccessError

# Command modules, in help order. Add yours here, and to COMMANDS / BENCH_MODULES.
COMMAND_MODULES = [
    "readers",
    "read",
    "cache",
    "verify",
    "trust",
    "sim",
    "qr",
    "registry",
    "journal",
    "bhyt",
    "agent",
    "bench_pace",
    "bench_read",
    "bench_agent",
]
# Each top-level command is registered by the module of its name; BENCH_MODULES add a `cardkit
# bench NAME`. `cardkit read ...` imports the read module alone, not every command's libraries.
COMMANDS = [name for name in COMMAND_MODULES if not name.startswith("bench_")]
BENCH_MODULES = ["verify", "registry", "bhyt", "bench_pace", "bench_read", "bench_agent"]
_GLOBAL_FLAGS = {"--debug", "--traffic"}


def _modules(argv: list[str] | None = None):
    """The command modules the arguments need: the named command's, the bench modules for
    `cardkit bench`, every module for help, an unknown command or none."""
    words = [w for w in (sys.argv[1:] if argv is None else argv) if w not in _GLOBAL_FLAGS]
    first = words[0] if words else None
    names = BENCH_MODULES if first == "bench" else [first] if first in COMMANDS else COMMAND_MODULES
    for name in names:
        yield importlib.import_module(f"cardkit.cli.{name}")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
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
    for mod in _modules(argv):
        if hasattr(mod, "register"):
            mod.register(sub)
        if hasattr(mod, "register_bench"):
            mod.register_bench(bench_sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    from cardkit.log import setup_logging

    setup_logging(debug=args.debug, traffic=args.traffic)
    previous = _exit_on_sigterm()
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        return 0
    except CardkitError as exc:
        if args.debug:
            raise
        return _error(exc)
    except OSError as exc:
        if args.debug:
            raise
        if exc.filename is None:  # not about a file: a socket, a device
            return _error(CardkitError(f"system error: {exc.strerror or type(exc).__name__}",
                                       message_vi="Lỗi hệ thống của máy."))
        return _error(FileAccessError.of(exc, exc.filename, writing=None))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: one line and status 2, never a traceback
        if args.debug:
            raise
        return _error(CardkitError(f"internal error ({type(exc).__name__}); --debug shows the details",
                                   message_vi="Lỗi nội bộ của cardkit; chạy lại với --debug để xem chi tiết."))
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _error(exc: CardkitError) -> int:
    print(f"cardkit: error: {exc} | {exc.message_vi}", file=sys.stderr)
    return 2


def _terminate(signum, frame) -> None:
    raise SystemExit(128 + signum)


def _exit_on_sigterm():
    """SIGTERM raises SystemExit (so ``finally`` blocks run); the previous handler, or None
    when not in the main thread (signals can only be set there)."""
    try:
        return signal.signal(signal.SIGTERM, _terminate)
    except ValueError:
        return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
