# SPDX-License-Identifier: Apache-2.0
"""The BHXH stand-in on 127.0.0.1 (any free port) with an injected clock, and a client of it."""

from __future__ import annotations

import itertools

import pytest
from bhyt_support import Clock

from cardkit.insurance.gateway import GatewayClient
from cardkit.insurance.standin import StandIn, StandInState


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def standin(clock):
    counter = itertools.count(1)
    state = StandInState(clock=clock, new_token=lambda: f"tok{next(counter)}")
    with StandIn(state) as s:
        yield s


@pytest.fixture
def client(standin, clock):
    c = GatewayClient(standin.url, "standin", "standin-password", clock=clock, timeout=2.0, name="stand-in")
    yield c
    c.close()

