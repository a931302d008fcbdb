# SPDX-License-Identifier: Apache-2.0
"""Synthetic (never real) Vietnamese people for QR tests, the benchmark set and demos.

Names and addresses are assembled so that every vowel with a diacritic (ă â ê ô ơ ư, and đ) meets
each of the five tones, in upper and lower case, because those are the characters charset-guessing
decoders mangle. Deterministic for a given ``random.Random``.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date, timedelta

from cardkit.person import PersonData, Sex

BASES = "aăâeêioôơuưy"
TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")  # level, huyền, sắc, ngã, hỏi, nặng
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Ngọc", "Minh", "Thu", "Xuân", "Quốc", "Thành", "Ánh", "Mỹ")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Giang", "Hằng", "Hương", "Khải", "Lợi", "Mẫn", "Nguyệt", "Ơn", "Phượng",
         "Quỳnh", "Sơn", "Thắng", "Trường", "Uyên", "Ưng", "Vỹ", "Yến", "Ẩn", "Đạt", "Tuyết", "Ngữ")
STREETS = ("Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Lý Thường Kiệt", "Điện Biên Phủ", "Phố Huế",
           "Bạch Đằng", "Võ Thị Sáu", "Cách Mạng Tháng Tám", "Nguyễn Thị Minh Khai", "Đường 3 Tháng 2")
WARDS = ("Phường Bến Nghé", "Phường Đa Kao", "Xã Ẳng Nưa", "Phường Hàng Bạc", "Xã Ứng Hòa", "Thị trấn Ễnh Ương",
         "Phường Ô Chợ Dừa", "Xã Ưu Điềm", "Phường Quỳnh Mai")
DISTRICTS = ("Quận 1", "Quận Hoàn Kiếm", "Huyện Mường Ẳng", "Quận Hai Bà Trưng", "Huyện Đông Anh", "Quận Ninh Kiều",
             "Thành phố Thủ Đức", "Huyện Ứng Hòa")
PROVINCES = ("Thành phố Hồ Chí Minh", "Hà Nội", "Điện Biên", "Cần Thơ", "Đà Nẵng", "Thừa Thiên Huế", "Quảng Ngãi")


def toned(base: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + tone)


def all_toned_vowels() -> list[str]:
    """Every base vowel with every tone, lower and upper case, plus đ/Đ."""
    out = ["đ", "Đ"]
    for b in BASES:
        for t in TONES:
            ch = toned(b, t)
            out += [ch, ch.upper()]
    return out


def syllable(rng: random.Random, vowel: str) -> str:
    """A pronounceable-looking syllable built around ``vowel`` (spelling realism not needed)."""
    onset = rng.choice(("", "b", "c", "d", "đ", "g", "h", "kh", "l", "m", "n", "ng", "nh", "ph", "qu", "s", "th", "tr", "v", "x"))
    coda = rng.choice(("", "", "c", "m", "n", "ng", "nh", "p", "t"))
    word = onset + vowel.lower() + coda
    if vowel.isupper():
        return word.upper()
    return word[0].upper() + word[1:] if rng.random() < 0.5 else word


def random_id(rng: random.Random, dob: date, sex: Sex) -> str:
    province = rng.choice(("001", "079", "048", "092", "011", "046", "051"))
    century = (dob.year // 100 - 19) * 2 + (1 if sex is Sex.FEMALE else 0)
    return f"{province}{century}{dob.year % 100:02d}{rng.randrange(10**6):06d}"


def random_person(rng: random.Random, *, vowel: str | None = None, long_address: bool = False) -> PersonData:
    """A synthetic card holder; ``vowel`` forces that toned vowel into the name."""
    sex = rng.choice((Sex.MALE, Sex.FEMALE))
    dob = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 66))
    given = syllable(rng, vowel) if vowel else rng.choice(GIVEN)
    name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {given}"
    address = (f"Số {rng.randrange(1, 400)}, {rng.choice(STREETS)}, {rng.choice(WARDS)}, "
               f"{rng.choice(DISTRICTS)}, {rng.choice(PROVINCES)}")
    if long_address:
        address = f"Tổ {rng.randrange(1, 30)}, Ấp {rng.choice(GIVEN)} {rng.choice(GIVEN)}, " + address
    issue = max(dob + timedelta(days=365 * 14), date(2021, 1, 1)) + timedelta(days=rng.randrange(1200))
    return PersonData(
        id_number=random_id(rng, dob, sex),
        old_id_number=rng.choice(("", f"{rng.randrange(10**9):09d}")) or None,
        full_name=name, date_of_birth=dob, sex=sex, residence=address, issue_date=issue,
    )
