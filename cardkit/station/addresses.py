# SPDX-License-Identifier: Apache-2.0
"""The addresses of a verified identity in both forms: printed (verbatim, as the chip or the QR
states them) and current (2025 units), plus the ID prefix read as the old birth-registration
province. Without the 'address' extra, the printed form alone (nothing is guessed)."""

from __future__ import annotations

import logging

from cardkit.person import PersonData

logger = logging.getLogger(__name__)
OLD_UNITS_END = "2025-06-30"  # the last day the 63-province units were in force


def address_view(p: PersonData | None) -> dict[str, object]:
    from cardkit.address.compare import birth_province
    from cardkit.address.current import AddressError, convert

    if p is None:
        return {}
    try:
        out: dict[str, object] = {k: convert(v).to_dict() if v else None
                                  for k, v in (("residence", p.residence), ("place_of_origin", p.place_of_origin))}
        b = birth_province(p.id_number)
    except AddressError as exc:
        logger.info("addresses shown as printed only: %s", exc)
        return {"residence": {"printed": p.residence, "current": None},
                "place_of_origin": {"printed": p.place_of_origin, "current": None}}
    out["birth_registration_province"] = ({"code": b.code, "old_name": b.old_name,
                                           "current": b.current.name if b.current else None} if b else None)
    return out


def fhir_addresses(p: PersonData) -> list[dict[str, object]]:
    """FHIR R4 ``Patient.address``: the current form (``use: home``) and, when it differs, the
    printed one (``use: old``, ended with the old units), each with its ``text`` verbatim."""
    if not p.residence:
        return []
    printed = {"use": "home", "type": "physical", "text": p.residence, "country": "VN"}
    res = address_view(p).get("residence") or {}
    current = res.get("current") if isinstance(res, dict) else None
    if not current or current == p.residence:
        return [printed]
    now = {"use": "home", "type": "physical", "text": current, "country": "VN"}
    if res.get("street"):
        now["line"] = [res["street"]]
    if res.get("ward"):
        now["city"] = res["ward"]["name"]
    if res.get("province"):
        now["state"] = res["province"]["name"]
    return [now, {**printed, "use": "old", "period": {"end": OLD_UNITS_END}}]
