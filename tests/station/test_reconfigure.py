# SPDX-License-Identifier: Apache-2.0
"""Settings reach the pipeline and the card source through methods, not by assigning their fields."""

from __future__ import annotations

import functools

from cardkit.registry.store import open_store
from cardkit.station.checkin import CheckInPipeline
from cardkit.station.config import StationConfig
from cardkit.transport.sources import CardSource, InProcessCardSource, PcscCardSource


def test_reconfigure_replaces_only_what_changed(tmp_path):
    first = functools.partial(open_store, str(tmp_path / "a.sqlite3"))
    trust = object()
    p = CheckInPipeline(StationConfig(registry_url=str(tmp_path / "a.sqlite3")), first, trust)
    p.reconfigure(p.config.with_(operator="Lan"))
    assert (p.config.operator, p.registry, p.trust) == ("Lan", first, trust)
    p.reconfigure(p.config.with_(registry_url=str(tmp_path / "b.sqlite3"), trust_path=str(tmp_path / "t")))
    assert p.registry.args == (str(tmp_path / "b.sqlite3"),) and p.trust is None
    with p.store() as store:
        assert store.count() == 0
    assert (tmp_path / "b.sqlite3").exists() and not (tmp_path / "a.sqlite3").exists()


def test_sources_share_one_interface_and_choose_a_reader():
    pcsc, fake = PcscCardSource("ACS"), InProcessCardSource(name="slot")
    assert isinstance(pcsc, CardSource) and isinstance(fake, CardSource)
    pcsc.choose("Virtual PCD")
    assert pcsc.wanted == "Virtual PCD"
    fake.choose("anything")  # one slot: nothing to choose, and nothing changes
    assert (fake.name, fake.card_present(), fake.readers()) == ("slot", False, ["slot"])
