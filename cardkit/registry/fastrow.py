# SPDX-License-Identifier: Apache-2.0
"""One CSV record straight to the row the store writes, with a fast path for clean rows.

:func:`rowparse.parse_row` builds a :class:`Resident` and checks every rule in the general way
(~45 µs a row). Import files are overwhelmingly clean, already NFC and in the documented forms,
so :func:`fast_row` checks exactly those forms with C-speed string methods and builds the stored
tuple directly. Its rules are not written here: :class:`FastRules` takes them from the
declaration (:data:`row.FIELDS`), one fast form per :class:`row.Kind`. Whenever a value is not in
such a form (odd spacing, NFD, dd/mm/yyyy dates, "Nữ" in another normalisation, a rule
broken...), it gives up and the row goes through ``parse_row``,
which gives the stored value or the rejection reason. So the fast path can never accept a row
the general parser would reject, nor store a different value: a test checks both agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date
from functools import lru_cache
from operator import itemgetter

from cardkit.errors import CardkitError, InputError
from cardkit.person import DobPrecision
from cardkit.registry.normalize import fold
from cardkit.registry.row import (
    CSV_COLUMNS,
    DATE_ORDER,
    FIELDS,
    KEY_FIELDS,
    MAX_TEXT,
    MIN_ISO,
    NAME_FIELD,
    SEX_CODES,
    Field,
    Kind,
    assemble,
    content_digest,
    resident_to_row,
)
from cardkit.registry.rowparse import parse_row

_is_nfc = unicodedata.is_normalized
EXACT = DobPrecision.EXACT.value  # the fast paths take ISO dates only: a year-only DOB goes the slow way
_fromiso = date.fromisoformat

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


def _text_check(f: Field) -> Callable[[str], str | None]:
    plain = _plain_cached if f.repeats else _plain
    return lambda text: text if plain(text) else None


def _name_check(f: Field) -> Callable[[str], str | None]:
    return lambda text: text if _plain(text) and (text[0].isalpha() or any(map(str.isalpha, text))) else None


def _pattern_check(f: Field) -> Callable[[str], str | None]:
    # The stored form only ([0-9], [A-Z0-9]: the normaliser leaves it as it is).
    match = re.compile(f.pattern).fullmatch
    return lambda text: text if match(text) else None


# Each kind's fast form: the stored value of a cell already in its documented form, else None.
_FAST = {Kind.DIGITS: _pattern_check, Kind.CODE: _pattern_check, Kind.NAME: _name_check,
         Kind.DATE: lambda f: _iso, Kind.SEX: lambda f: SEX_CODES.get, Kind.TEXT: _text_check}


class FastRules:
    """The fast forms of a declaration's rules, for one record at a time (CSV_COLUMNS order)."""

    def __init__(self, declaration: tuple[Field, ...] = FIELDS) -> None:
        at = {f.name: i for i, f in enumerate(declaration)}
        self.checks = tuple((i, _FAST[f.kind](f), f.required) for i, f in enumerate(declaration))
        self.keys = tuple(at[n] for n in KEY_FIELDS)
        self.past = tuple(at[f.name] for f in declaration if f.past)
        self.order = tuple((at[r.earlier], at[r.later]) for r in DATE_ORDER)

    def cells(self, v: tuple[str, ...], today: str) -> list[str] | None:
        """The stored cells of a record in its declaration's order (missing cells ""), or None
        when a cell is not in its fast form (the general parser then decides)."""
        cells = list(v)
        for i, check, required in self.checks:
            text = v[i]
            if not text:
                if required:
                    return None
                continue
            value = check(text)
            if value is None:
                return None
            cells[i] = value
        if not any(cells[i] for i in self.keys):
            return None
        for i in self.past:
            if cells[i] > today:
                return None
        # ISO dates compare as strings in date order; a missing date passes.
        for early, late in self.order:
            if cells[early] and cells[late] and cells[late] < cells[early]:
                return None
        return cells


RULES = FastRules()
_ID, _OLD = (CSV_COLUMNS.index(n) for n in KEY_FIELDS)
_NAME = CSV_COLUMNS.index(NAME_FIELD)


def fast_row(v: tuple[str, ...], today: str, stamp: str) -> tuple | None:
    """The stored row for a clean record in CSV_COLUMNS order (missing cells ""), else None."""
    cells = RULES.cells(v, today)
    if cells is None:
        return None
    # content_hash() of the stored values, joined directly ("" stands for None there too).
    digest = content_digest("\x1f".join(cells).encode("utf-8"))
    key = cells[_ID] or "C" + cells[_OLD]
    return assemble([c or None for c in cells], key, fold(cells[_NAME]), EXACT, digest, stamp)


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
