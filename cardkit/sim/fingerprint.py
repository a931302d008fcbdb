# SPDX-License-Identifier: Apache-2.0
"""A synthetic DG3 for the simulator: one finger image in an ISO/IEC 19794-4:2005 style record.

DG3 (ICAO 9303-10 §4.7.3): ``63`` { ``7F61`` { ``02`` count, ``7F60`` { ``A1`` biometric header
template (81 type fingerprint, 87 format owner ISO/IEC JTC 1 SC 37, 88 format type finger image),
``5F2E`` the record } } }. The record: general header "FIR\\0" "010\\0", its length, CBEFF product
id, device, acquisition level, 1 finger, 500 ppi, 8-bit uncompressed; one finger header
(position: right index) and a small grey image of concentric ridges, a test pattern derived from
the seed, not anyone's fingerprint. Written by hand: no library builds these records.
"""

from __future__ import annotations

import hashlib

from cardkit.tlv import encode_tlv

WIDTH, HEIGHT = 32, 40
RIGHT_INDEX = 2  # finger position code (19794-4 Table 2)


def _image(seed: bytes) -> bytes:
    h = hashlib.sha256(seed).digest()
    cx, cy, period = 8 + h[0] % 16, 10 + h[1] % 20, 3 + h[2] % 3
    return bytes(255 if ((x - cx) ** 2 + (y - cy) ** 2) // (period * 8) % 2 else 40
                 for y in range(HEIGHT) for x in range(WIDTH))


def finger_record(seed: bytes) -> bytes:
    """The 19794-4 style record of one right index finger."""
    pixels = _image(seed)
    finger = (len(pixels) + 14).to_bytes(4, "big") + bytes([RIGHT_INDEX, 1, 1, 80, 0])
    finger += WIDTH.to_bytes(2, "big") + HEIGHT.to_bytes(2, "big") + b"\x00" + pixels
    rest = (b"\x00\x00\x00\x00" + b"\x00\x00" + (31).to_bytes(2, "big") + b"\x01\x01"
            + (500).to_bytes(2, "big") * 4 + b"\x08\x00" + b"\x00\x00")
    length = 4 + 4 + 6 + len(rest) + len(finger)
    return b"FIR\x00" + b"010\x00" + length.to_bytes(6, "big") + rest + finger


def build_dg3(seed: bytes) -> bytes:
    """DG3 holding one synthetic finger image."""
    header = encode_tlv(0xA1, encode_tlv(0x81, b"\x08") + encode_tlv(0x87, b"\x01\x01") + encode_tlv(0x88, b"\x00\x07"))
    bit = encode_tlv(0x7F60, header + encode_tlv(0x5F2E, finger_record(seed)))
    return encode_tlv(0x63, encode_tlv(0x7F61, encode_tlv(0x02, b"\x01") + bit))
