# SPDX-License-Identifier: Apache-2.0
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardkit.errors import CardkitError, ParseError
from cardkit.tlv import encode_length, encode_tlv, parse_all, parse_single, total_length, walk


@pytest.mark.parametrize(
    "raw, tag, value",
    [
        ("5f1f03414243", 0x5F1F, b"ABC"),
        ("7f610100", 0x7F61, b"\x00"),
        ("0400", 0x04, b""),
        ("5f8f0101ff", 0x5F8F01, b"\xff"),  # three-byte tag (X.690 §8.1.2.4)
    ],
)
def test_parses_single_and_multi_byte_tags(raw, tag, value):
    tlv = parse_single(bytes.fromhex(raw))
    assert (tlv.tag, tlv.value) == (tag, value)
    assert tlv.encode() == bytes.fromhex(raw)


@pytest.mark.parametrize("length, encoded", [(0, "00"), (127, "7f"), (128, "8180"), (255, "81ff"), (256, "820100"),
                                             (70000, "83011170")])
def test_length_forms_round_trip(length, encoded):
    assert encode_length(length).hex() == encoded
    tlv = parse_single(bytes.fromhex("04") + bytes.fromhex(encoded) + b"\x00" * length)
    assert len(tlv.value) == length


def test_indefinite_length_is_rejected():
    with pytest.raises(ParseError, match="indefinite"):
        parse_single(bytes.fromhex("30800400 0000".replace(" ", "")))


def test_overrun_names_tag_and_offset():
    with pytest.raises(ParseError) as err:
        parse_all(bytes.fromhex("0401aa 5f1f05 4142"))
    assert err.value.tag == 0x5F1F and err.value.offset == 3


def test_nesting_depth_is_limited():
    data = b"\x00"
    for _ in range(40):
        data = encode_tlv(0x30, data if data != b"\x00" else b"")
    with pytest.raises(ParseError, match="deep"):
        list(walk(data))


def test_huge_claimed_length_is_rejected_before_allocation():
    with pytest.raises(ParseError, match="exceeds limit"):
        total_length(bytes.fromhex("6d84 7fffffff".replace(" ", "")))


def test_total_length_from_header_only():
    assert total_length(bytes.fromhex("7582")) is None
    assert total_length(bytes.fromhex("75824e20")) == 4 + 0x4E20


def test_children_and_require():
    tlv = parse_single(encode_tlv(0x61, encode_tlv(0x5F1F, b"X") + encode_tlv(0x02, b"\x01")))
    assert tlv.require(0x02).value == b"\x01"
    with pytest.raises(ParseError, match="missing tag 5F20"):
        tlv.require(0x5F20)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_only_parse_errors_escape(data):
    try:
        for _depth, _tlv in walk(data):
            pass
        total_length(data)
    except CardkitError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=0xFFFFFF), st.binary(max_size=600))
def test_fuzz_build_parse_round_trip(tag, value):
    # only well-formed tags: first byte low bits 11111 requires continuation bytes
    raw_tag = tag.to_bytes((tag.bit_length() + 7) // 8, "big")
    if raw_tag[0] & 0x1F == 0x1F and (len(raw_tag) == 1 or raw_tag[-1] & 0x80 or any(not b & 0x80 for b in raw_tag[1:-1])):
        return
    if raw_tag[0] & 0x1F != 0x1F and len(raw_tag) > 1:
        return
    tlv = parse_single(encode_tlv(tag, value))
    assert (tlv.tag, tlv.value) == (tag, value)
