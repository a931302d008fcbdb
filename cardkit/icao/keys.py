# SPDX-License-Identifier: Apache-2.0
"""Access keys: the MRZ key (BAC and PACE-MRZ), CAN, PIN, PUK, and the CCCD rules that make
them from a 12-digit ID number (docs/CCCD.md "Access keys").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from cardkit import idnumber
from cardkit.errors import InputError
from cardkit.icao.lds.mrz import check_digit  # noqa: F401  (re-exported: MRZ keys need it)


def _yymmdd(value: str | date, what: str) -> str:
    if isinstance(value, date):
        return value.strftime("%y%m%d")
    v = value.strip()
    if len(v) == 10 and v[4] == "-":  # YYYY-MM-DD
        return v[2:4] + v[5:7] + v[8:10]
    if len(v) != 6 or not v.isdigit():
        raise InputError(f"{what} must be YYMMDD or YYYY-MM-DD", message_vi=f"Ngày không hợp lệ ({what}).")
    return v


class PasswordType(IntEnum):
    """PACE password references (ICAO 9303-11 §4.4.4.1, MSE:Set AT tag 83)."""

    MRZ = 1
    CAN = 2
    PIN = 3
    PUK = 4


@dataclass(frozen=True)
class MrzKey:
    """Document number, date of birth and date of expiry as on the MRZ (9303-11 §4.3.2)."""

    document_number: str
    date_of_birth: str  # YYMMDD
    date_of_expiry: str  # YYMMDD

    @classmethod
    def create(cls, document_number: str, date_of_birth: str | date, date_of_expiry: str | date) -> MrzKey:
        doc = document_number.strip().upper()
        if not doc or len(doc) > 22 or any(not (c.isalnum() or c == "<") for c in doc):
            raise InputError("invalid document number", message_vi="Số giấy tờ không hợp lệ.")
        return cls(doc, _yymmdd(date_of_birth, "date of birth"), _yymmdd(date_of_expiry, "date of expiry"))

    @classmethod
    def parse(cls, text: str) -> MrzKey:
        """``DOC,YYMMDD,YYMMDD`` as typed on the command line."""
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 3:
            raise InputError("MRZ key must be DOC,YYMMDD,YYMMDD", message_vi="Khóa MRZ phải có dạng SỐ,YYMMDD,YYMMDD.")
        return cls.create(*parts)

    @property
    def type(self) -> PasswordType:
        return PasswordType.MRZ

    def mrz_information(self) -> bytes:
        doc = self.document_number
        if len(doc) < 9:
            doc = doc + "<" * (9 - len(doc))
        info = (
            doc + check_digit(doc)
            + self.date_of_birth + check_digit(self.date_of_birth)
            + self.date_of_expiry + check_digit(self.date_of_expiry)
        )
        return info.encode("ascii")

    def key_seed(self) -> bytes:
        """BAC K_seed: first 16 bytes of SHA-1(MRZ_information) (9303-11 §9.7.2)."""
        return hashlib.sha1(self.mrz_information()).digest()[:16]

    def pace_secret(self) -> bytes:
        """f(π) for PACE with the MRZ: SHA-1(MRZ_information) (9303-11 §9.7.3)."""
        return hashlib.sha1(self.mrz_information()).digest()


@dataclass(frozen=True)
class SecretPassword:
    """CAN, PIN or PUK: f(π) is the ASCII digits (9303-11 §9.7.3)."""

    type: PasswordType
    value: str

    def __post_init__(self) -> None:
        if not self.value.isascii() or not self.value.isdigit():
            raise InputError(f"{self.type.name} must be digits", message_vi="Mã CAN/PIN chỉ gồm chữ số.")

    def pace_secret(self) -> bytes:
        return self.value.encode("ascii")

    def __repr__(self) -> str:  # never print the secret
        return f"SecretPassword({self.type.name}, ******)"


def can(value: str) -> SecretPassword:
    v = value.strip()
    if len(v) != 6 or not v.isdigit():
        raise InputError("CAN must be 6 digits", message_vi="Mã CAN phải gồm đúng 6 chữ số.")
    return SecretPassword(PasswordType.CAN, v)


def cccd_mrz_key(id_number: str, date_of_birth: str | date, date_of_expiry: str | date) -> MrzKey:
    """BAC key of a CCCD: document number = the last 9 digits of the ID (CCCD.md)."""
    return MrzKey.create(idnumber.bac_document_number(id_number), date_of_birth, date_of_expiry)


def cccd_can(id_number: str) -> SecretPassword:
    """PACE CAN of a CCCD: the last 6 digits of the ID (CCCD.md)."""
    return can(idnumber.can_from_id(id_number))
