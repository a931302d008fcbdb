# SPDX-License-Identifier: Apache-2.0
"""The exact request shape, the token cache and its renewal, timeouts and an offline gateway."""

from __future__ import annotations

import hashlib
import json
import socket
from urllib.parse import parse_qs

import pytest
from bhyt_support import OPERATOR, q

from cardkit.insurance.codes import ResultCode as R
from cardkit.insurance.gateway import GatewayClient, Md5Case, parse_expiry
from cardkit.insurance.source import GatewayAuthError, GatewayTimeoutError, GatewayUnreachableError

AN = ("001090012345", "Nguyễn Văn An", "01/01/1990")
MD5_UPPER = hashlib.md5(b"standin-password").hexdigest().upper()


def test_token_request_is_a_form_with_the_upper_case_md5(client, standin):
    client.check(q(*AN))
    token = standin.requests[0]
    assert token.path == "/api/token/take" and token.query == {}
    assert token.content_type == "application/x-www-form-urlencoded"
    assert parse_qs(token.body.decode()) == {"username": ["standin"], "password": [MD5_UPPER]}
    assert MD5_UPPER == "2C537DACE14A5348CD2DA1B978B5958D"


def test_check_request_is_json_with_the_token_in_the_query(client, standin):
    client.check(q(*AN))
    check = standin.requests[1]
    assert check.path == "/api/egw/KQNhanLichSuKCB2024"
    assert check.query == {"token": "tok1", "id_token": "tok2", "username": "standin", "password": MD5_UPPER}
    assert check.content_type == "application/json"
    assert json.loads(check.body) == {"maThe": "001090012345", "hoTen": "Nguyễn Văn An", "ngaySinh": "01/01/1990",
                                      "hoTenCb": OPERATOR[0], "cccdCb": OPERATOR[1]}


def test_history_request_is_a_form_with_the_same_fields(client, standin):
    client.history(q(*AN))
    h = standin.requests[1]
    assert h.path == "/api/egw/Lskcb2025" and h.content_type == "application/x-www-form-urlencoded"
    assert h.query == {"token": "tok1", "id_token": "tok2", "username": "standin", "password": MD5_UPPER}
    assert {k: v[0] for k, v in parse_qs(h.body.decode()).items()} == {
        "maThe": "001090012345", "hoTen": "Nguyễn Văn An", "ngaySinh": "01/01/1990",
        "hoTenCb": OPERATOR[0], "cccdCb": OPERATOR[1]}


def test_standin_refuses_a_check_sent_as_a_form_with_205(client, standin):
    t = client.token()
    resp = client._http.post("/api/egw/KQNhanLichSuKCB2024", params=client._query(t), data=q(*AN).body())
    assert resp.json() == {"maKetQua": "205", "ghiChu": "Lỗi sai định dạng tham số"}


def test_lower_case_md5_is_refused_by_an_upper_case_account(standin, clock):
    c = GatewayClient(standin.url, "standin", "standin-password", md5_case=Md5Case.LOWER, clock=clock)
    with pytest.raises(GatewayAuthError, match="token refused"):
        c.check(q(*AN))
    assert parse_qs(standin.requests[0].body.decode())["password"] == [MD5_UPPER.lower()]


def test_md5_case_is_configurable_both_ways(standin, clock):
    standin.state.md5_case = Md5Case.LOWER
    c = GatewayClient(standin.url, "standin", "standin-password", md5_case=Md5Case.LOWER, clock=clock)
    assert c.check(q(*AN)).code is R.OK


def test_wrong_account_is_refused(standin, clock):
    c = GatewayClient(standin.url, "someone", "standin-password", clock=clock)
    with pytest.raises(GatewayAuthError):
        c.check(q(*AN))


def test_token_is_cached_until_it_expires_then_renewed(client, standin, clock):
    assert client.check(q(*AN)).code is R.OK
    clock.advance(minutes=50)
    assert client.check(q(*AN)).code is R.OK
    assert client.tokens_taken == 1
    clock.advance(minutes=9, seconds=40)  # inside the renewal margin before the 1-hour expiry
    assert client.check(q(*AN)).code is R.OK
    assert client.tokens_taken == 2
    assert [r.path for r in standin.requests].count("/api/token/take") == 2
    assert standin.requests[-1].query["token"] == "tok3"


def test_a_token_the_gateway_dropped_is_renewed_once(client, standin):
    assert client.check(q(*AN)).code is R.OK
    standin.state.tokens.clear()  # the gateway forgot it (restart, revocation)
    assert client.check(q(*AN)).code is R.OK
    assert client.tokens_taken == 2
    paths = [r.path for r in standin.requests]
    assert paths == ["/api/token/take", "/api/egw/KQNhanLichSuKCB2024", "/api/egw/KQNhanLichSuKCB2024",
                     "/api/token/take", "/api/egw/KQNhanLichSuKCB2024"]


def test_slow_gateway_is_a_timeout(standin, clock):
    standin.state.delay = 1.0
    c = GatewayClient(standin.url, "standin", "standin-password", clock=clock, timeout=0.2)
    with pytest.raises(GatewayTimeoutError) as e:
        c.check(q(*AN))
    assert e.value.message_vi == "Chưa tra cứu được BHYT: cổng BHXH trả lời quá chậm."


def test_offline_gateway_is_unreachable():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    c = GatewayClient(f"http://127.0.0.1:{port}", "u", "p", timeout=0.5)
    with pytest.raises(GatewayUnreachableError, match="cannot reach"):
        c.check(q(*AN))


@pytest.mark.parametrize("text,iso", [("2025-07-01T03:30:00.1234567Z", "2025-07-01T03:30:00.123456+00:00"),
                                      ("2025-07-01T03:30:00Z", "2025-07-01T03:30:00+00:00"),
                                      ("2025-07-01T10:30:00+07:00", "2025-07-01T03:30:00+00:00")])
def test_expiry_timestamps(text, iso):
    assert parse_expiry(text).isoformat() == iso


def test_a_client_names_the_standin_even_when_configured_as_gateway(standin, clock):
    c = GatewayClient(standin.url, "standin", "standin-password", clock=clock)  # name defaults to "gateway"
    assert c.check(q(*AN)).source == "stand-in"
