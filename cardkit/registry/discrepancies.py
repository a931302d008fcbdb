# SPDX-License-Identifier: Apache-2.0
"""Field-by-field comparison of a card (chip DG13 or QR, as PersonData) with a registry record.

Grading (cardkit.discrepancy.Severity): BLOCKING where the record may be another person or the
card is not valid today (the operator must decide); WARNING where the data is probably wrong and
should be corrected ("dữ liệu chưa đúng"); INFO for differences of form only (tone placement,
case, an address written differently). ID-number structure problems (CCCD.md: the numbering
circular lapsed in 2024) are always WARNING, never blocking.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from rapidfuzz import fuzz

from cardkit.discrepancy import Discrepancy, Severity
from cardkit.errors import InputError
from cardkit.idnumber import analyse_id
from cardkit.person import DobPrecision, PersonData
from cardkit.registry.dobmatch import year_only
from cardkit.registry.normalize import fold, swapped_dob, tone_key
from cardkit.registry.row import Resident

B, W, I = Severity.BLOCKING, Severity.WARNING, Severity.INFO  # noqa: E741 - the grade column of the rules below
SIMILAR_NAME = 80.0  # folded-name ratio above which a difference reads as a typo, not another person

_ID_PROBLEMS = {
    "unknown_province": ("mã tỉnh trong số định danh không có trong danh mục", "province code not in the table"),
    "birth_year_mismatch": ("năm sinh trong số định danh khác ngày sinh", "birth year in the ID differs from the DOB"),
    "sex_mismatch": ("giới tính trong số định danh khác giới tính", "century/sex digit differs from the sex"),
}


def _d(kind, field, sev, a, va, b, vb, vi, en) -> Discrepancy:
    return Discrepancy(kind, field, sev, a, None if va is None else str(va), b, None if vb is None else str(vb), vi, en)


def _name(card: PersonData, rec: Resident, src: str) -> Iterator[Discrepancy]:
    a, b = card.full_name, rec.full_name
    if not a or not b or a == b:
        return
    if tone_key(a) == tone_key(b):
        yield _d("name_form", "full_name", I, src, a, "registry", b,
                 "Họ tên chỉ khác cách viết (dấu thanh, chữ hoa, khoảng trắng)", "name differs in form only")
    elif fold(a) == fold(b):
        yield _d("name_diacritics", "full_name", W, src, a, "registry", b,
                 "Họ tên trong hồ sơ sai hoặc thiếu dấu", "name differs in diacritics: correct the record")
    elif fuzz.ratio(fold(a), fold(b)) >= SIMILAR_NAME:
        yield _d("name_mismatch", "full_name", W, src, a, "registry", b,
                 "Họ tên trong hồ sơ có lỗi chính tả", "name differs slightly (typo?)")
    else:
        yield _d("name_mismatch", "full_name", B, src, a, "registry", b,
                 "Họ tên khác hồ sơ: có thể không phải cùng một người", "name differs: maybe another person")


def _dob_text(d: date, precision: DobPrecision) -> str:
    return str(d.year) if precision is DobPrecision.YEAR else d.isoformat()


def _dob(card: PersonData, rec: Resident, src: str) -> Iterator[Discrepancy]:
    a, b = card.date_of_birth, rec.date_of_birth
    if a is None or b is None or (a == b and card.dob_precision is rec.dob_precision):
        return
    ta, tb = _dob_text(a, card.dob_precision), _dob_text(b, rec.dob_precision)
    # A year-only DOB agrees with any date of its year. On the registry side a 01/01 date counts
    # as one (the placeholder older residents were registered with); the card's 01/01 is what the
    # state recorded: year-only only when the card says so (dob_precision).
    card_year, rec_year = card.dob_precision is DobPrecision.YEAR, year_only(b, rec.dob_precision)
    if a.year == b.year and (card_year or rec_year):
        if rec_year and not card_year:
            yield _d("dob_year_only", "date_of_birth", W, src, ta, "registry", tb,
                     "Hồ sơ chỉ ghi năm sinh: cần bổ sung ngày sinh đầy đủ",
                     "the record states only the year of birth: complete it")
        elif card_year and not rec_year:
            yield _d("dob_year_only", "date_of_birth", I, src, ta, "registry", tb,
                     "Thẻ chỉ ghi năm sinh, hồ sơ ghi ngày sinh đầy đủ", "the card states only the year of birth")
        return
    if swapped_dob(a) == b:
        yield _d("dob_day_month_swapped", "date_of_birth", W, src, ta, "registry", tb,
                 "Ngày sinh trong hồ sơ bị đảo ngày và tháng", "DOB has day and month swapped in the record")
    else:
        yield _d("dob_mismatch", "date_of_birth", B, src, ta, "registry", tb,
                 "Ngày sinh khác hồ sơ", "date of birth differs")


def _simple(card: PersonData, rec: Resident, src: str) -> Iterator[Discrepancy]:
    if card.sex and rec.sex and card.sex != rec.sex:
        yield _d("sex_mismatch", "sex", W, src, card.sex.vi, "registry", rec.sex.vi,
                 "Giới tính khác hồ sơ", "sex differs")
    if card.residence and rec.residence:
        yield from _residence(card.residence, rec.residence, src)
    if card.id_number and rec.id_number and card.id_number != rec.id_number:
        yield _d("id_number_differs", "id_number", W, src, card.id_number, "registry", rec.id_number,
                 "Số định danh trong hồ sơ khác thẻ", "the record holds another ID number")
    if card.id_number and not rec.id_number:
        yield _d("id_number_missing", "id_number", I, src, card.id_number, "registry", None,
                 "Hồ sơ chưa có số định danh 12 số", "the record has only the old CMND: add the ID")
    if card.old_id_number and rec.old_id_number and card.old_id_number != rec.old_id_number:
        yield _d("cmnd_differs", "old_id_number", I, src, card.old_id_number, "registry", rec.old_id_number,
                 "Số CMND cũ khác hồ sơ", "old CMND number differs")


def both_forms(printed: str) -> str:
    """The printed address and, when it differs, its current form (2025 units) after it."""
    from cardkit.address.current import AddressError, convert

    try:
        current = convert(printed).current
    except AddressError:
        return printed
    return printed if not current or current == printed else f"{printed} (nay: {current})"


def _residence(card: str, rec: str, src: str) -> Iterator[Discrepancy]:
    """Compared by current unit codes: an old address and its current form are the same place
    (nothing to report); a move still is. Text only when a side has no recognisable ward."""
    from cardkit.address.compare import Place, same_place
    from cardkit.address.current import AddressError

    try:
        place = same_place(card, rec)
    except AddressError:  # the 'address' extra is not installed
        place = Place.UNKNOWN
    if place is Place.SAME or (place is Place.UNKNOWN and tone_key(card) == tone_key(rec)):
        return
    # People move: a hint to update the record, not an alarm.
    yield _d("residence_differs", "residence", I, src, both_forms(card), "registry", both_forms(rec),
             "Nơi thường trú khác hồ sơ", "residence differs")


def id_structure(id_number: str | None, dob: date | None, sex, source: str) -> list[Discrepancy]:
    """ID number vs DOB and sex (CCCD.md "The 12-digit personal ID number"): WARNING only."""
    if not id_number:
        return []
    try:
        a = analyse_id(id_number, date_of_birth=dob, sex=sex.value if sex else None)
    except InputError:
        return [_d("id_malformed", "id_number", W, source, id_number, "rule", "12 digits",
                   "Số định danh không đủ 12 chữ số", "ID number is not 12 digits")]
    expected = {"unknown_province": a.province_code, "birth_year_mismatch": dob.year if dob else None,
                "sex_mismatch": sex.value if sex else None}
    return [_d(f"id_{p}", "id_number", W, source, id_number, "rule", expected[p],
               f"Dữ liệu chưa đúng: {_ID_PROBLEMS[p][0]}", _ID_PROBLEMS[p][1]) for p in a.problems]


def validity(source: str, card_expiry: date | None, rec: Resident | None, today: date) -> list[Discrepancy]:
    out = []
    if card_expiry and card_expiry < today:
        out.append(_d("card_expired", "expiry_date", B, source, card_expiry.isoformat(), "today", today.isoformat(),
                      "Thẻ căn cước đã hết hạn", "the ID card has expired"))
    if rec and rec.insurance_code and rec.insurance_valid_to and rec.insurance_valid_to < today:
        out.append(_d("insurance_expired", "insurance_valid_to", W, "registry", rec.insurance_valid_to.isoformat(),
                      "today", today.isoformat(), "Thẻ BHYT đã hết hạn", "health insurance has expired"))
    if rec and rec.insurance_code and rec.insurance_valid_from and rec.insurance_valid_from > today:
        out.append(_d("insurance_not_yet_valid", "insurance_valid_from", W, "registry",
                      rec.insurance_valid_from.isoformat(), "today", today.isoformat(),
                      "Thẻ BHYT chưa đến ngày có hiệu lực", "health insurance not yet valid"))
    return out


def compare(card: PersonData, record: Resident | None, *, source: str = "chip",
            today: date | None = None) -> list[Discrepancy]:
    """All discrepancies between a card read (``source``: "chip" or "qr") and its matched record."""
    today = today or date.today()
    out = id_structure(card.id_number, card.date_of_birth, card.sex, source)
    out += validity(source, card.expiry_date, record, today)
    if record is None:
        out.append(_d("record_missing", "record", W, source, card.id_number, "registry", None,
                      "Không tìm thấy hồ sơ: cần đăng ký mới", "no registry record: register the person"))
        return out
    for check in (_name, _dob, _simple):
        out.extend(check(card, record, source))
    return out


def sweep(rec: Resident, *, today: date | None = None) -> list[Discrepancy]:
    """The registry's own data: ID structure against its DOB/sex, expired card or insurance."""
    today = today or date.today()
    return id_structure(rec.id_number, rec.date_of_birth, rec.sex, "registry") + validity(
        "registry", rec.card_expiry_date, rec, today)
