# SPDX-License-Identifier: Apache-2.0
"""The registry's record of a resident, and how it maps to the neutral :class:`PersonData`.

A registry row is what the clinic or office already knows (possibly typed by hand years ago);
the card is what the state issued. Keeping both as plain frozen records lets the discrepancy
check compare them field by field without knowing where either came from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, datetime

from cardkit.person import DobPrecision, PersonData, Sex, format_year_only
from cardkit.registry.normalize import fold

# The documented CSV format, in order (docs: cardkit registry import / synth).
CSV_COLUMNS: tuple[str, ...] = (
    "id_number", "old_id_number", "full_name", "date_of_birth", "sex", "place_of_origin",
    "residence", "ethnicity", "religion", "card_issue_date", "card_expiry_date",
    "insurance_code", "insurance_valid_from", "insurance_valid_to", "insurance_facility",
)

DATE_FIELDS = frozenset(
    {"date_of_birth", "card_issue_date", "card_expiry_date", "insurance_valid_from", "insurance_valid_to"}
)


@dataclass(frozen=True)
class Resident:
    """One resident as the registry holds it. ``id_number`` or ``old_id_number`` is always set."""

    id_number: str | None
    old_id_number: str | None
    full_name: str
    date_of_birth: date | None
    sex: Sex | None = None
    place_of_origin: str | None = None
    residence: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    card_issue_date: date | None = None
    card_expiry_date: date | None = None
    insurance_code: str | None = None
    insurance_valid_from: date | None = None
    insurance_valid_to: date | None = None
    insurance_facility: str | None = None
    updated_at: datetime | None = None
    # YEAR: the registry knows the year of birth only; date_of_birth is then 1 January of it.
    dob_precision: DobPrecision = DobPrecision.EXACT

    @property
    def key(self) -> str:
        """Primary key: the 12-digit ID, or ``C`` + CMND for records that only know the old number."""
        return self.id_number if self.id_number else "C" + (self.old_id_number or "")

    @property
    def name_key(self) -> str:
        return fold(self.full_name)

    def to_person(self) -> PersonData:
        return PersonData(
            id_number=self.id_number,
            old_id_number=self.old_id_number,
            full_name=self.full_name,
            date_of_birth=self.date_of_birth,
            sex=self.sex,
            ethnicity=self.ethnicity,
            religion=self.religion,
            place_of_origin=self.place_of_origin,
            residence=self.residence,
            issue_date=self.card_issue_date,
            expiry_date=self.card_expiry_date, dob_precision=self.dob_precision,
        )

    @property
    def dob_text(self) -> str | None:
        """The DOB as the CSV and the content hash write it: ISO, or the year alone."""
        if self.date_of_birth is None:
            return None
        if self.dob_precision is DobPrecision.YEAR:
            return format_year_only(self.date_of_birth)
        return self.date_of_birth.isoformat()

    def to_csv_row(self) -> dict[str, str]:
        row = {name: _text(getattr(self, name)) for name in CSV_COLUMNS}
        row["date_of_birth"] = self.dob_text or ""
        return row

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        for k, v in out.items():
            if isinstance(v, (date, datetime)):
                out[k] = v.isoformat()
            elif isinstance(v, (Sex, DobPrecision)):
                out[k] = v.value
        return out


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Sex):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


RESIDENT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Resident))
