# SPDX-License-Identifier: Apache-2.0
"""EF.COM: LDS version, Unicode version and the list of data groups present (ICAO 9303-10 §4.6.1)."""

from __future__ import annotations

from dataclasses import dataclass

from cardkit.errors import ParseError
from cardkit.icao.lds.ef import DataGroup
from cardkit.tlv import encode_tlv, parse_single

TAG_COM = 0x60
TAG_LDS_VERSION = 0x5F01  # "aabb": version aa, update level bb
TAG_UNICODE_VERSION = 0x5F36  # "aabbcc"
TAG_TAG_LIST = 0x5C


@dataclass(frozen=True)
class Com:
    lds_version: str  # "1.7"
    unicode_version: str  # "4.0.0"
    tags: tuple[int, ...]  # as listed, including tags unknown to us
    data_groups: tuple[DataGroup, ...]  # the known ones, in list order


def _digits(value: bytes, n: int, tag: int) -> str:
    try:
        text = value.decode("ascii")
    except UnicodeDecodeError:
        text = ""
    if len(text) != n or not text.isdigit():
        raise ParseError(f"expected {n} digits", what="EF.COM version", tag=tag)
    return text


def parse_com(data: bytes) -> Com:
    root = parse_single(data, expected_tag=TAG_COM)
    lds = _digits(root.require(TAG_LDS_VERSION, "EF.COM").value, 4, TAG_LDS_VERSION)
    uni = _digits(root.require(TAG_UNICODE_VERSION, "EF.COM").value, 6, TAG_UNICODE_VERSION)
    tags = tuple(root.require(TAG_TAG_LIST, "EF.COM").value)
    groups = []
    for tag in tags:
        try:
            groups.append(DataGroup.from_tag(tag))
        except ParseError:
            continue  # tolerant: an unknown tag is kept in .tags only
    return Com(
        lds_version=f"{int(lds[:2])}.{int(lds[2:])}",
        unicode_version=f"{int(uni[:2])}.{int(uni[2:4])}.{int(uni[4:])}",
        tags=tags,
        data_groups=tuple(groups),
    )


def build_com(data_groups: list[DataGroup] | tuple[DataGroup, ...], *, lds_version: str = "0107",
              unicode_version: str = "040000") -> bytes:
    """Build EF.COM; versions as the digit strings stored on the card ("0107", "040000")."""
    tag_list = bytes(dg.tag for dg in data_groups if dg.tag is not None and dg.number is not None)
    body = (
        encode_tlv(TAG_LDS_VERSION, lds_version.encode("ascii"))
        + encode_tlv(TAG_UNICODE_VERSION, unicode_version.encode("ascii"))
        + encode_tlv(TAG_TAG_LIST, tag_list)
    )
    return encode_tlv(TAG_COM, body)
