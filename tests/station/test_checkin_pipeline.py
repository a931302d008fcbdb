# SPDX-License-Identifier: Apache-2.0
"""The check-in pipeline without any UI: merge, badges, match, discrepancies, journal, confirm."""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta, timezone

import pytest

from cardkit.icao.verdict import Status
from cardkit.person import PersonData
from cardkit.qr.payload import parse_payload
from cardkit.registry.journal import Journal
from cardkit.registry.row import Resident
from cardkit.registry.store import open_store
from cardkit.station.checkin import CheckInPipeline
from cardkit.station.config import StationConfig
from cardkit.station.identity import merge_identity

NOW = datetime(2025, 7, 1, 9, 30, tzinfo=timezone(timedelta(hours=7)))


def pipeline(url=None, **kw):
    config = StationConfig(operator="Lan", station="quay-1", mode="clinic")
    registry = functools.partial(open_store, url) if url else None
    return CheckInPipeline(config, registry, clock=lambda: NOW, **kw)


def resident(holder, **changes):
    base = dict(id_number=holder.id_number, old_id_number=holder.old_id_number, full_name=holder.full_name,
                date_of_birth=holder.date_of_birth, sex=holder.sex, residence=holder.residence,
                insurance_code="DN4010123456789", insurance_valid_from=date(2025, 1, 1),
                insurance_valid_to=date(2025, 12, 31), insurance_facility="Bệnh viện Bạch Mai")
    return Resident(**{**base, **changes})


@pytest.fixture
def url(tmp_path):
    return str(tmp_path / "registry.sqlite3")


def test_genuine_card_with_qr_and_exact_record_passes_every_badge_and_is_journaled(read_result, holder, url):
    with open_store(url) as s:
        s.upsert([resident(holder)])
    result, image = read_result()
    ci = pipeline(url).process(result, parse_payload(image.meta["qr"]))
    assert ci.overall is Status.VALID and ci.genuine
    assert {b.key: b.state.value for b in ci.summary.badges} == {
        "chip_authentic": "pass", "chip_not_cloned": "pass", "qr_agrees": "pass", "registry_match": "pass"}
    assert ci.match_outcome == "exact_id" and ci.insurance.status == "valid"
    assert ci.discrepancies == () and ci.face and ci.seq == 1
    with open_store(url) as s:
        (rec,) = Journal(s).list()
    assert rec.access_method == "PACE-CAN+QR" and rec.extra["identity"]["full_name"] == "Nguyễn Văn An"
    assert "face" not in rec.extra


def test_altered_dg13_is_never_genuine_and_listed_blocking(read_result):
    result, _ = read_result("altered-dg:13")
    ci = pipeline().evaluate(result)
    assert ci.overall is Status.INVALID and not ci.genuine
    assert ci.summary.chip_authentic.state.value == "fail"
    assert ci.discrepancies[0].kind == "chip_not_genuine" and ci.discrepancies[0].severity.value == "blocking"


def test_cloned_chip_fails_the_not_cloned_badge(read_result):
    result, _ = read_result("cloned")
    ci = pipeline().evaluate(result)
    aa = next(v for v in ci.verdicts if v.check == "active_authentication")
    assert aa.status is Status.INVALID
    assert ci.summary.chip_not_cloned.state.value == "fail"
    assert any(d.kind == "chip_cloned" for d in ci.discrepancies)


def test_qr_of_another_card_does_not_agree(read_result, holder):
    result, _ = read_result()
    other = PersonData(id_number="079190000001", full_name="Trần Thị B", date_of_birth=date(1990, 5, 5))
    ci = pipeline().evaluate(result, other)
    assert ci.summary.qr_agrees.state.value == "fail"
    assert ci.identity.full_name == "Nguyễn Văn An"  # the chip wins; the QR never overrides it


def test_without_registry_match_is_not_applicable(read_result):
    result, _ = read_result()
    ci = pipeline().process(result)
    assert ci.match_outcome == "no_registry" and ci.summary.registry_match.state.value == "na" and ci.seq is None


def test_fuzzy_candidate_is_offered_then_confirmed_and_journaled(read_result, holder, url):
    with open_store(url) as s:
        s.upsert([resident(holder, id_number=None, old_id_number="111111111", full_name="Nguyen Van An")])
    result, _ = read_result()
    p = pipeline(url)
    ci = p.process(result)
    assert ci.match_outcome == "candidates" and ci.candidates and ci.matched is None
    assert ci.summary.registry_match.state.value == "warn"
    assert any(d.kind == "record_unconfirmed" for d in ci.discrepancies)
    done = p.confirm(ci, ci.candidates[0])
    assert done.match_outcome == "candidate_confirmed" and done.seq == 2 and done.checkin_id != ci.checkin_id
    assert done.insurance.code == "DN4010123456789"
    assert not any(d.kind == "record_unconfirmed" for d in done.discrepancies)


def test_not_found_fails_registry_badge(read_result, url):
    open_store(url).close()
    result, _ = read_result()
    ci = pipeline(url).evaluate(result)
    assert ci.match_outcome == "not_found" and ci.summary.registry_match.state.value == "fail"
    assert ci.insurance.status == "unknown"


def test_merge_fills_only_what_the_chip_lacks():
    chip = PersonData(id_number="001090012345", full_name="Nguyễn Văn An")
    qr = PersonData(id_number="999999999999", full_name="X", old_id_number="013456789")
    merged = merge_identity(chip, qr)
    assert merged.id_number == "001090012345" and merged.full_name == "Nguyễn Văn An"
    assert merged.old_id_number == "013456789"
