# SPDX-License-Identifier: Apache-2.0
"""DG12: additional document details (ICAO 9303-10 §4.7.12). Not present on a CCCD."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cardkit.icao.lds.text_dg import build_text_dg, elements, name_text, text, yyyymmdd
from cardkit.tlv import parse_single

TAG_DG12 = 0x6C
_TEXT = {0x5F19: "issuing_authority", 0x5F1B: "endorsements", 0x5F1C: "tax_exit_requirements",
         0x5F55: "personalisation_time", 0x5F56: "personalisation_system_serial"}


@dataclass(frozen=True)
class Dg12:
    issuing_authority: str | None = None
    date_of_issue: date | None = None
    other_persons: tuple[str, ...] = ()
    endorsements: str | None = None
    tax_exit_requirements: str | None = None
    front_image: bytes | None = None
    rear_image: bytes | None = None
    personalisation_time: str | None = None  # yyyymmddhhmmss
    personalisation_system_serial: str | None = None
    unknown: tuple[tuple[int, bytes], ...] = ()


def parse_dg12(data: bytes) -> Dg12:
    root = parse_single(data, expected_tag=TAG_DG12)
    values: dict[str, object] = {}
    unknown, persons = [], []
    for t in elements(root):
        if t.tag in _TEXT:
            values[_TEXT[t.tag]] = text(t.value)
        elif t.tag == 0x5F26:
            values["date_of_issue"] = yyyymmdd(t.value)
        elif t.tag == 0x5F1D:
            values["front_image"] = t.value
        elif t.tag == 0x5F1E:
            values["rear_image"] = t.value
        elif t.tag == 0xA0:  # other persons: 02 count + 5F1A*
            persons += [name_text(c.value) for c in t.children() if c.tag == 0x5F1A]
        elif t.tag == 0x5F1A:
            persons.append(name_text(t.value))
        else:
            unknown.append((t.tag, t.value))
    return Dg12(**values, other_persons=tuple(persons), unknown=tuple(unknown))  # type: ignore[arg-type]


def build_dg12(elements_: dict[int, bytes]) -> bytes:
    """DG12 from {tag: value}; the tag list 5C is derived."""
    return build_text_dg(TAG_DG12, elements_)
