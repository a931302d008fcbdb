# SPDX-License-Identifier: Apache-2.0
"""The guard in front of every route (one ASGI middleware), in the order checks run:

1. **Host** must be ``127.0.0.1``, ``localhost`` or ``[::1]`` with the agent's port: a page on a
   rebound DNS name (``evil.example`` -> 127.0.0.1) sends its own name and is refused (421).
2. **Origin**, when the request has one, must be in the allow-list (``agent.toml``) or be the
   agent's own (its demo page); any other is refused with 403 and no CORS header, so the
   browser also withholds the answer. WebSockets are not covered by CORS: checked the same way.
3. **Preflight** (``OPTIONS`` + ``Access-Control-Request-Method``) is answered for allowed
   origins only, with ``Access-Control-Allow-Private-Network: true`` when the browser asks
   (Private Network Access, https://wicg.github.io/private-network-access/ §3.2).
4. **Token**: every ``/v1`` route but the API documents and the pairing request needs ``Authorization: Bearer <token>``
   (WebSocket: subprotocol ``token.<token>``, since browsers cannot set headers there) of a
   pairing; a request carrying an Origin must use that origin's own pairing.
5. **Rate** (token bucket per caller) and **size** (body bytes) limits.

Written by hand because no maintained ASGI package does the Host/Origin/PNA/token combination
as one fail-closed gate (Starlette's CORSMiddleware lets disallowed requests through to the
route and knows nothing of Private Network Access).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response

from cardkit.agent.config import AgentConfig, normalize_origin
from cardkit.agent.problems import Code, Problem
from cardkit.agent.tokens import TokenStore
from cardkit.errors import InputError

logger = logging.getLogger(__name__)

# no token needed (the pairing request is how a page gets one: its Origin must still be allowed)
PUBLIC = frozenset({"/", "/demo", "/demo.js", "/cardkit-agent.js", "/v1/openapi.json", "/v1/schema/read-result.json",
                    "/v1/pair/request"})
WS_PROTOCOL = "cardkit.v1"
WS_TOKEN = "token."
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class RateLimiter:
    """Token bucket per caller: ``rate`` per second sustained, ``burst`` at once."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self.clock()
        with self._lock:
            level, last = self._buckets.get(key, (float(self.burst), now))
            level = min(float(self.burst), level + (now - last) * self.rate)
            ok = level >= 1.0
            self._buckets[key] = (level - 1.0 if ok else level, now)
            if len(self._buckets) > 10_000:  # a flood of distinct callers must not grow memory
                self._buckets.clear()
            return ok


def own_origins(port: int) -> tuple[str, ...]:
    return tuple(f"http://{h}:{port}" for h in ("127.0.0.1", "localhost", "[::1]"))


def allowed_hosts(port: int) -> frozenset[str]:
    return frozenset(f"{h}:{port}" for h in ("127.0.0.1", "localhost", "[::1]"))


class Guard:
    def __init__(self, app, *, config: AgentConfig, tokens: TokenStore, limiter: RateLimiter | None = None) -> None:
        self.app = app
        self.config = config
        self.tokens = tokens
        self.limiter = limiter or RateLimiter(config.rate_per_second, config.burst)
        self.hosts = allowed_hosts(config.port)
        self.origins = frozenset(config.allowed_origins + own_origins(config.port))

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        origin = self._origin(headers)
        problem = self._screen(scope, headers, origin)
        if problem is None and scope["type"] == "http" and _is_preflight(scope, headers):
            return await self._preflight(headers, origin, scope, receive, send)
        if problem is None:
            problem, caller = self._authorize(scope, headers, origin)
        if problem is None and scope["type"] == "http" and scope["method"] in BODY_METHODS:
            problem, receive = await _read_body(headers, receive, self.config.max_body)
        if problem is not None:
            logger.info("refused %s %s: %s", scope.get("method", "WS"), scope["path"], problem.code.value)
            return await _refuse(problem, scope, receive, send, origin if origin in self.origins else None)
        scope.setdefault("state", {})["caller"] = caller
        await self.app(scope, receive, _with_cors(send, origin) if scope["type"] == "http" else send)

    # -- the checks -----------------------------------------------------------------------
    @staticmethod
    def _origin(headers: Headers) -> str | None:
        raw = headers.get("origin")
        if raw is None:
            return None
        try:
            return normalize_origin(raw)
        except InputError:
            return "invalid"  # "null" (sandboxed frame, file://) and the like: never allowed

    def _screen(self, scope, headers: Headers, origin: str | None) -> Problem | None:
        if (headers.get("host") or "").lower() not in self.hosts:
            return Problem(Code.BAD_HOST)
        if origin is not None and origin not in self.origins:
            return Problem(Code.ORIGIN_REFUSED)
        key = origin or f"client:{(scope.get('client') or ('?',))[0]}"
        if not self.limiter.allow(key):
            return Problem(Code.RATE_LIMITED)
        return None

    def _authorize(self, scope, headers: Headers, origin: str | None) -> tuple[Problem | None, str | None]:
        if scope["path"] in PUBLIC or not scope["path"].startswith("/v1/"):
            return None, origin
        token = _ws_token(headers) if scope["type"] == "websocket" else _bearer(headers)
        pairing = self.tokens.check(token) if token else None
        if pairing is None or (origin is not None and pairing.origin != origin):
            return Problem(Code.UNAUTHORIZED), None
        return None, pairing.origin

    async def _preflight(self, headers: Headers, origin: str | None, scope, receive, send) -> None:
        if origin is None:
            return await _refuse(Problem(Code.ORIGIN_REFUSED), scope, receive, send, None)
        h = {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Authorization, Content-Type",
            "Access-Control-Max-Age": "600",
            "Vary": "Origin",
        }
        if headers.get("access-control-request-private-network", "").lower() == "true":
            h["Access-Control-Allow-Private-Network"] = "true"
        await Response(status_code=204, headers=h)(scope, receive, send)


def _is_preflight(scope, headers: Headers) -> bool:
    return scope["method"] == "OPTIONS" and "access-control-request-method" in headers


def _bearer(headers: Headers) -> str | None:
    scheme, _, value = (headers.get("authorization") or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _ws_token(headers: Headers) -> str | None:
    offered = [p.strip() for p in (headers.get("sec-websocket-protocol") or "").split(",")]
    tokens = [p[len(WS_TOKEN):] for p in offered if p.startswith(WS_TOKEN)]
    return tokens[0] if len(tokens) == 1 else None


async def _read_body(headers: Headers, receive, limit: int):
    """Read the whole body (at most ``limit`` bytes) and hand the app a receive that replays it."""
    declared = headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return Problem(Code.TOO_LARGE if declared.isdigit() else Code.INVALID_REQUEST), receive
    body = bytearray()
    while True:
        msg = await receive()
        if msg["type"] == "http.disconnect":
            return Problem(Code.INVALID_REQUEST, "client went away"), receive
        body += msg.get("body", b"")
        if len(body) > limit:
            return Problem(Code.TOO_LARGE), receive
        if not msg.get("more_body"):
            break
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}
        return await receive()

    return None, replay


def _with_cors(send, origin: str | None):
    if origin is None:
        return send

    async def wrapped(message):
        if message["type"] == "http.response.start":
            hdrs = list(message.get("headers", []))
            hdrs += [(b"access-control-allow-origin", origin.encode("latin-1")), (b"vary", b"Origin")]
            message = {**message, "headers": hdrs}
        await send(message)

    return wrapped


async def _refuse(problem: Problem, scope, receive, send, origin: str | None) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": problem.code.value})
        return
    resp = JSONResponse(problem.to_dict(), status_code=problem.status)
    await resp(scope, receive, _with_cors(send, origin))
