# SPDX-License-Identifier: Apache-2.0
"""A neutral record of a person as a card (chip DG13, printed QR) or a registry states it.

Every source maps into :class:`PersonData` so that cross-checks (chip vs QR, card vs registry)
compare like with like. Text is NFC-normalised on construction; ``None`` means "the source does
not say", distinct from an empty string, which means "the source says: empty".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from enum import Enum
from typing import Any, TypedDict, Unpack


class Sex(str, Enum):
    MALE = "M"
    FEMALE = "F"

    @classmethod
    def parse(cls, text: str | None) -> Sex | None:
        """Accept "Nam"/"Nữ" (any normalisation or case), "M"/"F", "male"/"female"."""
        if text is None:
            return None
        t = unicodedata.normalize("NFC", text).strip().casefold()
        if t in ("nam", "m", "male", "1"):
            return cls.MALE
        if t in ("nữ", "nu", "f", "female", "2"):
            return cls.FEMALE
        return None

    @property
    def vi(self) -> str:
        return "Nam" if self is Sex.MALE else "Nữ"


class DobPrecision(str, Enum):
    """How much of a date of birth the source knows.

    Older residents were often registered with the year alone, and some cards print only the
    year: such a DOB is held as 1 January of that year with precision ``YEAR``, so nothing reads
    its day and month as a fact."""

    EXACT = "exact"
    YEAR = "year"


def parse_year_only(text: str | None) -> date | None:
    """A date of birth written with the year alone: ``yyyy``, ``00/00/yyyy``, ``0000yyyy`` or
    ``yyyy-00-00``; 1 January of that year, else None (``01/01/yyyy`` is a real date: None)."""
    t = (text or "").strip()
    if len(t) == 10 and t[2] == "/" and t[5] == "/" and t[:6] == "00/00/":
        t = t[6:]
    elif len(t) == 10 and t.endswith("-00-00"):
        t = t[:4]
    elif len(t) == 8 and t.startswith("0000"):
        t = t[4:]
    if len(t) != 4 or not t.isascii() or not t.isdigit() or int(t) < 1:
        return None
    return date(int(t), 1, 1)


def format_year_only(d: date) -> str:
    """The year alone, as Vietnamese records write a year-only date of birth."""
    return f"{d.year:04d}"


def nfc(text: str | None) -> str | None:
    return None if text is None else unicodedata.normalize("NFC", text)


class PersonChanges(TypedDict, total=False):
    """The fields :meth:`PersonData.with_` may change (all of them; tests/core keeps them equal)."""

    id_number: str | None
    old_id_number: str | None
    full_name: str | None
    date_of_birth: date | None
    sex: Sex | None
    nationality: str | None
    ethnicity: str | None
    religion: str | None
    place_of_origin: str | None
    residence: str | None
    personal_features: str | None
    issue_date: date | None
    expiry_date: date | None
    expiry_text: str | None
    father_name: str | None
    mother_name: str | None
    spouse_name: str | None
    extra: tuple[tuple[str, str], ...]
    dob_precision: DobPrecision


@dataclass(frozen=True)
class PersonData:
    id_number: str | None = None
    old_id_number: str | None = None
    full_name: str | None = None
    date_of_birth: date | None = None
    sex: Sex | None = None
    nationality: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    place_of_origin: str | None = None
    residence: str | None = None
    personal_features: str | None = None
    issue_date: date | None = None
    expiry_date: date | None = None
    expiry_text: str | None = None  # e.g. "Không thời hạn" when the card has no expiry date
    father_name: str | None = None
    mother_name: str | None = None
    spouse_name: str | None = None
    extra: tuple[tuple[str, str], ...] = field(default=())  # unknown fields kept as (label, text)
    dob_precision: DobPrecision = DobPrecision.EXACT  # YEAR: date_of_birth is 1 January of the year

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, str):
                object.__setattr__(self, f.name, unicodedata.normalize("NFC", v))

    def with_(self, **changes: Unpack[PersonChanges]) -> PersonData:
        return replace(self, **changes)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PersonData:  # Any: decoded JSON
        """The inverse of :meth:`to_dict` (card.json, journal rows, person files)."""
        kw = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        for k in ("date_of_birth", "issue_date", "expiry_date"):
            if kw.get(k):
                kw[k] = date.fromisoformat(kw[k])
        if kw.get("sex"):
            kw["sex"] = Sex.parse(kw["sex"]) or Sex(kw["sex"])
        kw["extra"] = tuple(tuple(p) for p in kw.get("extra") or ())
        kw["dob_precision"] = DobPrecision(kw.get("dob_precision") or DobPrecision.EXACT)
        return cls(**kw)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, date):
                v = v.isoformat()
            elif isinstance(v, (Sex, DobPrecision)):
                v = v.value
            elif f.name == "extra":
                v = [list(p) for p in v]
            out[f.name] = v
        if self.dob_precision is DobPrecision.EXACT:
            del out["dob_precision"]  # the default: dicts of exact DOBs keep their earlier shape
        return out
