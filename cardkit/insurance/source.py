# SPDX-License-Identifier: Apache-2.0
"""The :class:`InsuranceSource` interface, its query and its result (pure data).

A query names the card by ``maThe``: a 15-character BHYT code, the 10-digit social-insurance
number, or the 12-digit ID number (the last is accepted by the gateway in practice, not in the
official text). Dates travel as ``dd/MM/yyyy`` (or the year alone when only the year is known).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Protocol

from cardkit.errors import CardkitError, InputError
from cardkit.insurance.codes import Outcome, ResultCode

# maThe: the 10-digit BHXH number, the 12-digit ID number, or the 15-character BHYT code (group
# letters, benefit digit, province 2 digits, BHXH number 10 digits).
CARD_ID_RE = re.compile(r"[0-9]{10}|[0-9]{12}|[A-Z]{2}[0-9]{13}")


class InsuranceLookupError(CardkitError):
    """The lookup said nothing about the card (gateway down, slow, refused, garbled)."""

    message_vi = "Chưa tra cứu được BHYT."


class GatewayTimeoutError(InsuranceLookupError):
    message_vi = "Chưa tra cứu được BHYT: cổng BHXH trả lời quá chậm."


class GatewayUnreachableError(InsuranceLookupError):
    message_vi = "Chưa tra cứu được BHYT: không kết nối được cổng BHXH."


class GatewayAuthError(InsuranceLookupError):
    message_vi = "Chưa tra cứu được BHYT: tài khoản cổng BHXH bị từ chối."


class GatewayProtocolError(InsuranceLookupError):
    message_vi = "Chưa tra cứu được BHYT: cổng BHXH trả lời không đúng định dạng."


def parse_dmy(text: str | None) -> date | None:
    """``dd/MM/yyyy`` -> date; empty -> None; anything else a typed error."""
    if not text:
        return None
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise GatewayProtocolError(f"not a dd/MM/yyyy date: {text[:12]!r}") from None


def dob_text(dob: date | None, year: int | None = None) -> str:
    """``ngaySinh`` as the gateway wants it: dd/MM/yyyy, or the year alone when only it is known."""
    if dob is not None:
        return dob.strftime("%d/%m/%Y")
    if year is not None:
        return f"{year:04d}"
    raise InputError("a date of birth (or its year) is needed", message_vi="Cần ngày sinh (hoặc năm sinh).")


@dataclass(frozen=True)
class InsuranceQuery:
    card_id: str  # maThe: BHYT code, 10-digit social-insurance number, or 12-digit ID number
    full_name: str  # hoTen
    dob: str  # ngaySinh, dd/MM/yyyy or yyyy
    operator_name: str = ""  # hoTenCb
    operator_id: str = ""  # cccdCb

    def __post_init__(self) -> None:
        card = self.card_id.strip().upper()
        if not CARD_ID_RE.fullmatch(card):
            raise InputError("the card to look up must be a BHYT code, a 10-digit BHXH number or a 12-digit ID",
                             message_vi="Mã tra cứu phải là mã thẻ BHYT, mã số BHXH 10 số hoặc số định danh 12 số.")
        if not re.fullmatch(r"[0-9]{2}/[0-9]{2}/[0-9]{4}|[0-9]{4}", self.dob.strip()):
            raise InputError("the date of birth must be dd/mm/yyyy or yyyy",
                             message_vi="Ngày sinh phải có dạng dd/mm/yyyy hoặc yyyy.")
        if not self.full_name.strip():
            raise InputError("a name is needed", message_vi="Cần họ tên.")
        object.__setattr__(self, "card_id", card)
        object.__setattr__(self, "dob", self.dob.strip())

    def body(self) -> dict[str, str]:
        """The request body of both gateway calls (JSON for the check, a form for the history)."""
        return {"maThe": self.card_id, "hoTen": self.full_name, "ngaySinh": self.dob,
                "hoTenCb": self.operator_name, "cccdCb": self.operator_id}


@dataclass(frozen=True)
class NewCard:
    code: str | None
    valid_from: date | None
    valid_to: date | None
    facility_code: str | None
    facility_name: str | None


@dataclass(frozen=True)
class InsuranceStatus:
    """One answer: the gateway's fields (names in comments), dates parsed."""

    code: ResultCode  # maKetQua
    source: str  # "gateway", "stand-in", "registry"
    note: str = ""  # ghiChu
    card_code: str | None = None  # maThe
    full_name: str | None = None  # hoTen
    dob: str | None = None  # ngaySinh as sent (dd/MM/yyyy or yyyy)
    sex: str | None = None  # gioiTinh
    address: str | None = None  # diaChi
    facility_code: str | None = None  # maDKBD
    facility_name: str | None = None  # (registry only: the gateway sends the code)
    agency: str | None = None  # cqBHXH
    valid_from: date | None = None  # gtTheTu
    valid_to: date | None = None  # gtTheDen
    area: str | None = None  # maKV
    five_years: date | None = None  # ngayDu5Nam
    social_insurance_no: str | None = None  # maSoBHXH
    old_code: str | None = None  # maTheCu
    new_card: NewCard | None = None  # maTheMoi, gtTheTuMoi, gtTheDenMoi, maDKBDMoi, tenDKBDMoi

    def outcome(self, today: date) -> Outcome:
        """Fail closed: usable only on ``000`` with a validity that covers ``today``."""
        if self.code.outcome is not Outcome.USABLE:
            return self.code.outcome
        if self.valid_from is None or self.valid_to is None or not self.valid_from <= today <= self.valid_to:
            return Outcome.NOT_AS_IS
        return Outcome.USABLE

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["code"] = self.code.value
        return _iso(d)


def _iso(value):
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    return value.isoformat() if isinstance(value, date) else value


class InsuranceSource(Protocol):
    """Look a card up. Returns the answer (any result code); raises :class:`InsuranceLookupError`
    when there is no answer (offline, slow, refused, garbled)."""

    name: str

    def check(self, query: InsuranceQuery) -> InsuranceStatus: ...
