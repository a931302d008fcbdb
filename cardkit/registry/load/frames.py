# SPDX-License-Identifier: Apache-2.0
"""Parse a chunk of CSV records into stored rows column by column (Polars), for clean files.

:mod:`fastrow` checks one record at a time in Python (~10 µs a row with the csv module). This
module does the same checks on whole columns with Polars expressions (Rust, no Python per cell),
and hands every record it is not sure about to the very same per-record parser. It is exact by
construction, not by hope:

* It only takes a chunk whose every line is *simple* CSV: fields unquoted without ``"``, or
  quoted with ``""`` escapes, LF or CRLF line ends (no other CR), valid UTF-8. On such lines a record is one line, and
  Polars and the csv module split fields identically (a test checks). Any other chunk returns
  ``None`` and the caller reads it with the csv module.
* A line goes the vectorised way only if it has exactly the header's number of fields and every
  value is in the forms :func:`fastrow.fast_row` accepts (:func:`fast_mask` walks the same
  declaration, :data:`row.FIELDS`, with one vectorised form per kind), with "printable, NFC" narrowed to the
  characters listed in :data:`_TEXT_CHARS` (derived from Python's own ``str`` predicates at
  import time, so the two can't disagree). All other lines (blank, ragged, unusual characters,
  anything to reject) are parsed by the csv module and :class:`fastrow.RecordParser`, as in a
  serial read, so rejections and their reasons are the same.

The result is a DataFrame of stored rows (:data:`STORED_SCHEMA`, plus ``ord``: the record's
index in the chunk, so "the last row for a key wins" survives any reordering).
"""

from __future__ import annotations

import unicodedata

import polars as pl

from cardkit.registry.fastrow import EXACT, RecordParser, Rejected
from cardkit.registry.load.csvrecords import one_record
from cardkit.registry.normalize import FOLD_TABLE
from cardkit.registry.row import (
    CSV_COLUMNS,
    DATE_ORDER,
    FIELDS,
    KEY_FIELDS,
    MAX_TEXT,
    MIN_ISO,
    NAME_FIELD,
    SEX_CODES,
    STORED_COLUMNS,
    Field,
    Kind,
    content_digest,
    frame_schema,
    rows_frame,
)

STORED_SCHEMA: dict[str, pl.DataType] = frame_schema()
__all__ = ["STORED_SCHEMA", "fast_mask", "parse_frame", "rows_frame"]

# Candidate characters: ASCII and the Latin blocks Vietnamese text uses; anything else goes the
# per-record way. Kept: those Python itself calls printable and NFC (as one character; none of
# these composes with a following starter, so strings of them are NFC too), plus the space.
_RANGES = ((0x20, 0x7F), (0xC0, 0x250), (0x1E00, 0x1F00))


def _char_class(pred) -> str:
    chars = [chr(cp) for lo, hi in _RANGES for cp in range(lo, hi) if pred(chr(cp))]
    # Compress runs into ranges of the regex class, written as \x{...} (Rust regex syntax).
    out, i = [], 0
    while i < len(chars):
        j = i
        while j + 1 < len(chars) and ord(chars[j + 1]) == ord(chars[j]) + 1:
            j += 1
        lo, hi = ord(chars[i]), ord(chars[j])
        out.append(f"\\x{{{lo:X}}}" if lo == hi else f"\\x{{{lo:X}}}-\\x{{{hi:X}}}")
        i = j + 1
    return "[" + "".join(out) + "]"


def _text_char(ch: str) -> bool:
    return ch == " " or (ch.isprintable() and not ch.isspace() and unicodedata.is_normalized("NFC", ch))


_TEXT_CHARS = _char_class(_text_char)
_EDGE_CHARS = _char_class(lambda ch: ch != " " and _text_char(ch))
_ALPHA_CHARS = _char_class(lambda ch: _text_char(ch) and ch.isalpha())
# Same as fastrow._plain for these characters: no space at either end, no double space, <= MAX_TEXT.
_TEXT = f"^{_EDGE_CHARS}(?:{_TEXT_CHARS}*{_EDGE_CHARS})?$"
_ISO = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# A simple CSV line: unquoted fields without quotes, or fully quoted fields with "" escapes.
_FIELD = r'(?:[^",]*|"(?:[^"]|"")*")'
_SIMPLE_LINE = f"^{_FIELD}(?:,{_FIELD})*$"
_QUOTED = r'"(?:[^"]|"")*"'
_BLANK = r"^[\s\x1c-\x1f]*$"  # what csv + str.strip() see as a blank line (Python whitespace)


def _fold_map() -> dict[str, str]:
    """fold()'s per-character table for the text characters, where it changes the character."""
    chars = {chr(cp) for lo, hi in _RANGES for cp in range(lo, hi) if _text_char(chr(cp))}
    return {ch: FOLD_TABLE[ord(ch)] for ch in sorted(chars) if ord(ch) in FOLD_TABLE and FOLD_TABLE[ord(ch)] != ch}


_FOLD_MAP = _fold_map()
# A character outside the text characters fold() maps to ASCII (the space is kept as is).
_NOT_FOLDED = "[^" + _char_class(lambda ch: _text_char(ch) and (ch == " " or ord(ch) in FOLD_TABLE))[1:]


# All text cells at once, joined by U+001F (not a text character, so a cell can't hide one):
# each empty or plain. One regex pass instead of one per column.
_TEXT_BODY = _TEXT[1:-1]


def _plain_texts(c: dict[str, pl.Expr], texts: list[Field]) -> pl.Expr:
    """fastrow._plain for every text cell (a missing cell passes): the text characters, no space
    at either end, no double space, at most MAX_TEXT characters (checked as bytes: stricter)."""
    body = f"(?:{_TEXT_BODY})?"
    joined = pl.concat_str([c[f.name].fill_null("") for f in texts], separator="\x1f")
    ok = joined.str.contains(f"^{body}(?:\x1f{body}){{{len(texts) - 1}}}$") & ~joined.str.contains("  ", literal=True)
    for f in texts:
        ok &= c[f.name].str.len_bytes().fill_null(0) <= MAX_TEXT
    return ok


def _iso_ok(e: pl.Expr) -> pl.Expr:
    return e.str.contains(_ISO) & (e >= MIN_ISO) & e.str.to_date("%Y-%m-%d", strict=False).is_not_null()


def _pattern_ok(f: Field, e: pl.Expr) -> pl.Expr:
    return e.str.contains(f"^(?:{f.pattern})$")


def _name_ok(f: Field, e: pl.Expr) -> pl.Expr:
    # Also only characters fold() maps to ASCII (the name key is computed column-wise); plain
    # like every text: _plain_texts.
    return e.str.contains(_ALPHA_CHARS) & ~e.str.contains(_NOT_FOLDED)


# Each kind's fast form on a column (fastrow._FAST, vectorised); text plainness: _plain_texts.
_MASKS = {Kind.DIGITS: _pattern_ok, Kind.CODE: _pattern_ok, Kind.NAME: _name_ok, Kind.DATE: lambda f, e: _iso_ok(e),
          Kind.SEX: lambda f, e: e.is_in(list(SEX_CODES)), Kind.TEXT: lambda f, e: pl.lit(True)}


def fast_mask(c: dict[str, pl.Expr], today: str, declaration: tuple[Field, ...] = FIELDS) -> pl.Expr:
    """fastrow.FastRules's acceptance of ``declaration``, on columns (null: a missing or empty cell).

    Every clause is null-safe: null only where a cell is missing, and then it must not matter."""
    ok = pl.lit(True)
    for f in declaration:
        e = c[f.name]
        check = _MASKS[f.kind](f, e)
        ok &= (e.is_not_null() & check) if f.required else (e.is_null() | check)
        if f.past:
            ok &= e.is_null() | (e <= today)
    ok &= pl.any_horizontal([c[n].is_not_null() for n in KEY_FIELDS])
    ok &= _plain_texts(c, [f for f in declaration if f.kind in (Kind.NAME, Kind.TEXT)])
    # ISO dates compare as strings in date order (fast_row's rules); a missing date passes.
    for rule in DATE_ORDER:
        ok &= (c[rule.later] < c[rule.earlier]).fill_null(False).not_()
    return ok.fill_null(False)


def _hex_hashes(joined: pl.Series) -> pl.Series:
    """content_hash() of each row's joined content, as fastrow and store compute it."""
    digest = content_digest
    return pl.Series([digest(b) for b in joined.cast(pl.Binary).to_list()], dtype=pl.String)


def _stored(df: pl.DataFrame, c: dict[str, pl.Expr], stamp: str) -> pl.DataFrame:
    """Stored rows of lines that passed the mask (fast_row's output, column by column)."""
    sexes = {f.name: c[f.name].replace_strict(SEX_CODES, default=None, return_dtype=pl.String)
             for f in FIELDS if f.kind is Kind.SEX}
    cells = {**c, **sexes}
    content = [cells[n] for n in CSV_COLUMNS]
    # fold(): per-character table (all ASCII here), then single spaces, stripped.
    name_key = c[NAME_FIELD].str.replace_many(_FOLD_MAP).str.replace_all(" {2,}", " ").str.strip_chars(" ")
    derived = {"rkey": pl.coalesce(c[KEY_FIELDS[0]], "C" + c[KEY_FIELDS[1]]), "name_key": name_key,
               "dob_precision": pl.lit(EXACT, pl.String)}
    out = df.select(
        **{n: derived.get(n, cells.get(n)) for n in STORED_COLUMNS if n not in ("content_hash", "updated_at")},
        joined=pl.concat_str([e.fill_null("") for e in content], separator="\x1f"),
        ord=pl.col("ord"),
    )
    return out.with_columns(content_hash=_hex_hashes(out["joined"]),
                            updated_at=pl.lit(stamp, pl.String)).select(list(STORED_SCHEMA))


def _simple_lines(data: bytes) -> pl.Series | None:
    """The chunk's lines as text, or None when it is not simple CSV at the byte level."""
    # CRLF line ends (what csv.writer writes): Polars drops the CR as the csv module does. A CR
    # anywhere else: the csv module's line rules decide.
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    if b"\x00" in data or not data or data.startswith(b"\xef\xbb\xbf"):
        return None  # NUL: the line reader splits on it; a BOM: Polars would drop it
    try:
        # One column per line (no quoting): the raw line text; invalid UTF-8 raises.
        ls = pl.read_csv(data, has_header=False, separator="\x00", quote_char=None,
                         schema={"line": pl.String})["line"].fill_null("")
    except Exception:  # noqa: BLE001 - any Polars parse error: the csv module decides
        return None
    return ls if len(ls) == data.count(b"\n") + (not data.endswith(b"\n")) else None


def _slow_lines(parser: RecordParser, ls: pl.Series, ok: pl.Series) -> tuple[list[tuple], list[int], list[Rejected], int]:
    """Every line the mask did not take: the csv module and the per-record parser, exactly as a
    serial read. (rows, their ords, rejections, records read)."""
    rows: list[tuple] = []
    ords: list[int] = []
    rejected: list[Rejected] = []
    read = 0
    for i in (~ok).arg_true().to_list():
        got, rej, n = parser.parse_many([(i + 1, one_record(ls[i]))], lines=ords)
        read += n
        rejected.extend(rej)
        rows.extend(got)
    return rows, ords, rejected, read


def parse_frame(parser: RecordParser, data: bytes) -> tuple[pl.DataFrame, list[Rejected], int, int] | None:
    """(stored rows, rejections with chunk-relative lines, records read, lines), or None when
    the chunk is not simple CSV (then the csv module must read it)."""
    ls = _simple_lines(data)
    if ls is None:
        return None
    width = parser.width
    # One regex finds the simple lines of the header's width (nearly all); only the others are
    # checked for being simple at all (else the csv module reads the chunk) and for being blank.
    exact = ls.str.contains(f"^{_FIELD}(?:,{_FIELD}){{{width - 1}}}$")
    odd = ls.filter(~exact)
    if len(odd) and not odd.str.contains(_SIMPLE_LINE).all():
        return None
    if width == 1:
        exact &= ~ls.str.contains(_BLANK)
    try:
        df = pl.read_csv(data, has_header=False, schema={f"c{i}": pl.String for i in range(width)},
                         truncate_ragged_lines=True, raise_if_empty=False)
    except Exception:  # noqa: BLE001 - any Polars parse error: the csv module decides
        return None
    if df.height != len(ls):
        return None
    # Polars reads an empty cell as null, as the parser treats "" (missing).
    cols = {name: (pl.col(f"c{i}") if i is not None else pl.lit(None, pl.String))
            for name, i in zip(CSV_COLUMNS, parser.positions, strict=False)}
    # ord: the record's line in the chunk (1-based), as the csv path numbers them.
    df = df.with_columns(ord=pl.int_range(1, pl.len() + 1, dtype=pl.Int64), exact=exact)
    ok = df.select((pl.col("exact") & fast_mask(cols, parser.today_iso)).alias("ok"))["ok"]
    fast = _stored(df.filter(ok), cols, parser.stamp)
    rows, ords, rejected, read = _slow_lines(parser, ls, ok)
    if rows:
        fast = pl.concat([fast, rows_frame(rows, ords)])
    return fast, rejected, read + int(ok.sum()), len(ls)
