# SPDX-License-Identifier: Apache-2.0
from datetime import date

import pytest

from cardkit.errors import ParseError
from cardkit.icao.lds.com import build_com, parse_com
from cardkit.icao.lds.dg1 import build_dg1, parse_dg1
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.lds.mrz import check_digit, parse_mrz

CCCD_MRZ = ("IDVNM0900123450001090012345<<1", "9001011M3001019VNM<<<<<<<<<<<2", "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<")


@pytest.mark.parametrize("value,digit", [("D23145890", "7"), ("740812", "2"), ("120415", "9"),
                                         ("L898902C3", "6"), ("<<<<", "0"), ("001090012345", "1")])
def test_check_digit_follows_icao_9303_3_section_4_9(value, digit):
    assert check_digit(value) == digit


@pytest.mark.parametrize("dg,fid,sfi,tag,name", [
    (DataGroup.COM, 0x011E, 0x1E, 0x60, "EF_COM.bin"), (DataGroup.DG1, 0x0101, 1, 0x61, "DG1.bin"),
    (DataGroup.DG2, 0x0102, 2, 0x75, "DG2.bin"), (DataGroup.DG13, 0x010D, 0x0D, 0x6D, "DG13.bin"),
    (DataGroup.DG14, 0x010E, 0x0E, 0x6E, "DG14.bin"), (DataGroup.DG15, 0x010F, 0x0F, 0x6F, "DG15.bin"),
    (DataGroup.SOD, 0x011D, 0x1D, 0x77, "EF_SOD.bin"), (DataGroup.CARD_ACCESS, 0x011C, 0x1C, None, "EF_CardAccess.bin"),
])
def test_file_identifiers_match_9303_10_table(dg, fid, sfi, tag, name):
    assert (dg.fid, dg.sfi, dg.tag, dg.filename) == (fid, sfi, tag, name)
    assert DataGroup.from_filename(name) is dg


def test_cccd_td1_gives_full_id_number_and_valid_checks():
    mrz = parse_mrz("\n".join(CCCD_MRZ))
    assert mrz.format == "TD1" and mrz.issuing_state == "VNM"
    assert mrz.document_number == "090012345"
    assert mrz.id_number == "001090012345"
    assert mrz.check_digits_ok and ("id_number", True) in mrz.checks
    assert mrz.date_of_birth == date(1990, 1, 1) and mrz.date_of_expiry == date(2030, 1, 1)
    assert (mrz.primary_identifier, mrz.secondary_identifier, mrz.sex) == ("NGUYEN", "VAN A", "M")


def test_wrong_check_digit_is_reported_not_raised():
    bad = CCCD_MRZ[0][:14] + "5" + CCCD_MRZ[0][15:]
    mrz = parse_mrz(bad + CCCD_MRZ[1] + CCCD_MRZ[2])
    assert dict(mrz.checks)["document_number"] is False and not mrz.check_digits_ok


def test_mrz_of_wrong_length_is_a_parse_error():
    with pytest.raises(ParseError):
        parse_mrz("P<UTO" + "<" * 40)


def test_dg1_round_trips_cccd_mrz():
    dg1 = parse_dg1(build_dg1(CCCD_MRZ))
    assert dg1.mrz.lines == CCCD_MRZ
    person = dg1.to_person()
    assert person.id_number == "001090012345" and person.full_name == "NGUYEN VAN A"


def test_icao_td2_example_parses_to_stated_values(conformance):
    mrz = parse_dg1((conformance / "icao_9303_p10_examples/DG1_TD2_ERIKSSON.bin").read_bytes()).mrz
    assert mrz.format == "TD2" and mrz.document_number == "D23145890"
    assert (mrz.primary_identifier, mrz.secondary_identifier) == ("ERIKSSON", "ANNA MARIA")
    assert (mrz.birth_date_raw, mrz.sex, mrz.expiry_date_raw, mrz.nationality) == ("740812", "F", "120415", "UTO")
    assert mrz.check_digits_ok


def test_bsi2008_td3_dg1_parses_with_valid_checks(conformance):
    mrz = parse_dg1((conformance / "jmrtd_bsi2008/DG1.bin").read_bytes()).mrz
    assert mrz.format == "TD3" and mrz.issuing_state == "D" and mrz.primary_identifier == "MUSTERMANN"
    assert mrz.check_digits_ok


def test_icao_ef_com_example_lists_dg1_and_dg2(conformance):
    com = parse_com((conformance / "icao_9303_p10_examples/EF_COM.bin").read_bytes())
    assert (com.lds_version, com.unicode_version) == ("1.6", "4.0.0")
    assert com.data_groups == (DataGroup.DG1, DataGroup.DG2)


def test_com_round_trips_cccd_data_groups_and_keeps_unknown_tags():
    groups = [DataGroup.DG1, DataGroup.DG2, DataGroup.DG3, DataGroup.DG13, DataGroup.DG14, DataGroup.DG15]
    com = parse_com(build_com(groups))
    assert com.data_groups == tuple(groups) and com.lds_version == "1.7"
    raw = bytes.fromhex("6014 5F0104 30313037 5F3606 303430303030 5C02 61FE".replace(" ", ""))
    com = parse_com(raw)
    assert com.tags == (0x61, 0xFE) and com.data_groups == (DataGroup.DG1,)
