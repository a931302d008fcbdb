# SPDX-License-Identifier: Apache-2.0
"""Faces expire (an injected clock); pairing approved on the desk's screen (an approver standing
for the station's modal, answering from its own thread) or refused with a typed error."""

from __future__ import annotations

import threading

from agent_support import HIS, OTHER

from cardkit.agent.faces import FaceCache
from cardkit.agent.pairing import Decision, PairingRequest


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_faces_are_dropped_after_their_max_age():
    clock = Clock()
    faces = FaceCache(keep=8, max_age=600, clock=clock)
    faces.put("a", b"\xff\xd8a")
    clock.now += 300
    faces.put("b", b"\xff\xd8b")
    clock.now += 299.9
    assert (faces.get("a"), faces.get("b"), len(faces)) == (b"\xff\xd8a", b"\xff\xd8b", 2)
    clock.now += 0.1  # "a" is 600 s old
    assert (faces.get("a"), faces.get("b"), len(faces)) == (None, b"\xff\xd8b", 1)
    clock.now += 300
    assert (faces.get("b"), len(faces)) == (None, 0)


def test_faces_keep_only_the_last_ones():
    faces = FaceCache(keep=2, clock=Clock())
    for k in "abc":
        faces.put(k, k.encode())
    assert [faces.get(k) for k in "abc"] == [None, b"b", b"c"]


def test_an_expired_face_url_is_a_404_problem(make_agent, holder):
    clock = Clock()
    a = make_agent(faces=FaceCache(max_age=600, clock=clock))
    doc = a.client.post("/v1/read", headers=a.headers, json={"key": holder.id_number}).json()
    url = doc["face_url"]
    assert url == f"/v1/checkins/{doc['checkin_id']}/face.jpg"
    r = a.client.get(url, headers=a.headers)
    assert (r.status_code, r.headers["content-type"], r.content[:2]) == (200, "image/jpeg", b"\xff\xd8")
    clock.now += 600
    r = a.client.get(url, headers=a.headers)
    assert r.status_code == 404
    assert r.json() == {"error": {"code": "not_found", "message": "Not found.", "message_vi": "Không tìm thấy.",
                                  "detail": "Not found."}}


class Desk:
    """Answers each request as ``answer`` says, from another thread (as the station's screen does)."""

    def __init__(self, answer: Decision | None) -> None:
        self.answer, self.asked, self.withdrawn = answer, [], []
        self.decide = None

    def ask(self, request: PairingRequest) -> None:
        self.asked.append(request)
        if self.answer is not None:
            threading.Timer(0.05, self.decide, (request.request_id, self.answer)).start()

    def withdraw(self, request: PairingRequest) -> None:
        self.withdrawn.append(request)


def desk_agent(make_agent, answer, **config):
    desk = Desk(answer)
    a = make_agent(approver=desk, **config)
    desk.decide = a.pairing.decide
    return a, desk


def test_approved_at_the_desk_the_page_gets_a_working_token(make_agent):
    a, desk = desk_agent(make_agent, Decision.APPROVED)
    r = a.client.post("/v1/pair/request", headers={"Origin": OTHER})
    assert r.status_code == 200
    doc = r.json()
    assert (doc["origin"], doc["token"][:3], r.headers["access-control-allow-origin"]) == (OTHER, "ck_", OTHER)
    assert [q.origin for q in desk.asked] == [OTHER] and desk.withdrawn == []
    assert doc["pairing_id"] in [p.pairing_id for p in a.tokens.pairings()]
    ok = a.client.get("/v1/status", headers={"Origin": OTHER, "Authorization": f"Bearer {doc['token']}"})
    assert (ok.status_code, ok.json()["caller"]) == (200, OTHER)
    assert a.pairing.pending() == []


def test_denied_at_the_desk_is_a_typed_refusal_and_no_pairing(make_agent):
    a, desk = desk_agent(make_agent, Decision.DENIED)
    before = a.tokens.pairings()
    r = a.client.post("/v1/pair/request", headers={"Origin": OTHER})
    assert r.status_code == 403
    assert r.json() == {"error": {"code": "pairing_denied",
                                  "message": "The desk refused to let this web origin read cards.",
                                  "message_vi": "Quầy tiếp nhận đã từ chối cho trang web này đọc thẻ.",
                                  "detail": "The desk refused to let this web origin read cards."}}
    assert a.tokens.pairings() == before


def test_no_answer_in_time_is_a_typed_refusal_and_the_prompt_is_withdrawn(make_agent):
    a, desk = desk_agent(make_agent, None, pair_timeout=0.2)
    r = a.client.post("/v1/pair/request", headers={"Origin": OTHER})
    assert (r.status_code, r.json()["error"]["code"], r.json()["error"]["message_vi"]) == (
        403, "pairing_timeout", "Quầy tiếp nhận chưa đồng ý kịp thời. Vui lòng yêu cầu ghép nối lại.")
    assert [q.request_id for q in desk.withdrawn] == [q.request_id for q in desk.asked]
    assert a.pairing.decide(desk.asked[0].request_id, Decision.APPROVED) is False  # too late: nothing issued
    assert [p.origin for p in a.tokens.pairings()] == [HIS]


def test_pairing_requests_need_an_allowed_web_origin(make_agent):
    a, desk = desk_agent(make_agent, Decision.APPROVED)
    r = a.client.post("/v1/pair/request", headers={"Origin": "https://evil.example"})
    assert (r.status_code, r.json()["error"]["code"]) == (403, "origin_refused")
    r = a.client.post("/v1/pair/request")  # a program sends no Origin: it pairs on the CLI
    assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_request")
    assert desk.asked == []


def test_the_standalone_agent_pairs_only_on_the_cli(make_agent):
    a = make_agent()
    r = a.client.post("/v1/pair/request", headers={"Origin": OTHER})
    assert r.status_code == 403
    assert r.json()["error"] == {
        "code": "pairing_on_cli",
        "message": "This agent pairs web origins only with `cardkit agent pair ORIGIN` on the desk PC.",
        "message_vi": "Dịch vụ này chỉ ghép nối bằng lệnh `cardkit agent pair ORIGIN` trên máy của quầy.",
        "detail": "This agent pairs web origins only with `cardkit agent pair ORIGIN` on the desk PC."}
