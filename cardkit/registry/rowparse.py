# SPDX-License-Identifier: Apache-2.0
"""Turn one row of an import file (field name -> text) into a :class:`Resident`, or say why not.

The general checker of a record: it walks the declaration (:data:`row.FIELDS`) and applies each
kind's rules, with the reason of the first broken one.

Every rejection is an :class:`InputError` with a short reason in English and Vietnamese, so the
importer can report "line 17: bad ID length" for each rejected row instead of dropping it.
Nothing else may escape: the parser is fuzzed with Hypothesis.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date

from cardkit.errors import InputError
from cardkit.person import DobPrecision, Sex, parse_year_only
from cardkit.registry.normalize import clean_spaces
from cardkit.registry.row import (
    CSV_COLUMNS,
    DATE_ORDER,
    FIELDS,
    KEY_FIELDS,
    MAX_TEXT,
    MIN_YEAR,
    Field,
    Kind,
    Resident,
)

_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def _reject(en: str, vi: str) -> InputError:
    return InputError(en, message_vi=vi)


def clean_text(value: object, field: str) -> str | None:
    """NFC, single spaces; ``None`` for empty. Rejects control characters and broken encodings."""
    if value is None:
        return None
    text = value if type(value) is str else str(value)
    # Fast path (most cells): plain printable ASCII without stray spaces needs no normalising.
    if text.isascii() and text.isprintable() and "  " not in text and text == text.strip():
        if len(text) > MAX_TEXT:
            raise _reject(f"{field}: text too long", f"{field}: nội dung quá dài")
        return text or None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _reject(f"{field}: not valid UTF-8", f"{field}: không phải văn bản UTF-8 hợp lệ") from None
    text = clean_spaces(unicodedata.normalize("NFC", text))
    if not text:
        return None
    if len(text) > MAX_TEXT:
        raise _reject(f"{field}: text too long", f"{field}: nội dung quá dài")
    if not text.isprintable():  # control, format, private-use, unassigned characters
        raise _reject(f"{field}: control or unassigned characters", f"{field}: có ký tự điều khiển")
    return text


def parse_date(text: str | None, field: str) -> date | None:
    """YYYY-MM-DD (documented) or dd/mm/yyyy (as on cards); impossible dates are rejected."""
    if text is None:
        return None
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit():
        try:
            value = date.fromisoformat(text)  # the documented form, at C speed
        except ValueError:
            pass
        else:
            if value.year < MIN_YEAR:
                raise _reject(f"{field}: year before {MIN_YEAR}", f"{field}: năm không hợp lệ")
            return value
    m = _YMD.match(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _DMY.match(text)
        if not m:
            raise _reject(f"{field}: not a date (YYYY-MM-DD)", f"{field}: không đúng định dạng ngày (YYYY-MM-DD)")
        d, mo, y = (int(g) for g in m.groups())
    try:
        value = date(y, mo, d)
    except ValueError:
        raise _reject(f"{field}: impossible date", f"{field}: ngày không tồn tại") from None
    if y < MIN_YEAR:
        raise _reject(f"{field}: year before {MIN_YEAR}", f"{field}: năm không hợp lệ")
    return value


def _digits(f: Field, text: str, today: date) -> str:
    value = f.normalise(text)
    if not (value.isascii() and value.isdigit()):
        raise _reject(f"{f.name}: not digits", f"{f.label_vi}: chỉ được gồm chữ số")
    if len(value) not in f.lengths:
        want = " or ".join(str(n) for n in f.lengths)
        raise _reject(f"{f.name}: bad length {len(value)} (want {want})",
                      f"{f.label_vi}: sai độ dài ({len(value)} chữ số)")
    return value


def _code(f: Field, text: str, today: date) -> str:
    value = f.normalise(text)
    if not re.fullmatch(f.pattern, value):
        raise _reject(f"{f.name}: not {f.form}", f"{f.label_vi} không hợp lệ")
    return value


def _name(f: Field, text: str, today: date) -> str:
    if not any(ch.isalpha() for ch in text):
        raise _missing(f)
    return text


def _date(f: Field, text: str, today: date) -> date:
    # A year-only DOB (older residents: "1948", "00/00/1948") is 1 January with precision YEAR.
    year_only = parse_year_only(text) if f.year_only else None
    if year_only and year_only.year < MIN_YEAR:
        raise _reject(f"{f.name}: year before {MIN_YEAR}", f"{f.name}: năm không hợp lệ")
    value = year_only or parse_date(text, f.name)
    if f.past and value > today:
        raise _reject(f"{f.name}: in the future", f"{f.label_vi.capitalize()} ở tương lai")
    return value


def _sex(f: Field, text: str, today: date) -> Sex:
    sex = Sex.parse(text)
    if sex is None:
        raise _reject(f"{f.name}: not Nam/Nữ/M/F", "Giới tính phải là Nam hoặc Nữ")
    return sex


def _text(f: Field, text: str, today: date) -> str:
    return text


def _missing(f: Field) -> InputError:
    return _reject(f"{f.name}: missing", f"Thiếu {f.label_vi}")


# Each kind's check of a cleaned, non-empty cell; the kinds in the order their rules are applied
# (the first broken rule is the row's reason).
_CHECKS = {Kind.DIGITS: _digits, Kind.NAME: _name, Kind.DATE: _date, Kind.SEX: _sex, Kind.CODE: _code,
           Kind.TEXT: _text}
_ORDER = (Kind.DIGITS, Kind.NAME, Kind.DATE, Kind.SEX, Kind.CODE, Kind.TEXT)


def check_record(row: Mapping[str, object], today: date,
                 declaration: tuple[Field, ...] = FIELDS) -> dict[str, object]:
    """The values of one record (field name -> text) under ``declaration``; raises the first
    broken rule as an :class:`InputError`. Every checker's rules come from the declaration."""
    t = {f.name: clean_text(row.get(f.name), f.name) for f in declaration}
    out: dict[str, object] = {}
    for kind in _ORDER:
        for f in declaration:
            if f.kind is not kind:
                continue
            if t[f.name] is None:
                if f.required:
                    raise _missing(f)
                out[f.name] = None
                continue
            out[f.name] = _CHECKS[kind](f, t[f.name], today)
        if kind is Kind.DIGITS and not any(out[n] for n in KEY_FIELDS):
            raise _reject("no ID number and no old CMND number", "Thiếu cả số định danh và số CMND cũ")
        if kind is Kind.DATE:
            for rule in DATE_ORDER:
                early, late = out[rule.earlier], out[rule.later]
                if early and late and late < early:
                    raise _reject(rule.reason, rule.reason_vi)
    return out


def parse_row(row: Mapping[str, object], *, today: date | None = None) -> Resident:
    """Validate one row; fields are looked up by the documented CSV column names."""
    values = check_record(row, today or date.today())
    year_only = any(f.year_only and parse_year_only(clean_text(row.get(f.name), f.name)) for f in FIELDS)
    return Resident(**values, dob_precision=DobPrecision.YEAR if year_only else DobPrecision.EXACT)


def resolve_columns(header: list[str], mapping: Mapping[str, str] | None = None) -> dict[str, int]:
    """Map our field names to column positions. ``mapping`` is {our field: their header}."""
    norm = [clean_spaces(unicodedata.normalize("NFC", str(h or ""))).casefold() for h in header]
    out: dict[str, int] = {}
    for name in CSV_COLUMNS:
        wanted = (mapping or {}).get(name, name)
        key = clean_spaces(unicodedata.normalize("NFC", wanted)).casefold()
        if key in norm:
            out[name] = norm.index(key)
    for required in (f.name for f in FIELDS if f.required):
        if required not in out:
            raise _reject(f"header lacks column {required!r}", f"Thiếu cột {required} trong dòng tiêu đề")
    if not any(n in out for n in KEY_FIELDS):
        raise _reject("header lacks id_number/old_id_number", "Thiếu cột số định danh trong dòng tiêu đề")
    unknown = set((mapping or {}).keys()) - set(CSV_COLUMNS)
    if unknown:
        raise _reject(f"column mapping names unknown fields: {sorted(unknown)}", "Ánh xạ cột có trường không hợp lệ")
    return out
