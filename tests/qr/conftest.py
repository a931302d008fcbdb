# SPDX-License-Identifier: Apache-2.0
"""Helpers for QR tests: render a payload as a small, crisp grayscale QR image."""

from __future__ import annotations

import random

import numpy as np
import pytest
import segno

from cardkit.qr.payload import build_payload
from cardkit.qr.samples import all_toned_vowels, random_person


def qr_gray(text: str, scale: int = 2, border: int = 4) -> np.ndarray:
    """The QR of ``text`` (UTF-8 byte mode, never Micro QR) as a uint8 gray array."""
    qr = segno.make_qr(text, encoding="utf-8")
    dark = np.pad(np.array(qr.matrix, dtype=bool), border)
    return np.kron(np.where(dark, 0, 255).astype(np.uint8), np.ones((scale, scale), np.uint8))


def vietnamese_payloads(n: int = 320, seed: int = 7) -> list[str]:
    """Every toned vowel (both cases) in a name, some long addresses, both profiles."""
    rng = random.Random(seed)
    vowels = all_toned_vowels()
    out = []
    for i in range(n):
        person = random_person(rng, vowel=vowels[i % len(vowels)], long_address=i % 3 == 0)
        out.append(build_payload(person, "cancuoc2024" if i % 2 else "cccd2021"))
    return out


PAYLOADS = vietnamese_payloads()


@pytest.fixture(scope="session")
def payload_images() -> list[tuple[str, np.ndarray]]:
    return [(t, qr_gray(t)) for t in PAYLOADS]
