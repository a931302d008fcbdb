# SPDX-License-Identifier: Apache-2.0
"""A printed address (chip DG13, QR, registry row) -> its current administrative units, offline.

Data: ``vietnamadminunits`` (pinned), which holds the official old (63-province, GSO) and new
(34-province) unit codes with the mapping between them (Nghị quyết 202/2025/QH15 for provinces,
the 2025 resolutions of the Standing Committee for communes). Only the ward / district /
province part is converted; the street part is re-attached verbatim. The library's online
geocoder (used by its own converter to place a street inside an old ward that was split) is
never called: :func:`_refuse_geocoder` replaces it, and a split ward takes the library's default
new ward and is flagged (``split``) with the others it was split into, for the operator.

An address already written in current units (no district) is recognised and kept as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from cardkit.errors import CardkitError

COUNTRY = re.compile(r",\s*(Việt Nam|Viet Nam|Vietnam)\s*$", re.IGNORECASE)


class AddressError(CardkitError):
    message_vi = "Không chuyển được địa chỉ sang đơn vị hành chính mới."


class AddressForm(str, Enum):
    OLD = "old"  # written in the pre-2025 units: converted
    CURRENT = "current"  # already in the current units
    UNRECOGNISED = "unrecognised"  # no ward found: compared as text only


@dataclass(frozen=True)
class Unit:
    name: str
    code: str


@dataclass(frozen=True)
class ConvertedAddress:
    printed: str  # verbatim
    form: AddressForm
    street: str | None = None  # verbatim, the part before the units
    old_ward: Unit | None = None
    old_district: Unit | None = None
    old_province: Unit | None = None
    ward: Unit | None = None  # current ward / commune
    province: Unit | None = None  # current province
    split: bool = False  # the old ward was divided between several new communes: confirm
    alternatives: tuple[Unit, ...] = ()  # the other new communes it went to

    @property
    def current(self) -> str | None:
        if self.ward is None or self.province is None:
            return None
        return ", ".join(x for x in (self.street, self.ward.name, self.province.name) if x)

    @property
    def unit_codes(self) -> tuple[str, str] | None:
        return (self.province.code, self.ward.code) if self.ward and self.province else None

    def possible_wards(self) -> set[str]:
        return ({self.ward.code} if self.ward else set()) | {u.code for u in self.alternatives}

    def to_dict(self) -> dict[str, object]:
        u = lambda x: {"name": x.name, "code": x.code} if x else None  # noqa: E731
        return {"printed": self.printed, "current": self.current, "form": self.form.value, "street": self.street,
                "ward": u(self.ward), "province": u(self.province), "old_ward": u(self.old_ward),
                "old_district": u(self.old_district), "old_province": u(self.old_province), "split": self.split,
                "alternatives": [u(a) for a in self.alternatives]}


def _refuse_geocoder(*_a, **_k):
    raise AddressError("the online geocoder of vietnamadminunits is never called (addresses stay at the desk)")


@lru_cache(maxsize=1)
def _lib():
    try:
        from vietnamadminunits import parse_address
        from vietnamadminunits.converter import converter_2025
    except ImportError:
        raise AddressError("address conversion needs the 'address' extra (pip install 'cardkit[address]')") from None
    converter_2025.get_geo_location = _refuse_geocoder  # belt and braces: no address leaves the desk
    return parse_address, converter_2025


def _parts(text: str) -> list[str]:
    return [p.strip() for p in COUNTRY.sub("", text.strip()).split(",") if p.strip()]


@lru_cache(maxsize=4096)
def convert(printed: str) -> ConvertedAddress:
    """The address in current units (pure, cached). Never raises on odd text: UNRECOGNISED."""
    parse, conv = _lib()
    parts = _parts(printed)
    if not parts:
        return ConvertedAddress(printed, AddressForm.UNRECOGNISED)
    try:
        old = parse(", ".join(parts), mode="LEGACY", keep_street=True, level=3)
        if old.ward_key and old.district_key and len(parts) >= 3:
            return _from_old(printed, parts, old, conv, parse)
        new = parse(", ".join(parts), mode="FROM_2025", keep_street=True, level=2)
    except (AddressError, ValueError, KeyError, AttributeError, TypeError):  # the library's own failures
        return ConvertedAddress(printed, AddressForm.UNRECOGNISED)
    if new.ward_key and len(parts) >= 2:
        return ConvertedAddress(printed, AddressForm.CURRENT, ", ".join(parts[:-2]) or None,
                                ward=Unit(new.ward, new.ward_code), province=Unit(new.province, new.province_code))
    return ConvertedAddress(printed, AddressForm.UNRECOGNISED)


def _from_old(printed: str, parts: list[str], old, conv, parse) -> ConvertedAddress:
    # Units only (no street): the library's converter then takes the default new ward of a split
    # one and never reaches for the geocoder.
    new = conv.convert_address_2025(f"{old.ward}, {old.district}, {old.province}")
    key = f"{old.province_key}_{old.district_key}_{old.ward_key}"
    divided = conv.DICT_PROVINCE_WARD_DIVIDED.get(new.province_key or "", {}).get(key, [])
    others = []
    for w in divided:
        if w["newWardKey"] != new.ward_key:
            u = parse(f"{w['newWardKey']}, {new.province_key}", mode="FROM_2025", keep_street=False, level=2)
            others.append(Unit(u.ward, u.ward_code))
    return ConvertedAddress(
        printed, AddressForm.OLD, ", ".join(parts[:-3]) or None, Unit(old.ward, old.ward_code),
        Unit(old.district, old.district_code), Unit(old.province, old.province_code),
        Unit(new.ward, new.ward_code) if new.ward else None,
        Unit(new.province, new.province_code) if new.province else None, bool(others), tuple(others))


@lru_cache(maxsize=128)
def current_province(old_name: str) -> Unit | None:
    """The current province an old (pre-2025) province is part of."""
    parse, conv = _lib()
    old = parse(old_name, mode="LEGACY", level=1)
    new_key = next((k for k, v in conv.DICT_PROVINCE.items() if old.province_key and old.province_key in v), None)
    if new_key is None:
        return None
    new = parse(new_key, mode="FROM_2025", level=1)
    return Unit(new.province, new.province_code)
