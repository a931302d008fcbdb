# SPDX-License-Identifier: Apache-2.0
"""The printed QR against the chip, and the chip access keys the QR gives.

Both are printed/written by the issuer from one record, so any difference beyond form means a
damaged, altered or mismatched card: the ID and DOB (which open the chip and identify the
person) are BLOCKING, other fields WARNING, differences of case or spacing INFO. Unicode
normalisation is no difference at all (the chip and QR may use NFC and NFD).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from cardkit.discrepancy import Discrepancy, Severity
from cardkit.errors import InputError
from cardkit.idnumber import bac_document_number, can_from_id
from cardkit.person import PersonData
from cardkit.qr.payload import QrPayload

RENEWAL_AGES = (25, 40, 60)  # docs/CCCD.md "Access keys": a card expires on these birthdays
GRACE_YEARS = 2  # issued this close before a renewal birthday, a card may run to the next one

# field -> (severity of a real difference, Vietnamese label)
_FIELDS = {
    "id_number": (Severity.BLOCKING, "Số định danh"),
    "full_name": (Severity.WARNING, "Họ và tên"),
    "date_of_birth": (Severity.BLOCKING, "Ngày sinh"),
    "sex": (Severity.WARNING, "Giới tính"),
    "residence": (Severity.WARNING, "Nơi thường trú"),
    "issue_date": (Severity.WARNING, "Ngày cấp"),
    "old_id_number": (Severity.WARNING, "Số CMND cũ"),
}


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "vi"):
        return value.vi  # Sex
    return unicodedata.normalize("NFC", str(value))


def _form_key(text: str) -> str:
    return " ".join(text.casefold().split())


def _compare(field: str, qr_value: object, chip_value: object) -> Discrepancy | None:
    a, b = _text(qr_value), _text(chip_value)
    if a is None or b is None or a == "" or b == "" or a == b:
        return None  # absent on one side is not a mismatch; NFC-equal is equal
    severity, label = _FIELDS[field]
    if isinstance(qr_value, str) and _form_key(a) == _form_key(b):
        return Discrepancy(f"qr_chip_{field}_form", field, Severity.INFO, "qr", a, "chip", b,
                           f"{label} trên mã QR và trong chip chỉ khác chữ hoa/khoảng trắng",
                           f"{field} differs in case or spacing only between QR and chip")
    return Discrepancy(f"qr_chip_{field}_mismatch", field, severity, "qr", a, "chip", b,
                       f"{label} trên mã QR khác dữ liệu trong chip",
                       f"{field} on the QR differs from the chip")


def crosscheck(qr: PersonData, chip: PersonData) -> list[Discrepancy]:
    """Field-by-field findings, in a fixed field order; empty when QR and chip agree."""
    out = []
    for field in _FIELDS:
        d = _compare(field, getattr(qr, field), getattr(chip, field))
        if d is not None:
            out.append(d)
    return out


@dataclass(frozen=True)
class AccessKeys:
    """What the QR gives to open the chip.

    PACE needs only ``can``. BAC needs the document number, DOB and expiry: the QR has no
    expiry, so ``expiry_candidates`` lists the dates the renewal rule allows (try them in
    order); ``None`` in it stands for a card without expiry [U how the MRZ writes that].
    """

    can: str
    document_number: str
    date_of_birth: date
    expiry_candidates: tuple[date | None, ...]

    @property
    def expiry(self) -> date | None:
        """The expiry when the rule gives exactly one date, else ``None``."""
        return self.expiry_candidates[0] if len(self.expiry_candidates) == 1 else None


def birthday(dob: date, age: int) -> date:
    """The ``age``-th birthday; 29 February falls on 1 March in common years."""
    try:
        return dob.replace(year=dob.year + age)
    except ValueError:
        return date(dob.year + age, 3, 1)


def expiry_candidates(dob: date, issue: date | None) -> tuple[date | None, ...]:
    """Renewal rule (docs/CCCD.md): the first 25th/40th/60th birthday after the issue date, and
    no expiry when issued on or after the 60th birthday.

    Ambiguities, listed most likely first: a card issued within two years before a renewal
    birthday stays valid to the next one (Law on Citizen Identification 2014, art. 21) [U how
    every office applies it], so both dates are candidates; without an issue date every
    rule-conforming expiry is. ``None`` stands for "no expiry".
    """
    if issue is None:
        return tuple(birthday(dob, a) for a in RENEWAL_AGES) + (None,)
    for i, age in enumerate(RENEWAL_AGES):
        due = birthday(dob, age)
        if due > issue:
            later = birthday(dob, RENEWAL_AGES[i + 1]) if i + 1 < len(RENEWAL_AGES) else None
            return (due, later) if issue >= birthday(dob, age - GRACE_YEARS) else (due,)
    return (None,)


def access_from_qr(payload: QrPayload | PersonData) -> AccessKeys:
    """PACE CAN (last 6 of the ID) and BAC key parts (last 9 of the ID, DOB, expiry options)."""
    person = payload.to_person() if isinstance(payload, QrPayload) else payload
    if not person.id_number or person.date_of_birth is None:
        raise InputError("the QR lacks the ID number or date of birth",
                         message_vi="Mã QR thiếu số định danh hoặc ngày sinh.")
    return AccessKeys(
        can=can_from_id(person.id_number),
        document_number=bac_document_number(person.id_number),
        date_of_birth=person.date_of_birth,
        expiry_candidates=expiry_candidates(person.date_of_birth, person.issue_date),
    )
