# SPDX-License-Identifier: Apache-2.0
"""Station fixtures: personalised cards (from a session test PKI), a trust store, a temp SQLite
registry holding the card's person, a fixed clock and fixed check-in ids (no nondeterminism)."""

from __future__ import annotations

import asyncio
import functools
import inspect
import itertools
from datetime import date, datetime, timedelta, timezone

import pytest

from cardkit.icao.pa.trust import TrustStore
from cardkit.registry.row import Resident
from cardkit.registry.store import open_store
from cardkit.sim.factory import make_card
from cardkit.sim.issuer import personalise
from cardkit.sim.pki import TestPki, write_trust
from cardkit.sim.population import person
from cardkit.station.config import StationConfig
from cardkit.transport.sources import InProcessCardSource
from cardkit.trustdir import load_trust_store
from cardkit.tui.app import StationApp

VN = timezone(timedelta(hours=7))
FIXED_NOW = datetime(2025, 7, 1, 9, 30, tzinfo=VN)
PERSON_KEY = "nguyen-van-an"


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run ``async def`` tests in a fresh event loop (no pytest-asyncio needed)."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> TestPki:
    return TestPki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def trust(pki, tmp_path_factory) -> TrustStore:
    folder = tmp_path_factory.mktemp("trust")
    write_trust(pki, folder)
    return load_trust_store(folder)


@pytest.fixture(scope="session")
def holder():
    return person(PERSON_KEY).data()


@pytest.fixture(scope="session")
def card_images(pki, holder):
    """``card_images(*faults)``: the holder's card with personalisation faults, built once."""
    return functools.lru_cache(maxsize=None)(
        lambda *faults: personalise(holder, pki=pki, seed=1, faults=faults))


@pytest.fixture
def resident(holder):
    def make(**changes):
        base = dict(id_number=holder.id_number, old_id_number=holder.old_id_number, full_name=holder.full_name,
                    date_of_birth=holder.date_of_birth, sex=holder.sex, residence=holder.residence,
                    insurance_code="DN4010123456789", insurance_valid_from=date(2025, 1, 1),
                    insurance_valid_to=date(2025, 12, 31), insurance_facility="Bệnh viện Bạch Mai")
        base.update(changes)
        return Resident(**base)
    return make


@pytest.fixture
def registry_url(tmp_path, resident):
    url = str(tmp_path / "registry.sqlite3")
    with open_store(url) as s:
        s.upsert([resident()], now=FIXED_NOW)
    return url


@pytest.fixture
def station(registry_url, trust):
    """``station(mode=..., registry=..., image=...)`` -> (app, source)."""

    def make(*, mode: str = "clinic", language: str = "vi", url: str | None = None, **kw):
        ids = (f"00000000-0000-4000-8000-{n:012d}" for n in itertools.count(1))
        config = StationConfig(mode=mode, language=language, operator="Lan", station="quay-1",
                               registry_url=url or registry_url, trust_path="")
        source = InProcessCardSource()
        app = StationApp(source=source, config=config, registry=functools.partial(open_store, url or registry_url),
                         trust=trust, clock=lambda: FIXED_NOW, new_id=lambda: next(ids), poll_interval=0.02, **kw)
        return app, source

    return make


@pytest.fixture
def until():
    """``await until(pilot, predicate)``: let the app run until ``predicate()`` holds."""
    return wait_for


@pytest.fixture
def sim_card():
    """``sim_card(image, *runtime_faults)`` -> a live simulated chip."""
    return card


async def wait_for(pilot, predicate, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met in {timeout}s; status: {pilot.app.status}")
        await pilot.pause(0.05)


def card(image, *faults):
    return make_card(image, list(faults))
