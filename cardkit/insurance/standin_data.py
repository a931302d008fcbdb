# SPDX-License-Identifier: Apache-2.0
"""The stand-in's synthetic card set: every bundled resident (cardkit/data/persons.json) holds a
valid card (``000``), and one invented holder per answer the gateway gives from its own records
(``001``-``004``, ``010``, ``100``, ``101``, ``110``, ``120``-``124``, ``130``). The answers the
gateway computes from the request (``050``-``055``, ``060``, ``061``, ``070``, ``205``, ``401``)
come from the stand-in's rules (:mod:`cardkit.insurance.standin`). All names and numbers are
invented; validity runs over the stand-in's current year.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from importlib import resources

from cardkit.insurance.codes import ResultCode as R

DEMO_CODE = "DN4010123456789"  # the demo holder's card (as in the demo registry)
FACILITY = ("01001", "Bệnh viện Đa khoa Thành phố Hà Nội")


@dataclass(frozen=True)
class StandInCard:
    card_code: str  # 15 characters: group (2), benefit (1), province (2), BHXH number (10)
    id_number: str | None
    full_name: str
    dob: str  # dd/MM/yyyy or yyyy
    sex: str  # "Nam" / "Nữ"
    address: str
    answer: R = R.OK
    facility_code: str = FACILITY[0]
    valid_years: tuple[int, int] = (0, 0)  # offsets from the current year: (from, to)
    new_code: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def si_number(self) -> str:
        return self.card_code[5:]

    def answer_fields(self, today: date) -> dict[str, str]:
        y0, y1 = today.year + self.valid_years[0], today.year + self.valid_years[1]
        out = {"maThe": self.card_code, "hoTen": self.full_name, "ngaySinh": self.dob, "gioiTinh": self.sex,
               "diaChi": self.address, "maDKBD": self.facility_code, "cqBHXH": "Bảo hiểm xã hội (stand-in)",
               "gtTheTu": f"01/01/{y0}", "gtTheDen": f"31/12/{y1}", "maKV": "", "ngayDu5Nam": f"01/01/{y0 + 3}",
               "maSoBHXH": self.si_number, "maTheCu": "", "maTheMoi": "", "gtTheTuMoi": "", "gtTheDenMoi": "",
               "maDKBDMoi": "", "tenDKBDMoi": ""}
        if self.new_code:
            out.update(maTheCu=self.card_code, maTheMoi=self.new_code, gtTheTuMoi=f"01/01/{today.year}",
                       gtTheDenMoi=f"31/12/{today.year + 1}", maDKBDMoi="01002", tenDKBDMoi="Bệnh viện Bạch Mai")
        out.update(self.extra)
        return out


def _resident_card(r: dict) -> StandInCard:
    y, m, d = r["date_of_birth"].split("-")
    code = DEMO_CODE if r["key"] == "nguyen-van-an" else f"HT4{r['id_number'][1:3]}{r['id_number'][2:]}"
    return StandInCard(code, r["id_number"], r["full_name"], f"{d}/{m}/{y}", "Nam" if r["sex"] == "M" else "Nữ",
                       r["residence"])


def _invented(n: int, answer: R, group: str = "GD", **kw) -> StandInCard:
    ident = f"0019900{n:05d}"
    return StandInCard(f"{group}4{ident[1:3]}{n:010d}", ident, f"Mẫu Thử Số {n}", f"15/06/{1970 + n}",
                       "Nam" if n % 2 else "Nữ", f"Số {n} phố Thử, Phường Thử, Thành phố Hà Nội", answer, **kw)


def invented_cards() -> tuple[StandInCard, ...]:
    return (
        _invented(1, R.DEFENCE, "QN"), _invented(2, R.PUBLIC_SECURITY, "CA"),
        _invented(3, R.OLD_CARD_EXPIRED_NEW_ISSUED, valid_years=(-2, -1), new_code="GD4010000000103"),
        _invented(4, R.OLD_CARD_VALID_NEW_ISSUED, new_code="GD4010000000104"),
        _invented(10, R.EXPIRED, valid_years=(-2, -1)), _invented(11, R.CARD_DATA_ERROR),
        _invented(12, R.SERVER_ERROR), _invented(13, R.WITHDRAWN), _invented(20, R.REDUCED),
        _invented(21, R.REDUCED_MOVED_PROVINCE), _invented(22, R.REDUCED_WITHIN_PROVINCE),
        _invented(23, R.REDUCED_REJOINED), _invented(24, R.REDUCED_STOPPED),
        StandInCard("TE1010000000130", "001222000130", "Mẫu Thử Trẻ Em", "01/05/2022", "Nữ",
                    "Số 130 phố Thử, Phường Thử, Thành phố Hà Nội", R.CHILD_WITHOUT_CARD),
    )


def bundled_cards() -> tuple[StandInCard, ...]:
    text = resources.files("cardkit.data").joinpath("persons.json").read_text("utf-8")
    return tuple(_resident_card(r) for r in json.loads(text)["persons"])


def synthetic_set() -> tuple[StandInCard, ...]:
    return bundled_cards() + invented_cards()


def by_answer(cards: tuple[StandInCard, ...] | None = None) -> dict[R, StandInCard]:
    """The first card of the set that answers each stored result code (tests and docs)."""
    out: dict[R, StandInCard] = {}
    for c in cards or synthetic_set():
        out.setdefault(c.answer, c)
    return out
