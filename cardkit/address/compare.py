# SPDX-License-Identifier: Apache-2.0
"""Same place or not: two addresses compared by their current unit codes (an old address and
its current form are the same place; a real move is not), the street by its folded text."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import Enum

from cardkit.address.current import Unit, convert, current_province


class Place(str, Enum):
    SAME = "same"
    DIFFERENT = "different"
    UNKNOWN = "unknown"  # one side has no recognisable ward: the caller compares text


def _fold(text: str | None) -> str:
    t = unicodedata.normalize("NFD", (text or "").casefold()).replace("đ", "d")
    return " ".join("".join(c for c in t if not unicodedata.combining(c) and (c.isalnum() or c == " ")).split())


def same_place(a: str, b: str) -> Place:
    ca, cb = convert(a), convert(b)
    if ca.unit_codes is None or cb.unit_codes is None:
        return Place.UNKNOWN
    if ca.province.code != cb.province.code or not (ca.possible_wards() & cb.possible_wards()):
        return Place.DIFFERENT
    if ca.street and cb.street and _fold(ca.street) != _fold(cb.street):
        return Place.DIFFERENT
    return Place.SAME


@dataclass(frozen=True)
class BirthProvince:
    """The 3-digit prefix of the ID number: the province of birth registration, in the old
    (63-province) units, with the province that holds it now. Never the residence."""

    code: str
    old_name: str
    current: Unit | None

    def text(self, lang: str = "vi") -> str:
        now = self.current.name if self.current else "?"
        return f"{self.old_name} (nay: {now})" if lang == "vi" else f"{self.old_name} (now {now})"


def birth_province(id_number: str | None) -> BirthProvince | None:
    from cardkit.idnumber import province_codes

    if not id_number or len(id_number) != 12:
        return None
    name = province_codes().get(id_number[:3])
    if name is None:
        return None
    return BirthProvince(id_number[:3], name, current_province(name))
