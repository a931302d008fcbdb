# SPDX-License-Identifier: Apache-2.0
"""One identity from the chip and the printed QR: the chip wins, the QR fills what it lacks.

The chip's DG13 is signed (passive authentication covers it); the QR is printed and unsigned,
so it never overrides a chip value, it only fills fields the chip does not state. Disagreement
is not resolved here: it is reported by the chip-vs-QR cross-check.
"""

from __future__ import annotations

from dataclasses import fields

from cardkit.person import PersonData

_DATES = ("date_of_birth", "issue_date", "expiry_date")


def merge_identity(chip: PersonData | None, qr: PersonData | None) -> PersonData:
    if chip is None:
        return qr if qr is not None else PersonData()
    if qr is None:
        return chip
    changes = {}
    for f in fields(PersonData):
        if f.name == "extra":
            continue
        if getattr(chip, f.name) is None and getattr(qr, f.name) is not None:
            changes[f.name] = getattr(qr, f.name)
    return chip.with_(**changes) if changes else chip




def split_vietnamese_name(full_name: str | None) -> tuple[str | None, list[str]]:
    """Vietnamese order is family name first: "Nguyễn Văn An" -> ("Nguyễn", ["Văn", "An"])."""
    words = (full_name or "").split()
    if not words:
        return None, []
    return words[0], words[1:]
