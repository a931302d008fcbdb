# SPDX-License-Identifier: Apache-2.0
"""QR vs chip cross-check grading, and the chip keys the QR gives."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from cardkit.discrepancy import Severity
from cardkit.errors import InputError
from cardkit.person import PersonData, Sex
from cardkit.qr.crosscheck import access_from_qr, crosscheck, expiry_candidates
from cardkit.qr.payload import parse_payload

CHIP = PersonData(id_number="079090001234", old_id_number="123456789", full_name="Nguyễn Thị Ánh Tuyết",
                  date_of_birth=date(1990, 5, 17), sex=Sex.FEMALE, residence="Số 12, Lê Lợi, Quận 1",
                  issue_date=date(2021, 5, 1), nationality="Việt Nam")
QR = CHIP.with_(nationality=None)


def test_identical_and_nfd_name_give_no_discrepancy():
    assert crosscheck(QR, CHIP) == []
    nfd = PersonData.__new__(PersonData)  # bypass NFC normalisation to model a raw NFD source
    object.__setattr__(nfd, "__dict__", {**QR.__dict__, "full_name": unicodedata.normalize("NFD", QR.full_name)})
    assert crosscheck(nfd, CHIP) == []


def test_case_and_spacing_only_is_info():
    (d,) = crosscheck(QR.with_(full_name="NGUYỄN THỊ  ÁNH TUYẾT"), CHIP)
    assert (d.kind, d.field, d.severity, d.source_a, d.source_b) == (
        "qr_chip_full_name_form", "full_name", Severity.INFO, "qr", "chip")
    assert (d.value_a, d.value_b) == ("NGUYỄN THỊ  ÁNH TUYẾT", "Nguyễn Thị Ánh Tuyết")


@pytest.mark.parametrize(("change", "field", "severity"), [
    ({"id_number": "079090001235"}, "id_number", Severity.BLOCKING),
    ({"date_of_birth": date(1990, 5, 18)}, "date_of_birth", Severity.BLOCKING),
    ({"full_name": "Nguyễn Thị Ánh Tuyến"}, "full_name", Severity.WARNING),
    ({"sex": Sex.MALE}, "sex", Severity.WARNING),
    ({"residence": "Số 14, Lê Lợi, Quận 1"}, "residence", Severity.WARNING),
    ({"issue_date": date(2021, 5, 2)}, "issue_date", Severity.WARNING),
    ({"old_id_number": "987654321"}, "old_id_number", Severity.WARNING),
])
def test_real_differences_are_graded_by_field(change, field, severity):
    (d,) = crosscheck(QR.with_(**change), CHIP)
    assert (d.kind, d.field, d.severity) == (f"qr_chip_{field}_mismatch", field, severity)
    assert d.value_b == {"date_of_birth": "1990-05-17", "issue_date": "2021-05-01", "sex": "Nữ"}.get(
        field, getattr(CHIP, field))


def test_absent_on_one_side_is_not_a_mismatch():
    assert crosscheck(QR.with_(old_id_number=None, residence=None, issue_date=None), CHIP) == []
    assert crosscheck(QR, CHIP.with_(sex=None, old_id_number=None)) == []


def test_access_from_qr_exact_keys():
    p = parse_payload("079090001234|123456789|Nguyễn Văn A|17051990|Nam|Hà Nội|01052021")
    keys = access_from_qr(p)
    assert (keys.can, keys.document_number, keys.date_of_birth) == ("001234", "090001234", date(1990, 5, 17))
    assert keys.expiry_candidates == (date(2030, 5, 17),) and keys.expiry == date(2030, 5, 17)


@pytest.mark.parametrize(("issue", "expected"), [
    (date(2021, 5, 1), (date(2030, 5, 17),)),
    (date(2013, 1, 1), (date(2015, 5, 17),)),
    (date(2014, 1, 1), (date(2015, 5, 17), date(2030, 5, 17))),  # within 2 years before 25
    (date(2015, 5, 17), (date(2030, 5, 17),)),  # issued on the 25th birthday itself
    (date(2029, 1, 1), (date(2030, 5, 17), date(2050, 5, 17))),
    (date(2049, 6, 1), (date(2050, 5, 17), None)),
    (date(2050, 5, 17), (None,)),  # issued at 60: no expiry
    (None, (date(2015, 5, 17), date(2030, 5, 17), date(2050, 5, 17), None)),
])
def test_expiry_candidates_follow_the_renewal_rule(issue, expected):
    assert expiry_candidates(date(1990, 5, 17), issue) == expected


def test_leap_day_birthday_falls_on_first_of_march():
    assert expiry_candidates(date(2000, 2, 29), date(2021, 1, 1)) == (date(2025, 3, 1),)


def test_ambiguous_expiry_property_is_none_and_missing_dob_is_typed_error():
    keys = access_from_qr(PersonData(id_number="079090001234", date_of_birth=date(1990, 5, 17)))
    assert keys.expiry is None and len(keys.expiry_candidates) == 4
    with pytest.raises(InputError):
        access_from_qr(PersonData(id_number="079090001234"))
