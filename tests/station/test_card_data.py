# SPDX-License-Identifier: Apache-2.0
"""Each data group of a read is parsed once, on first use, and shared (holder, face, issuing state)."""

from __future__ import annotations

from cardkit.icao import card_data
from cardkit.icao.card_data import CardData, face_of_dg2, holder_of_dg13
from cardkit.icao.lds.dg2 import parse_dg2
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.reading import ReadResult
from cardkit.station.checkin import CheckInPipeline
from cardkit.station.config import StationConfig


def _counting(monkeypatch, name):
    calls = []
    real = getattr(card_data, name)
    monkeypatch.setattr(card_data, name, lambda data: calls.append(len(data)) or real(data))
    return calls


def test_holder_face_and_issuing_state_are_parsed_once_per_read(read_result, holder, monkeypatch):
    done, _ = read_result()
    fresh = ReadResult(done.read, done.verdicts, done.overall, done.pa, done.findings, done.required, done.policy)
    dg13, dg2, dg1 = (_counting(monkeypatch, n) for n in ("parse_dg13", "parse_dg2", "parse_dg1"))
    checkin = CheckInPipeline(StationConfig(), None).evaluate(fresh)
    fresh.to_dict()
    assert fresh.holder() == holder and checkin.chip == holder
    assert fresh.face == parse_dg2(done.read.files[DataGroup.DG2]).face.data == checkin.face
    assert checkin.receipt["issuing_state"] == "VNM"
    assert (len(dg13), len(dg2), len(dg1)) == (1, 1, 1)


def test_unparseable_groups_give_none_and_no_dg1_fallback(read_result):
    done, _ = read_result()
    files = dict(done.read.files)
    broken = {**files, DataGroup.DG13: b"\x6d\x03\x01\x02", DataGroup.DG2: b"\x75\x01"}
    data = CardData(broken)
    assert (data.dg13, data.holder, data.dg2, data.face) == (None, None, None, None)
    assert data.issuing_state == "VNM"  # DG1 still parses
    assert CardData({DataGroup.DG1: files[DataGroup.DG1]}).holder.id_number == done.holder().id_number
    assert holder_of_dg13(broken[DataGroup.DG13]) is None and face_of_dg2(broken[DataGroup.DG2]) is None
    assert holder_of_dg13(files[DataGroup.DG13]) == done.holder() and face_of_dg2(None) is None
