# SPDX-License-Identifier: Apache-2.0
"""What an ATR's historical bytes say about the card (ISO/IEC 7816-3 §8.2, 7816-4 §8.1.1)."""

from __future__ import annotations


def historical_bytes(atr: bytes) -> bytes:
    """Extract the historical bytes (T0's low nibble gives their count)."""
    if len(atr) < 2:
        return b""
    k = atr[1] & 0x0F
    y = atr[1] >> 4
    pos = 2
    while True:
        # TA, TB, TC, TD present per the Y bits
        td = None
        for bit in range(4):
            if y & (1 << bit):
                if pos >= len(atr):
                    return b""
                if bit == 3:
                    td = atr[pos]
                pos += 1
        if td is None:
            break
        y = td >> 4
    return bytes(atr[pos : pos + k])


def supports_extended_length(atr: bytes) -> bool:
    """Card capabilities (compact-TLV tag 7, ISO/IEC 7816-4 §8.1.1.2.7): third byte bit 7 = extended Lc/Le."""
    hist = historical_bytes(atr)
    if not hist or hist[0] != 0x80:
        return False
    pos = 1
    while pos < len(hist):
        tag, length = hist[pos] >> 4, hist[pos] & 0x0F
        value = hist[pos + 1 : pos + 1 + length]
        if tag == 7 and len(value) >= 3:
            return bool(value[2] & 0x40)
        pos += 1 + length
    return False


def build_contactless_atr(historical: bytes) -> bytes:
    """PC/SC part 3 §3.1.3.2.3 ATR of a contactless ISO 14443-4 card, with TCK."""
    body = bytes([0x80 | len(historical), 0x80, 0x01]) + historical
    tck = 0
    for b in body:
        tck ^= b
    return b"\x3b" + body + bytes([tck])
