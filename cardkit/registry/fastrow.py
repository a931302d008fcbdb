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

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from operator import itemgetter

from cardkit.errors import CardkitError, InputError
from cardkit.person import DobPrecision
from cardkit.registry.models import CSV_COLUMNS, content_digest
from cardkit.registry.normalize import fold
from cardkit.registry.rowparse import MIN_YEAR, parse_row
from cardkit.registry.store import resident_to_row

_MAX_TEXT = 500
_INSURANCE = re.compile(r"[A-Z0-9]{10,15}")
_SEX = {"M": "M", "F": "F", "Nam": "M", "Nữ": "F", "NAM": "M", "NỮ": "F", "nam": "M", "nữ": "F"}
_MIN_ISO = f"{MIN_YEAR:04d}-01-01"
_is_nfc = unicodedata.is_normalized
EXACT = DobPrecision.EXACT.value  # the fast paths take ISO dates only: a year-only DOB goes the slow way
_fromiso = date.fromisoformat

Rejected = tuple[int, str, str]  # (line, reason, reason_vi)


def _plain(text: str) -> bool:
    """True when clean_text() would return ``text`` unchanged: printable (so no control, no
    surrogate from bad UTF-8, no white space but U+0020), single-spaced, stripped, NFC, short."""
    return (
        text.isprintable() and text[0] != " " and text[-1] != " " and "  " not in text
        and len(text) <= _MAX_TEXT and (text.isascii() or _is_nfc("NFC", text))
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
    return value if value >= _MIN_ISO else None


_plain_cached = lru_cache(maxsize=1 << 14)(_plain)


def fast_row(v: tuple[str, ...], today: str, stamp: str) -> tuple | None:
    """The stored row for a clean record in CSV_COLUMNS order (missing cells ""), else None."""
    idn, old, name, dob, sex, origin, res, eth, rel, iss, exp, ins, ivf, ivt, fac = v
    if idn and not (len(idn) == 12 and idn.isdigit() and idn.isascii()):
        return None
    if old:
        if not ((len(old) == 9 or len(old) == 12) and old.isdigit() and old.isascii()):
            return None
    elif not idn:
        return None
    if not name or not _plain(name) or not (name[0].isalpha() or any(map(str.isalpha, name))):
        return None
    if res and not _plain(res):
        return None
    for text in (origin, eth, rel, fac):
        if text and not _plain_cached(text):
            return None
    dob = _iso(dob) if dob else None
    if dob is None or dob > today:
        return None
    dates = []
    for text in (iss, exp, ivf, ivt):
        if text:
            text = _iso(text)
            if text is None:
                return None
        dates.append(text or None)
    iss, exp, ivf, ivt = dates
    # ISO dates compare as strings in date order.
    if (iss and iss < dob) or (iss and exp and exp < iss) or (ivf and ivt and ivt < ivf):
        return None
    if sex:
        sex = _SEX.get(sex)
        if sex is None:
            return None
    if ins and not _INSURANCE.fullmatch(ins):
        return None
    # content_hash() of the stored values, joined directly ("" stands for None there too).
    joined = "\x1f".join((idn, old, name, dob, sex, origin, res, eth, rel, iss or "", exp or "", ins,
                          ivf or "", ivt or "", fac))
    digest = content_digest(joined.encode("utf-8"))
    return (idn or "C" + old, idn or None, old or None, name, fold(name), dob, EXACT, sex or None, origin or None,
            res or None, eth or None, rel or None, iss, exp, ins or None, ivf, ivt, fac or None, digest, stamp)


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
        self._idx = [self.cols.get(name) for name in CSV_COLUMNS]

    def _cells(self, values: list[str]) -> tuple[str, ...]:
        if self._full:
            return itemgetter(*self._idx)(values)
        return tuple("" if i is None else values[i] for i in self._idx)

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
