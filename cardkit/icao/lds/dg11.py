# SPDX-License-Identifier: Apache-2.0
"""DG11: additional personal details (ICAO 9303-10 §4.7.11). Not present on a CCCD."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cardkit.icao.lds.text_dg import elements, name_text, text, yyyymmdd
from cardkit.tlv import parse_single

TAG_DG11 = 0x6B
_TEXT = {0x5F0E: "full_name", 0x5F10: "personal_number", 0x5F11: "place_of_birth", 0x5F42: "address",
         0x5F12: "telephone", 0x5F13: "profession", 0x5F14: "title", 0x5F15: "personal_summary",
         0x5F17: "other_td_numbers", 0x5F18: "custody_information"}


@dataclass(frozen=True)
class Dg11:
    full_name: str | None = None
    other_names: tuple[str, ...] = ()
    personal_number: str | None = None
    full_date_of_birth: date | None = None
    full_date_of_birth_text: str | None = None
    place_of_birth: str | None = None  # '<' separates parts, as on the chip
    address: str | None = None
    telephone: str | None = None
    profession: str | None = None
    title: str | None = None
    personal_summary: str | None = None
    proof_of_citizenship: bytes | None = None  # an image
    other_td_numbers: str | None = None
    custody_information: str | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()


def parse_dg11(data: bytes) -> Dg11:
    root = parse_single(data, expected_tag=TAG_DG11)
    values: dict[str, object] = {}
    unknown, others = [], []
    for t in elements(root):
        if t.tag == 0x5F0E:
            values["full_name"] = name_text(t.value)
        elif t.tag in _TEXT:
            values[_TEXT[t.tag]] = text(t.value)
        elif t.tag == 0x5F2B:
            values["full_date_of_birth"] = yyyymmdd(t.value)
            values["full_date_of_birth_text"] = text(t.value)
        elif t.tag == 0x5F16:
            values["proof_of_citizenship"] = t.value
        elif t.tag == 0xA0:  # other names: 02 count + 5F0F*
            others += [name_text(c.value) for c in t.children() if c.tag == 0x5F0F]
        elif t.tag == 0x5F0F:
            others.append(name_text(t.value))
        else:
            unknown.append((t.tag, t.value))
    return Dg11(**values, other_names=tuple(others), unknown=tuple(unknown))  # type: ignore[arg-type]
