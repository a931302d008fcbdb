# SPDX-License-Identifier: Apache-2.0
"""Agents over in-process virtual cards (Starlette TestClient), with a SQLite registry that
knows the bundled demo holder (insured), the simulator's test trust store and a pairing."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pytest
from agent_support import BASE, HIS, OTHER, PORT
from starlette.testclient import TestClient

from cardkit.agent.app import build_app
from cardkit.agent.config import AgentConfig
from cardkit.agent.owner import ReaderOwner
from cardkit.agent.pairing import PairingDesk
from cardkit.agent.security import RateLimiter
from cardkit.agent.sources import InProcessSource
from cardkit.agent.tokens import TokenStore
from cardkit.person import PersonData
from cardkit.registry.store import open_store
from cardkit.sim.factory import make_card
from cardkit.sim.pki import TestPki
from cardkit.sim.population import builtin_card
from cardkit.station.config import StationConfig
from cardkit.trustdir import load_trust_store


@pytest.fixture(scope="session")
def image():
    return builtin_card()


@pytest.fixture(scope="session")
def holder(image) -> PersonData:
    return PersonData.from_dict(image.meta["person"])


@pytest.fixture(scope="session")
def trust_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("agent-trust")
    TestPki().write_trust(folder)
    return folder


@pytest.fixture(scope="session")
def registry_template(tmp_path_factory, holder) -> Path:
    from cardkit.tui.demo import demo_resident

    path = tmp_path_factory.mktemp("agent-registry") / "registry.sqlite3"
    with open_store(str(path)) as store:
        store.upsert([demo_resident(holder)])
    return path


@dataclass
class Agent:
    client: TestClient
    owner: ReaderOwner
    tokens: TokenStore
    token: str
    source: InProcessSource
    registry_url: str
    pairing: PairingDesk | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Origin": HIS}

    def journal(self):
        from cardkit.registry.journal import Journal

        with open_store(self.registry_url) as store:
            return Journal(store).list()


@pytest.fixture
def make_agent(tmp_path, image, trust_dir, registry_template):
    """``make_agent(card=..., faults=(), limiter=..., faces=..., approver=..., **config)`` -> a started
    :class:`Agent` (``approver``: who answers ``POST /v1/pair/request``; none: the CLI pairs)."""
    started = []

    def make(*, card=None, faults=(), limiter=None, empty=False, faces=None, approver=None, **config) -> Agent:
        registry = tmp_path / f"registry-{len(started)}.sqlite3"
        registry.write_bytes(registry_template.read_bytes())
        station = StationConfig(registry_url=str(registry), trust_path=str(trust_dir), station="desk-7",
                                operator="Lan")
        source = InProcessSource(None if empty else (card or make_card(image, list(faults))))
        owner = ReaderOwner(source, station, functools.partial(open_store, str(registry)),
                            load_trust_store(trust_dir), poll_interval=0.05, faces=faces)
        tokens = TokenStore(tmp_path / f"pairings-{len(started)}.json")
        _, token = tokens.pair(HIS)
        cfg = AgentConfig(port=PORT, allowed_origins=(HIS, OTHER), **config)
        pairing = PairingDesk(tokens, approver, timeout=cfg.pair_timeout) if approver is not None else None
        app = build_app(owner, cfg, tokens, limiter=limiter or RateLimiter(1000, 1000), pairing=pairing)
        client = TestClient(app, base_url=BASE)
        client.__enter__()
        agent = Agent(client, owner, tokens, token, source, str(registry), pairing)
        started.append(agent)
        return agent

    yield make
    for a in started:
        a.client.__exit__(None, None, None)


from registry.conftest import postgres_server  # noqa: E402,F401 - the one PostgreSQL the registry tests start
