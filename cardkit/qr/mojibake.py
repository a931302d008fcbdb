# SPDX-License-Identifier: Apache-2.0
"""Undo the damage charset-guessing QR readers do to UTF-8 Vietnamese text.

A QR code's byte segment carries no charset unless an ECI says so, and the CCCD QR has none
(docs/CCCD.md "The printed QR code"). zbar then guesses Shift-JIS or Big5 (through glibc iconv)
and other tools guess Latin-1 / cp1252, so "Nữ" arrives as "N盻ｯ". Such text can be turned back
into the original bytes by re-encoding it with the guessed charset; we accept the result only
when those bytes are valid UTF-8 and the text differs, so genuine text is left alone (Vietnamese
letters such as "ễ" exist in none of these charsets, so genuine text never re-encodes).
"""

from __future__ import annotations

# glibc's SJIS maps 0x5C / 0x7E to YEN SIGN / OVERLINE where Python's shift_jis keeps ASCII.
_SJIS_GLIBC = {"\u00a5": b"\x5c", "\u203e": b"\x7e"}

# glibc's BIG5 differs from Python's big5 on a few symbols, on the user-defined rows C6A1..C8FE
# (mapped linearly to U+F6B1..U+F848, and common in Vietnamese: "ơ" and "ư" are C6 A1 / C6 B0)
# and on the ETEN extension F9D6..F9FE.
_BIG5_GLIBC = {
    "\u2027": b"\xa1\x45", "\ufe51": b"\xa1\x4e", "\u00af": b"\xa1\xc2", "\uff5e": b"\xa1\xe3",
    "\u2295": b"\xa1\xf2", "\u2299": b"\xa1\xf3", "\u2215": b"\xa2\x41", "\ufe68": b"\xa2\x42",
    "\uffe5": b"\xa2\x44", "\uffe0": b"\xa2\x46", "\uffe1": b"\xa2\x47", "\u20ac": b"\xa3\xe1",
    "\x80": b"\x80",
}
_BIG5_ETEN = "碁銹裏墻恒粧嫺╔╦╗╠╬╣╚╩╝╒╤╕╞╪╡╘╧╛╓╥╖╟╫╢╙╨╜║═╭╮╰╯▓"
_BIG5_GLIBC.update({ch: bytes([0xF9, 0xD6 + i]) for i, ch in enumerate(_BIG5_ETEN)})
_BIG5_TRAILS = list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF))  # 157 trail bytes per row


def _big5_user_defined(ch: str) -> bytes | None:
    index = ord(ch) - 0xF6B1
    if not 0 <= index <= 0xF848 - 0xF6B1:
        return None
    index += 63  # row C6 starts at its first A1 trail byte
    return bytes([0xC6 + index // 157, _BIG5_TRAILS[index % 157]])


def _encode_sjis(ch: str) -> bytes | None:
    if ch in _SJIS_GLIBC:
        return _SJIS_GLIBC[ch]
    return _try(ch, "shift_jis") or _try(ch, "cp932")


def _encode_big5(ch: str) -> bytes | None:
    return _BIG5_GLIBC.get(ch) or _big5_user_defined(ch) or _try(ch, "big5")


def _encode_cp1252(ch: str) -> bytes | None:
    # Windows decoders pass the five bytes cp1252 leaves undefined through as C1 controls.
    return _try(ch, "cp1252") or _try(ch, "latin-1")


def _encode_latin1(ch: str) -> bytes | None:
    return _try(ch, "latin-1")


def _try(ch: str, codec: str) -> bytes | None:
    try:
        return ch.encode(codec)
    except UnicodeEncodeError:
        return None


# In the order a guess is most likely: zbar's Shift-JIS first (docs/CCCD.md).
_GUESSERS = (_encode_sjis, _encode_big5, _encode_latin1, _encode_cp1252)


def _reencode(text: str, encode_char) -> bytes | None:
    out = bytearray()
    for ch in text:
        if ch < "\x80":
            out += ch.encode("ascii")
            continue
        b = encode_char(ch)
        if b is None:
            return None
        out += b
    return bytes(out)


def repair_mojibake(text: str) -> str:
    """Return the UTF-8 original of ``text`` if a charset guess mangled it, else ``text``.

    The repair is taken only when re-encoding round-trips exactly into valid UTF-8; the
    charsets tried are glibc Shift-JIS and Big5 (what zbar guesses), Latin-1 and cp1252.
    """
    if text.isascii():
        return text
    for guess in _GUESSERS:
        raw = _reencode(text, guess)
        if raw is None:
            continue
        try:
            original = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if original != text:
            return original
    return text
