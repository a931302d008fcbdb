# SPDX-License-Identifier: Apache-2.0
"""`cardkit agent`: the desk agent, a local HTTP/WebSocket service on 127.0.0.1 for web HIS software.

    cardkit agent [--port 8765] [--demo]      serve (card, registry, trust store from station.toml)
    cardkit agent pair ORIGIN [--allow]       approve a web origin: prints its token (shown once)
    cardkit agent revoke ORIGIN|PAIRING_ID    revoke its pairing(s)
    cardkit agent pairings [--json]           list pairings (never the tokens)
"""

from __future__ import annotations

import argparse
import functools
import json
import sys

from cardkit.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("agent", help="local HTTP/WebSocket service for web HIS software", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, help="port on 127.0.0.1 (default: agent.toml, else 8765)")
    p.add_argument("--demo", action="store_true",
                   help="serve the bundled virtual card through pcscd with a demo registry and trust store, "
                        "and pair the agent's own demo page")
    p.add_argument("--config", metavar="FILE", help="station config (default $CARDKIT_HOME/station.toml)")
    p.add_argument("--agent-config", metavar="FILE", help="agent config (default $CARDKIT_HOME/agent.toml)")
    p.add_argument("--reader", help="PC/SC reader name (substring); overrides the config")
    p.add_argument("--registry", metavar="URL", help="SQLite file or postgresql://...; overrides the config")
    p.add_argument("--trust", metavar="PATH", help="trust store folder; overrides the config")
    p.set_defaults(func=serve)
    cmds = p.add_subparsers(dest="agent_command", metavar="SUBCOMMAND")
    pair = cmds.add_parser("pair", help="approve a web origin (or app:NAME for a program) and print its token")
    pair.add_argument("origin", help="scheme://host[:port] of the HIS page, or app:NAME")
    pair.add_argument("--allow", action="store_true", help="also add the origin to agent.toml's allowed_origins")
    pair.add_argument("--agent-config", metavar="FILE")
    pair.set_defaults(func=cmd_pair)
    revoke = cmds.add_parser("revoke", help="revoke the pairing(s) of an origin, or one pairing by id")
    revoke.add_argument("what", help="origin or pairing id")
    revoke.set_defaults(func=cmd_revoke)
    ls = cmds.add_parser("pairings", help="list pairings (origins, ids, dates; never tokens)")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_pairings)


def cmd_pair(args: argparse.Namespace) -> int:
    from cardkit.agent.config import load_agent_config, save_agent_config
    from cardkit.agent.tokens import TokenStore

    config = load_agent_config(args.agent_config)
    pairing, token = TokenStore().pair(args.origin)
    if pairing.origin.startswith("app:"):
        pass  # a program sends no Origin: the token alone identifies it
    elif args.allow and pairing.origin not in config.allowed_origins:
        save_agent_config(config.allowing(pairing.origin), args.agent_config)
    elif pairing.origin not in config.allowed_origins:
        print(f"note: {pairing.origin} is not in allowed_origins of agent.toml; add it (or pair with --allow)",
              file=sys.stderr)
    print(f"paired {pairing.origin} (pairing {pairing.pairing_id}); token, shown once:", file=sys.stderr)
    print(token)
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from cardkit.agent.tokens import TokenStore

    gone = TokenStore().revoke(args.what)
    if not gone:
        raise InputError(f"no pairing matches {args.what!r}", message_vi="Không có ghép nối nào khớp.")
    for p in gone:
        print(f"revoked {p.origin} (pairing {p.pairing_id})")
    return 0


def cmd_pairings(args: argparse.Namespace) -> int:
    from cardkit.agent.tokens import TokenStore

    items = [p.public() for p in TokenStore().pairings()]
    if args.json:
        print(json.dumps(items, indent=2))
    for p in [] if args.json else items:
        print(f"{p['pairing_id']}  {p['created']}  {p['origin']}")
    return 0


def _station(args: argparse.Namespace):
    from cardkit.station.config import load_config

    config = load_config(args.config)
    overrides = {k: v for k, v in (("reader", args.reader), ("registry_url", args.registry),
                                   ("trust_path", args.trust)) if v}
    return config, overrides


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from cardkit.agent.app import build_app
    from cardkit.agent.config import load_agent_config
    from cardkit.agent.faces import FaceCache
    from cardkit.agent.owner import ReaderOwner
    from cardkit.agent.sources import PcscSource
    from cardkit.agent.tokens import TokenStore
    from cardkit.registry.store import open_store
    from cardkit.trustdir import load_trust_store

    config = load_agent_config(args.agent_config)
    if args.port is not None:
        config = config.with_(port=args.port)
    station, overrides = _station(args)
    demo = None
    try:
        if args.demo:
            from cardkit.tui.demo import Demo

            print("cardkit agent: preparing the virtual card, registry and trust store…", file=sys.stderr)
            demo = Demo().start()
            station = demo.config(station)
        station = station.with_(**overrides)
        owner = ReaderOwner(PcscSource(station.reader), station, functools.partial(open_store, station.registry_url),
                            load_trust_store(station.trust_path), faces=FaceCache(max_age=config.face_max_age))
        tokens = TokenStore()
        base = f"http://127.0.0.1:{config.port}"
        print(f"cardkit agent: listening on {base} (API {base}/v1/openapi.json)", file=sys.stderr)
        if demo is not None:
            tokens.revoke(base)
            _, token = tokens.pair(base)
            print(f"cardkit agent: open the demo page {base}/demo#token={token}&key={demo.image.meta['id']}",
                  file=sys.stderr)
        server = uvicorn.Server(uvicorn.Config(build_app(owner, config, tokens), host=config.host, port=config.port,
                                               access_log=False, log_level="warning", ws="websockets-sansio",
                                               lifespan="on"))
        server.run()
    finally:
        if demo is not None:
            demo.stop()
    return 0
