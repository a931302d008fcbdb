# SPDX-License-Identifier: Apache-2.0
"""Every bundled person, in both profiles, read end to end through pcscd: overall VALID, and the
chip's DG13 and the printed QR state exactly the person record (diacritics included)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from cardkit.icao.keys import cccd_can
from cardkit.icao.pa.trust import TrustStore
from cardkit.icao.reading import read_and_verify
from cardkit.icao.session import AccessSpec
from cardkit.qr.payload import parse_payload
from cardkit.qr.pipeline import QrPipeline
from cardkit.sim.pki import TestPki
from cardkit.sim.population import builtin_card, persons
from cardkit.sim.printed import back_png, front_png
from cardkit.transport.pcsc import find_reader
from cardkit.trustdir import load_trust_store

pytestmark = [pytest.mark.pcscd, pytest.mark.slow]
PROFILES = ("cccd2021", "cancuoc2024")
CASES = [(p.key, profile) for p in persons() for profile in PROFILES]
CHIP_FIELDS = ("id_number", "old_id_number", "full_name", "date_of_birth", "sex", "nationality", "ethnicity",
               "religion", "place_of_origin", "residence", "issue_date", "expiry_date", "expiry_text",
               "father_name", "mother_name", "spouse_name")
QR_FIELDS = ("id_number", "old_id_number", "full_name", "date_of_birth", "sex", "residence", "issue_date")


@pytest.fixture(scope="module")
def trust(tmp_path_factory) -> TrustStore:
    folder = tmp_path_factory.mktemp("trust")
    TestPki().write_trust(folder)
    return load_trust_store(folder)


def test_population_is_broad_enough():
    people = persons()
    assert len(people) >= 12
    records = [p.data("cccd2021") for p in people]
    assert len({r.sex for r in records}) == 2
    assert any(r.expiry_text == "Không thời hạn" for r in records)
    assert any(len((r.residence or "").encode()) > 127 for r in records)
    assert any(r.old_id_number for r in records) and any(not r.old_id_number for r in records)
    assert any(r.spouse_name for r in records) and any(not r.spouse_name for r in records)


@pytest.mark.parametrize("key, profile", CASES, ids=[f"{k}-{p}" for k, p in CASES])
def test_person_reads_valid_through_pcscd(cardkit_reader, trust, key, profile):
    record = next(p for p in persons() if p.key == key).data(profile)
    reader = cardkit_reader(person=key, profile=profile)
    with find_reader(reader).connect() as conn:
        result = read_and_verify(conn, AccessSpec(can=cccd_can(record.id_number)), trust=trust)
    assert result.overall.value == "VALID", [v.to_dict() for v in result.verdicts]
    chip = result.holder()
    for field in CHIP_FIELDS:
        assert getattr(chip, field) == getattr(record, field), field


@pytest.mark.parametrize("key, profile", CASES, ids=[f"{k}-{p}" for k, p in CASES])
def test_printed_qr_decodes_to_the_person(key, profile):
    record = next(p for p in persons() if p.key == key).data(profile)
    image = builtin_card(key, profile=profile)
    side = front_png(image) if profile == "cccd2021" else back_png(image)
    frame = np.asarray(Image.open(io.BytesIO(side)).convert("L"))
    codes = QrPipeline().decode(frame).codes
    assert len(codes) == 1
    payload = parse_payload(codes[0].raw)
    assert payload.text == image.meta["qr"]
    assert len(payload.fields) == (7 if profile == "cccd2021" else 11)
    qr = payload.to_person()
    for field in QR_FIELDS:
        assert getattr(qr, field) == getattr(record, field), field
