# SPDX-License-Identifier: Apache-2.0
"""The Vietnamese 12-digit personal identification number, and the chip keys it gives.

Structure (Circular 07/2016/TT-BCA, lapsed 2024-07-01, see docs/CCCD.md): 3 digits province of
birth registration (or country code), 1 digit century and sex, 2 digits year of birth, 6 digits
random. Since the circular lapsed, a structural mismatch is a warning, never a rejection:
:func:`validate_id` only insists on 12 ASCII digits; :func:`analyse_id` reports the rest.

Chip keys (docs/CCCD.md "Access keys"): the BAC document number is the LAST 9 digits, the PACE
CAN the last 6 digits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

from cardkit.errors import InputError


def validate_id(id_number: str) -> str:
    """Return the ID number stripped of spaces, or raise :class:`InputError`."""
    value = "".join(str(id_number).split())
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise InputError(
            "ID number must be exactly 12 digits",
            message_vi="Số định danh cá nhân phải gồm đúng 12 chữ số.",
        )
    return value


def validate_cmnd(number: str) -> str:
    """Old 9-digit identity card number (CMND)."""
    value = "".join(str(number).split())
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        raise InputError("old ID (CMND) number must be exactly 9 digits", message_vi="Số CMND cũ phải gồm đúng 9 chữ số.")
    return value


def bac_document_number(id_number: str) -> str:
    """BAC document number of a CCCD: the last 9 digits of the 12-digit ID (CCCD.md)."""
    return validate_id(id_number)[-9:]


def can_from_id(id_number: str) -> str:
    """PACE CAN of a CCCD: the last 6 digits of the 12-digit ID (CCCD.md)."""
    return validate_id(id_number)[-6:]


@lru_cache(maxsize=1)
def province_codes() -> dict[str, str]:
    text = resources.files("cardkit.data").joinpath("vn_province_codes.json").read_text("utf-8")
    return dict(json.loads(text)["codes"])


# century/sex digit -> (first year of century, sex "M"/"F")
_CENTURY_SEX = {
    "0": (1900, "M"), "1": (1900, "F"),
    "2": (2000, "M"), "3": (2000, "F"),
    "4": (2100, "M"), "5": (2100, "F"),
    "6": (2200, "M"), "7": (2200, "F"),
    "8": (2300, "M"), "9": (2300, "F"),
}


@dataclass(frozen=True)
class IdAnalysis:
    """What the structure of an ID number says, and where it disagrees with known facts."""

    id_number: str
    province_code: str
    province_name: str | None  # None when the code is not in the table
    birth_year: int
    sex: str  # "M" or "F"
    problems: tuple[str, ...]  # machine codes: "unknown_province", "birth_year_mismatch", "sex_mismatch"


def analyse_id(id_number: str, *, date_of_birth: date | None = None, sex: str | None = None) -> IdAnalysis:
    value = validate_id(id_number)
    code = value[:3]
    century, id_sex = _CENTURY_SEX[value[3]]
    year = century + int(value[4:6])
    name = province_codes().get(code)
    problems = []
    if name is None:
        problems.append("unknown_province")
    if date_of_birth is not None and date_of_birth.year != year:
        problems.append("birth_year_mismatch")
    if sex in ("M", "F") and sex != id_sex:
        problems.append("sex_mismatch")
    return IdAnalysis(value, code, name, year, id_sex, tuple(problems))
