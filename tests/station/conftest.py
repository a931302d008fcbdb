# SPDX-License-Identifier: Apache-2.0
"""A verified read of the holder's card (built once from a session test PKI) for pipeline tests."""

from __future__ import annotations

import pytest

from cardkit.icao.keys import cccd_can
from cardkit.icao.reading import read_and_verify
from cardkit.icao.session import AccessSpec
from cardkit.sim.factory import make_card
from cardkit.sim.issuer import personalise
from cardkit.sim.pki import TestPki, write_trust
from cardkit.sim.population import person
from cardkit.transport.inproc import InProcessConnection
from cardkit.trustdir import load_trust_store


@pytest.fixture(scope="session")
def holder():
    return person("nguyen-van-an").data()


@pytest.fixture(scope="session")
def station_trust(tmp_path_factory):
    pki = TestPki(tmp_path_factory.mktemp("pki"))
    folder = tmp_path_factory.mktemp("trust")
    write_trust(pki, folder)
    return pki, load_trust_store(folder)


@pytest.fixture(scope="session")
def read_result(holder, station_trust):
    """``read_result(*faults)``: ReadResult of the holder's card with personalisation faults."""
    pki, trust = station_trust
    cache = {}

    def make(*faults):
        if faults not in cache:
            image = personalise(holder, pki=pki, seed=1, faults=faults)
            conn = InProcessConnection(make_card(image))
            cache[faults] = (read_and_verify(conn, AccessSpec(can=cccd_can(holder.id_number)), trust=trust), image)
        return cache[faults]

    return make
