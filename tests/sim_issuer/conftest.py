# SPDX-License-Identifier: Apache-2.0
"""A test PKI built once per session in a temporary folder, and a trust store trusting it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cardkit.icao.pa.trust import TrustStore
from cardkit.sim.pki import TestPki
from cardkit.trustdir import load_trust_store

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> TestPki:
    return TestPki(tmp_path_factory.mktemp("sim-pki"), seed=7)


@pytest.fixture(scope="session")
def trust(pki, tmp_path_factory) -> TrustStore:
    folder = tmp_path_factory.mktemp("trust")
    pki.write_trust(folder)
    return load_trust_store(folder)


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    """Never write the developer's ~/.local/share/cardkit from tests."""
    monkeypatch.setenv("CARDKIT_HOME", str(tmp_path / "home"))


def data_groups(image) -> dict[int, bytes]:
    return {fid & 0xFF: data for fid, data in image.app_files.items() if 0x0101 <= fid <= 0x0110}
