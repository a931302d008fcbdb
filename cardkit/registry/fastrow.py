# SPDX-License-Identifier: Apache-2.0
"""One CSV record straight to the row the store writes, with a fast path for clean rows.

:func:`rowparse.parse_row` builds a :class:`Resident` and checks every rule in the general way
(~45 µs a row). Import files are overwhelmingly clean, already NFC and in the documented forms,
so :func:`fast_row` checks exactly those forms with C-speed string methods and builds the stored
tuple directly. Whenever a value is not in such a form (odd spacing, NFD, dd/mm/yyyy dates, "Nữ"
in another normalisation, a rule broken...), it gives up and the row goes through ``parse_row``,
which gives the stored value or the rejection reason. So the fast path can never accept a row
the general parser would reject, nor store a different value: a test checks both agree.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from operator import itemgetter

from cardkit.errors import CardkitError, InputError
from cardkit.person import DobPrecision
from cardkit.registry.models import CSV_COLUMNS
from cardkit.registry.normalize import fold
from cardkit.registry.row import (
    DATE_ORDER, INSURANCE, KINDS, MAX_TEXT, MIN_ISO, SEX_CODES, UNIQUE_TEXT, Kind, assemble, content_digest,
    resident_to_row,
)
from cardkit.registry.rowparse import parse_row

_is_nfc = unicodedata.is_normalized
EXACT = DobPrecision.EXACT.value  # the fast paths take ISO dates only: a year-only DOB goes the slow way
_fromiso = date.fromisoformat
# Positions of the cells fast_row checks in a record (CSV_COLUMNS order).
_AT = {n: i for i, n in enumerate(CSV_COLUMNS)}
_ID, _OLD, _NAME, _DOB, _SEX = (_AT[n] for n in ("id_number", "old_id_number", "full_name", "date_of_birth", "sex"))
_INS = _AT["insurance_code"]
_DATES = tuple(i for n, i in _AT.items() if KINDS[n] is Kind.DATE and i != _DOB)
_TEXTS = tuple(i for n, i in _AT.items() if KINDS[n] is Kind.TEXT and n not in UNIQUE_TEXT)
_UNIQUE_TEXTS = tuple(i for n, i in _AT.items() if KINDS[n] is Kind.TEXT and n in UNIQUE_TEXT)
# Date rules, as (earlier, later) cell positions: a later date before the earlier one is rejected.
_ORDER = tuple((_AT[early], _AT[late]) for early, late in DATE_ORDER)

Rejected = tuple[int, str, str]  # (line, reason, reason_vi)


def _plain(text: str) -> bool:
    """True when clean_text() would return ``text`` unchanged: printable (so no control, no
    surrogate from bad UTF-8, no white space but U+0020), single-spaced, stripped, NFC, short."""
    return (
        text.isprintable() and text[0] != " " and text[-1] != " " and "  " not in text
        and len(text) <= MAX_TEXT and (text.isascii() or _is_nfc("NFC", text))
    )


# Dates and most text columns (origin, ethnicity, religion, facility) repeat a lot: cached.
@lru_cache(maxsize=1 << 17)
def _iso(text: str) -> str | None:
    """The ISO text of a valid YYYY-MM-DD date from MIN_YEAR on, or None (let the slow path say)."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-" or not text.isascii():
        return None
    try:
        value = _fromiso(text).isoformat()
    except ValueError:
        return None
    return value if value >= MIN_ISO else None


_plain_cached = lru_cache(maxsize=1 << 14)(_plain)


def fast_row(v: tuple[str, ...], today: str, stamp: str) -> tuple | None:
    """The stored row for a clean record in CSV_COLUMNS order (missing cells ""), else None."""
    idn, old, name = v[_ID], v[_OLD], v[_NAME]
    if idn and not (len(idn) == 12 and idn.isdigit() and idn.isascii()):
        return None
    if old:
        if not ((len(old) == 9 or len(old) == 12) and old.isdigit() and old.isascii()):
            return None
    elif not idn:
        return None
    if not name or not _plain(name) or not (name[0].isalpha() or any(map(str.isalpha, name))):
        return None
    for i in _UNIQUE_TEXTS:
        if v[i] and not _plain(v[i]):
            return None
    for i in _TEXTS:
        if v[i] and not _plain_cached(v[i]):
            return None
    cells: list = list(v)
    dob = _iso(v[_DOB]) if v[_DOB] else None
    if dob is None or dob > today:
        return None
    cells[_DOB] = dob
    for i in _DATES:
        if v[i]:
            text = _iso(v[i])
            if text is None:
                return None
            cells[i] = text
    # ISO dates compare as strings in date order; a missing date passes.
    for early, late in _ORDER:
        if cells[early] and cells[late] and cells[late] < cells[early]:
            return None
    if v[_SEX]:
        sex = SEX_CODES.get(v[_SEX])
        if sex is None:
            return None
        cells[_SEX] = sex
    if v[_INS] and not INSURANCE.fullmatch(v[_INS]):
        return None
    # content_hash() of the stored values, joined directly ("" stands for None there too).
    digest = content_digest("\x1f".join(cells).encode("utf-8"))
    return assemble([c or None for c in cells], idn or "C" + old, fold(name), EXACT, digest, stamp)


class RecordParser:
    """Turns CSV records (lists of cells) into stored rows, for one header layout.

    Stateless once built, so worker threads share one and give the same answers as the serial path.
    """

    def __init__(self, cols: Mapping[str, int], width: int, today: date, stamp: str) -> None:
        self.cols = dict(cols)
        self.width = width
        self.today = today
        self.today_iso = today.isoformat()
        self.stamp = stamp
        self._full = len(self.cols) == len(CSV_COLUMNS)
        # Each CSV column's position in a record of this layout (None: not in the file).
        self.positions: tuple[int | None, ...] = tuple(self.cols.get(name) for name in CSV_COLUMNS)

    def _cells(self, values: list[str]) -> tuple[str, ...]:
        if self._full:
            return itemgetter(*self.positions)(values)
        return tuple("" if i is None else values[i] for i in self.positions)

    def parse(self, values: list[str]) -> tuple:
        """The stored row; raises :class:`CardkitError` with the reason for a rejected record."""
        if len(values) != self.width:
            got, want = len(values), self.width
            raise InputError(f"{got} fields, header has {want}", message_vi=f"Dòng có {got} cột, tiêu đề có {want}")
        row = fast_row(self._cells(values), self.today_iso, self.stamp)
        if row is not None:
            return row
        resident = parse_row({name: values[i] for name, i in self.cols.items()}, today=self.today)
        return resident_to_row(resident, self.stamp)

    def parse_many(self, records, first_line: int = 0,
                   lines: list[int] | None = None) -> tuple[list[tuple], list[Rejected], int]:
        """Rows and rejections of ``(line, values)`` pairs; blank lines are skipped, not counted.
        ``values`` may be the error of a record that could not be read: it is a rejection.
        ``lines``, when given, receives the line number of each accepted row."""
        rows: list[tuple] = []
        rejected: list[Rejected] = []
        read = 0
        parse = self.parse
        for line, values in records:
            if not values or (len(values) == 1 and not values[0].strip()):
                continue  # blank line
            read += 1
            try:
                if isinstance(values, CardkitError):
                    raise values  # a record the csv module could not read (csvrecords)
                rows.append(parse(values))
            except CardkitError as exc:
                rejected.append((line + first_line, str(exc), exc.message_vi))
            else:
                if lines is not None:
                    lines.append(line + first_line)
        return rows, rejected, read
