# SPDX-License-Identifier: Apache-2.0
"""A local stand-in of the BHXH gateway, for demos and tests: never the gateway itself.

It answers the published contract (see :mod:`cardkit.insurance.gateway`) on 127.0.0.1 only,
accepts exactly one account (username + the MD5 hex of its password in the configured case)
and only operators it was told about, and answers from :mod:`.standin_data`. The answers that
the gateway computes from the request follow its result-code table:

- ``401``: no or wrong token, expired token, or query ``username``/``password`` not the account;
- ``205``: the check not sent as JSON (the history not as a form), a field missing or malformed;
- ``054`` / ``055``: ``cccdCb`` not a registered operator / ``hoTenCb`` not that operator's name;
- ``050``: no card; ``052`` / ``053``: a known code except characters 4-5 / character 3;
  ``051``: a 15-character code with a known BHXH number but otherwise wrong;
- ``060`` / ``061``: the name differs (``061`` when the initials agree); ``070``: the date of birth.

Every request is recorded in memory (:attr:`StandIn.requests`) so tests pin the exact shape.
Nothing is logged (uvicorn's access log is off).
"""

from __future__ import annotations

import json
import re
import secrets
import socket
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from cardkit.errors import InputError
from cardkit.insurance.codes import ResultCode as R
from cardkit.insurance.gateway import CHECK_PATH, HISTORY_PATH, TOKEN_PATH, Md5Case
from cardkit.insurance.source import CARD_ID_RE
from cardkit.insurance.standin_data import StandInCard, synthetic_set

FIELDS = ("maThe", "hoTen", "ngaySinh", "hoTenCb", "cccdCb")
DEFAULT_USER, DEFAULT_PASSWORD = "standin", "standin-password"
DEFAULT_OPERATORS = {"001099012345": "Nguyễn Thị Lan"}
DOB_RE = r"[0-9]{2}/[0-9]{2}/[0-9]{4}|[0-9]{4}"
STANDIN_HEADER = {"X-Cardkit-Stand-In": "not the BHXH gateway"}  # outside the contract: clients name it


@dataclass
class Recorded:
    path: str
    query: dict[str, str]
    content_type: str
    body: bytes


@dataclass
class StandInState:
    username: str = DEFAULT_USER
    password: str = DEFAULT_PASSWORD
    md5_case: Md5Case = Md5Case.UPPER
    operators: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_OPERATORS))
    token_lifetime: timedelta = timedelta(hours=1)
    delay: float = 0.0  # seconds before each answer (tests of a slow gateway)
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    new_token: Callable[[], str] = lambda: secrets.token_hex(16)
    cards: tuple[StandInCard, ...] = field(default_factory=synthetic_set)
    tokens: dict[tuple[str, str], datetime] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _initials(text: str) -> str:
    """The first letter of each word without its marks (``Ân`` and ``An`` both give ``a``)."""
    firsts = "".join(w[0] for w in _fold(text).split()).replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", firsts) if not unicodedata.combining(c))


class StandInLogic:
    """The answers, independent of HTTP (pure functions of the state and the request)."""

    def __init__(self, state: StandInState) -> None:
        self.s = state

    def take_token(self, form: dict[str, str]) -> dict:
        s = self.s
        if form.get("username") != s.username or form.get("password") != s.md5_case.digest(s.password):
            return {"maKetQua": R.AUTHENTICATION.value, "APIKey": None}
        access, ident = s.new_token(), s.new_token()
        expires = s.clock() + s.token_lifetime
        s.tokens[(access, ident)] = expires
        stamp = expires.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
        return {"maKetQua": "200", "APIKey": {"access_token": access, "id_token": ident, "token_type": "Bearer",
                                              "username": s.username, "expires_in": stamp}}

    def authorised(self, q: dict[str, str]) -> bool:
        s = self.s
        expires = s.tokens.get((q.get("token", ""), q.get("id_token", "")))
        return (expires is not None and s.clock() < expires and q.get("username") == s.username
                and q.get("password") == s.md5_case.digest(s.password))

    def check(self, q: dict[str, str], body: dict | None) -> dict:
        problem = self._gate(q, body)
        if problem is not None:
            return _code(problem)
        card, miss = self._find(body["maThe"].strip().upper())
        if card is None:
            return _code(miss)
        if _fold(body["hoTen"]) != _fold(card.full_name):
            return _code(R.WRONG_NAME_INITIALS_RIGHT if _initials(body["hoTen"]) == _initials(card.full_name)
                         else R.WRONG_NAME)
        if not _same_dob(body["ngaySinh"].strip(), card.dob):
            return _code(R.WRONG_DOB)
        if card.answer is R.SERVER_ERROR:
            return _code(R.SERVER_ERROR)
        return {"maKetQua": card.answer.value, "ghiChu": card.answer.meaning_vi,
                **card.answer_fields(self.s.clock().date())}

    def history(self, q: dict[str, str], body: dict | None) -> dict:
        answer = self.check(q, body)
        if answer["maKetQua"] != R.OK.value:
            return {"maKetQua": answer["maKetQua"], "ghiChu": answer.get("ghiChu", "")}
        year = self.s.clock().year
        return {"maKetQua": R.OK.value, "ghiChu": "", "dsLichSuKCB": [
            {"maCSKCB": "01001", "ngayVao": f"{year}03100800", "ngayRa": f"{year}03101130", "tinhTrang": "1"}]}

    def _gate(self, q: dict[str, str], body: dict | None) -> R | None:
        if not self.authorised(q):
            return R.AUTHENTICATION
        if body is None or any(not isinstance(body.get(k), str) for k in FIELDS):
            return R.BAD_PARAMETERS
        if not CARD_ID_RE.fullmatch(body["maThe"].strip().upper()) or not re.fullmatch(DOB_RE, body["ngaySinh"].strip()) \
                or not body["hoTen"].strip():
            return R.BAD_PARAMETERS
        registered = self.s.operators.get(body["cccdCb"].strip())
        if registered is None:
            return R.OPERATOR_NOT_REGISTERED
        if _fold(registered) != _fold(body["hoTenCb"]):
            return R.OPERATOR_NAME_MISMATCH
        return None

    def _find(self, code: str) -> tuple[StandInCard | None, R]:
        for c in self.s.cards:
            if code in (c.card_code, c.id_number, c.si_number):
                return c, R.OK
        if len(code) == 15:
            for c in self.s.cards:
                k = c.card_code
                if code[:3] == k[:3] and code[5:] == k[5:] and code[3:5] != k[3:5]:
                    return None, R.WRONG_PROVINCE
                if code[:2] == k[:2] and code[3:] == k[3:] and code[2] != k[2]:
                    return None, R.WRONG_BENEFIT
            if any(code[5:] == c.si_number for c in self.s.cards):
                return None, R.WRONG_CODE
        return None, R.NOT_FOUND


def _code(code: R) -> dict:
    return {"maKetQua": code.value, "ghiChu": code.meaning_vi}


def _same_dob(asked: str, known: str) -> bool:
    return asked == known if len(asked) == len(known) else asked[-4:] == known[-4:]


# -- HTTP (Starlette) ---------------------------------------------------------------------------
def make_app(state: StandInState):
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    logic = StandInLogic(state)

    async def record(request: Request) -> tuple[dict[str, str], bytes, str]:
        body = await request.body()
        ctype = request.headers.get("content-type", "")
        q = dict(request.query_params)
        state.requests.append(Recorded(request.url.path, q, ctype, body))
        if state.delay:
            import asyncio

            await asyncio.sleep(state.delay)
        return q, body, ctype

    async def token(request: Request):
        _, body, ctype = await record(request)
        form = _form(body) if ctype.startswith("application/x-www-form-urlencoded") else {}
        return JSONResponse(logic.take_token(form), headers=STANDIN_HEADER)

    async def check(request: Request):
        q, body, ctype = await record(request)
        data = _json(body) if ctype.startswith("application/json") else None
        return JSONResponse(logic.check(q, data), headers=STANDIN_HEADER)

    async def history(request: Request):
        q, body, ctype = await record(request)
        data = _form(body) if ctype.startswith("application/x-www-form-urlencoded") else None
        return JSONResponse(logic.history(q, data), headers=STANDIN_HEADER)

    return Starlette(routes=[Route(TOKEN_PATH, token, methods=["POST"]), Route(CHECK_PATH, check, methods=["POST"]),
                             Route(HISTORY_PATH, history, methods=["POST"])])


def _form(body: bytes) -> dict[str, str]:
    try:
        return {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
    except UnicodeDecodeError:
        return {}


def _json(body: bytes) -> dict | None:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class StandIn:
    """The stand-in served by uvicorn in a thread on 127.0.0.1 (port 0: any free port)."""

    def __init__(self, state: StandInState | None = None, port: int = 0) -> None:
        self.state = state or StandInState()
        self.port = port
        self._server = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[Recorded]:
        return self.state.requests

    def start(self, timeout: float = 10.0) -> StandIn:
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit it: without, each keep-alive answer waits ~40 ms for a
        # delayed ACK (the response leaves in two writes).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.bind(("127.0.0.1", self.port))
        except OSError as exc:
            sock.close()
            raise InputError(f"the BHXH stand-in cannot listen on 127.0.0.1:{self.port}: {exc.strerror}",
                             message_vi="Không mở được cổng cho bản giả lập (stand-in) cổng BHXH.") from None
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(make_app(self.state), log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name="bhxh-stand-in", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise InputError("the BHXH stand-in did not start", message_vi="Bản giả lập cổng BHXH không chạy.")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
