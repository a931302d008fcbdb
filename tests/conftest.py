# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures: a minimal card image, and pcscd + vpcd really started for end-to-end tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import SHARED, ServedCard, minimal_image
from cardkit.sim.image import CardImage


@pytest.fixture(scope="session")
def conformance() -> Path:
    """../shared/conformance: real published samples, read in place and never copied."""
    path = SHARED / "conformance"
    if not path.is_dir():
        pytest.skip(f"conformance samples not found at {path} (set CARDKIT_SHARED)")
    return path


@pytest.fixture
def minimal_card_image() -> CardImage:
    return minimal_image()


@pytest.fixture
def make_minimal_image():
    return minimal_image


@pytest.fixture(scope="session")
def pcscd():
    """pcscd (pcsc-lite) with the vpcd driver, started here when not already running."""
    import shutil

    if not shutil.which("pcscd") and not Path("/usr/sbin/pcscd").exists():
        pytest.skip("pcscd is not installed (setup installs pcscd vsmartcard-vpcd)")
    from cardkit.sim.pcscd import Pcscd

    daemon = Pcscd().start()
    yield daemon
    daemon.stop()


@pytest.fixture
def serve_card(pcscd):
    """``with serve_card(card, slot=0) as served: ...`` serves a SimCard to pcscd."""
    return ServedCard
