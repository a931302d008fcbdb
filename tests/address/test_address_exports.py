# SPDX-License-Identifier: Apache-2.0
"""JSON and FHIR exports carry the printed address and its current form."""

from __future__ import annotations

from datetime import UTC, date

from cardkit.person import PersonData, Sex
from cardkit.station.addresses import address_view
from cardkit.station.export import fhir_patient

P = PersonData(id_number="094190000001", full_name="Lâm Thị Mai", date_of_birth=date(1990, 3, 4), sex=Sex.FEMALE,
               residence="Số 12 đường Lê Lợi, Phường 1, Thành phố Sóc Trăng, Tỉnh Sóc Trăng",
               place_of_origin="Thôn Nội, Xã Tân Dĩnh, Huyện Lạng Giang, Tỉnh Bắc Giang")


def test_fhir_patient_has_both_forms():
    assert fhir_patient(P)["address"] == [
        {"use": "home", "type": "physical", "text": "Số 12 đường Lê Lợi, Phường Phú Lợi, Thành phố Cần Thơ",
         "country": "VN", "line": ["Số 12 đường Lê Lợi"], "city": "Phường Phú Lợi", "state": "Thành phố Cần Thơ"},
        {"use": "old", "type": "physical", "text": P.residence, "country": "VN", "period": {"end": "2025-06-30"}},
    ]


def test_json_view_has_residence_origin_and_birth_province_in_both_forms():
    v = address_view(P)
    assert (v["residence"]["printed"], v["residence"]["current"]) == (
        P.residence, "Số 12 đường Lê Lợi, Phường Phú Lợi, Thành phố Cần Thơ")
    assert (v["place_of_origin"]["current"], v["place_of_origin"]["split"]) == ("Thôn Nội, Xã Tân Dĩnh, Tỉnh Bắc Ninh",
                                                                                False)
    assert v["birth_registration_province"] == {"code": "094", "old_name": "Tỉnh Sóc Trăng",
                                                "current": "Thành phố Cần Thơ"}


def test_current_address_is_exported_once():
    p = PersonData(id_number="001090012345", residence="Số 5 Lê Lợi, Phường Cầu Giấy, Thành phố Hà Nội")
    assert fhir_patient(p)["address"] == [{"use": "home", "type": "physical", "text": p.residence, "country": "VN"}]


def test_journal_record_json_export_carries_both_forms():
    from datetime import datetime

    from cardkit.registry.journal import CheckInRecord
    from cardkit.station.export import checkin_json

    rec = CheckInRecord(at=datetime(2025, 8, 1, tzinfo=UTC), station="s", operator="o", access_method="QR-only",
                        match_outcome="not_found", extra={"identity": P.to_dict()}, checkin_id="c1")
    out = checkin_json(rec)
    assert out["checkin_id"] == "c1"
    assert out["addresses"]["residence"]["current"] == "Số 12 đường Lê Lợi, Phường Phú Lợi, Thành phố Cần Thơ"
    assert out["addresses"]["residence"]["printed"] == P.residence
