# SPDX-License-Identifier: Apache-2.0
"""QR payload parsing: every layout, both date forms, typed errors for everything malformed."""

from __future__ import annotations

import random
import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardkit.errors import CardkitError, InputError, ParseError
from cardkit.person import DobPrecision, PersonData, Sex
from cardkit.qr.payload import QrPayloadError, build_payload, parse_payload
from cardkit.qr.samples import random_person

BASE = "079090001234|123456789|Nguyễn Thị Ánh Tuyết|17051990|Nữ|Số 12, Lê Lợi, Phường Bến Nghé, Quận 1|01052021"


def test_seven_field_cccd_2021():
    p = parse_payload(BASE)
    assert (p.id_number, p.old_id_number, p.full_name) == ("079090001234", "123456789", "Nguyễn Thị Ánh Tuyết")
    assert (p.date_of_birth, p.sex, p.issue_date) == (date(1990, 5, 17), Sex.FEMALE, date(2021, 5, 1))
    assert p.residence == "Số 12, Lê Lợi, Phường Bến Nghé, Quận 1"
    assert p.extra == () and p.layout == "7-field" and p.text == BASE


def test_eleven_field_2024_keeps_empty_and_unknown_fields():
    p = parse_payload("079090001234||Nguyễn Văn A|01011990|Nam|Hà Nội|04102024||||")
    assert p.old_id_number is None and p.issue_date == date(2024, 10, 4)
    assert p.extra == ("", "", "", "") and len(p.fields) == 11
    q = parse_payload("079090001234||Nguyễn Văn A|01011990|Nam|Hà Nội|04102024|123456789|Lê Văn B|Trần Thị C|x|y")
    assert q.extra == ("123456789", "Lê Văn B", "Trần Thị C", "x", "y")
    assert q.to_person().extra[0] == ("qr_field_8", "123456789")


def test_six_field_variant_has_no_issue_date():
    p = parse_payload("079090001234|123456789|Nguyễn Văn A|01011990|Nam|Hà Nội")
    assert p.issue_date is None and p.layout == "6-field"


def test_slash_dates_and_keyboard_wedge_line_ending():
    p = parse_payload(BASE.replace("17051990", "17/05/1990").replace("01052021", "01/05/2021") + "\r\n")
    assert p.date_of_birth == date(1990, 5, 17) and p.issue_date == date(2021, 5, 1)


def test_bytes_input_and_nfd_text_are_normalised_to_nfc():
    nfd = unicodedata.normalize("NFD", BASE)
    assert parse_payload(nfd.encode("utf-8")).full_name == "Nguyễn Thị Ánh Tuyết"
    assert parse_payload(b"\xef\xbb\xbf" + BASE.encode()).id_number == "079090001234"


def test_zbar_mojibake_string_is_repaired_before_parsing():
    mangled = BASE.encode("utf-8").decode("latin-1")
    assert parse_payload(mangled).full_name == "Nguyễn Thị Ánh Tuyết"
    with pytest.raises(QrPayloadError):
        parse_payload(mangled, repair=False)  # the mangled sex "Ná»¯" is no sex


@pytest.mark.parametrize(("text", "field"), [
    (b"\x00\xff079090001234|", "encoding"),
    ("079090001234|123456789|A|01011990|Nam", "layout"),
    ("07909000123|123456789|A|01011990|Nam|x|01012021", "id_number"),
    ("０７９０９０００１２３４|123456789|A|01011990|Nam|x|01012021", "id_number"),
    ("079090001234|12345678|A|01011990|Nam|x|01012021", "old_id_number"),
    ("079090001234|123456789||01011990|Nam|x|01012021", "full_name"),
    ("079090001234|123456789|A|31022000|Nam|x|01012021", "date_of_birth"),
    ("079090001234|123456789|A|1990-01-01|Nam|x|01012021", "date_of_birth"),
    ("079090001234|123456789|A|01/011990|Nam|x|01012021", "date_of_birth"),
    ("079090001234|123456789|A|01011990|X|x|01012021", "sex"),
    ("079090001234|123456789|A|01011990|Nam|x|32012021", "issue_date"),
])
def test_malformed_payloads_name_the_bad_field(text, field):
    with pytest.raises(QrPayloadError) as exc:
        parse_payload(text)
    assert exc.value.field == field
    assert isinstance(exc.value, ParseError)
    assert exc.value.message_vi.startswith("Mã QR trên thẻ không hợp lệ")
    assert "079090001234" not in str(exc.value)  # no personal data in messages


def test_to_dict_and_to_person():
    p = parse_payload(BASE)
    assert p.to_dict() == {
        "layout": "7-field", "id_number": "079090001234", "old_id_number": "123456789",
        "full_name": "Nguyễn Thị Ánh Tuyết", "date_of_birth": "1990-05-17", "dob_precision": "exact",
        "sex": "F", "residence": "Số 12, Lê Lợi, Phường Bến Nghé, Quận 1", "issue_date": "2021-05-01", "extra": [],
    }
    assert p.to_person() == PersonData(
        id_number="079090001234", old_id_number="123456789", full_name="Nguyễn Thị Ánh Tuyết",
        date_of_birth=date(1990, 5, 17), sex=Sex.FEMALE, residence="Số 12, Lê Lợi, Phường Bến Nghé, Quận 1",
        issue_date=date(2021, 5, 1),
    )


@pytest.mark.parametrize("printed", ["1948", "00001948", "00/00/1948"])
def test_year_only_date_of_birth(printed):
    fields = BASE.split("|")
    p = parse_payload("|".join(fields[:3] + [printed] + fields[4:]))
    assert (p.date_of_birth, p.dob_precision) == (date(1948, 1, 1), DobPrecision.YEAR)
    person = p.to_person()
    assert person.dob_precision is DobPrecision.YEAR and person.date_of_birth == date(1948, 1, 1)
    assert build_payload(person).split("|")[3] == "1948"  # printed back as the year alone
    assert parse_payload(BASE).dob_precision is DobPrecision.EXACT
    # 01/01 is a date as printed: the matcher, not the parser, treats it as a possible placeholder.
    assert parse_payload("|".join(fields[:3] + ["01011948"] + fields[4:])).dob_precision is DobPrecision.EXACT


def test_build_payload_profiles():
    person = parse_payload(BASE).to_person()
    assert build_payload(person) == BASE
    assert build_payload(person, "cancuoc2024") == BASE + "||||"
    with pytest.raises(InputError):
        build_payload(person, "passport")
    with pytest.raises(InputError):
        build_payload(person.with_(full_name="A|B"))
    with pytest.raises(InputError):
        build_payload(PersonData(full_name="A"))


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), profile=st.sampled_from(["cccd2021", "cancuoc2024"]),
       long_address=st.booleans())
def test_build_then_parse_round_trips(seed, profile, long_address):
    person = random_person(random.Random(seed), long_address=long_address)
    parsed = parse_payload(build_payload(person, profile))
    assert parsed.to_person().with_(extra=()) == person
    assert len(parsed.fields) == {"cccd2021": 7, "cancuoc2024": 11}[profile]


digits = st.text(alphabet="0123456789", min_size=0, max_size=14)
dates = st.one_of(st.dates(date(1900, 1, 1), date(2100, 1, 1)).map(lambda d: d.strftime("%d%m%Y")),
                  st.dates(date(1900, 1, 1), date(2100, 1, 1)).map(lambda d: d.strftime("%d/%m/%Y")),
                  st.text(alphabet="0123456789/-", max_size=11))
field_text = st.text(max_size=30)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(digits, dates, field_text, st.sampled_from(["Nam", "Nữ", ""])), min_size=0, max_size=14))
def test_any_field_list_parses_or_raises_a_cardkit_error(parts):
    try:
        p = parse_payload("|".join(parts))
    except QrPayloadError as exc:
        assert exc.field
        return
    assert len(p.id_number) == 12 and p.id_number.isdigit() and len(p.fields) >= 6


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_escape_as_foreign_errors(data):
    try:
        parse_payload(data)
    except CardkitError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_escapes_as_foreign_errors(text):
    try:
        parse_payload(text)
    except CardkitError:
        pass


@pytest.mark.parametrize("residence, shown", [
    ("Hà Nội\x1b[2J\x1b[31m", "Hà Nội [2J [31m"),  # ESC (terminal control sequences)
    ("Hà Nội\nline 2\r\x00", "Hà Nội line 2"),  # forged output lines, NUL
    ("\u202eiộN àH", "iộN àH"),  # right-to-left override
    ("Số 1\x9bPhố Huế\x7f", "Số 1 Phố Huế"),  # C1 CSI, DEL
    ("Số 1 Phố Huế, Hà Nội", "Số 1 Phố Huế, Hà Nội"),  # untouched
])
def test_residence_and_extra_fields_lose_control_characters(residence, shown):
    p = parse_payload(f"001090012345||Nguyễn Văn An|01011990|Nam|{residence}|01072021|x|\x1b]0;t\x07|")
    assert p.residence == shown
    assert p.extra == ("x", "]0;t", "")
    assert p.fields[5] == residence  # the raw split is kept as printed
