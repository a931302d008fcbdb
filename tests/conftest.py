# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures: a minimal card image, and pcscd + vpcd really started for end-to-end tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import SHARED, ServedCard, minimal_image

from cardkit.sim.image import CardImage


@pytest.fixture(scope="session", autouse=True)
def _cardkit_home(tmp_path_factory):
    """Tests never touch ~/.local/share/cardkit: one CARDKIT_HOME for the session (the
    simulator's PKI and card cache are built there once)."""
    home = tmp_path_factory.mktemp("cardkit-home")
    old = os.environ.get("CARDKIT_HOME")
    os.environ["CARDKIT_HOME"] = str(home)
    yield home
    if old is None:
        os.environ.pop("CARDKIT_HOME", None)
    else:
        os.environ["CARDKIT_HOME"] = old


@pytest.fixture(autouse=True)
def _fresh_reader_limits():
    """What a reader carries (extended length, block size) is learned once per reader name + ATR
    and remembered for the process (``cardkit.icao.files``): every test starts without that
    memory, so a quirky reader of one test cannot change the APDUs another test counts."""
    from cardkit.icao.files import forget_learned

    forget_learned()
    yield


@pytest.fixture(scope="session")
def conformance() -> Path:
    """../shared/conformance: real published samples, read in place and never copied."""
    path = SHARED / "conformance"
    if not path.is_dir():
        pytest.fail(f"conformance samples not found at {path} (set CARDKIT_SHARED): the conformance tests "
                    "must run, not skip")
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
        pytest.fail("pcscd is not installed: run scripts/setup.sh (it installs pcscd vsmartcard-vpcd)")
    from cardkit.sim.pcscd import Pcscd

    daemon = Pcscd().start()
    yield daemon
    daemon.stop()


@pytest.fixture
def serve_card(pcscd):
    """``with serve_card(card, slot=0) as served: ...`` serves a SimCard to pcscd."""
    return ServedCard
