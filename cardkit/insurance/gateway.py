# SPDX-License-Identifier: Apache-2.0
"""The BHXH gateway client (BHXH Công văn 1923/BHXH-CNTT, 20/06/2024, Phụ lục 03).

- Token: ``POST {host}/api/token/take``, form ``username`` and ``password`` = MD5 hex of the
  password (upper case per the official guide; :class:`Md5Case` makes it configurable). Answer
  ``{"maKetQua": "200", "APIKey": {"access_token", "id_token", "token_type", "username",
  "expires_in"}}``, ``expires_in`` a UTC timestamp: the token is kept until then.
- Card check: ``POST {host}/api/egw/KQNhanLichSuKCB2024?token=&id_token=&username=&password=``
  with a JSON body ``{maThe, hoTen, ngaySinh, hoTenCb, cccdCb}``.
- Visit history: ``POST {host}/api/egw/Lskcb2025`` with the same query and the same fields as a form.

The host (production or training) is configuration, never a constant here. A ``401`` answer to
a call drops the cached token, takes a new one and tries once more. Every transport problem is a
typed :class:`~cardkit.insurance.source.InsuranceLookupError`; nothing personal is logged.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import Enum

from cardkit.insurance.codes import ResultCode
from cardkit.insurance.source import (
    GatewayAuthError,
    GatewayProtocolError,
    GatewayTimeoutError,
    GatewayUnreachableError,
    InsuranceQuery,
    InsuranceStatus,
    NewCard,
    parse_dmy,
)

logger = logging.getLogger(__name__)
TOKEN_PATH = "/api/token/take"
CHECK_PATH = "/api/egw/KQNhanLichSuKCB2024"
HISTORY_PATH = "/api/egw/Lskcb2025"
RENEW_MARGIN = timedelta(seconds=30)  # renew a little before the gateway's expiry


class Md5Case(str, Enum):
    UPPER = "upper"  # the official guide
    LOWER = "lower"

    def digest(self, password: str) -> str:
        h = hashlib.md5(password.encode("utf-8"), usedforsecurity=False).hexdigest()
        return h.upper() if self is Md5Case.UPPER else h


def parse_expiry(text: str) -> datetime:
    """``expires_in``: an ISO-8601 UTC timestamp (.NET writes up to 7 fraction digits and a Z)."""
    t = str(text).strip().rstrip("Zz")
    if "." in t:
        head, frac = t.split(".", 1)
        t = f"{head}.{frac[:6]}"
    try:
        value = datetime.fromisoformat(t)
    except ValueError:
        raise GatewayProtocolError(f"token expiry is not a timestamp: {text!r:.40}") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Token:
    def __init__(self, access_token: str, id_token: str, username: str, expires: datetime) -> None:
        self.access_token, self.id_token, self.username, self.expires = access_token, id_token, username, expires


class GatewayClient:
    """One account on one gateway host. Thread-safe (the station's worker threads share it)."""

    def __init__(self, host: str, username: str, password: str, *, md5_case: Md5Case = Md5Case.UPPER,
                 timeout: float = 4.0, clock: Callable[[], datetime] | None = None, name: str = "gateway") -> None:
        import httpx

        self.host = host.rstrip("/")
        self.username = username
        self.password_md5 = md5_case.digest(password)
        self.name = name
        self.clock = clock or (lambda: datetime.now(UTC))
        self._http = httpx.Client(base_url=self.host, timeout=httpx.Timeout(timeout), trust_env=False)
        self._token: Token | None = None
        self._lock = threading.Lock()
        self.tokens_taken = 0

    def close(self) -> None:
        self._http.close()

    # -- transport ---------------------------------------------------------------------------
    def _post(self, path: str, **kw) -> dict:
        import httpx

        try:
            resp = self._http.post(path, **kw)
        except httpx.TimeoutException:
            raise GatewayTimeoutError(f"{self.name}: no answer within the timeout ({path})") from None
        except httpx.HTTPError as exc:
            raise GatewayUnreachableError(f"{self.name}: cannot reach {self.host} ({type(exc).__name__})") from None
        if resp.headers.get("x-cardkit-stand-in"):  # the local stand-in: never shown as the gateway
            self.name = "stand-in"
        if resp.status_code == 401:
            return {"maKetQua": ResultCode.AUTHENTICATION.value}
        if resp.status_code >= 400:
            raise GatewayProtocolError(f"{self.name}: HTTP {resp.status_code} from {path}")
        try:
            data = resp.json()
        except ValueError:
            raise GatewayProtocolError(f"{self.name}: the answer of {path} is not JSON") from None
        if not isinstance(data, dict):
            raise GatewayProtocolError(f"{self.name}: the answer of {path} is not an object")
        return data

    # -- token -------------------------------------------------------------------------------
    def token(self) -> Token:
        with self._lock:
            t = self._token
            if t is None or self.clock() >= t.expires - RENEW_MARGIN:
                t = self._token = self._take_token()
            return t

    def _take_token(self) -> Token:
        data = self._post(TOKEN_PATH, data={"username": self.username, "password": self.password_md5})
        key = data.get("APIKey")
        if str(data.get("maKetQua")) != "200" or not isinstance(key, dict):
            raise GatewayAuthError(f"{self.name}: token refused (maKetQua {str(data.get('maKetQua'))[:8]})")
        try:
            token = Token(str(key["access_token"]), str(key["id_token"]), str(key.get("username") or self.username),
                          parse_expiry(key["expires_in"]))
        except KeyError as exc:
            raise GatewayProtocolError(f"{self.name}: token answer lacks {exc}") from None
        self.tokens_taken += 1
        logger.info("%s: token taken, valid until %s", self.name, token.expires.isoformat())
        return token

    def _query(self, t: Token) -> dict[str, str]:
        return {"token": t.access_token, "id_token": t.id_token, "username": self.username,
                "password": self.password_md5}

    def _call(self, path: str, query: InsuranceQuery, *, form: bool) -> dict:
        for attempt in (1, 2):
            t = self.token()
            body = {"data": query.body()} if form else {"json": query.body()}
            data = self._post(path, params=self._query(t), **body)
            if str(data.get("maKetQua")) != ResultCode.AUTHENTICATION.value or attempt == 2:
                return data
            with self._lock:  # the gateway no longer takes this token: renew once
                if self._token is t:
                    self._token = None
        raise AssertionError("unreachable")

    # -- calls -------------------------------------------------------------------------------
    def check(self, query: InsuranceQuery) -> InsuranceStatus:
        return status_from_answer(self._call(CHECK_PATH, query, form=False), self.name)

    def history(self, query: InsuranceQuery) -> tuple[ResultCode, list[dict]]:
        """The visit history (``Lskcb2025``): result code and the visits as the gateway lists them."""
        data = self._call(HISTORY_PATH, query, form=True)
        visits = data.get("dsLichSuKCB") or data.get("dsLichSuKCB2018") or []
        return result_code(data), [v for v in visits if isinstance(v, dict)]


def result_code(data: dict) -> ResultCode:
    raw = str(data.get("maKetQua", "")).strip()
    try:
        return ResultCode(raw)
    except ValueError:
        raise GatewayProtocolError(f"unknown result code {raw[:8]!r}") from None


def _s(data: dict, key: str) -> str | None:
    v = data.get(key)
    return None if v is None or str(v).strip() == "" else str(v).strip()


def status_from_answer(data: dict, source: str) -> InsuranceStatus:
    """The card-check answer -> :class:`InsuranceStatus` (an unknown code is a typed error)."""
    code = result_code(data)
    new = None
    if _s(data, "maTheMoi"):
        new = NewCard(_s(data, "maTheMoi"), parse_dmy(_s(data, "gtTheTuMoi")), parse_dmy(_s(data, "gtTheDenMoi")),
                      _s(data, "maDKBDMoi"), _s(data, "tenDKBDMoi"))
    return InsuranceStatus(
        code=code, source=source, note=_s(data, "ghiChu") or "", card_code=_s(data, "maThe"),
        full_name=_s(data, "hoTen"), dob=_s(data, "ngaySinh"), sex=_s(data, "gioiTinh"), address=_s(data, "diaChi"),
        facility_code=_s(data, "maDKBD"), agency=_s(data, "cqBHXH"), valid_from=parse_dmy(_s(data, "gtTheTu")),
        valid_to=parse_dmy(_s(data, "gtTheDen")), area=_s(data, "maKV"), five_years=parse_dmy(_s(data, "ngayDu5Nam")),
        social_insurance_no=_s(data, "maSoBHXH"), old_code=_s(data, "maTheCu"), new_card=new)
