# SPDX-License-Identifier: Apache-2.0
"""Machine readable zones TD1, TD2 and TD3 (ICAO 9303-3 §4.9, 9303-4 §4.2, 9303-5 §4.2, 9303-6 §4.2).

Parsing is strict about the layout (line count and length, character set) and tolerant about
content: a wrong check digit is reported in :attr:`Mrz.checks`, never raised, so a reader can
show what the card holds. On a Vietnamese CCCD the TD1 optional data carries the full 12-digit
ID number followed by ``<<`` and its check digit (docs/CCCD.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from cardkit.errors import ParseError

_ALLOWED = re.compile(r"^[A-Z0-9<]*$")
_WEIGHTS = (7, 3, 1)
FORMATS = {90: ("TD1", 3, 30), 72: ("TD2", 2, 36), 88: ("TD3", 2, 44)}


def _char_value(c: str) -> int:
    if c.isdigit():
        return int(c)
    if c == "<":
        return 0
    if "A" <= c <= "Z":
        return ord(c) - ord("A") + 10
    raise ParseError(f"character {c!r} not allowed in an MRZ", what="MRZ")


def check_digit(value: str) -> str:
    """ICAO 9303-3 §4.9: weights 7-3-1, A-Z = 10-35, '<' = 0, modulus 10."""
    return str(sum(_char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(value)) % 10)


def _check(value: str, digit: str) -> bool:
    # A field of fillers may carry '<' as its check digit (9303-3 §4.9).
    if digit == "<":
        return set(value) <= {"<"}
    return check_digit(value) == digit


@dataclass(frozen=True)
class Mrz:
    format: str  # "TD1", "TD2", "TD3"
    lines: tuple[str, ...]
    document_code: str
    issuing_state: str
    document_number: str  # complete, also when longer than 9 characters
    primary_identifier: str  # surname(s), '<' replaced by spaces
    secondary_identifier: str  # given name(s)
    nationality: str
    birth_date_raw: str  # YYMMDD as printed
    sex: str  # "M", "F" or "<"
    expiry_date_raw: str  # YYMMDD
    optional_data1: str
    optional_data2: str
    checks: tuple[tuple[str, bool], ...]  # (field, check digit correct)

    @property
    def check_digits_ok(self) -> bool:
        return all(ok for _, ok in self.checks)

    @property
    def date_of_expiry(self) -> date | None:
        return _yymmdd(self.expiry_date_raw, 2000)

    @property
    def date_of_birth(self) -> date | None:
        """Century: the latest one that puts birth on or before expiry (else the 1900s)."""
        expiry = self.date_of_expiry
        for century in (2000, 1900):
            d = _yymmdd(self.birth_date_raw, century)
            if d is not None and (expiry is None or d <= expiry):
                return d
        return None

    @property
    def id_number(self) -> str | None:
        """The 12-digit personal ID of a Vietnamese CCCD (TD1 optional data), if present."""
        head = self.optional_data1[:12]
        if self.issuing_state == "VNM" and len(head) == 12 and head.isdigit():
            return head
        return None

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.primary_identifier, self.secondary_identifier) if p)


def _yymmdd(text: str, century: int) -> date | None:
    if len(text) != 6 or not text.isdigit():
        return None
    try:
        return date(century + int(text[:2]), int(text[2:4]), int(text[4:]))
    except ValueError:
        return None


def _clean_name(s: str) -> str:
    return " ".join(s.replace("<", " ").split())


def _names(field: str) -> tuple[str, str]:
    primary, _, secondary = field.partition("<<")
    return _clean_name(primary), _clean_name(secondary)


def _long_number(number: str, digit: str, optional: str) -> tuple[str, str, str]:
    """9303-5 §4.2.4 / 9303-6: a number longer than 9 continues in the optional data."""
    if digit == "<" and optional and optional[0] != "<":
        rest = optional.split("<", 1)[0]
        return number + rest[:-1], rest[-1:], optional[len(rest):]
    return number.rstrip("<"), digit, optional


def split_lines(text: str) -> tuple[str, ...]:
    """Split an MRZ given as one string (with or without newlines) into its lines."""
    flat = "".join(text.split())
    if len(flat) not in FORMATS:
        raise ParseError(f"MRZ of {len(flat)} characters is not TD1, TD2 or TD3", what="MRZ")
    _, count, width = FORMATS[len(flat)]
    return tuple(flat[i * width:(i + 1) * width] for i in range(count))


def parse_mrz(text: str | bytes) -> Mrz:
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError as exc:
            raise ParseError("MRZ is not ASCII", what="MRZ", offset=exc.start) from None
    lines = split_lines(text)
    for line in lines:
        if not _ALLOWED.match(line):
            raise ParseError("MRZ holds characters outside A-Z, 0-9, '<'", what="MRZ")
    return _parse_td1(lines) if len(lines) == 3 else _parse_td23(lines)


def _parse_td1(lines: tuple[str, ...]) -> Mrz:
    # ICAO 9303-5 §4.2.2
    l1, l2, l3 = lines
    number, digit, opt1 = _long_number(l1[5:14], l1[14], l1[15:30])
    primary, secondary = _names(l3)
    checks = [
        ("document_number", _check(number if digit != "<" else l1[5:14], digit)),
        ("date_of_birth", _check(l2[0:6], l2[6])),
        ("date_of_expiry", _check(l2[8:14], l2[14])),
        ("composite", _check(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29])),
    ]
    if l1[2:5] == "VNM" and l1[15:27].isdigit() and l1[27:29] == "<<":
        checks.append(("id_number", _check(l1[15:27], l1[29])))  # docs/CCCD.md
    return Mrz("TD1", lines, l1[0:2].rstrip("<"), l1[2:5].rstrip("<"), number, primary, secondary,
               l2[15:18].rstrip("<"), l2[0:6], l2[7], l2[8:14], opt1, l2[18:29], tuple(checks))


def _parse_td23(lines: tuple[str, ...]) -> Mrz:
    # ICAO 9303-4 §4.2.2 (TD3) and 9303-6 §4.2.2 (TD2): same second-line layout up to the end.
    l1, l2 = lines
    td3 = len(l1) == 44
    primary, secondary = _names(l1[5:])
    opt_end = 42 if td3 else 35
    number, digit, opt = _long_number(l2[0:9], l2[9], l2[28:opt_end]) if not td3 else (
        l2[0:9].rstrip("<"), l2[9], l2[28:42])
    checks = [
        ("document_number", _check(number if digit != "<" else l2[0:9], digit) if not td3
         else _check(l2[0:9], l2[9])),
        ("date_of_birth", _check(l2[13:19], l2[19])),
        ("date_of_expiry", _check(l2[21:27], l2[27])),
    ]
    if td3:
        checks.append(("personal_number", _check(l2[28:42], l2[42])))
        checks.append(("composite", _check(l2[0:10] + l2[13:20] + l2[21:43], l2[43])))
    else:
        checks.append(("composite", _check(l2[0:10] + l2[13:20] + l2[21:35], l2[35])))
    return Mrz("TD3" if td3 else "TD2", lines, l1[0:2].rstrip("<"), l1[2:5].rstrip("<"), number,
               primary, secondary, l2[10:13].rstrip("<"), l2[13:19], l2[20], l2[21:27], opt, "",
               tuple(checks))
