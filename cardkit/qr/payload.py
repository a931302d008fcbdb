# SPDX-License-Identifier: Apache-2.0
"""The text of the printed CCCD / Căn cước QR code: parse it, and build it for the simulator.

docs/CCCD.md "The printed QR code": ``ID12|CMND9|Họ và tên|ddmmyyyy|Giới tính|Nơi thường
trú|ddmmyyyy``, UTF-8 without ECI; 6 fields (no issue date), 7 fields (2021 CCCD) or 11 and
more (cards from late 2024 append fields, often empty). Fields are kept exactly as printed in
:attr:`QrPayload.fields`, unknown trailing ones in :attr:`QrPayload.extra`; the free-text ones
that are shown (residence, extra) without control characters (:func:`printable_text`). Pure:
no imaging.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from cardkit.errors import InputError, ParseError
from cardkit.person import DobPrecision, PersonData, Sex, format_year_only, parse_year_only
from cardkit.qr.mojibake import repair_mojibake

__all__ = ["QrPayload", "QrPayloadError", "parse_payload", "build_payload", "printable_text", "repair_mojibake"]

SEPARATOR = "|"
MIN_FIELDS = 6
KNOWN_FIELDS = 7  # fields 8.. are kept raw in ``extra``
PROFILES = {"cccd2021": 7, "cancuoc2024": 11}
_DATE = re.compile(r"(\d{2})(\d{2})(\d{4})\Z|(\d{2})/(\d{2})/(\d{4})\Z")
# Bidirectional formatting characters (Unicode UAX #9 §2.2-2.6): they reorder what is shown.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_FIELD_VI = {
    "encoding": "mã hóa ký tự",
    "layout": "số trường",
    "id_number": "số định danh",
    "old_id_number": "số CMND cũ",
    "full_name": "họ và tên",
    "date_of_birth": "ngày sinh",
    "sex": "giới tính",
    "residence": "nơi thường trú",
    "issue_date": "ngày cấp",
}


class QrPayloadError(ParseError):
    """The QR text is not a CCCD payload; ``field`` names the part that is wrong.

    Messages never repeat the value: it is personal data.
    """

    def __init__(self, message: str, *, field: str, offset: int | None = None) -> None:
        super().__init__(message, what=f"QR field {field}", offset=offset)
        self.field = field
        self.message_vi = f"Mã QR trên thẻ không hợp lệ: sai {_FIELD_VI.get(field, field)}."


@dataclass(frozen=True)
class QrPayload:
    """One parsed QR text. ``fields`` is the raw split; the typed attributes derive from it.

    Empty optional fields (old CMND, residence, issue date) read as ``None``: the card says
    nothing there.
    """

    fields: tuple[str, ...]
    id_number: str
    old_id_number: str | None
    full_name: str
    date_of_birth: date
    sex: Sex | None
    residence: str | None
    issue_date: date | None
    extra: tuple[str, ...]
    # YEAR: the card prints the year alone (yyyy, 0000yyyy, 00/00/yyyy); date_of_birth is 1 January.
    dob_precision: DobPrecision = DobPrecision.EXACT

    @property
    def text(self) -> str:
        return SEPARATOR.join(self.fields)

    @property
    def layout(self) -> str:
        """"6-field", "7-field" (2021 CCCD), "11-field" (late 2024) or "N-field"."""
        return f"{len(self.fields)}-field"

    def to_person(self) -> PersonData:
        extra = tuple((f"qr_field_{KNOWN_FIELDS + 1 + i}", v) for i, v in enumerate(self.extra))
        return PersonData(
            id_number=self.id_number, old_id_number=self.old_id_number, full_name=self.full_name,
            date_of_birth=self.date_of_birth, sex=self.sex, residence=self.residence,
            issue_date=self.issue_date, extra=extra, dob_precision=self.dob_precision,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "layout": self.layout,
            "id_number": self.id_number,
            "old_id_number": self.old_id_number,
            "full_name": self.full_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "dob_precision": self.dob_precision.value,
            "sex": self.sex.value if self.sex else None,
            "residence": self.residence,
            "issue_date": self.issue_date.isoformat() if self.issue_date else None,
            "extra": list(self.extra),
        }


def printable_text(text: str) -> str:
    """``text`` with control characters (Unicode Cc: C0 with tab and newlines, DEL, C1) and
    bidirectional formatting characters replaced by a space, then stripped.

    The QR is printed on a card anyone can make: an ESC or CSI in it would drive the
    operator's terminal, a newline forge output lines, a bidi override reorder the address."""
    if text.isprintable():
        return text.strip()
    return "".join(" " if unicodedata.category(c) == "Cc" or c in _BIDI_CONTROLS else c for c in text).strip()


def decode_text(data: bytes | str, *, repair: bool = True) -> str:
    """Bytes must be UTF-8 (the card's encoding); text that a guessing decoder mangled is
    repaired first. The result is NFC, without the line ending a keyboard-wedge scanner adds."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise QrPayloadError("QR bytes are not UTF-8", field="encoding", offset=exc.start) from None
    elif isinstance(data, str):
        text = repair_mojibake(data) if repair else data
    else:
        raise TypeError(f"QR payload must be bytes or str, not {type(data).__name__}")
    return unicodedata.normalize("NFC", text.strip("\r\n\x00"))


def parse_payload(data: bytes | str, *, repair: bool = True) -> QrPayload:
    """Parse a QR text (bytes or str) into a :class:`QrPayload`, or raise :class:`QrPayloadError`."""
    text = decode_text(data, repair=repair)
    fields = tuple(text.split(SEPARATOR))
    if len(fields) < MIN_FIELDS:
        raise QrPayloadError(f"QR text has {len(fields)} fields, at least {MIN_FIELDS} expected", field="layout")
    year_only = parse_year_only(fields[3])
    return QrPayload(
        fields=fields,
        id_number=_digits(fields[0], "id_number", (12,), required=True) or "",
        old_id_number=_digits(fields[1], "old_id_number", (9, 12), required=False),
        full_name=_name(fields[2]),
        date_of_birth=year_only or _date(fields[3], "date_of_birth", required=True) or date.min,
        sex=_sex(fields[4]),
        residence=printable_text(fields[5]) or None,
        issue_date=_date(fields[6], "issue_date", required=False) if len(fields) > 6 else None,
        extra=tuple(printable_text(f) for f in fields[KNOWN_FIELDS:]),
        dob_precision=DobPrecision.YEAR if year_only else DobPrecision.EXACT,
    )


def _digits(value: str, field: str, lengths: tuple[int, ...], *, required: bool) -> str | None:
    v = value.strip()
    if not v and not required:
        return None
    if not (v.isascii() and v.isdigit() and len(v) in lengths):
        want = " or ".join(str(n) for n in lengths)
        raise QrPayloadError(f"{field} must be {want} digits", field=field)
    return v


def _name(value: str) -> str:
    v = " ".join(value.split())
    if not v:
        raise QrPayloadError("full name is empty", field="full_name")
    if any(unicodedata.category(c).startswith("C") for c in v):
        raise QrPayloadError("full name holds control characters", field="full_name")
    return v


def _date(value: str, field: str, *, required: bool) -> date | None:
    v = value.strip()
    if not v and not required:
        return None
    m = _DATE.match(v) if v.isascii() else None
    if m is None:
        raise QrPayloadError(f"{field} must be ddmmyyyy or dd/mm/yyyy", field=field)
    day, month, year = (int(g) for g in m.groups() if g is not None)
    try:
        return date(year, month, day)
    except ValueError:
        raise QrPayloadError(f"{field} is not a calendar date", field=field) from None


def _sex(value: str) -> Sex | None:
    if not value.strip():
        return None
    sex = Sex.parse(value)
    if sex is None:
        raise QrPayloadError("sex must be Nam or Nữ", field="sex")
    return sex


def format_date(value: date | None) -> str:
    """``ddmmyyyy``, the form the cards print."""
    return "" if value is None else f"{value.day:02d}{value.month:02d}{value.year:04d}"


def build_payload(person: PersonData, profile: str = "cccd2021") -> str:
    """The QR text a card of ``profile`` would print for ``person`` (the simulator prints it).

    "cccd2021": 7 fields; "cancuoc2024": 11 fields, the last four empty (docs/CCCD.md).
    """
    if profile not in PROFILES:
        raise InputError(f"unknown QR profile {profile!r}", message_vi="Loại mã QR không được hỗ trợ.")
    if not person.id_number or not person.full_name or person.date_of_birth is None:
        raise InputError("a QR payload needs the ID number, full name and date of birth",
                         message_vi="Mã QR cần số định danh, họ tên và ngày sinh.")
    fields = [
        person.id_number, person.old_id_number or "", person.full_name,
        format_year_only(person.date_of_birth) if person.dob_precision is DobPrecision.YEAR
        else format_date(person.date_of_birth), person.sex.vi if person.sex else "",
        person.residence or "", format_date(person.issue_date),
    ]
    if any(SEPARATOR in f for f in fields):
        raise InputError("a QR field may not contain '|'", message_vi="Trường dữ liệu không được chứa ký tự '|'.")
    fields += [""] * (PROFILES[profile] - len(fields))
    return unicodedata.normalize("NFC", SEPARATOR.join(fields))
