# SPDX-License-Identifier: Apache-2.0
"""Tables that leave the desk (CSV or XLSX): written 0600, with spreadsheet-safe cells.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula
to Excel, LibreOffice and Google Sheets ("CSV injection"); the data comes from cards, QR codes
and registry files, which an attacker can write. As OWASP's "CSV Injection" page recommends,
such a cell is prefixed with a single quote, so it shows as the text it is. openpyxl would even
store a string starting with ``=`` as a formula: the same rule applies to XLSX.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from cardkit.errors import FileAccessError
from cardkit.extras import Extra, require
from cardkit.home import open_private

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_table(path: str | os.PathLike, columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> int:
    """Write ``rows`` (missing keys empty, extra keys ignored) as CSV, or XLSX when ``path`` ends
    in ``.xlsx``; returns the number of rows. The file is 0600; its folder must exist."""
    p = Path(path)
    if p.suffix.lower() == ".xlsx":
        return _write_xlsx(p, columns, rows)
    n = 0
    try:
        with open_private(p, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(columns)
            for row in rows:
                w.writerow([safe_cell(row.get(c, "")) for c in columns])
                n += 1
    except OSError as exc:  # the writes themselves: disk full, quota
        raise FileAccessError.of(exc, p, writing=True) from None
    return n


def _write_xlsx(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> int:
    require(Extra.REGISTRY, "openpyxl")
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(list(columns))
    n = 0
    for row in rows:
        ws.append([safe_cell(_xlsx_value(row.get(c))) for c in columns])
        n += 1
    try:
        with open_private(path, "wb") as fh:
            wb.save(fh)
    except OSError as exc:
        raise FileAccessError.of(exc, path, writing=True) from None
    return n


def _xlsx_value(value: object) -> object:
    """What openpyxl can store: text without the control characters XML 1.0 forbids (openpyxl
    raises on them), numbers, None."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or isinstance(value, (int, float)):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))
