# SPDX-License-Identifier: Apache-2.0
"""BER-TLV parsing and building (ISO/IEC 7816-4 §5.2, ITU-T X.690 §8.1).

Multi-byte tags, short and long-form lengths; indefinite length is rejected (not used by
ICAO 9303 data). Limits on nesting depth and length guard against hostile cards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cardkit.errors import ParseError

MAX_DEPTH = 32
MAX_LENGTH = 1 << 24  # 16 MiB: far above any LDS file


@dataclass(frozen=True)
class Tlv:
    """One TLV: ``tag`` as the integer of its encoded bytes (e.g. 0x5F1F), ``value`` raw."""

    tag: int
    value: bytes
    offset: int = 0  # where the tag started in the parsed buffer
    length_bytes: int = 0  # bytes of header (tag + length)

    @property
    def constructed(self) -> bool:
        return bool(_first_tag_byte(self.tag) & 0x20)

    def children(self) -> list[Tlv]:
        if not self.constructed:
            raise ParseError("primitive TLV has no children", what="TLV", tag=self.tag, offset=self.offset)
        return parse_all(self.value, base_offset=self.offset + self.length_bytes)

    def find(self, tag: int) -> Tlv | None:
        for child in self.children():
            if child.tag == tag:
                return child
        return None

    def require(self, tag: int, what: str = "") -> Tlv:
        child = self.find(tag)
        if child is None:
            raise ParseError(f"missing tag {tag:X}", what=what or "TLV", tag=self.tag, offset=self.offset)
        return child

    def encode(self) -> bytes:
        return encode_tlv(self.tag, self.value)


def _first_tag_byte(tag: int) -> int:
    n = (tag.bit_length() + 7) // 8 or 1
    return (tag >> (8 * (n - 1))) & 0xFF


def read_tag(data: bytes, pos: int) -> tuple[int, int]:
    """Return (tag, next position)."""
    if pos >= len(data):
        raise ParseError("truncated tag", what="TLV", offset=pos)
    first = data[pos]
    tag = first
    pos += 1
    if first & 0x1F == 0x1F:  # X.690 §8.1.2.4: subsequent bytes, bit 8 = more
        for _ in range(4):
            if pos >= len(data):
                raise ParseError("truncated multi-byte tag", what="TLV", offset=pos)
            b = data[pos]
            tag = (tag << 8) | b
            pos += 1
            if not b & 0x80:
                break
        else:
            raise ParseError("tag longer than 4 bytes", what="TLV", offset=pos)
    return tag, pos


def read_length(data: bytes, pos: int) -> tuple[int, int]:
    """Return (length, next position)."""
    if pos >= len(data):
        raise ParseError("truncated length", what="TLV", offset=pos)
    first = data[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    if first == 0x80:
        raise ParseError("indefinite length is not allowed", what="TLV", offset=pos - 1)
    n = first & 0x7F
    if n > 4:
        raise ParseError(f"length of {n} bytes is not supported", what="TLV", offset=pos - 1)
    if pos + n > len(data):
        raise ParseError("truncated long-form length", what="TLV", offset=pos)
    length = int.from_bytes(data[pos : pos + n], "big")
    if length > MAX_LENGTH:
        raise ParseError(f"length {length} exceeds limit", what="TLV", offset=pos - 1)
    return length, pos + n


def parse_one(data: bytes, pos: int = 0, *, base_offset: int = 0) -> tuple[Tlv, int]:
    """Parse one TLV at ``pos``; return it and the position after it."""
    start = pos
    tag, pos = read_tag(data, pos)
    length, pos = read_length(data, pos)
    end = pos + length
    if end > len(data):
        raise ParseError(
            f"value of {length} bytes overruns the {len(data) - pos} available",
            what="TLV",
            tag=tag,
            offset=base_offset + start,
        )
    return Tlv(tag, bytes(data[pos:end]), base_offset + start, pos - start), end


def parse_all(data: bytes, *, base_offset: int = 0) -> list[Tlv]:
    """Parse a concatenation of TLVs that must fill ``data`` exactly."""
    out = []
    pos = 0
    while pos < len(data):
        tlv, pos = parse_one(data, pos, base_offset=base_offset)
        out.append(tlv)
    return out


def parse_single(data: bytes, *, expected_tag: int | None = None, allow_trailing: bool = False) -> Tlv:
    """Parse exactly one TLV (an LDS file, a response template)."""
    tlv, end = parse_one(data)
    if expected_tag is not None and tlv.tag != expected_tag:
        raise ParseError(f"expected tag {expected_tag:X}, found {tlv.tag:X}", what="TLV", tag=tlv.tag, offset=0)
    if end != len(data) and not allow_trailing:
        raise ParseError(f"{len(data) - end} trailing bytes", what="TLV", tag=tlv.tag, offset=end)
    return tlv


def walk(data: bytes, *, depth: int = 0, base_offset: int = 0) -> Iterator[tuple[int, Tlv]]:
    """Depth-first walk of every TLV (constructed ones are descended), with depth limit."""
    if depth > MAX_DEPTH:
        raise ParseError("TLV nesting too deep", what="TLV", offset=base_offset)
    for tlv in parse_all(data, base_offset=base_offset):
        yield depth, tlv
        if tlv.constructed:
            yield from walk(tlv.value, depth=depth + 1, base_offset=tlv.offset + tlv.length_bytes)


def encode_tag(tag: int) -> bytes:
    n = (tag.bit_length() + 7) // 8 or 1
    return tag.to_bytes(n, "big")


def encode_length(length: int) -> bytes:
    if length < 0:
        raise ValueError("negative length")
    if length < 0x80:
        return bytes([length])
    n = (length.bit_length() + 7) // 8
    return bytes([0x80 | n]) + length.to_bytes(n, "big")


def encode_tlv(tag: int, value: bytes) -> bytes:
    return encode_tag(tag) + encode_length(len(value)) + bytes(value)


def total_length(header: bytes) -> int | None:
    """Total length of the TLV whose first bytes are ``header``, or None if more are needed.

    Used to learn a file's size from its first READ BINARY (ICAO 9303-10 §3.x files are one TLV).
    """
    try:
        tag, pos = read_tag(header, 0)
        length, pos = read_length(header, pos)
    except ParseError as exc:
        if "truncated" in str(exc):
            return None
        raise
    return pos + length
