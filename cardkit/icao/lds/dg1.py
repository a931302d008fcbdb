# SPDX-License-Identifier: Apache-2.0
"""DG1: the MRZ data element 5F1F inside tag 61 (ICAO 9303-10 §4.7.1)."""

from __future__ import annotations

from dataclasses import dataclass

from cardkit.errors import ParseError
from cardkit.icao.lds.mrz import Mrz, parse_mrz, split_lines
from cardkit.person import PersonData, Sex
from cardkit.tlv import encode_tlv, parse_single

TAG_DG1 = 0x61
TAG_MRZ = 0x5F1F


@dataclass(frozen=True)
class Dg1:
    mrz: Mrz

    def to_person(self) -> PersonData:
        m = self.mrz
        return PersonData(
            id_number=m.id_number,
            full_name=m.name or None,
            date_of_birth=m.date_of_birth,
            sex=Sex.parse(m.sex),
            nationality=m.nationality or None,
            expiry_date=m.date_of_expiry,
        )


def parse_dg1(data: bytes) -> Dg1:
    root = parse_single(data, expected_tag=TAG_DG1)
    mrz = root.require(TAG_MRZ, "DG1")
    try:
        return Dg1(parse_mrz(mrz.value))
    except ParseError as exc:
        raise ParseError(str(exc), what="DG1 MRZ", tag=TAG_MRZ, offset=mrz.offset) from None


def build_dg1(lines: list[str] | tuple[str, ...] | str) -> bytes:
    """Build DG1 from MRZ lines (or one string); the layout is checked by parsing it back."""
    text = lines if isinstance(lines, str) else "".join(lines)
    flat = "".join(split_lines(text))
    parse_mrz(flat)
    return encode_tlv(TAG_DG1, encode_tlv(TAG_MRZ, flat.encode("ascii")))
