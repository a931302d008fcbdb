# SPDX-License-Identifier: Apache-2.0
"""The agent's API contract, versioned: the JSON Schema (2020-12) of the read result and of the
request bodies, and the OpenAPI 3.1 document that embeds them (served at ``/v1/openapi.json``
and ``/v1/schema/read-result.json``). Request bodies are validated against these same schemas.

The read result is ``cardkit read --json``'s document (``ReadResult.to_dict()``) plus the
station's check-in: merged identity, discrepancies, registry match, insurance, badges, the
journal sequence number and the face URL. Verdict statuses come from the library's ``Status``.
"""

from __future__ import annotations

from typing import Any

from cardkit.agent.events import EventKind
from cardkit.agent.problems import TEXT, Code
from cardkit.icao.verdict import Status

API_VERSION = "1"
SCHEMA_ID = f"urn:cardkit:agent:v{API_VERSION}:read-result"

_S = {"type": "string"}
_NS = {"type": ["string", "null"]}
_NI = {"type": ["integer", "null"]}

PERSON: dict[str, Any] = {
    "type": "object",
    "required": ["id_number", "full_name", "date_of_birth", "sex"],
    "properties": {
        **{k: _NS for k in ("id_number", "old_id_number", "full_name", "nationality", "ethnicity", "religion",
                            "place_of_origin", "residence", "personal_features", "expiry_text", "father_name",
                            "mother_name", "spouse_name")},
        **{k: {"type": ["string", "null"], "format": "date"} for k in ("date_of_birth", "issue_date", "expiry_date")},
        "sex": {"enum": ["M", "F", None]},
        "extra": {"type": "array", "items": {"type": "array", "items": _S, "minItems": 2, "maxItems": 2}},
    },
}
VERDICT = {"type": "object", "required": ["check", "status", "reason"],
           "properties": {"check": _S, "status": {"enum": [s.value for s in Status]}, "reason": _S}}
DISCREPANCY = {"type": "object", "required": ["kind", "field", "severity", "message_vi", "message_en"],
               "properties": {k: _NS for k in ("kind", "field", "severity", "source_a", "value_a", "source_b",
                                               "value_b", "message_vi", "message_en")}}
CANDIDATE = {"type": "object", "required": ["id_number", "full_name", "score", "method", "exact"],
             "properties": {"id_number": _NS, "old_id_number": _NS, "full_name": _NS, "date_of_birth": _NS,
                            "sex": _NS, "score": {"type": "number"}, "reasons": {"type": "array", "items": _S},
                            "method": _S, "exact": {"type": "boolean"}}}
BADGE = {"type": "object", "required": ["key", "state"],
         "properties": {"key": _S, "state": _S, "reason_vi": _S, "reason_en": _S}}

READ_RESULT: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "cardkit agent read result",
    "type": "object",
    "required": ["api_version", "checkin_id", "seq", "access", "access_detail", "files", "verdicts", "overall",
                 "holder", "identity", "discrepancies", "match", "badges", "face_url"],
    "properties": {
        "api_version": {"const": API_VERSION},
        "checkin_id": _S, "seq": _NI, "at": {"type": "string", "format": "date-time"}, "station": _S,
        "access": {"enum": ["PACE", "BAC"]},
        "access_detail": {"type": "object", "required": ["protocol", "reason"]},
        "access_method": _S,
        "files": {"type": "object", "additionalProperties": {"type": ["integer", "string"]}},
        "apdus": {"type": "integer"}, "bytes_sent": {"type": "integer"}, "bytes_received": {"type": "integer"},
        "seconds": {"type": "number"},
        "verdicts": {"type": "array", "items": VERDICT},
        "overall": {"enum": [s.value for s in Status]},
        "document_signer": {"type": ["object", "null"]},
        "holder": {"oneOf": [PERSON, {"type": "null"}]},
        "identity": PERSON,
        "discrepancies": {"type": "array", "items": DISCREPANCY},
        "match": {"type": "object", "required": ["outcome", "record", "candidates"],
                  "properties": {"outcome": _S, "record": {"oneOf": [CANDIDATE, {"type": "null"}]},
                                 "candidates": {"type": "array", "items": CANDIDATE}}},
        "insurance": {"type": ["object", "null"],
                      "properties": {"status": _S, "code": _NS, "valid_from": _NS, "valid_to": _NS, "facility": _NS}},
        "badges": {"type": "object", "additionalProperties": BADGE},
        "qr_scanned": {"type": "boolean"},
        "face_url": _NS,
        "face_jpeg_base64": _S,
    },
}

READ_REQUEST: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "key": {"type": "string", "maxLength": 64,
                "description": "12-digit ID number, 6-digit CAN, or DOC,YYMMDD,YYMMDD (MRZ key)"},
        "use_qr": {"type": "boolean", "description": "use the QR scanned just before (POST /v1/qr)"},
        "inline_face": {"type": "boolean", "description": "also return the face JPEG as base64"},
    },
    "anyOf": [{"required": ["key"]}, {"required": ["use_qr"], "properties": {"use_qr": {"const": True}}}],
}
QR_REQUEST: dict[str, Any] = {"type": "object", "additionalProperties": False, "required": ["text"],
                              "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 2048}}}
ERROR: dict[str, Any] = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message", "message_vi"],
                             "properties": {"code": {"enum": [c.value for c in Code]}, "message": _S,
                                            "message_vi": _S, "detail": _S}}},
}
STATUS: dict[str, Any] = {
    "type": "object", "required": ["api_version", "reader", "card_present", "busy", "trust_store", "registry"],
    "properties": {"api_version": {"const": API_VERSION}, "reader": _S, "card_present": {"type": ["boolean", "null"]},
                   "busy": {"type": "boolean"}, "caller": _NS,
                   "trust_store": {"type": "object", "required": ["loaded", "csca"]},
                   "registry": {"type": "object", "required": ["backend", "reachable"]}},
}
READERS: dict[str, Any] = {
    "type": "object", "required": ["readers"],
    "properties": {"readers": {"type": "array", "items": {
        "type": "object", "required": ["name", "card_present"],
        "properties": {"name": _S, "card_present": {"type": "boolean"}, "selected": {"type": "boolean"}}}}},
}


PAIRED: dict[str, Any] = {"type": "object", "required": ["pairing_id", "origin", "created", "token"],
                          "properties": {"pairing_id": _S, "origin": _S, "created": _S, "token": _S}}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _errors(*codes: Code) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in codes:
        status = str(TEXT[c][0])
        if status in out:
            out[status]["description"] += f", {c.value}"
        else:
            error = {"schema": {"$ref": "#/components/schemas/Error"}}
            out[status] = {"description": c.value, "content": {"application/json": error}}
    return out


_GUARD = (Code.BAD_HOST, Code.ORIGIN_REFUSED, Code.UNAUTHORIZED, Code.RATE_LIMITED)


def _get(summary: str, schema: dict[str, Any], *extra: Code, content: dict | None = None) -> dict[str, Any]:
    ok = {"description": "OK", **(content or _json(schema))}
    return {"get": {"summary": summary, "responses": {"200": ok, **_errors(*_GUARD, *extra)}}}


PAIR_REQUEST: dict[str, Any] = {"post": {
    "summary": "ask the desk to pair this page's origin (allowed origins only): waits for the answer on the "
               "station's screen, then returns the token",
    "responses": {"200": {"description": "approved", "content": {"application/json": {"schema": PAIRED}}},
                  **_errors(Code.BAD_HOST, Code.ORIGIN_REFUSED, Code.RATE_LIMITED, Code.INVALID_REQUEST,
                            Code.PAIRING_DENIED, Code.PAIRING_TIMEOUT, Code.PAIRING_PENDING, Code.PAIRING_ON_CLI)}}}


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the agent."""
    read_errors = (Code.BUSY, Code.NO_READER, Code.NO_CARD, Code.CARD_REMOVED, Code.WRONG_KEY, Code.SECURE_MESSAGING,
                   Code.ACCESS_FAILED, Code.READER_FAILED, Code.INVALID_REQUEST, Code.NO_QR, Code.TOO_LARGE,
                   Code.JOURNAL_FAILED)
    paths: dict[str, Any] = {
        "/v1/status": _get("reader, card present, trust store, registry", {"$ref": "#/components/schemas/Status"}),
        "/v1/readers": _get("PC/SC readers and card presence", {"$ref": "#/components/schemas/Readers"},
                            Code.NO_READER),
        "/v1/read": {"post": {
            "summary": "read, verify, match and journal the card on the reader (one read at a time)",
            "requestBody": {"required": True, **_json({"$ref": "#/components/schemas/ReadRequest"})},
            "responses": {"200": {"description": "the check-in", **_json({"$ref": "#/components/schemas/ReadResult"})},
                          **_errors(*_GUARD, *read_errors)}}},
        "/v1/qr": {"post": {
            "summary": "the QR printed on the card, as scanned (keyboard-wedge scanner text)",
            "requestBody": {"required": True, **_json({"$ref": "#/components/schemas/QrRequest"})},
            "responses": {"200": {"description": "accepted", **_json({"type": "object"})},
                          **_errors(*_GUARD, Code.INVALID_REQUEST, Code.TOO_LARGE)}}},
        "/v1/checkins/{checkin_id}": _get("a journaled check-in", {"type": "object"}, Code.NOT_FOUND),
        "/v1/checkins/{checkin_id}/fhir": _get("the check-in as a FHIR R4 Patient", {"type": "object"}, Code.NOT_FOUND,
                                               content={"content": {"application/fhir+json": {"schema": {"type": "object"}}}}),
        "/v1/checkins/{checkin_id}/face.jpg": _get("the holder's face (kept in memory for recent check-ins only)", {},
                                                   Code.NOT_FOUND, content={"content": {"image/jpeg": {}}}),
        "/v1/events": {"get": {
            "summary": "WebSocket event stream (subprotocols cardkit.v1 and token.<token>): "
                       + ", ".join(k.value for k in EventKind),
            "responses": {"101": {"description": "switching to WebSocket"}}}},
    }
    for path in paths:
        if "{checkin_id}" in path:
            paths[path]["parameters"] = [{"name": "checkin_id", "in": "path", "required": True, "schema": _S}]
    secured = {"security": [{"pairingToken": []}]}
    for item in paths.values():
        for op in item.values():
            if isinstance(op, dict) and "responses" in op:
                op.update(secured)
    paths["/v1/pair/request"] = PAIR_REQUEST  # no token: this is how a page gets one
    return {
        "openapi": "3.1.0",
        "info": {"title": "cardkit desk agent", "version": API_VERSION,
                 "description": "Local service on 127.0.0.1 reading Vietnam's chip ID card for web HIS software."},
        "servers": [{"url": "http://127.0.0.1:8765"}],
        "paths": paths,
        "components": {
            "schemas": {"ReadResult": READ_RESULT, "ReadRequest": READ_REQUEST, "QrRequest": QR_REQUEST,
                        "Error": ERROR, "Status": STATUS, "Readers": READERS},
            "securitySchemes": {"pairingToken": {"type": "http", "scheme": "bearer",
                                                 "description": "token from `cardkit agent pair ORIGIN`"}},
        },
    }
