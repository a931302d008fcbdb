# SPDX-License-Identifier: Apache-2.0
"""Turn one row of an import file (field name -> text) into a :class:`Resident`, or say why not.

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
from cardkit.registry.models import CSV_COLUMNS, DATE_FIELDS, Resident
from cardkit.registry.normalize import clean_spaces
from cardkit.registry.row import ID_LENGTHS, INSURANCE, KINDS, MAX_TEXT, MIN_YEAR, OLD_ID_LENGTHS, Kind

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


def _digits(text: str | None, field: str, lengths: tuple[int, ...], vi: str) -> str | None:
    if text is None:
        return None
    value = text.replace(" ", "").replace(".", "")
    if not (value.isascii() and value.isdigit()):
        raise _reject(f"{field}: not digits", f"{vi}: chỉ được gồm chữ số")
    if len(value) not in lengths:
        want = " or ".join(str(n) for n in lengths)
        raise _reject(f"{field}: bad length {len(value)} (want {want})", f"{vi}: sai độ dài ({len(value)} chữ số)")
    return value


def parse_row(row: Mapping[str, object], *, today: date | None = None) -> Resident:
    """Validate one row; fields are looked up by the documented CSV column names."""
    today = today or date.today()
    t = {name: clean_text(row.get(name), name) for name in CSV_COLUMNS}
    id_number = _digits(t["id_number"], "id_number", ID_LENGTHS, "Số định danh")
    old = _digits(t["old_id_number"], "old_id_number", OLD_ID_LENGTHS, "Số CMND cũ")
    if id_number is None and old is None:
        raise _reject("no ID number and no old CMND number", "Thiếu cả số định danh và số CMND cũ")
    name = t["full_name"]
    if name is None or not any(ch.isalpha() for ch in name):
        raise _reject("full_name: missing", "Thiếu họ và tên")
    # A year-only DOB (older residents: "1948", "00/00/1948") is 1 January with precision YEAR.
    year_only = parse_year_only(t["date_of_birth"])
    dates = {f: parse_date(t[f], f) for f in DATE_FIELDS - {"date_of_birth"}}
    dob = dates["date_of_birth"] = year_only or parse_date(t["date_of_birth"], "date_of_birth")
    if year_only and year_only.year < MIN_YEAR:
        raise _reject(f"date_of_birth: year before {MIN_YEAR}", "date_of_birth: năm không hợp lệ")
    if dob is None:
        raise _reject("date_of_birth: missing", "Thiếu ngày sinh")
    if dob > today:
        raise _reject("date_of_birth: in the future", "Ngày sinh ở tương lai")
    if dates["card_issue_date"] and dates["card_issue_date"] < dob:
        raise _reject("card_issue_date: before birth", "Ngày cấp thẻ trước ngày sinh")
    if dates["card_issue_date"] and dates["card_expiry_date"] and dates["card_expiry_date"] < dates["card_issue_date"]:
        raise _reject("card_expiry_date: before issue date", "Ngày hết hạn thẻ trước ngày cấp")
    vf, vt = dates["insurance_valid_from"], dates["insurance_valid_to"]
    if vf and vt and vt < vf:
        raise _reject("insurance_valid_to: before valid_from", "Hạn BHYT kết thúc trước ngày bắt đầu")
    sex = None
    if t["sex"] is not None:
        sex = Sex.parse(t["sex"])
        if sex is None:
            raise _reject("sex: not Nam/Nữ/M/F", "Giới tính phải là Nam hoặc Nữ")
    insurance = t["insurance_code"].replace(" ", "").upper() if t["insurance_code"] else None
    if insurance is not None and not INSURANCE.fullmatch(insurance):
        raise _reject("insurance_code: not 10-15 letters/digits", "Mã thẻ BHYT không hợp lệ")
    texts = {n: t[n] for n in CSV_COLUMNS if KINDS[n] is Kind.TEXT}
    return Resident(
        id_number=id_number, old_id_number=old, full_name=name, sex=sex, insurance_code=insurance, **texts,
        **dates, dob_precision=DobPrecision.YEAR if year_only else DobPrecision.EXACT,
    )


def resolve_columns(header: list[str], mapping: Mapping[str, str] | None = None) -> dict[str, int]:
    """Map our field names to column positions. ``mapping`` is {our field: their header}."""
    norm = [clean_spaces(unicodedata.normalize("NFC", str(h or ""))).casefold() for h in header]
    out: dict[str, int] = {}
    for name in CSV_COLUMNS:
        wanted = (mapping or {}).get(name, name)
        key = clean_spaces(unicodedata.normalize("NFC", wanted)).casefold()
        if key in norm:
            out[name] = norm.index(key)
    for required in ("full_name", "date_of_birth"):
        if required not in out:
            raise _reject(f"header lacks column {required!r}", f"Thiếu cột {required} trong dòng tiêu đề")
    if "id_number" not in out and "old_id_number" not in out:
        raise _reject("header lacks id_number/old_id_number", "Thiếu cột số định danh trong dòng tiêu đề")
    unknown = set((mapping or {}).keys()) - set(CSV_COLUMNS)
    if unknown:
        raise _reject(f"column mapping names unknown fields: {sorted(unknown)}", "Ánh xạ cột có trường không hợp lệ")
    return out
