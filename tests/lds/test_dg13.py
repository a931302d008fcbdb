# SPDX-License-Identifier: Apache-2.0
import unicodedata
from datetime import date

import pytest

from cardkit.errors import ParseError
from cardkit.icao.lds.dg13 import build_dg13, parse_dg13
from cardkit.person import DobPrecision, PersonData, Sex
from cardkit.tlv import encode_tlv

PERSON = PersonData(
    id_number="001090012345", full_name="Nguyễn Văn A", date_of_birth=date(1990, 1, 1), sex=Sex.MALE,
    nationality="Việt Nam", ethnicity="Kinh", religion="Không", place_of_origin="Hà Nội",
    residence="Số 1 phố Tràng Tiền, phường Hoàn Kiếm, quận Hoàn Kiếm, thành phố Hà Nội " * 3,
    personal_features="Nốt ruồi C:2cm trên trước mép phải", issue_date=date(2021, 4, 1),
    expiry_date=date(2030, 1, 1), father_name="Nguyễn Văn B", mother_name="Trần Thị C", old_id_number="012345678",
)


@pytest.mark.parametrize("layout", ["separate", "combined"])
def test_dg13_round_trips_every_field_in_both_parent_layouts(layout):
    dg13 = parse_dg13(build_dg13(PERSON, {16: "ABCDEFGHIJKLMNOP"}, parents_layout=layout))
    assert dg13.parents_layout == layout and dg13.oid == "1.0.10646.1.0.8"
    person = dg13.to_person()
    assert person.with_(extra=()) == PERSON
    assert dg13.text(16) == "ABCDEFGHIJKLMNOP"


def test_dg13_long_residence_needs_long_form_lengths():
    raw = build_dg13(PERSON)
    assert raw[1] & 0x80 and parse_dg13(raw).to_person().residence == PERSON.residence


def test_dg13_free_text_expiry_is_kept_as_text():
    person = PERSON.with_(expiry_date=None, expiry_text="Không thời hạn")
    dg13 = parse_dg13(build_dg13(person))
    assert dg13.expiry_date is None and dg13.expiry_text == "Không thời hạn"
    assert dg13.to_person().expiry_text == "Không thời hạn"


def test_dg13_text_is_normalised_to_nfc():
    nfd = unicodedata.normalize("NFD", "Nguyễn Văn A")
    extra = {2: encode_tlv(0x0C, nfd.encode("utf-8"))}
    assert parse_dg13(build_dg13(PersonData(), extra)).text(2) == "Nguyễn Văn A"


def test_dg13_unknown_fields_are_kept_raw_and_shown():
    extra = {42: encode_tlv(0x0C, "bí ẩn".encode()), 43: encode_tlv(0x04, b"\x01\x02")}
    dg13 = parse_dg13(build_dg13(PERSON, extra))
    unknown = {f.number: f for f in dg13.unknown_fields}
    assert unknown[42].texts == ("bí ẩn",) and unknown[43].texts == () and unknown[43].raw.endswith(b"\x04\x02\x01\x02")
    assert ("field42", "bí ẩn") in dg13.to_person().extra


def test_dg13_spouse_absent_and_present():
    assert parse_dg13(build_dg13(PERSON)).spouse_name is None
    assert parse_dg13(build_dg13(PERSON.with_(spouse_name="Lê Thị D"))).spouse_name == "Lê Thị D"


def test_dg13_fields_are_addressed_by_number_not_position():
    dg13 = parse_dg13(build_dg13(PersonData(full_name="Trần B", id_number=None)))
    assert dg13.text(1) is None and dg13.text(2) == "Trần B"


def test_dg13_field_without_number_is_a_parse_error_with_offset():
    bad = encode_tlv(0x6D, encode_tlv(0x30, bytes.fromhex("020101 060628D316010008") +
                                      encode_tlv(0x31, encode_tlv(0x30, encode_tlv(0x0C, b"x")))))
    with pytest.raises(ParseError) as info:
        parse_dg13(bad)
    assert info.value.offset is not None


@pytest.mark.parametrize("printed", ["1948", "00/00/1948"])
def test_dg13_year_only_date_of_birth(printed):
    dg13 = parse_dg13(build_dg13(PERSON, {3: printed}))
    assert (dg13.date_of_birth, dg13.dob_precision) == (date(1948, 1, 1), DobPrecision.YEAR)
    person = dg13.to_person()
    assert (person.date_of_birth, person.dob_precision) == (date(1948, 1, 1), DobPrecision.YEAR)
    assert parse_dg13(build_dg13(person)).text(3) == "1948"  # built back as the year alone
    assert parse_dg13(build_dg13(PERSON)).dob_precision is DobPrecision.EXACT  # 01/01/1990 as written
