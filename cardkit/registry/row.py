# SPDX-License-Identifier: Apache-2.0
"""The resident record and its stored row: the one declaration of the registry's columns.

:data:`FIELDS` declares every CSV column once: its :class:`Kind` (which rules its value follows),
whether it is required, its pattern, its normaliser and the words of its error messages. From it
are derived the CSV column list, the stored row (:data:`STORED_COLUMNS`: the CSV columns plus
derived ones, :data:`DERIVED_AFTER`), the content hash, the conversions to and from a DB row and
a Polars frame, and all three checkers of a record: the general parser
(:func:`rowparse.parse_row`, every rule with its reason), the per-record fast path
(:class:`fastrow.FastRules`) and the column-wise fast path (:func:`load.frames.fast_mask`). Each
of them walks the declaration and dispatches on the kind; none names a column of its own. So a
column is added here (a :class:`Field` and the :class:`Resident` attribute) and in the schema
migration, and nowhere else (``tests/registry/test_row_module.py`` adds one to a copy of the
declaration and checks every checker honours it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from enum import Enum
from operator import itemgetter

import xxhash

from cardkit.person import DobPrecision, PersonData, Sex, format_year_only
from cardkit.registry.normalize import fold

# -- the rules every checker shares ---------------------------------------------------------------
MAX_TEXT = 500  # characters of one text cell
MIN_YEAR = 1880  # no date before 1 January of this year
MIN_ISO = f"{MIN_YEAR:04d}-01-01"
INSURANCE_PATTERN = r"[A-Z0-9]{10,15}"  # a BHYT card code, after removing spaces and upper-casing
INSURANCE = re.compile(INSURANCE_PATTERN)  # use .fullmatch
# The sex spellings the fast paths take as they are (others: Sex.parse in the general parser).
SEX_CODES = {"M": "M", "F": "F", "Nam": "M", "Nữ": "F", "NAM": "M", "NỮ": "F", "nam": "M", "nữ": "F"}


class Kind(Enum):
    """What rules a CSV column's value follows (each checker has one form per kind)."""

    DIGITS = "digits"  # ASCII digits of one of the declared lengths (spaces and dots removed)
    CODE = "code"  # the declared pattern, after the normaliser
    NAME = "name"  # text with a letter
    DATE = "date"  # YYYY-MM-DD (or dd/mm/yyyy), from MIN_YEAR on
    SEX = "sex"
    TEXT = "text"  # any clean text up to MAX_TEXT


def _compact(text: str) -> str:
    return text.replace(" ", "").replace(".", "")


def _compact_upper(text: str) -> str:
    return text.replace(" ", "").upper()


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Field:
    """One CSV column and its rules. ``pattern`` (DIGITS: derived from ``lengths``) is the stored
    form; ``normalise`` must leave a value of that form as it is (the fast paths take only values
    already in it). ``label_vi``/``form``: the Vietnamese name and the English rule in messages.
    ``past``: not after today; ``year_only``: a year alone is a date (precision YEAR); ``repeats``:
    its values repeat a lot (the per-record fast path caches their checks)."""

    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    lengths: tuple[int, ...] = ()
    code: str = ""
    normalise: Callable[[str], str] = _same
    label_vi: str = ""
    form: str = ""
    past: bool = False
    year_only: bool = False
    repeats: bool = True

    @property
    def pattern(self) -> str:
        if self.kind is Kind.DIGITS:
            return "|".join(f"[0-9]{{{n}}}" for n in self.lengths)
        return self.code


@dataclass(frozen=True)
class DateOrder:
    """The ``later`` date may not be before the ``earlier`` one (either missing: no rule)."""

    earlier: str
    later: str
    reason: str
    reason_vi: str


# The documented CSV format, in order (docs: cardkit registry import / synth).
FIELDS: tuple[Field, ...] = (
    Field("id_number", Kind.DIGITS, lengths=(12,), normalise=_compact, label_vi="Số định danh", repeats=False),
    Field("old_id_number", Kind.DIGITS, lengths=(9, 12), normalise=_compact, label_vi="Số CMND cũ", repeats=False),
    Field("full_name", Kind.NAME, required=True, label_vi="họ và tên", repeats=False),
    Field("date_of_birth", Kind.DATE, required=True, label_vi="ngày sinh", past=True, year_only=True),
    Field("sex", Kind.SEX),
    Field("place_of_origin"),
    Field("residence", repeats=False),
    Field("ethnicity"),
    Field("religion"),
    Field("card_issue_date", Kind.DATE),
    Field("card_expiry_date", Kind.DATE),
    Field("insurance_code", Kind.CODE, code=INSURANCE_PATTERN, normalise=_compact_upper,
          label_vi="Mã thẻ BHYT", form="10-15 letters/digits"),
    Field("insurance_valid_from", Kind.DATE),
    Field("insurance_valid_to", Kind.DATE),
    Field("insurance_facility"),
)
# At least one of these is set; the key is the first, else "C" + the second (Resident.key).
KEY_FIELDS = ("id_number", "old_id_number")
NAME_FIELD = "full_name"  # the name the name key (fold) is made of
DATE_ORDER: tuple[DateOrder, ...] = (
    DateOrder("date_of_birth", "card_issue_date", "card_issue_date: before birth", "Ngày cấp thẻ trước ngày sinh"),
    DateOrder("card_issue_date", "card_expiry_date", "card_expiry_date: before issue date",
              "Ngày hết hạn thẻ trước ngày cấp"),
    DateOrder("insurance_valid_from", "insurance_valid_to", "insurance_valid_to: before valid_from",
              "Hạn BHYT kết thúc trước ngày bắt đầu"),
)

CSV_COLUMNS: tuple[str, ...] = tuple(f.name for f in FIELDS)
DATE_FIELDS = frozenset(f.name for f in FIELDS if f.kind is Kind.DATE)
KINDS: dict[str, Kind] = {f.name: f.kind for f in FIELDS}
TEXT_COLUMNS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.kind in (Kind.NAME, Kind.TEXT))


# -- the record -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Resident:
    """One resident as the registry holds it. ``id_number`` or ``old_id_number`` is always set.
    Its first attributes are :data:`FIELDS`, in order (checked below)."""

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
if RESIDENT_FIELDS[:len(CSV_COLUMNS)] != CSV_COLUMNS:  # pragma: no cover - a declaration error
    raise TypeError("Resident's attributes must begin with FIELDS, in order")


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
    data = {n: pl.Series(n, col, dtype=pl.String) for n, col in zip(STORED_COLUMNS, zip(*rows, strict=False), strict=False)}
    return pl.DataFrame({**data, "ord": pl.Series("ord", ords, dtype=pl.Int64)})
