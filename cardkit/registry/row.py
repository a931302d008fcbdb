# SPDX-License-Identifier: Apache-2.0
"""The stored resident row: its columns, the rules of its values, its hash, to and from a DB row.

Every other registry module takes the column list and the rule constants from here: the general
parser (:mod:`rowparse`), the per-record fast path (:mod:`fastrow`), the column-wise fast path
(:mod:`framerows`) and the backends. The stored row is the documented CSV columns
(:data:`models.CSV_COLUMNS`) plus derived ones (:data:`DERIVED_AFTER`, the key first, the hash and
the stamp last), so a plain text column added to the CSV (and to :class:`Resident` and the schema
migration) is stored, hashed, read back and checked by the fast paths without touching any other
module. A column with a rule of its own gets a :class:`Kind` here.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum
from operator import itemgetter

import xxhash

from cardkit.person import DobPrecision, Sex
from cardkit.registry.models import CSV_COLUMNS, DATE_FIELDS, Resident

# -- the rules every parser shares ----------------------------------------------------------------
MAX_TEXT = 500  # characters of one text cell
MIN_YEAR = 1880  # no date before 1 January of this year
MIN_ISO = f"{MIN_YEAR:04d}-01-01"
INSURANCE_PATTERN = r"[A-Z0-9]{10,15}"  # a BHYT card code, after removing spaces and upper-casing
INSURANCE = re.compile(INSURANCE_PATTERN)  # use .fullmatch
ID_LENGTHS = (12,)
OLD_ID_LENGTHS = (9, 12)
# The sex spellings the fast paths take as they are (others: Sex.parse in the general parser).
# (earlier, later): the later date may not be before the earlier one (either missing: no rule).
DATE_ORDER = (("date_of_birth", "card_issue_date"), ("card_issue_date", "card_expiry_date"),
              ("insurance_valid_from", "insurance_valid_to"))
SEX_CODES = {"M": "M", "F": "F", "Nam": "M", "Nữ": "F", "NAM": "M", "NỮ": "F", "nam": "M", "nữ": "F"}


class Kind(Enum):
    """What rules a CSV column's value follows."""

    ID = "id"  # 12 digits
    OLD_ID = "old_id"  # 9 or 12 digits
    NAME = "name"  # text with a letter
    DATE = "date"
    SEX = "sex"
    INSURANCE = "insurance"
    TEXT = "text"  # any clean text up to MAX_TEXT


_KINDS = {"id_number": Kind.ID, "old_id_number": Kind.OLD_ID, "full_name": Kind.NAME, "sex": Kind.SEX,
          "insurance_code": Kind.INSURANCE}
KINDS: dict[str, Kind] = {n: Kind.DATE if n in DATE_FIELDS else _KINDS.get(n, Kind.TEXT) for n in CSV_COLUMNS}
TEXT_COLUMNS: tuple[str, ...] = tuple(n for n in CSV_COLUMNS if KINDS[n] in (Kind.NAME, Kind.TEXT))
# Text columns whose values repeat a lot (place names...): the fast path caches their checks.
UNIQUE_TEXT = frozenset({"full_name", "residence"})

# -- the stored row -------------------------------------------------------------------------------
# Derived columns, stored right after the CSV column named.
DERIVED_AFTER = {"full_name": "name_key", "date_of_birth": "dob_precision"}
STORED_COLUMNS: tuple[str, ...] = (
    "rkey",
    *(c for n in CSV_COLUMNS for c in ((n, DERIVED_AFTER[n]) if n in DERIVED_AFTER else (n,))),
    "content_hash", "updated_at",
)
# The values assemble() gets: the CSV cells in CSV_COLUMNS order, then these.
_EXTRA = ("rkey", "name_key", "dob_precision", "content_hash", "updated_at")
_SOURCE = {**{n: i for i, n in enumerate(CSV_COLUMNS)}, **{n: len(CSV_COLUMNS) + i for i, n in enumerate(_EXTRA)}}
_pick = itemgetter(*(_SOURCE[c] for c in STORED_COLUMNS))
POSITION = {n: i for i, n in enumerate(STORED_COLUMNS)}  # stored column -> index in a stored row

# 64-bit XXH3 of the UTF-8 content: not a security hash, only change detection (a collision would
# at worst skip one update); ~0.2 µs a row, which matters at millions of rows.
content_digest = xxhash.xxh3_64_hexdigest


def content_hash(values: tuple[str | None, ...] | list[str | None]) -> str:
    """Hash of a record's content as stored (not of updated_at): unchanged upserts are skipped.
    ``values``: the CSV cells as stored, in CSV_COLUMNS order (None and "" hash alike)."""
    joined = "\x1f".join("" if v is None else v for v in values)
    return content_digest(joined.encode("utf-8"))


def assemble(cells: list[str | None], rkey: str, name_key: str, precision: str, digest: str,
             stamp: str) -> tuple:
    """The stored row (STORED_COLUMNS order) of the stored CSV cells (CSV_COLUMNS order)."""
    return _pick((*cells, rkey, name_key, precision, digest, stamp))


def _d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _pd(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _cell(r: Resident, name: str) -> str | None:
    value = getattr(r, name)
    if isinstance(value, Sex):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def resident_to_row(r: Resident, updated_at: str) -> tuple:
    """The stored row of a resident. The hash sees a year-only DOB as the year alone, so exact rows
    hash as before the precision column existed (a re-import rewrites nothing) and a precision
    change is a change."""
    cells = [_cell(r, n) for n in CSV_COLUMNS]
    cells[_SOURCE["date_of_birth"]] = r.dob_text
    digest = content_hash(cells)
    cells[_SOURCE["date_of_birth"]] = _d(r.date_of_birth)
    return assemble(cells, r.key, r.name_key, r.dob_precision.value, digest, updated_at)


def _value(name: str, text: str | None) -> object:
    kind = KINDS[name]
    if kind is Kind.DATE:
        return _pd(text)
    if kind is Kind.SEX:
        return Sex(text) if text else None
    return text


def row_to_resident(row: tuple) -> Resident:
    """The resident of a stored row read back (STORED_COLUMNS order)."""
    upd, prec = row[POSITION["updated_at"]], row[POSITION["dob_precision"]]
    return Resident(
        **{n: _value(n, row[POSITION[n]]) for n in CSV_COLUMNS},
        updated_at=datetime.fromisoformat(upd) if upd else None, dob_precision=DobPrecision(prec),
    )


# -- as a frame (the bulk load) -------------------------------------------------------------------
def frame_schema() -> dict:
    """The Polars schema of a frame of stored rows: STORED_COLUMNS as text, plus ``ord`` (the row's
    position in the input: for one key the highest wins). Polars is imported only by bulk loads."""
    import polars as pl

    return {**{c: pl.String for c in STORED_COLUMNS}, "ord": pl.Int64}


def rows_frame(rows: list[tuple], ords: list[int]):
    """A DataFrame of stored rows (frame_schema()) from stored-row tuples and their positions."""
    import polars as pl

    if not rows:
        return pl.DataFrame(schema=frame_schema())
    data = {n: pl.Series(n, col, dtype=pl.String) for n, col in zip(STORED_COLUMNS, zip(*rows))}
    return pl.DataFrame({**data, "ord": pl.Series("ord", ords, dtype=pl.Int64)})
