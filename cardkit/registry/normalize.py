# SPDX-License-Identifier: Apache-2.0
"""Vietnamese text folding for matching and comparing names.

Cards, QR codes and registries write the same name in different forms: NFC or NFD, old or new
tone placement ("Hòa" / "Hoà"), with or without diacritics, "Đ" or "D", odd case and spacing.
Two levels are offered because they mean different things to the operator:

* :func:`tone_key` keeps every letter and diacritic but makes tone placement, Unicode form,
  case and spacing irrelevant: equal keys mean "the same spelling, written differently" (INFO).
* :func:`fold` drops all diacritics and maps Đ to D: equal folds mean "the same letters", which is
  what blocking keys and fuzzy ranking need (a registry typed without diacritics still matches).
"""

from __future__ import annotations

import unicodedata
from datetime import date
from functools import lru_cache

# The five Vietnamese tone marks as combining characters (NFD): grave, acute, hook above, tilde,
# dot below. Circumflex, breve and horn are letter modifiers, not tones, and are kept by tone_key.
_TONES = frozenset("\u0300\u0301\u0309\u0303\u0323")
_D_MAP = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean_spaces(text: str) -> str:
    """Collapse every run of white space (incl. NBSP) to one space and strip the ends."""
    return " ".join(text.split())


def _fold_slow(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return clean_spaces(stripped.casefold().translate(_D_MAP))


def _fold_table() -> dict[int, str]:
    """Per-character fold of ASCII and the Latin letters Vietnamese uses (U+00C0-U+024F,
    U+1E00-U+1EFF), where it gives ASCII. Folding is per character (stripping combining marks
    after NFD cancels canonical reordering; casefold has no context), so translating with this
    table equals the slow fold whenever the result is all ASCII; otherwise fold() falls back."""
    table: dict[int, str] = {}
    for cp in (*range(128), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        ch = chr(cp)
        if ch.isspace():
            continue  # kept as is: clean_spaces handles all white space
        folded = "".join(c for c in unicodedata.normalize("NFD", ch.translate(_D_MAP)) if not unicodedata.combining(c))
        folded = folded.casefold().translate(_D_MAP)
        if folded.isascii() and not any(c.isspace() for c in folded):
            table[cp] = folded
    return table


FOLD_TABLE = _fold_table()  # public: framerows folds names column-wise with it


@lru_cache(maxsize=1 << 16)
def fold(text: str | None) -> str:
    """Lower-case ASCII letters only: no diacritics, Đ→d, single spaces.

    >>> fold("  NGUYỄN  Thị Hoà ") == fold("nguyen thi hòa") == "nguyen thi hoa"
    True
    """
    if not text:
        return ""
    fast = text.translate(FOLD_TABLE)
    if fast.isascii():
        return clean_spaces(fast)
    return _fold_slow(text)


def _syllable_key(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = [ch for ch in decomposed if ch in _TONES]
    rest = "".join(ch for ch in decomposed if ch not in _TONES)
    # One tone per syllable: put it at the end, so "hòa" and "hoà" give the same key.
    return unicodedata.normalize("NFC", rest) + "".join(sorted(tones))


def tone_key(text: str | None) -> str:
    """Case-, space-, NFC/NFD- and tone-placement-insensitive key that keeps diacritics.

    >>> tone_key("Hoà") == tone_key("HÒA") and tone_key("Hoà") != tone_key("Hoa")
    True
    """
    if not text:
        return ""
    return " ".join(_syllable_key(w) for w in clean_spaces(nfc(text).casefold()).split(" "))


def name_tokens(text: str | None) -> list[str]:
    return fold(text).split()


def swapped_dob(dob: date) -> date | None:
    """The date with day and month exchanged, when that is a different valid date."""
    if dob.day == dob.month or dob.day > 12:
        return None
    try:
        return dob.replace(month=dob.day, day=dob.month)
    except ValueError:
        return None
