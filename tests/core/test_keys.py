# SPDX-License-Identifier: Apache-2.0
import pytest

from cardkit.errors import InputError
from cardkit.icao.keys import MrzKey, PasswordType, can, cccd_can, cccd_mrz_key, check_digit
from cardkit.idnumber import analyse_id, bac_document_number, can_from_id, validate_id


@pytest.mark.parametrize("field, digit", [("L898902C<", "3"), ("690806", "1"), ("940623", "6"), ("090012345", "0"),
                                          ("900101", "1")])
def test_icao_check_digits(field, digit):
    assert check_digit(field) == digit


def test_icao_d2_key_seed():
    key = MrzKey.create("L898902C", "690806", "940623")
    assert key.mrz_information() == b"L898902C<369080619406236"
    assert key.key_seed().hex() == "239ab9cb282daf66231dc5a4df6bfbae"  # ICAO 9303-11 App. D.2


def test_cccd_keys_use_the_last_digits_of_the_id():
    assert bac_document_number("001090012345") == "090012345"
    assert can_from_id("001090012345") == "012345"
    key = cccd_mrz_key("001090012345", "1990-01-01", "2030-01-01")
    assert key.mrz_information() == b"0900123450" + b"9001011" + b"3001019"  # CCCD.md sample MRZ
    assert cccd_can("001090012345").value == "012345" and cccd_can("001090012345").type is PasswordType.CAN


@pytest.mark.parametrize("bad", ["", "12345678901", "1234567890123", "00109001234a", "０01090012345"])
def test_invalid_id_numbers_are_refused_with_vietnamese_message(bad):
    with pytest.raises(InputError) as err:
        validate_id(bad)
    assert "12 chữ số" in err.value.message_vi


def test_id_structure_analysis():
    a = analyse_id("079301012345")
    assert (a.province_code, a.birth_year, a.sex) == ("079", 2001, "F")
    assert analyse_id("999090012345").problems == ("unknown_province",)
    from datetime import date

    assert "birth_year_mismatch" in analyse_id("001090012345", date_of_birth=date(1991, 1, 1)).problems


def test_can_never_prints_the_secret():
    assert "012345" not in repr(can("012345"))
    with pytest.raises(InputError):
        can("12345")
    with pytest.raises(InputError):
        MrzKey.parse("ABC,900101")
