# SPDX-License-Identifier: Apache-2.0
"""repair_mojibake: undoes charset guesses, and never touches genuine text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardkit.qr.mojibake import repair_mojibake
from cardkit.qr.samples import all_toned_vowels

from .conftest import PAYLOADS


@pytest.mark.parametrize("codec", ["latin-1", "cp1252"])
def test_latin_guesses_are_repaired(codec):
    for text in PAYLOADS[:50]:
        mangled = text.encode("utf-8").decode(codec, errors="strict" if codec == "latin-1" else "ignore")
        if codec == "cp1252" and mangled.encode("cp1252", "ignore") != text.encode("utf-8"):
            continue  # a byte cp1252 leaves undefined was dropped: nothing to repair from
        assert repair_mojibake(mangled) == text


def test_python_shift_jis_guess_is_repaired():
    assert repair_mojibake("Nữ".encode().decode("shift_jis")) == "Nữ"


@pytest.mark.parametrize("text", PAYLOADS[:40] + ["Nguyễn Văn A", "Hà Nội", "Tokyo 東京", "ÀÁÂ", "plain"])
def test_genuine_text_is_left_alone(text):
    assert repair_mojibake(text) == text


@given(st.text(alphabet=st.sampled_from(all_toned_vowels() + list("abc |019"))))
def test_genuine_vietnamese_never_changes(text):
    assert repair_mojibake(text) == text
