# SPDX-License-Identifier: Apache-2.0
"""``cardkit-station`` / ``python station_tui.py``: run the station from the config file, or the
self-contained demo (``--demo``)."""

from __future__ import annotations

import argparse
import functools
import logging
import sys

from cardkit.errors import CardkitError
from cardkit.extras import Extra, MissingExtraError, require

DESCRIPTION = """The desk station: read a CCCD / Căn cước chip card, verify it, match the registry
and journal the check-in. Settings live in $CARDKIT_HOME/station.toml (F2 in the app)."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="cardkit-station", description=DESCRIPTION)
    p.add_argument("--demo", action="store_true",
                   help="start pcscd if needed, serve a bundled virtual card, a synthetic registry and a demo "
                        "trust store under $CARDKIT_HOME/demo, then run the station on the virtual reader")
    p.add_argument("--config", metavar="FILE", help="station config file (default $CARDKIT_HOME/station.toml)")
    p.add_argument("--reader", help="PC/SC reader name (substring); overrides the config")
    p.add_argument("--registry", metavar="URL", help="registry: SQLite file or postgresql://...; overrides the config")
    p.add_argument("--trust", metavar="PATH", help="trust store folder or file; overrides the config")
    p.add_argument("--mode", choices=("clinic", "counter"), help="overrides the config")
    p.add_argument("--operator", help="operator name recorded in the journal; overrides the config")
    p.add_argument("--lang", choices=("vi", "en"), help="language (default Vietnamese)")
    p.add_argument("--agent", action="store_true",
                   help="run the desk agent (cardkit agent) inside the station, as agent = \"on\" in station.toml")
    p.add_argument("--agent-config", metavar="FILE", help="agent config (default $CARDKIT_HOME/agent.toml)")
    p.add_argument("--log", metavar="FILE", help="write a log file (no personal data at the default level)")
    return p.parse_args(argv)


def run(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        require(Extra.STATION)  # before anything imports Textual or the registry
    except MissingExtraError as exc:
        print(f"cardkit-station: error: {exc} | {exc.message_vi}", file=sys.stderr)
        return 2
    if args.log:
        logging.basicConfig(filename=args.log, level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from cardkit.station.config import load_config
    from cardkit.tui.photo import graphics_supported

    graphics = graphics_supported()  # before Textual takes the terminal
    demo = None
    try:
        config = load_config(args.config)
        overrides = {k: v for k, v in (("reader", args.reader), ("registry_url", args.registry),
                                       ("trust_path", args.trust), ("mode", args.mode),
                                       ("operator", args.operator), ("language", args.lang),
                                       ("agent", "on" if args.agent else "")) if v}
        if args.demo:
            from cardkit.tui.demo import Demo

            print("cardkit demo: preparing the virtual card, registry and trust store…", file=sys.stderr)
            demo = Demo().start()
            config = demo.config(config)
        config = config.with_(**overrides)
        station_app(args, config, demo, graphics).run()
    except CardkitError as exc:
        print(f"cardkit-station: {exc.message_vi} ({exc})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        if demo is not None:
            demo.stop()
    return 0


def station_app(args: argparse.Namespace, config, demo, graphics: bool):
    """The station on the configured PC/SC reader; hosting the desk agent when station.toml says so."""
    from cardkit.registry.store import open_store
    from cardkit.transport.sources import PcscCardSource
    from cardkit.trustdir import load_trust_store
    from cardkit.tui.app import StationApp

    agent = None
    if config.hosts_agent:
        require(Extra.AGENT)
        from cardkit.tui.agent_host import hosting_for

        agent = hosting_for(config, args.agent_config)
    return StationApp(source=PcscCardSource(config.reader), config=config,
                      registry=functools.partial(open_store, config.registry_url),
                      trust=load_trust_store(config.trust_path), config_path=args.config,
                      graphics=graphics and config.photo == "auto",
                      demo_qr=demo.qr_text if demo else None, demo_toggle=demo.toggle_card if demo else None,
                      agent=agent)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
