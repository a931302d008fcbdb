# SPDX-License-Identifier: Apache-2.0
"""Old (pre-July-2025) addresses -> current units, offline; split wards flagged; the ID prefix
as the old birth-registration province; comparisons by current unit codes."""

from __future__ import annotations

import socket

import pytest

from cardkit.address.compare import Place, birth_province, same_place
from cardkit.address.current import AddressForm, convert

# printed (old units) -> (current form, (province code, ward code)): 12 old provinces, 10 current.
TABLE = [
    ("Số 12 đường Lê Lợi, Phường 1, Thành phố Sóc Trăng, Tỉnh Sóc Trăng",
     "Số 12 đường Lê Lợi, Phường Phú Lợi, Thành phố Cần Thơ", ("92", "31510")),
    ("Ấp 3, Xã Vị Tân, Thành phố Vị Thanh, Tỉnh Hậu Giang", "Ấp 3, Phường Vị Tân, Thành phố Cần Thơ", ("92", "31333")),
    ("Thôn Nội, Xã Tân Dĩnh, Huyện Lạng Giang, Tỉnh Bắc Giang", "Thôn Nội, Xã Tân Dĩnh, Tỉnh Bắc Ninh", ("24", "07432")),
    ("Số 3 Công xã Paris, Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
     "Số 3 Công xã Paris, Phường Sài Gòn, Thành phố Hồ Chí Minh", ("79", "26740")),
    ("Số 9 Yersin, Phường Phú Cường, Thành phố Thủ Dầu Một, Tỉnh Bình Dương",
     "Số 9 Yersin, Phường Thủ Dầu Một, Thành phố Hồ Chí Minh", ("79", "25747")),
    ("Thôn Lê Xá, Xã Lê Ninh, Thị xã Kinh Môn, Tỉnh Hải Dương", "Thôn Lê Xá, Phường Bắc An Phụ, Thành phố Hải Phòng",
     ("31", "10678")),
    ("Xóm Bãi, Xã Xuân Thủy, Huyện Kim Bôi, Tỉnh Hòa Bình", "Xóm Bãi, Xã Nật Sơn, Tỉnh Phú Thọ", ("25", "04990")),
    ("Số 1 Hùng Vương, Phường Liên Bảo, Thành phố Vĩnh Yên, Tỉnh Vĩnh Phúc",
     "Số 1 Hùng Vương, Phường Vĩnh Phúc, Tỉnh Phú Thọ", ("25", "08716")),
    ("Tổ dân phố 2, Thị trấn La Hà, Huyện Tư Nghĩa, Tỉnh Quảng Ngãi", "Tổ dân phố 2, Xã Tư Nghĩa, Tỉnh Quảng Ngãi",
     ("51", "21235")),
    ("Số 7 Trần Phú, Phường Minh An, Thành phố Hội An, Tỉnh Quảng Nam",
     "Số 7 Trần Phú, Phường Hội An, Thành phố Đà Nẵng", ("48", "20410")),
    ("Số 20 Nguyễn Trãi, Phường Minh Khai, Thành phố Hà Giang, Tỉnh Hà Giang",
     "Số 20 Nguyễn Trãi, Phường Hà Giang 2, Tỉnh Tuyên Quang", ("08", "00691")),
    ("Số 4 Lê Lợi, Phường Vĩnh Ninh, Thành phố Huế, Tỉnh Thừa Thiên Huế", "Số 4 Lê Lợi, Phường Thuận Hóa, Thành phố Huế",
     ("46", "19789")),
    ("Xã Đông Hội, Huyện Đông Anh, Thành phố Hà Nội", "Xã Đông Anh, Thành phố Hà Nội", ("01", "00454")),
]


@pytest.mark.parametrize("printed,current,codes", TABLE, ids=[t[0].split(",")[-1].strip() for t in TABLE])
def test_old_address_converts_to_current_units_with_the_street_verbatim(printed, current, codes):
    c = convert(printed)
    assert c.form is AddressForm.OLD and c.printed == printed
    assert c.current == current and c.unit_codes == codes
    assert c.street == (printed.split(", ")[0] if printed.count(",") == 3 else None)
    assert c.split is False and c.alternatives == ()


def test_street_is_reattached_verbatim_not_retitled():
    c = convert("Căn hộ 12.05 Chung cư Sunrise City, Số 23 đường Nguyễn Hữu Thọ, Phường Tân Hưng, Quận 7, "
                "Thành phố Hồ Chí Minh, Việt Nam")
    assert c.street == "Căn hộ 12.05 Chung cư Sunrise City, Số 23 đường Nguyễn Hữu Thọ"
    assert c.current == ("Căn hộ 12.05 Chung cư Sunrise City, Số 23 đường Nguyễn Hữu Thọ, Phường Tân Hưng, "
                         "Thành phố Hồ Chí Minh")
    assert (c.old_district.name, c.old_district.code) == ("Quận 7", "778")


def test_split_ward_is_flagged_with_the_communes_it_went_to():
    c = convert("Số 18 ngõ 215 phố Trần Quốc Hoàn, Phường Dịch Vọng Hậu, Quận Cầu Giấy, Thành phố Hà Nội")
    assert c.split is True
    assert (c.ward.name, c.ward.code) == ("Phường Cầu Giấy", "00166")
    assert [(u.name, u.code) for u in c.alternatives] == [("Phường Nghĩa Đô", "00160")]
    assert c.to_dict()["old_ward"] == {"name": "Phường Dịch Vọng Hậu", "code": "00167"}


def test_conversion_never_touches_the_network(monkeypatch):
    from cardkit.address import current as mod

    mod.convert.cache_clear()

    def refuse(*_a, **_k):
        raise AssertionError("network used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    c = convert("Số 2 phố Xuân Thủy, Phường Dịch Vọng Hậu, Quận Cầu Giấy, Thành phố Hà Nội")  # split, with a street
    assert c.form is AddressForm.OLD and c.split is True and c.street == "Số 2 phố Xuân Thủy"
    from vietnamadminunits.converter import converter_2025

    assert converter_2025.get_geo_location is mod._refuse_geocoder


def test_current_address_is_kept_and_nonsense_is_unrecognised():
    c = convert("Số 5 Lê Lợi, Phường Cầu Giấy, Thành phố Hà Nội")
    assert (c.form, c.current, c.unit_codes) == (AddressForm.CURRENT, "Số 5 Lê Lợi, Phường Cầu Giấy, Thành phố Hà Nội",
                                                 ("01", "00166"))
    assert convert("không rõ").form is AddressForm.UNRECOGNISED and convert("không rõ").current is None


def test_old_address_and_its_current_form_are_the_same_place_a_move_is_not():
    old = "Thôn Nội, Xã Tân Dĩnh, Huyện Lạng Giang, Tỉnh Bắc Giang"
    assert same_place(old, "Thôn Nội, Xã Tân Dĩnh, Tỉnh Bắc Ninh") is Place.SAME
    assert same_place(old, "thôn nội, xã tân dĩnh, tỉnh bắc ninh") is Place.SAME
    assert same_place(old, "Số 3 Công xã Paris, Phường Sài Gòn, Thành phố Hồ Chí Minh") is Place.DIFFERENT
    assert same_place(old, "Thôn Ngoài, Xã Tân Dĩnh, Tỉnh Bắc Ninh") is Place.DIFFERENT  # moved within the commune
    split = "Phường Dịch Vọng Hậu, Quận Cầu Giấy, Thành phố Hà Nội"
    assert same_place(split, "Phường Nghĩa Đô, Thành phố Hà Nội") is Place.SAME  # one of the communes it went to
    assert same_place(old, "không rõ") is Place.UNKNOWN


@pytest.mark.parametrize("id_number,old,now", [
    ("094190000001", "Tỉnh Sóc Trăng", "Thành phố Cần Thơ"), ("024190000001", "Tỉnh Bắc Giang", "Tỉnh Bắc Ninh"),
    ("001090012345", "Thành phố Hà Nội", "Thành phố Hà Nội"), ("074303556781", "Tỉnh Bình Dương", "Thành phố Hồ Chí Minh"),
])
def test_id_prefix_is_the_old_birth_registration_province(id_number, old, now):
    b = birth_province(id_number)
    assert (b.code, b.old_name, b.current.name) == (id_number[:3], old, now)
    assert b.text("vi") == f"{old} (nay: {now})" and b.text("en") == f"{old} (now {now})"


def test_mutated_addresses_convert_or_stay_unrecognised():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    base = TABLE[0][0]

    @settings(max_examples=200, deadline=None)
    @given(st.integers(0, len(base) - 1), st.sampled_from(list(",. 0123456789aăâđêôơưPhườngXãTỉnh")))
    def run(pos, ch):
        c = convert(base[:pos] + ch + base[pos + 1:])
        assert c.form in tuple(AddressForm)
        assert c.form is not AddressForm.UNRECOGNISED or (c.current, c.unit_codes) == (None, None)
        assert c.current is None or c.current.endswith(c.province.name)

    run()
