# SPDX-License-Identifier: Apache-2.0
"""The agent's API over an in-process virtual card: status, readers, a full read, busy, typed
errors (English | Vietnamese), the event stream, the API documents."""

from __future__ import annotations

import threading
import time

import pytest
from agent_support import HIS
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi

from cardkit.agent import schema
from cardkit.icao.keys import cccd_can
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.reading import read_and_verify
from cardkit.icao.session import AccessSpec
from cardkit.sim.factory import make_card
from cardkit.station.checkin import face_of_dg2
from cardkit.transport.inproc import InProcessConnection
from cardkit.trustdir import load_trust_store

RESULT = Draft202012Validator(schema.READ_RESULT)
ERROR = Draft202012Validator(schema.ERROR)


def _valid(validator, doc):
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert errors == []
    return doc


def test_status_and_readers(make_agent):
    a = make_agent()
    r = a.client.get("/v1/status", headers=a.headers)
    assert r.status_code == 200
    assert _valid(Draft202012Validator(schema.STATUS), r.json()) == {
        "api_version": "1", "reader": "(first reader holding a card)", "card_present": r.json()["card_present"],
        "busy": False, "trust_store": {"loaded": True, "csca": 1},
        "registry": {"backend": "sqlite", "reachable": True}, "caller": HIS}
    r = a.client.get("/v1/readers", headers=a.headers)
    assert _valid(Draft202012Validator(schema.READERS), r.json()) == {
        "readers": [{"name": "In-process reader", "card_present": True, "selected": True}]}


def test_read_is_the_library_result_plus_the_checkin(make_agent, image, holder, trust_dir):
    a = make_agent()
    r = a.client.post("/v1/read", headers=a.headers, json={"key": holder.id_number})
    assert r.status_code == 200
    doc = _valid(RESULT, r.json())
    direct = read_and_verify(InProcessConnection(make_card(image)), AccessSpec(can=cccd_can(holder.id_number)),
                             trust=load_trust_store(trust_dir)).to_dict()
    for key in ("access", "access_detail", "files", "verdicts", "overall", "document_signer", "holder"):
        assert doc[key] == direct[key], key
    assert doc["overall"] == "VALID"
    assert doc["identity"]["full_name"] == "Nguyễn Văn An"
    assert doc["identity"]["id_number"] == "001090012345"
    assert doc["match"]["outcome"] == "exact_id"
    assert doc["insurance"]["code"] == "DN4010123456789"
    assert doc["face_url"] == f"/v1/checkins/{doc['checkin_id']}/face.jpg"
    assert "face_jpeg_base64" not in doc  # not inline by default
    face = a.client.get(doc["face_url"], headers=a.headers)
    assert face.headers["content-type"] == "image/jpeg"
    assert face.content == face_of_dg2(image.app_files[DataGroup.DG2.fid])
    (row,) = a.journal()
    assert (row.checkin_id, row.seq, row.extra["origin"], row.extra["via"]) == (doc["checkin_id"], doc["seq"], HIS, "agent")
    assert "face" not in row.extra
    got = a.client.get(f"/v1/checkins/{doc['checkin_id']}", headers=a.headers).json()
    assert (got["checkin_id"], got["overall_verdict"], got["id_number"]) == (doc["checkin_id"], "VALID", "001090012345")
    fhir = a.client.get(f"/v1/checkins/{doc['checkin_id']}/fhir", headers=a.headers)
    assert fhir.headers["content-type"] == "application/fhir+json"
    assert fhir.json()["name"] == [{"use": "official", "text": "Nguyễn Văn An", "family": "Nguyễn", "given": ["Văn", "An"]}]
    assert [i["value"] for i in fhir.json()["identifier"]] == ["001090012345", "013456789", "DN4010123456789"]


def test_inline_face_on_request(make_agent, image, holder):
    import base64

    a = make_agent()
    doc = a.client.post("/v1/read", headers=a.headers, json={"key": holder.id_number, "inline_face": True}).json()
    assert base64.b64decode(doc["face_jpeg_base64"]) == face_of_dg2(image.app_files[DataGroup.DG2.fid])


def _error(r, status: int, code: str, vi: str):
    assert r.status_code == status
    body = _valid(ERROR, r.json())
    assert (body["error"]["code"], body["error"]["message_vi"]) == (code, vi)
    return body


def test_second_read_while_one_runs_is_busy(make_agent, image, holder):
    a = make_agent(faults=["slow:25"])
    first = {}
    t = threading.Thread(target=lambda: first.update(r=a.client.post("/v1/read", headers=a.headers,
                                                                      json={"key": holder.id_number})))
    t.start()
    deadline = time.monotonic() + 10
    while not a.owner.busy and time.monotonic() < deadline:
        time.sleep(0.005)
    body = _error(a.client.post("/v1/read", headers=a.headers, json={"key": holder.id_number}), 409, "busy",
                  "Đầu đọc đang bận với một lượt đọc khác. Vui lòng thử lại khi lượt đọc kết thúc.")
    assert body["error"]["message"] == "The reader is busy with another read; try again when it ends."
    t.join(20)
    assert first["r"].status_code == 200
    assert len(a.journal()) == 1


@pytest.mark.parametrize(("kwargs", "key", "status", "code", "vi"), [
    ({"faults": ["remove-during:DG2"]}, "001090012345", 409, "card_removed",
     "Thẻ đã bị rút ra trong khi đang đọc. Vui lòng đặt lại thẻ."),
    ({}, "001090099999", 422, "wrong_key",
     "Sai khóa truy cập (số định danh, ngày sinh, ngày hết hạn hoặc CAN). Vui lòng kiểm tra lại."),
    ({"empty": True}, "001090012345", 409, "no_card", "Chưa có thẻ trên đầu đọc."),
    ({}, "12345", 400, "invalid_request", "Nhập số định danh 12 số, mã CAN 6 số hoặc khóa MRZ dạng SỐ,YYMMDD,YYMMDD."),
])
def test_failed_reads_are_typed_and_journal_nothing(make_agent, kwargs, key, status, code, vi):
    a = make_agent(**kwargs)
    _error(a.client.post("/v1/read", headers=a.headers, json={"key": key}), status, code, vi)
    assert a.journal() == []
    assert a.owner.faces.get("x") is None and not a.owner.busy


def test_use_qr_without_a_scan_is_refused_then_works(make_agent, image):
    a = make_agent()
    _error(a.client.post("/v1/read", headers=a.headers, json={"use_qr": True}), 409, "no_qr", "Chưa quét mã QR trên thẻ.")
    r = a.client.post("/v1/qr", headers=a.headers, json={"text": image.meta["qr"]})
    assert r.json() == {"scanned": True, "id_number": "001090012345"}
    doc = a.client.post("/v1/read", headers=a.headers, json={"use_qr": True}).json()
    assert (doc["qr_scanned"], doc["access_method"], doc["overall"]) == (True, "PACE-CAN+QR", "VALID")


def test_events_arrive_in_order_identity_before_face(make_agent, holder):
    a = make_agent()
    url = "ws://127.0.0.1:8765/v1/events"
    with a.client.websocket_connect(url, subprotocols=["cardkit.v1", "token." + a.token], headers={"Origin": HIS}) as ws:
        assert ws.accepted_subprotocol == "cardkit.v1"
        hello = ws.receive_json()
        assert (hello["event"], hello["api_version"], hello["busy"]) == ("hello", "1", False)
        doc = a.client.post("/v1/read", headers=a.headers, json={"key": holder.id_number}).json()
        events = []
        while not events or events[-1]["event"] != "checkin_journaled":
            ev = ws.receive_json()
            if ev["event"] not in ("card_inserted", "card_removed"):
                events.append(ev)
    kinds = [e["event"] for e in events if e["event"] != "file_progress"]
    assert kinds == ["read_started", "identity", "face", "verdicts", "checkin_journaled"]
    assert all(e["checkin_id"] == doc["checkin_id"] for e in events)
    identity = next(e for e in events if e["event"] == "identity")
    assert identity["holder"] == holder.to_dict()
    files_done = [e["file"] for e in events if e["event"] == "file_progress" and e["state"] == "done"]
    assert files_done.index("DG13") < files_done.index("DG2")
    assert events[-1]["seq"] == doc["seq"] and events[-1]["overall"] == "VALID"


def test_a_pulled_card_is_a_typed_event(make_agent, holder):
    a = make_agent(faults=["remove-during:DG2"])
    with a.client.websocket_connect("ws://127.0.0.1:8765/v1/events", subprotocols=["cardkit.v1", "token." + a.token],
                                    headers={"Origin": HIS}) as ws:
        ws.receive_json()
        a.client.post("/v1/read", headers=a.headers, json={"key": holder.id_number})
        ev = ws.receive_json()
        while ev["event"] != "read_failed":
            ev = ws.receive_json()
    assert ev["error"]["code"] == "card_removed"
    assert ev["error"]["message_vi"] == "Thẻ đã bị rút ra trong khi đang đọc. Vui lòng đặt lại thẻ."


def test_card_inserted_and_removed_events(make_agent, image):
    a = make_agent(empty=True)
    with a.client.websocket_connect("ws://127.0.0.1:8765/v1/events", subprotocols=["cardkit.v1", "token." + a.token],
                                    headers={"Origin": HIS}) as ws:
        ws.receive_json()
        a.source.insert(make_card(image))
        assert ws.receive_json()["event"] == "card_inserted"
        a.source.remove()
        assert ws.receive_json()["event"] == "card_removed"


def test_openapi_document_validates_and_is_served(make_agent):
    a = make_agent()
    doc = a.client.get("/v1/openapi.json").json()
    validate_openapi(doc)
    assert doc["info"]["version"] == "1" and doc["openapi"] == "3.1.0"
    assert set(doc["paths"]) >= {"/v1/status", "/v1/readers", "/v1/read", "/v1/events", "/v1/checkins/{checkin_id}/fhir"}
    Draft202012Validator.check_schema(schema.READ_RESULT)
    assert a.client.get("/v1/schema/read-result.json").json()["$id"] == "urn:cardkit:agent:v1:read-result"


def test_request_bodies_are_checked_against_the_schema(make_agent):
    a = make_agent()
    body = _error(a.client.post("/v1/read", headers=a.headers, json={"key": 123}), 400, "invalid_request",
                  "Yêu cầu không hợp lệ.")
    assert body["error"]["detail"] == "key: 123 is not of type 'string'"
    _error(a.client.post("/v1/read", headers=a.headers, json={"key": "001090012345", "pin": "1"}), 400,
           "invalid_request", "Yêu cầu không hợp lệ.")
    _error(a.client.post("/v1/read", headers=a.headers, content=b"\xff\xfe"), 400, "invalid_request",
           "Yêu cầu không hợp lệ.")
    assert a.journal() == []
