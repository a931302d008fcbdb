# SPDX-License-Identifier: Apache-2.0
"""DG13 of the Vietnamese CCCD / Căn cước: the holder's personal data (docs/CCCD.md "DG13").

``6D`` -> SEQUENCE { INTEGER 1, OID 1.0.10646.1.0.8, SET OF SEQUENCE { INTEGER n, value... } }.
Fields are addressed by ``n``; unknown fields are kept raw; text is UTF-8, normalised to NFC.
ICAO 9303-10 §4.7.13 leaves DG13 to the issuing state, so this layout is Vietnam's own.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from cardkit.errors import ParseError
from cardkit.person import DobPrecision, PersonData, format_year_only, parse_year_only
from cardkit.tlv import Tlv, encode_tlv, parse_single

TAG_DG13 = 0x6D
OID_DG13 = "1.0.10646.1.0.8"
_OID_DER = bytes.fromhex("28D316010008")
_SEQ, _SET, _INT, _OID, _UTF8, _PRINTABLE = 0x30, 0x31, 0x02, 0x06, 0x0C, 0x13
_STRING_TAGS = {0x0C: "utf-8", 0x13: "ascii", 0x16: "ascii", 0x14: "latin-1", 0x1E: "utf-16-be"}

# n -> name, as in docs/CCCD.md
FIELD_NAMES = {
    1: "id_number", 2: "full_name", 3: "date_of_birth", 4: "sex", 5: "nationality",
    6: "ethnicity", 7: "religion", 8: "place_of_origin", 9: "residence", 10: "personal_features",
    11: "issue_date", 12: "expiry", 13: "parents", 14: "spouse", 15: "old_id_number", 16: "field16",
}
_PRINTABLE_FIELDS = {1, 3, 11, 15, 16}


@dataclass(frozen=True)
class Dg13Field:
    number: int
    texts: tuple[str, ...]  # every string inside, depth first, NFC
    raw: bytes  # the field's whole SEQUENCE, as on the card

    @property
    def name(self) -> str:
        return FIELD_NAMES.get(self.number, f"field{self.number}")

    @property
    def text(self) -> str | None:
        return self.texts[0] if self.texts else None


@dataclass(frozen=True)
class Dg13:
    version: int
    oid: str
    fields: tuple[Dg13Field, ...]
    parents_layout: str | None  # "separate" (one SEQUENCE each), "combined" (one SEQUENCE), None

    def field(self, number: int) -> Dg13Field | None:
        for f in self.fields:
            if f.number == number:
                return f
        return None

    def text(self, number: int) -> str | None:
        f = self.field(number)
        return f.text if f else None

    @property
    def unknown_fields(self) -> tuple[Dg13Field, ...]:
        return tuple(f for f in self.fields if f.number not in FIELD_NAMES)

    @property
    def father_name(self) -> str | None:
        f = self.field(13)
        return _nonempty(f.texts[0]) if f and len(f.texts) >= 1 else None

    @property
    def mother_name(self) -> str | None:
        f = self.field(13)
        return _nonempty(f.texts[1]) if f and len(f.texts) >= 2 else None

    @property
    def spouse_name(self) -> str | None:
        return _nonempty(self.text(14))

    @property
    def date_of_birth(self) -> date | None:
        """1 January of the year for a year-only DOB (``yyyy`` or ``00/00/yyyy``): see dob_precision."""
        return parse_vn_date(self.text(3)) or parse_year_only(self.text(3))

    @property
    def dob_precision(self) -> DobPrecision:
        exact = parse_vn_date(self.text(3)) is not None or parse_year_only(self.text(3)) is None
        return DobPrecision.EXACT if exact else DobPrecision.YEAR

    @property
    def issue_date(self) -> date | None:
        return parse_vn_date(self.text(11))

    @property
    def expiry_date(self) -> date | None:
        return parse_vn_date(self.text(12))

    @property
    def expiry_text(self) -> str | None:
        """The expiry when it is not a date (e.g. "Không thời hạn")."""
        t = self.text(12)
        return t if t is not None and parse_vn_date(t) is None else None

    def to_person(self) -> PersonData:
        from cardkit.person import Sex

        extra = [(f.name, " | ".join(f.texts) if f.texts else f.raw.hex()) for f in self.fields
                 if f.number not in FIELD_NAMES or f.number == 16]
        return PersonData(
            id_number=self.text(1), full_name=self.text(2), date_of_birth=self.date_of_birth,
            sex=Sex.parse(self.text(4)), nationality=self.text(5), ethnicity=self.text(6),
            religion=self.text(7), place_of_origin=self.text(8), residence=self.text(9),
            personal_features=self.text(10), issue_date=self.issue_date,
            expiry_date=self.expiry_date, expiry_text=self.expiry_text,
            father_name=self.father_name, mother_name=self.mother_name,
            spouse_name=self.spouse_name, old_id_number=_nonempty(self.text(15)),
            extra=tuple(extra), dob_precision=self.dob_precision,
        )


def _nonempty(text: str | None) -> str | None:
    return text if text else None


def parse_vn_date(text: str | None) -> date | None:
    """``dd/mm/yyyy`` (also ``ddmmyyyy``) to a date; None for anything else."""
    if not text:
        return None
    t = text.strip()
    if len(t) == 10 and t[2] == "/" and t[5] == "/":
        t = t[:2] + t[3:5] + t[6:]
    if len(t) != 8 or not t.isascii() or not t.isdigit():
        return None
    try:
        return date(int(t[4:]), int(t[2:4]), int(t[:2]))
    except ValueError:
        return None


def _decode(tlv: Tlv) -> str:
    text = tlv.value.decode(_STRING_TAGS[tlv.tag], errors="replace")
    return unicodedata.normalize("NFC", text)


def _texts(values: list[Tlv], depth: int = 0) -> list[str]:
    out: list[str] = []
    for v in values:
        if v.tag in _STRING_TAGS:
            out.append(_decode(v))
        elif v.constructed and depth < 4:
            out.extend(_texts(v.children(), depth + 1))
    return out


def _parse_field(tlv: Tlv, raw: bytes) -> Dg13Field:
    kids = tlv.children()
    if not kids or kids[0].tag != _INT or not 1 <= len(kids[0].value) <= 4:
        raise ParseError("field does not start with its number", what="DG13 field", tag=tlv.tag,
                         offset=tlv.offset)
    number = int.from_bytes(kids[0].value, "big", signed=True)
    return Dg13Field(number, tuple(_texts(kids[1:])), raw)


def _parents_layout(field: Dg13Field | None) -> str | None:
    if field is None:
        return None
    kids = parse_single(field.raw).children()[1:]
    seqs = [k for k in kids if k.tag == _SEQ]
    if len(seqs) >= 2:
        return "separate"
    return "combined" if seqs else None


def parse_dg13(data: bytes) -> Dg13:
    root = parse_single(data, expected_tag=TAG_DG13)
    top = root.children()
    if len(top) == 1 and top[0].tag == _SEQ:
        top = top[0].children()
    if len(top) < 2 or top[0].tag != _INT or top[1].tag != _OID:
        raise ParseError("expected INTEGER version and OID", what="DG13", tag=TAG_DG13, offset=0)
    version = int.from_bytes(top[0].value[:4], "big", signed=True) if top[0].value else 0
    oid = _oid_text(top[1].value) if top[1].value == _OID_DER else top[1].value.hex()
    field_tlvs: list[Tlv] = []
    for t in top[2:]:
        if t.tag == _SET or (t.tag == _SEQ and t.value[:1] == bytes([_SEQ])):
            field_tlvs.extend(t.children())  # the SET (or a SEQUENCE) of fields
        elif t.tag == _SEQ:
            field_tlvs.append(t)  # a field directly after the OID
    fields = []
    for f in field_tlvs:
        if f.tag != _SEQ:
            raise ParseError("field is not a SEQUENCE", what="DG13", tag=f.tag, offset=f.offset)
        start = f.offset
        fields.append(_parse_field(f, data[start:start + f.length_bytes + len(f.value)]))
    parsed = Dg13(version, oid, tuple(fields), None)
    return Dg13(version, oid, tuple(fields), _parents_layout(parsed.field(13)))


def _oid_text(der: bytes) -> str:
    return OID_DG13 if der == _OID_DER else der.hex()


# --- builder ------------------------------------------------------------------------------

def _int(n: int) -> bytes:
    return encode_tlv(_INT, n.to_bytes((n.bit_length() + 8) // 8, "big", signed=True))


def _string(number: int, text: str) -> bytes:
    if number in _PRINTABLE_FIELDS and text.isascii():
        return encode_tlv(_PRINTABLE, text.encode("ascii"))
    return encode_tlv(_UTF8, unicodedata.normalize("NFC", text).encode("utf-8"))


def _vn_date(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def build_dg13(person: PersonData, extra: dict[int, str | bytes] | None = None, *,
               parents_layout: str = "separate", version: int = 1) -> bytes:
    """Build DG13 in the docs/CCCD.md layout.

    ``extra`` adds fields by number: a ``str`` becomes one string, ``bytes`` are the encoded
    value TLVs placed after the field's INTEGER (for unknown or field 16 content).
    ``parents_layout``: "separate" = SEQUENCE{INT 13, SEQ{father}, SEQ{mother}};
    "combined" = SEQUENCE{INT 13, SEQ{father, mother}}.
    """
    if parents_layout not in ("separate", "combined"):
        raise ValueError("parents_layout must be 'separate' or 'combined'")
    p = person
    expiry = _vn_date(p.expiry_date) if p.expiry_date else p.expiry_text
    dob = None if p.date_of_birth is None else (
        format_year_only(p.date_of_birth) if p.dob_precision is DobPrecision.YEAR else _vn_date(p.date_of_birth))
    simple = {1: p.id_number, 2: p.full_name, 3: dob,
              4: p.sex.vi if p.sex else None, 5: p.nationality, 6: p.ethnicity, 7: p.religion,
              8: p.place_of_origin, 9: p.residence, 10: p.personal_features,
              11: _vn_date(p.issue_date) if p.issue_date else None, 12: expiry, 15: p.old_id_number}
    values: dict[int, bytes] = {n: _string(n, t) for n, t in simple.items() if t is not None}
    if p.father_name is not None or p.mother_name is not None:
        father = _string(13, p.father_name or "")
        mother = _string(13, p.mother_name or "")
        if parents_layout == "separate":
            values[13] = encode_tlv(_SEQ, father) + encode_tlv(_SEQ, mother)
        else:
            values[13] = encode_tlv(_SEQ, father + mother)
    values[14] = encode_tlv(_SEQ, _string(14, p.spouse_name)) if p.spouse_name else b""
    for n, v in (extra or {}).items():
        values[n] = v if isinstance(v, bytes) else _string(n, v)
    body = b"".join(encode_tlv(_SEQ, _int(n) + values[n]) for n in sorted(values))
    seq = _int(version) + encode_tlv(_OID, _OID_DER) + encode_tlv(_SET, body)
    return encode_tlv(TAG_DG13, encode_tlv(_SEQ, seq))
