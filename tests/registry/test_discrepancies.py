# SPDX-License-Identifier: Apache-2.0
from __future__ import annotations

import dataclasses
from datetime import date

from cardkit.discrepancy import Severity
from cardkit.person import PersonData, Sex
from cardkit.registry.discrepancies import compare, sweep
from cardkit.registry.row import Resident

TODAY = date(2025, 6, 30)
CARD = PersonData(id_number="001090012345", full_name="Nguyễn Thị Hoà", date_of_birth=date(1990, 3, 4),
                  sex=Sex.FEMALE, residence="Hà Nội", expiry_date=date(2030, 3, 4))
# 001 = Hà Nội, digit 0 = 1900s male: the card above is a woman, so the ID structure warns.
REC = Resident("001090012345", None, "Nguyễn Thị Hoà", date(1990, 3, 4), Sex.FEMALE, residence="Hà Nội")


def _kinds(ds):
    return {(d.kind, d.severity) for d in ds}


def test_id_structure_mismatch_is_a_warning_never_blocking():
    assert _kinds(compare(CARD, REC, today=TODAY)) == {("id_sex_mismatch", Severity.WARNING)}
    card = CARD.with_(id_number="999090012345", sex=Sex.MALE, date_of_birth=date(1991, 3, 4))
    rec = Resident("999090012345", None, "Nguyễn Thị Hoà", date(1991, 3, 4), Sex.MALE)
    assert _kinds(compare(card, rec, today=TODAY)) == {
        ("id_unknown_province", Severity.WARNING), ("id_birth_year_mismatch", Severity.WARNING)}


def test_each_field_is_graded():
    card = CARD.with_(id_number="001190012345", expiry_date=date(2024, 1, 1))
    rec = Resident("001190012345", None, "Nguyen Thi Hoa", date(1990, 4, 3), Sex.MALE, residence="Huế",
                   insurance_code="GD4790123456789", insurance_valid_to=date(2024, 12, 31))
    assert _kinds(compare(card, rec, today=TODAY)) == {
        ("name_diacritics", Severity.WARNING), ("dob_day_month_swapped", Severity.WARNING),
        ("sex_mismatch", Severity.WARNING), ("residence_differs", Severity.INFO),
        ("card_expired", Severity.BLOCKING), ("insurance_expired", Severity.WARNING)}


def test_name_grades_from_form_to_other_person():
    card = CARD.with_(id_number="001190012345")
    def grade(name):
        return _kinds(compare(card, Resident("001190012345", None, name, date(1990, 3, 4), Sex.FEMALE,
                                             residence="Hà Nội"), today=TODAY))
    assert grade("NGUYỄN THỊ HÒA") == {("name_form", Severity.INFO)}
    assert grade("Nguyễn Thị Hoan") == {("name_mismatch", Severity.WARNING)}
    assert grade("Trần Văn Bình") == {("name_mismatch", Severity.BLOCKING)}


def test_record_missing_and_registry_sweep():
    assert ("record_missing", Severity.WARNING) in _kinds(compare(CARD, None, today=TODAY))
    rec = dataclasses.replace(REC, card_expiry_date=date(2020, 1, 1))
    assert _kinds(sweep(rec, today=TODAY)) == {("id_sex_mismatch", Severity.WARNING), ("card_expired", Severity.BLOCKING)}


def test_a_year_only_dob_agrees_with_any_date_of_its_year():
    from cardkit.person import DobPrecision

    def dob(card, rec):
        return [(d.kind, d.severity, d.value_a, d.value_b) for d in compare(card, rec, today=TODAY)
                if d.field == "date_of_birth"]

    year_rec = dataclasses.replace(REC, date_of_birth=date(1990, 1, 1), dob_precision=DobPrecision.YEAR)
    assert dob(CARD, year_rec) == [("dob_year_only", Severity.WARNING, "1990-03-04", "1990")]
    placeholder = dataclasses.replace(REC, date_of_birth=date(1990, 1, 1))  # 01/01: the placeholder
    assert dob(CARD, placeholder) == [("dob_year_only", Severity.WARNING, "1990-03-04", "1990-01-01")]
    year_card = CARD.with_(date_of_birth=date(1990, 1, 1), dob_precision=DobPrecision.YEAR)
    assert dob(year_card, REC) == [("dob_year_only", Severity.INFO, "1990", "1990-03-04")]
    assert dob(year_card, year_rec) == []
    new_year = CARD.with_(date_of_birth=date(1990, 1, 1))  # the chip's 01/01 is a date as recorded
    assert dob(new_year, REC) == [("dob_mismatch", Severity.BLOCKING, "1990-01-01", "1990-03-04")]
    assert dob(year_card, dataclasses.replace(REC, date_of_birth=date(1991, 3, 4))) == [
        ("dob_mismatch", Severity.BLOCKING, "1990", "1991-03-04")]
