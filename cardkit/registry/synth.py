# SPDX-License-Identifier: Apache-2.0
"""Synthetic residents for demos, tests and benchmarks: realistic, reproducible, no real person.

Names follow the published frequency of Vietnamese surnames; ID numbers follow the structure of
CCCD.md (province of birth registration, century/sex digit, year) and are unique by construction;
a share of rows is deliberately dirty the way hand-typed registries are (typos, missing diacritics,
swapped day/month, old CMND only), and optionally some are broken (rejected by the importer).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from cardkit.errors import FileAccessError
from cardkit.home import open_private
from cardkit.idnumber import province_codes
from cardkit.person import Sex
from cardkit.registry.normalize import fold, swapped_dob
from cardkit.registry.row import CSV_COLUMNS, Resident

SURNAMES = (
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 3), ("Huỳnh", 2), ("Phan", 4.5),
    ("Vũ", 2), ("Võ", 2), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3),
    ("Dương", 1), ("Lý", 0.5), ("Đinh", 0.6), ("Trương", 0.6), ("Lâm", 0.4), ("Mai", 0.4),
    ("Trịnh", 0.4), ("Đào", 0.4), ("Cao", 0.3), ("Lương", 0.3), ("Tô", 0.2), ("Quách", 0.1),
)
MIDDLE_M = ("Văn", "Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân", "Ngọc", "Hoàng", "Gia", "Tuấn")
MIDDLE_F = ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Kim", "Thanh", "Mỹ", "Phương", "Hồng", "Bảo", "Khánh", "Diệu")
GIVEN_M = (
    "An", "Anh", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Đức", "Hải", "Hào", "Hiếu", "Hoà", "Hoàng",
    "Hùng", "Huy", "Khang", "Khoa", "Khải", "Kiên", "Lâm", "Long", "Lộc", "Minh", "Nam", "Nghĩa", "Nhân",
    "Phong", "Phúc", "Quang", "Quân", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn", "Trí", "Trung",
    "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Thuỷ", "Hưng", "Khôi", "Đông", "Tiến", "Phát",
)
GIVEN_F = (
    "An", "Anh", "Châu", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hoà",
    "Hương", "Huyền", "Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương",
    "Quyên", "Quỳnh", "Tâm", "Thảo", "Thu", "Thuỷ", "Thư", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Vy",
    "Xuân", "Yến", "Nhi", "Hồng", "Liên", "Diệp", "Khuê", "Thoa", "Ánh", "Ngà", "Bích",
)
STREETS = ("Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Lý Thường Kiệt", "Quang Trung",
           "Phan Chu Trinh", "Điện Biên Phủ", "Hùng Vương", "Nguyễn Trãi", "Bạch Đằng", "Lê Duẩn")
ETHNICITIES = (("Kinh", 85), ("Tày", 2), ("Thái", 2), ("Mường", 1.5), ("Khmer", 1.4), ("Hoa", 1), ("Nùng", 1), ("H'Mông", 1.2))
RELIGIONS = (("Không", 80), ("Phật giáo", 10), ("Công giáo", 7), ("Cao Đài", 1.5), ("Tin Lành", 1))
INSURANCE_GROUPS = ("DN", "HC", "HT", "GD", "HS", "TE", "CN", "HN", "XN", "NO")
DIRTY_KINDS = ("typo", "no_diacritics", "swap_day_month", "cmnd_only", "old_tone")
_AFFINE = 482711  # odd, not a multiple of 5: a bijection on 0..999999


def _weighted(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([t for t, _ in table], weights=[w for _, w in table])[0]


def typo(name: str, rng: random.Random) -> str:
    """One keyboard-style error in a random letter: drop, double, swap neighbours or replace."""
    positions = [i for i, ch in enumerate(name) if ch.isalpha()]
    i = rng.choice(positions)
    kind = rng.randrange(4)
    if kind == 0 and len(positions) > 4:
        return name[:i] + name[i + 1:]
    if kind == 1:
        return name[:i] + name[i] + name[i:]
    if kind == 2 and i + 1 < len(name) and name[i + 1].isalpha():
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    repl = rng.choice("aeiouynhtgmc".replace(name[i].lower(), ""))
    return name[:i] + (repl.upper() if name[i].isupper() else repl) + name[i + 1:]


def strip_diacritics(name: str) -> str:
    """"Nguyễn Thị Hoà" -> "Nguyen Thi Hoa" (keeps case, unlike fold)."""
    return " ".join(w[0].upper() + w[1:] for w in fold(name).split())


def old_tone(name: str) -> str:
    """New-style tone placement to old style, as older software writes ("Hoà" -> "Hòa")."""
    pairs = {"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "uỷ": "ủy", "uý": "úy", "uỳ": "ùy", "uỵ": "ụy"}
    for new, old in pairs.items():
        name = name.replace(new, old)
    return name


class Synth:
    """Deterministic generator: the same seed gives the same residents."""

    def __init__(self, seed: int = 0, *, today: date = date(2025, 6, 30)) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.codes = sorted(province_codes().items())
        self._serial: dict[str, int] = {}
        self._cmnd = self.rng.randrange(10**8)

    def _id(self, province: str, dob: date, sex: Sex) -> str:
        digit = (dob.year - 1900) // 100 * 2 + (1 if sex is Sex.FEMALE else 0)
        prefix = f"{province}{digit}{dob.year % 100:02d}"
        n = self._serial.get(prefix, 0)
        self._serial[prefix] = n + 1
        return f"{prefix}{(n * _AFFINE + 123457) % 10**6:06d}"

    def resident(self) -> Resident:
        rng = self.rng
        sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
        middle, given = (MIDDLE_M, GIVEN_M) if sex is Sex.MALE else (MIDDLE_F, GIVEN_F)
        parts = [_weighted(rng, SURNAMES), rng.choice(middle)]
        if rng.random() < 0.2:
            parts.append(rng.choice(middle if rng.random() < 0.5 else given))
        parts.append(rng.choice(given))
        dob = date(1930, 1, 1) + timedelta(days=rng.randrange((date(2023, 12, 31) - date(1930, 1, 1)).days))
        code, pname = rng.choice(self.codes)
        _, rname = rng.choice(self.codes)
        issue = expiry = None
        start = max(date(2021, 1, 1), _add_years(dob, 14))
        if start < self.today:
            issue = start + timedelta(days=rng.randrange((self.today - start).days + 1))
            expiry = next((_add_years(dob, a) for a in (25, 40, 60) if _add_years(dob, a) > issue), None)
        cmnd = None
        if dob.year < 2000 and rng.random() < 0.7:
            self._cmnd += 1
            cmnd = f"{(self._cmnd * 48271) % 10**9:09d}"
        ins = ins_from = ins_to = fac = None
        if rng.random() < 0.85:
            year = rng.choice((self.today.year - 1, self.today.year, self.today.year))
            ins = f"{rng.choice(INSURANCE_GROUPS)}{rng.randrange(1, 6)}{code[1:]}{rng.randrange(10**10):010d}"
            ins_from, ins_to = date(year, 1, 1), date(year, 12, 31)
            fac = f"Bệnh viện Đa khoa {rname.replace('Tỉnh ', 'tỉnh ').replace('Thành phố ', 'thành phố ')}"
        street = f"Số {rng.randrange(1, 300)} đường {rng.choice(STREETS)}, Phường {rng.randrange(1, 15)}, {rname}"
        return Resident(
            id_number=self._id(code, dob, sex), old_id_number=cmnd, full_name=" ".join(parts),
            date_of_birth=dob, sex=sex, place_of_origin=pname, residence=street,
            ethnicity=_weighted(rng, ETHNICITIES), religion=_weighted(rng, RELIGIONS),
            card_issue_date=issue, card_expiry_date=expiry, insurance_code=ins,
            insurance_valid_from=ins_from, insurance_valid_to=ins_to, insurance_facility=fac,
        )

    def dirty(self, r: Resident, kind: str) -> Resident:
        """The registry's copy of ``r`` with one hand-typing defect of the given kind."""
        if kind == "typo":
            return replace(r, full_name=typo(r.full_name, self.rng))
        if kind == "no_diacritics":
            return replace(r, full_name=strip_diacritics(r.full_name))
        if kind == "old_tone":
            return replace(r, full_name=old_tone(r.full_name))
        if kind == "swap_day_month" and r.date_of_birth and swapped_dob(r.date_of_birth):
            return replace(r, date_of_birth=swapped_dob(r.date_of_birth))
        if kind == "cmnd_only":
            cmnd = r.old_id_number or f"{(self.rng.randrange(10**9)):09d}"
            return replace(r, id_number=None, old_id_number=cmnd)
        return r

    def rows(self, count: int, *, dirty: float = 0.05, broken: float = 0.0) -> Iterator[dict[str, str]]:
        """CSV rows (documented columns); ``dirty`` share defective but valid, ``broken`` invalid."""
        for _ in range(count):
            r = self.resident()
            roll = self.rng.random()
            if roll < dirty:
                r = self.dirty(r, self.rng.choice(DIRTY_KINDS))
            row = r.to_csv_row()
            if dirty <= roll < dirty + broken:
                row = self.broken(row)
            yield row

    def broken(self, row: dict[str, str]) -> dict[str, str]:
        kind = self.rng.randrange(4)
        if kind == 0:
            return {**row, "id_number": row["id_number"][:-1] if row["id_number"] else "12345"}
        if kind == 1:
            return {**row, "date_of_birth": row["date_of_birth"][:5] + "02-30"}
        if kind == 2:
            return {**row, "full_name": ""}
        return {**row, "sex": "X"}


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def write_csv(path: str | Path, rows: Iterator[dict[str, str]]) -> int:
    n = 0
    try:
        with open_private(path, "w", newline="") as fh:  # looks like personal data: 0600 as the real thing
            w = csv.DictWriter(fh, fieldnames=list(CSV_COLUMNS))
            w.writeheader()
            for row in rows:
                w.writerow(row)
                n += 1
    except OSError as exc:  # the writes: disk full, quota
        raise FileAccessError.of(exc, path, writing=True) from None
    return n
