# SPDX-License-Identifier: Apache-2.0
"""Card vs registry residence by current unit codes: the same place in old and new units is no
discrepancy; a real move is, with both forms in its values (the discrepancy report carries them)."""

from __future__ import annotations

from datetime import date

from cardkit.person import PersonData
from cardkit.registry.discrepancies import compare
from cardkit.registry.row import Resident

OLD = "Số 12 đường Lê Lợi, Phường 1, Thành phố Sóc Trăng, Tỉnh Sóc Trăng"


def _pair(card_res: str, rec_res: str):
    card = PersonData(id_number="094190000001", full_name="Lâm Thị Mai", date_of_birth=date(1990, 3, 4),
                      residence=card_res)
    rec = Resident(id_number="094190000001", old_id_number=None, full_name="Lâm Thị Mai", date_of_birth=date(1990, 3, 4),
                   residence=rec_res)
    return [d for d in compare(card, rec, source="chip", today=date(2025, 8, 1)) if d.field == "residence"]


def test_old_address_against_its_current_form_is_no_discrepancy():
    assert _pair(OLD, "Số 12 đường Lê Lợi, Phường Phú Lợi, Thành phố Cần Thơ") == []


def test_a_moved_person_is_still_a_discrepancy_with_both_forms():
    (d,) = _pair(OLD, "Số 8 Trần Hưng Đạo, Phường Ninh Kiều, Thành phố Cần Thơ")
    assert (d.kind, d.severity.value, d.source_a, d.source_b) == ("residence_differs", "info", "chip", "registry")
    assert d.value_a == f"{OLD} (nay: Số 12 đường Lê Lợi, Phường Phú Lợi, Thành phố Cần Thơ)"
    assert d.value_b == "Số 8 Trần Hưng Đạo, Phường Ninh Kiều, Thành phố Cần Thơ"


def test_unrecognised_addresses_fall_back_to_text():
    assert _pair("không rõ", "Không rõ") == []
    (d,) = _pair("không rõ", "chỗ khác")
    assert (d.value_a, d.value_b) == ("không rõ", "chỗ khác")
