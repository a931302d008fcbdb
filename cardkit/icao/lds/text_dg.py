# SPDX-License-Identifier: Apache-2.0
"""Shared parsing for the text data groups DG11, DG12 and DG16 (ICAO 9303-10 §4.7.11-4.7.16).

Each element is a tagged text value; repeated structures are ``A0``/``A1..`` templates with a
``02`` count. Unknown elements are kept raw (tag, bytes), never dropped.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from cardkit.tlv import Tlv, encode_tlv


def text(value: bytes) -> str:
    """LDS text is UTF-8 (9303-10 §4.7); ICAO '<' fillers are turned into spaces."""
    return unicodedata.normalize("NFC", value.decode("utf-8", errors="replace"))


def name_text(value: bytes) -> str:
    """A name in MRZ form (``SMITH<<JOHN<J``) -> ``SMITH, JOHN J`` kept as the spec prints it."""
    t = text(value)
    primary, sep, secondary = t.partition("<<")
    return primary.replace("<", " ").strip() + (", " + secondary.replace("<", " ").strip() if sep else "")


def yyyymmdd(value: bytes) -> date | None:
    t = value.decode("ascii", errors="replace")
    if len(t) < 8 or not t[:8].isdigit():
        return None
    try:
        return date(int(t[:4]), int(t[4:6]), int(t[6:8]))
    except ValueError:
        return None


def elements(root: Tlv, skip: tuple[int, ...] = (0x5C,)) -> list[Tlv]:
    return [t for t in root.children() if t.tag not in skip]


def build_text_dg(tag: int, elements_: dict[int, bytes]) -> bytes:
    """DG11 / DG12 from {tag: value}; the tag list 5C is derived (ICAO 9303-10 §4.7.11-12)."""
    tags = b"".join(t.to_bytes(2, "big") for t in elements_)
    return encode_tlv(tag, encode_tlv(0x5C, tags) + b"".join(encode_tlv(t, v) for t, v in elements_.items()))
