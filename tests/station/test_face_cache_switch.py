# SPDX-License-Identifier: Apache-2.0
"""The station uses the face cache only when station.toml switches it on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cardkit.errors import InputError
from cardkit.icao.files import forget_learned
from cardkit.icao.keys import cccd_can
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.session import AccessSpec
from cardkit.sim.factory import make_card
from cardkit.sim.issuer import personalise
from cardkit.station.checkin import CheckInPipeline
from cardkit.station.config import StationConfig, load_config
from cardkit.transport.inproc import InProcessConnection

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_off_by_default():
    assert StationConfig().face_cache == "off"
    assert CheckInPipeline(StationConfig()).face_cache() is None


def test_the_switch_is_on_or_off_only():
    with pytest.raises(InputError, match="face_cache must be one of off, on"):
        StationConfig(face_cache="yes")
    with pytest.raises(InputError, match="face_cache_days must be a number >= 0"):
        StationConfig(face_cache_days="a month")


def test_on_in_station_toml_gives_the_home_cache_on_the_pipeline_clock(tmp_path, monkeypatch):
    monkeypatch.setenv("CARDKIT_HOME", str(tmp_path))
    (tmp_path / "station.toml").write_text('face_cache = "on"\nface_cache_days = "7"\n', "utf-8")
    cache = CheckInPipeline(load_config(), clock=lambda: AT).face_cache()
    assert cache is not None
    assert (cache.folder, cache.key_path) == (tmp_path / "face-cache", tmp_path / "face-cache.key")
    assert cache.limits.max_age == 7 * 86400 and cache.clock() == AT.timestamp()


def test_a_station_read_of_a_returning_card_uses_the_cache(holder, station_trust, tmp_path, monkeypatch):
    monkeypatch.setenv("CARDKIT_HOME", str(tmp_path))
    pki, trust = station_trust
    image = personalise(holder, pki=pki, seed=1)
    pipeline = CheckInPipeline(StationConfig(face_cache="on"), trust=trust, clock=lambda: AT)
    access = AccessSpec(can=cccd_can(holder.id_number))
    forget_learned()  # a block size another test's reader quirk taught this reader name would change the count
    first = pipeline.read(InProcessConnection(make_card(image)), access)
    second = pipeline.read(InProcessConnection(make_card(image)), access)
    assert (first.overall.value, first.read.from_cache) == ("VALID", ())
    assert (second.overall.value, second.read.from_cache) == ("VALID", (DataGroup.DG14, DataGroup.DG15, DataGroup.DG2))
    assert first.read.apdus - second.read.apdus == 4  # DG14, DG15 one READ each, DG2 two (extended length)
    assert pipeline.face_cache().status().entries == 3
