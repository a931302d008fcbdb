# SPDX-License-Identifier: Apache-2.0
"""DG16: persons to notify (ICAO 9303-10 §4.7.16): ``02`` count, then ``A1``, ``A2``... templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cardkit.icao.lds.text_dg import name_text, text, yyyymmdd
from cardkit.tlv import parse_single

TAG_DG16 = 0x70


@dataclass(frozen=True)
class PersonToNotify:
    date_recorded: date | None
    name: str | None
    telephone: str | None
    address: str | None


@dataclass(frozen=True)
class Dg16:
    persons: tuple[PersonToNotify, ...]


def parse_dg16(data: bytes) -> Dg16:
    root = parse_single(data, expected_tag=TAG_DG16)
    persons = []
    for t in root.children():
        if t.tag & 0xF0 != 0xA0 or not t.constructed:
            continue
        v = {c.tag: c.value for c in t.children()}
        persons.append(PersonToNotify(
            yyyymmdd(v[0x5F50]) if 0x5F50 in v else None,
            name_text(v[0x5F51]) if 0x5F51 in v else None,
            text(v[0x5F52]) if 0x5F52 in v else None,
            text(v[0x5F53]) if 0x5F53 in v else None,
        ))
    return Dg16(tuple(persons))
