# SPDX-License-Identifier: Apache-2.0
import unicodedata
from datetime import date

import pytest

from cardkit.icao.lds.dg1 import parse_dg1
from cardkit.icao.lds.dg13 import parse_dg13
from cardkit.icao.lds.mrz import check_digit
from cardkit.idnumber import analyse_id
from cardkit.sim.issuer import PROFILES, personalise
from cardkit.sim.population import expiry_for, person, persons

ALL = [(p.key, prof) for p in persons() for prof in PROFILES]


@pytest.fixture(scope="module")
def cards(pki):
    # seed=None: fresh (fast) keys; determinism is pinned separately
    return {(k, prof): personalise(person(k).data(prof), profile=prof, pki=pki, seed=None) for k, prof in ALL}


def test_population_is_varied():
    ps = persons()
    assert len(ps) >= 12 and len({p.key for p in ps}) == len(ps)
    today = date(2026, 6, 1)
    ages = [(today - p.data().date_of_birth).days // 365 for p in ps]
    assert min(ages) <= 16 and max(ages) >= 90
    datas = [p.data() for p in ps]
    assert {d.sex.value for d in datas} == {"M", "F"}
    assert any(d.old_id_number for d in datas) and any(not d.old_id_number for d in datas)
    assert any(d.spouse_name for d in datas) and any(not d.spouse_name for d in datas)
    assert any(len(d.residence.encode()) > 127 for d in datas)
    assert len({p.id_number[:3] for p in ps}) >= 10
    marks = set(unicodedata.normalize("NFD", " ".join(d.full_name for d in datas)))
    for mark in ("\u0301", "\u0300", "\u0309", "\u0303", "\u0323", "\u0306", "\u0302", "\u031b"):
        assert mark in marks, f"no name with combining mark U+{ord(mark):04X}"
    assert any("Đ" in d.full_name for d in datas)


@pytest.mark.parametrize("key", [p.key for p in persons()])
def test_id_number_agrees_with_birth_year_sex_and_province(key):
    d = person(key).data()
    a = analyse_id(d.id_number, date_of_birth=d.date_of_birth, sex=d.sex.value)
    assert a.problems == ()


def test_holders_past_60_have_no_expiry():
    old = [p for p in persons() if p.data().date_of_birth.year < 1966]
    assert old
    for p in old:
        for prof in PROFILES:
            d = p.data(prof)
            assert d.expiry_date is None and d.expiry_text == "Không thời hạn"


def test_expiry_follows_renewal_ages():
    dob = date(1990, 1, 1)
    assert expiry_for(dob, date(2021, 4, 12)) == date(2030, 1, 1)
    assert expiry_for(dob, date(2013, 6, 1)) == date(2030, 1, 1)  # within 2 years of 25: runs to 40
    assert expiry_for(dob, date(2049, 1, 1)) is None


@pytest.mark.parametrize("key,profile", ALL)
def test_every_person_personalises_and_reads_back(cards, key, profile):
    img = cards[(key, profile)]
    want = person(key).data(profile)
    dg13 = parse_dg13(img.app_files[0x010D])
    assert dg13.to_person() == want  # diacritics exact (NFC)
    mrz = parse_dg1(img.app_files[0x0101]).mrz
    assert mrz.check_digits_ok
    assert mrz.document_number == want.id_number[-9:] and mrz.id_number == want.id_number
    assert img.meta["mrz"][0][14] == check_digit(want.id_number[-9:])
    assert img.meta["can"] == want.id_number[-6:]
    assert mrz.primary_identifier.isascii() and mrz.primary_identifier
    assert img.meta["person"] == want.to_dict()


@pytest.mark.parametrize("key,profile", ALL)
def test_qr_parses_back_to_the_person(cards, key, profile):
    from cardkit.qr import payload

    img = cards[(key, profile)]
    text = img.meta["qr"]
    assert len(text.split("|")) == (7 if profile == "cccd2021" else 11)
    want = person(key).data(profile)
    got = payload.parse_payload(text)
    got_person = got.to_person() if hasattr(got, "to_person") else got.person
    assert got_person.id_number == want.id_number
    assert got_person.full_name == want.full_name
    assert got_person.date_of_birth == want.date_of_birth
    assert got_person.residence == want.residence


def test_long_address_is_on_the_chip(cards):
    img = cards[("huynh-ngoc-tram", "cccd2021")]
    res = parse_dg13(img.app_files[0x010D]).text(9)
    assert len(res.encode()) > 127


def test_no_expiry_card_says_so_on_chip_and_in_mrz(cards):
    img = cards[("dang-thi-hue", "cancuoc2024")]
    assert parse_dg13(img.app_files[0x010D]).text(12) == "Không thời hạn"
    assert img.meta["expiry"] is None and img.meta["expiry_text"] == "Không thời hạn"
    assert img.meta["mrz"][1][8:14] == "991231"


def test_personalisation_is_deterministic_from_the_seed(pki):
    d = person("nguyen-van-an").data("cancuoc2024")
    a = personalise(d, profile="cancuoc2024", pki=pki, seed=5)
    b = personalise(d, profile="cancuoc2024", pki=pki, seed=5)
    assert a.app_files == b.app_files and a.meta == b.meta
    c = personalise(d, profile="cancuoc2024", pki=pki, seed=6)
    assert c.app_files[0x010F] != a.app_files[0x010F]


def test_demo_card_matches_the_documented_mrz():
    from cardkit.sim.population import builtin_card

    img = builtin_card()
    assert img.meta["mrz"][:2] == ["IDVNM0900123450001090012345<<1", "9001011M3001019VNM<<<<<<<<<<<2"]
    assert builtin_card().app_files == img.app_files  # second call: from the cache


def test_given_photo_is_converted_to_jpeg_for_dg2(pki):
    import io

    from PIL import Image

    from cardkit.icao.lds.dg2 import parse_dg2

    buf = io.BytesIO()
    Image.new("RGB", (120, 160), (200, 180, 160)).save(buf, "PNG")
    img = personalise(person("vo-minh-tuan").data(), pki=pki, seed=1, photo=buf.getvalue())
    face = parse_dg2(img.app_files[0x0102]).face
    assert face.image_type == "jpeg" and (face.width, face.height) == (120, 160)


def test_generated_face_has_a_realistic_size(cards):
    from cardkit.icao.lds.dg2 import parse_dg2

    sizes = [len(parse_dg2(c.app_files[0x0102]).face.data) for c in cards.values()]
    assert all(9_000 <= s <= 26_000 for s in sizes), sizes


def test_ca_key_in_card_json_matches_dg14(cards):
    from cardkit.icao.domain import standardized
    from cardkit.icao.lds.dg14 import parse_dg14
    from cardkit.sim.issuer import ca_private_value

    img = cards[("nguyen-van-an", "cccd2021")]
    info = parse_dg14(img.app_files[0x010E]).ca_public_keys[0]
    assert standardized(13).public_key(ca_private_value(img)) == info.public_key
