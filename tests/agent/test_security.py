# SPDX-License-Identifier: Apache-2.0
"""The guard: loopback only, DNS-rebinding Host refused, CORS allow-list, Private Network Access
preflight, pairing tokens (hashed, 0600, revocable), size and rate limits, no personal data in
logs, and an agent that keeps answering through a flood of malformed requests."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import stat

import pytest
from agent_support import HIS, OTHER, WS
from starlette.websockets import WebSocketDisconnect

from cardkit.agent.config import AgentConfig, load_agent_config, normalize_origin
from cardkit.agent.security import RateLimiter
from cardkit.cli import main
from cardkit.errors import InputError

ID = "001090012345"


def _code(r) -> str:
    return r.json()["error"]["code"]


def test_binds_to_loopback_only():
    with pytest.raises(InputError, match="loopback only"):
        AgentConfig(host="0.0.0.0")
    assert AgentConfig(host="::1").host == "::1"


@pytest.mark.parametrize("host", ["evil.example:8765", "127.0.0.1:9999", "localhost", "192.168.1.5:8765",
                                  "127.0.0.1.nip.io:8765", ""])
def test_a_rebinding_host_is_refused(make_agent, host):
    a = make_agent()
    r = a.client.post("/v1/read", headers={**a.headers, "Host": host}, json={"key": ID})
    assert (r.status_code, _code(r)) == (421, "bad_host")
    assert r.json()["error"]["message_vi"] == "Địa chỉ máy chủ không hợp lệ: chỉ gọi qua 127.0.0.1, localhost hoặc [::1]."
    assert a.journal() == []


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "[::1]:8765", "LOCALHOST:8765"])
def test_loopback_hosts_are_served(make_agent, host):
    a = make_agent()
    assert a.client.get("/v1/status", headers={**a.headers, "Host": host}).status_code == 200


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://his.benhvien.vn", "https://his.benhvien.vn:8443"])
def test_an_origin_not_allowed_gets_no_cors_and_cannot_read(make_agent, origin):
    a = make_agent()
    r = a.client.post("/v1/read", headers={**a.headers, "Origin": origin}, json={"key": ID})
    assert (r.status_code, _code(r)) == (403, "origin_refused")
    assert "access-control-allow-origin" not in r.headers
    pre = a.client.options("/v1/read", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                "Access-Control-Request-Private-Network": "true"})
    assert pre.status_code == 403
    assert "access-control-allow-origin" not in pre.headers
    assert "access-control-allow-private-network" not in pre.headers
    assert a.journal() == []


def test_preflight_for_an_allowed_origin_answers_private_network_access(make_agent):
    a = make_agent()
    pre = a.client.options("/v1/read", headers={"Origin": HIS, "Access-Control-Request-Method": "POST",
                                                "Access-Control-Request-Headers": "authorization, content-type",
                                                "Access-Control-Request-Private-Network": "true"})
    assert pre.status_code == 204
    assert pre.headers["access-control-allow-origin"] == HIS
    assert pre.headers["access-control-allow-private-network"] == "true"
    assert pre.headers["access-control-allow-headers"] == "Authorization, Content-Type"
    plain = a.client.options("/v1/read", headers={"Origin": HIS, "Access-Control-Request-Method": "POST"})
    assert plain.status_code == 204 and "access-control-allow-private-network" not in plain.headers
    r = a.client.get("/v1/status", headers=a.headers)
    assert (r.headers["access-control-allow-origin"], r.headers["vary"]) == (HIS, "Origin")


def test_tokens_are_required_and_bound_to_their_origin(make_agent):
    a = make_agent()
    for headers in ({"Origin": HIS}, {"Origin": HIS, "Authorization": "Bearer ck_" + "A" * 43},
                    {"Origin": HIS, "Authorization": a.token}, {"Origin": OTHER, "Authorization": f"Bearer {a.token}"}):
        r = a.client.post("/v1/read", headers=headers, json={"key": ID})
        assert (r.status_code, _code(r)) == (401, "unauthorized"), headers
    assert a.journal() == []
    # no Origin (curl, a .NET program): the token alone, its pairing names the caller
    r = a.client.get("/v1/status", headers={"Authorization": f"Bearer {a.token}"})
    assert r.json()["caller"] == HIS
    # public: the API documents, the client and the demo page
    assert [a.client.get(p).status_code for p in ("/v1/openapi.json", "/cardkit-agent.js", "/demo")] == [200, 200, 200]


def test_pairings_are_hashed_in_a_0600_file_and_revocation_applies_at_once(make_agent, monkeypatch, tmp_path, capsys):
    a = make_agent()
    text = a.tokens.path.read_text()
    assert a.token not in text
    assert hashlib.sha256(a.token.encode()).hexdigest() in text
    assert stat.S_IMODE(os.stat(a.tokens.path).st_mode) == 0o600
    assert a.client.get("/v1/status", headers=a.headers).status_code == 200
    # the CLI, as a desk admin runs it, against the same file
    from cardkit.agent import tokens as tokens_mod

    monkeypatch.setattr(tokens_mod, "pairings_path", lambda: a.tokens.path)
    assert main(["agent", "revoke", HIS]) == 0
    assert capsys.readouterr().out.startswith(f"revoked {HIS} (pairing ")
    r = a.client.get("/v1/status", headers=a.headers)
    assert (r.status_code, _code(r)) == (401, "unauthorized")
    assert main(["agent", "revoke", HIS]) == 2  # nothing left to revoke: one-line error


def test_cli_pair_allow_writes_the_allow_list(monkeypatch, tmp_path, capsys):
    from cardkit.agent import tokens as tokens_mod
    from cardkit.agent.tokens import TokenStore

    monkeypatch.setattr(tokens_mod, "pairings_path", lambda: tmp_path / "p.json")
    cfg = tmp_path / "agent.toml"
    assert main(["agent", "pair", "HTTPS://His.Example.VN:443/", "--allow", "--agent-config", str(cfg)]) == 0
    token = capsys.readouterr().out.strip()
    assert load_agent_config(cfg).allowed_origins == ("https://his.example.vn",)
    assert TokenStore(tmp_path / "p.json").check(token).origin == "https://his.example.vn"
    assert main(["agent", "pairings", "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["origin"] == "https://his.example.vn" and set(listed) == {"pairing_id", "origin", "created"}


@pytest.mark.parametrize("bad", ["ftp://his.vn", "https://his.vn/path", "his.vn", "https://his.vn:99999"])
def test_origins_are_checked(bad):
    with pytest.raises(InputError):
        normalize_origin(bad)


def test_websocket_from_a_refused_origin_or_without_token_is_closed(make_agent):
    a = make_agent()
    for protocols, origin in ((["cardkit.v1", "token." + a.token], "https://evil.example"), (["cardkit.v1"], HIS),
                              (["cardkit.v1", "token.ck_nope"], HIS)):
        with pytest.raises(WebSocketDisconnect) as exc, \
                a.client.websocket_connect(WS, subprotocols=protocols, headers={"Origin": origin}) as ws:
            ws.receive_json()
        assert exc.value.code == 1008


def test_request_size_limit(make_agent):
    a = make_agent(max_body=1024)
    r = a.client.post("/v1/read", headers=a.headers, content=json.dumps({"key": ID, "x": "a" * 2000}))
    assert (r.status_code, _code(r)) == (413, "too_large")
    assert r.headers["access-control-allow-origin"] == HIS  # the page can read why


def test_rate_limit_per_caller_with_an_injected_clock(make_agent):
    now = [100.0]
    a = make_agent(limiter=RateLimiter(rate=1.0, burst=3, clock=lambda: now[0]))
    got = [a.client.get("/v1/status", headers=a.headers).status_code for _ in range(4)]
    assert got == [200, 200, 200, 429]
    r = a.client.get("/v1/status", headers=a.headers)
    assert r.json()["error"]["message_vi"] == "Quá nhiều yêu cầu. Vui lòng thử lại sau."
    now[0] += 1.0
    assert a.client.get("/v1/status", headers=a.headers).status_code == 200
    assert a.client.get("/v1/status", headers={**a.headers, "Origin": OTHER}).status_code == 401  # own bucket


def test_no_personal_data_in_logs(make_agent, holder, caplog):
    a = make_agent()
    with caplog.at_level(logging.DEBUG, logger="cardkit"):
        assert a.client.post("/v1/read", headers=a.headers, json={"key": ID}).status_code == 200
        a.client.post("/v1/read", headers={**a.headers, "Host": "evil:1"}, json={"key": ID})
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "check-in" in text and "refused POST /v1/read: bad_host" in text
    for secret in (holder.id_number, holder.full_name, holder.residence, a.token, holder.id_number[-6:]):
        assert secret not in text


def test_a_thousand_requests_with_ten_percent_malformed_leave_the_agent_answering(make_agent):
    a = make_agent()
    rnd = random.Random(14)
    bad_bodies = [b"{", b"[]", b'{"key": 1}', b'{"key": "' + b"9" * 70 + b'"}', b"\xff" * 10, b'{"use_qr": "yes"}',
                  b'{"key": "001090012345", "extra": 1}', b"null", b'"001090012345"', b"{" * 2000]
    ok_reads, statuses = [], []
    for i in range(1000):
        if i % 10 == 0:
            r = a.client.post("/v1/read", headers=a.headers, content=rnd.choice(bad_bodies))
            assert r.status_code in (400, 413), r.text
            statuses.append(_code(r))
        elif i % 50 == 1:
            r = a.client.post("/v1/read", headers=a.headers, json={"key": ID})
            assert r.status_code == 200
            ok_reads.append(r.json()["checkin_id"])
        else:
            last = f"/v1/checkins/{ok_reads[-1]}" if ok_reads else "/v1/status"
            r = a.client.get(rnd.choice(["/v1/status", "/v1/readers", last]),
                             headers=a.headers)
            assert r.status_code == 200
    assert set(statuses) <= {"invalid_request", "too_large"} and len(statuses) == 100
    assert a.client.get("/v1/status", headers=a.headers).json()["busy"] is False
    rows = a.journal()
    assert [r.checkin_id for r in rows] == ok_reads and len(ok_reads) == 20
    assert [r.seq for r in rows] == list(range(1, 21))
