# SPDX-License-Identifier: Apache-2.0
"""How far two dates of birth agree, knowing that many only state the year.

Older residents were registered with the year of birth alone, written "01/01/yyyy" or "yyyy";
some cards print only the year. Such a date says "born in yyyy", nothing about the day: a
namesake who happens to be born on 1 January must not win because of it. So a DOB of precision
YEAR, and any 01/01 date (the placeholder; a real New Year's Day birth loses only the tie-break
against a namesake born the same year), is compared by its year alone (:attr:`DobMatch.YEAR_KNOWN`).

The levels, best first, and the share of the DOB weight each earns (:data:`DOB_SCORES`):
equal (1.0); day and month swapped (0.9: the commonest typing error of a date); the year equal
where one side knows only the year (0.8: nothing disagrees, but a year says far less than a
date); one digit of the day or month
wrong (0.78); the year equal, day and month wrong (0.75: the year is the part a registry gets
right most, and it is what a year-only record would have agreed with); one digit of the year
wrong (0.6); unknown on either side (0.5); else 0.
"""

from __future__ import annotations

from datetime import date
from enum import Enum

from cardkit.person import DobPrecision
from cardkit.registry.normalize import swapped_dob


class DobMatch(str, Enum):
    EQUAL = "equal"
    SWAPPED = "swapped"
    YEAR_KNOWN = "year_known"  # one side knows only the year (or writes the 01/01 placeholder): same year
    DAY_MONTH_DIGIT = "day_month_digit"
    YEAR_EQUAL = "year_equal"  # day and month disagree
    YEAR_DIGIT = "year_digit"
    UNKNOWN = "unknown"
    DIFFERS = "differs"


DOB_SCORES: dict[DobMatch, float] = {
    DobMatch.EQUAL: 1.0, DobMatch.SWAPPED: 0.9, DobMatch.YEAR_KNOWN: 0.8, DobMatch.DAY_MONTH_DIGIT: 0.78,
    DobMatch.YEAR_EQUAL: 0.75, DobMatch.YEAR_DIGIT: 0.6, DobMatch.UNKNOWN: 0.5, DobMatch.DIFFERS: 0.0,
}

DOB_REASONS: dict[DobMatch, str] = {
    DobMatch.EQUAL: "date of birth equal",
    DobMatch.YEAR_KNOWN: "year of birth equal (only the year is known)",
    DobMatch.SWAPPED: "date of birth with day and month swapped",
    DobMatch.DAY_MONTH_DIGIT: "date of birth one digit apart",
    DobMatch.YEAR_EQUAL: "year of birth equal, day and month differ",
    DobMatch.YEAR_DIGIT: "year of birth one digit apart",
    DobMatch.UNKNOWN: "date of birth unknown",
    DobMatch.DIFFERS: "date of birth differs",
}


def year_only(d: date, precision: DobPrecision) -> bool:
    """True when ``d`` states the year alone: precision YEAR, or the 01/01 placeholder."""
    return precision is DobPrecision.YEAR or (d.month == 1 and d.day == 1)


def _one_digit_apart(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=False)) == 1


def compare_dobs(query: date | None, q_precision: DobPrecision,
                 record: date | None, r_precision: DobPrecision) -> DobMatch:
    if query is None or record is None:
        return DobMatch.UNKNOWN
    qy, ry = f"{query.year:04d}", f"{record.year:04d}"
    if year_only(query, q_precision) or year_only(record, r_precision):
        if qy == ry:
            return DobMatch.YEAR_KNOWN
        return DobMatch.YEAR_DIGIT if _one_digit_apart(qy, ry) else DobMatch.DIFFERS
    if query == record:
        return DobMatch.EQUAL
    if swapped_dob(query) == record:
        return DobMatch.SWAPPED
    if qy == ry:
        same_day_month_digit = _one_digit_apart(query.isoformat()[5:], record.isoformat()[5:])
        return DobMatch.DAY_MONTH_DIGIT if same_day_month_digit else DobMatch.YEAR_EQUAL
    if query.month == record.month and query.day == record.day and _one_digit_apart(qy, ry):
        return DobMatch.YEAR_DIGIT
    return DobMatch.DIFFERS
