# SPDX-License-Identifier: Apache-2.0
"""Exports of a check-in for clinic information systems: plain JSON and a FHIR R4 Patient.

FHIR R4 Patient (https://hl7.org/fhir/R4/patient.html), choices made here:

- identifier: the 12-digit personal ID number with system ``urn:vn:cccd`` (no official HL7
  Vietnam NamingSystem for the CCCD number exists that we could confirm; change
  :data:`CCCD_SYSTEM` if your HIS uses another), type ``NI`` (v2-0203 national unique individual
  identifier); the old 9-digit CMND with ``urn:vn:cmnd``; the health insurance (BHYT) code with
  ``urn:vn:bhyt`` (type ``SB``) when the registry holds one.
- name: ``text`` as printed, ``family`` = the first word, ``given`` = the rest in order
  (Vietnamese order is family name first: "Nguyễn Văn An" -> family "Nguyễn", given ["Văn", "An"]).
- gender: ``male`` / ``female`` (``unknown`` when the card does not say); birthDate ISO 8601;
  address: the residence as ``text``, country ``VN``; when printed in the pre-2025 units, its
  current form first (``use: home``; ward as ``city``, province as ``state``) and the printed one
  after it (``use: old``, period ending 2025-06-30), both verbatim (cardkit.station.addresses).
- The face image is left out unless asked for (``photo=True``): exports leave the desk.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cardkit.person import PersonData, Sex
from cardkit.registry.journal import CheckInRecord
from cardkit.station.identity import split_vietnamese_name

CCCD_SYSTEM = "urn:vn:cccd"
CMND_SYSTEM = "urn:vn:cmnd"
BHYT_SYSTEM = "urn:vn:bhyt"
_V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"


def _identifier(system: str, value: str, code: str, display: str, text: str) -> dict[str, Any]:
    return {"use": "official", "type": {"coding": [{"system": _V2_0203, "code": code, "display": display}],
                                        "text": text}, "system": system, "value": value}


def fhir_patient(person: PersonData, *, resource_id: str | None = None, insurance_code: str | None = None,
                 face_jpeg: bytes | None = None) -> dict[str, Any]:
    """A FHIR R4 Patient resource (as a JSON-able dict) for ``person``."""
    res: dict[str, Any] = {"resourceType": "Patient"}
    if resource_id:
        res["id"] = resource_id
    ids = []
    if person.id_number:
        ids.append(_identifier(CCCD_SYSTEM, person.id_number, "NI", "National unique individual identifier", "CCCD"))
    if person.old_id_number:
        ids.append(_identifier(CMND_SYSTEM, person.old_id_number, "NI", "National unique individual identifier", "CMND"))
    if insurance_code:
        ids.append(_identifier(BHYT_SYSTEM, insurance_code, "SB", "Social Beneficiary Identifier", "BHYT"))
    if ids:
        res["identifier"] = ids
    res["active"] = True
    if person.full_name:
        family, given = split_vietnamese_name(person.full_name)
        name: dict[str, Any] = {"use": "official", "text": person.full_name}
        if family:
            name["family"] = family
        if given:
            name["given"] = given
        res["name"] = [name]
    res["gender"] = {Sex.MALE: "male", Sex.FEMALE: "female"}.get(person.sex, "unknown")  # type: ignore[arg-type]
    if person.date_of_birth:
        res["birthDate"] = person.date_of_birth.isoformat()
    if person.residence:
        from cardkit.station.addresses import fhir_addresses

        res["address"] = fhir_addresses(person)
    if face_jpeg:
        res["photo"] = [{"contentType": "image/jpeg", "data": base64.b64encode(face_jpeg).decode("ascii")}]
    return res


def checkin_json(checkin) -> dict[str, Any]:
    """A check-in (:class:`~cardkit.station.checkin.CheckIn` or a journal record) as plain JSON."""
    if isinstance(checkin, CheckInRecord):
        from cardkit.station.addresses import address_view

        return {**checkin.to_dict(), "addresses": address_view(record_person(checkin))}
    return checkin.to_dict()


def record_person(rec: CheckInRecord) -> PersonData:
    """The identity a journal record kept (``extra["identity"]``), else just its ID numbers."""
    ident = rec.extra.get("identity") if isinstance(rec.extra, dict) else None
    if ident:
        return PersonData.from_dict(ident)
    return PersonData(id_number=rec.id_number, old_id_number=rec.old_id_number)


def checkin_fhir(checkin, *, photo: bool = False) -> dict[str, Any]:
    """FHIR R4 Patient for a check-in or a journal record (the resource id is the check-in id)."""
    if isinstance(checkin, CheckInRecord):
        ins = (checkin.extra.get("insurance") or {}) if isinstance(checkin.extra, dict) else {}
        return fhir_patient(record_person(checkin), resource_id=checkin.checkin_id, insurance_code=ins.get("code"))
    ins_code = checkin.insurance.code if checkin.insurance else None
    return fhir_patient(checkin.identity, resource_id=checkin.checkin_id, insurance_code=ins_code,
                        face_jpeg=checkin.face if photo else None)


def dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False)
