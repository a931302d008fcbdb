# SPDX-License-Identifier: Apache-2.0
"""The agent's routes (Starlette), behind :class:`~cardkit.agent.security.Guard`.

``GET /v1/status``, ``GET /v1/readers``, ``POST /v1/read``, ``POST /v1/qr``,
``GET /v1/checkins/{id}`` (+ ``/fhir``, ``/face.jpg``), ``POST /v1/pair/request``, WebSocket
``/v1/events``, the API documents, the ES module client ``/cardkit-agent.js`` and the demo page
``/demo``: one function per route group, assembled by :func:`build_app`.
Card work runs in worker threads; every failure is a typed JSON error (English | Vietnamese).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import json
import logging
from importlib import resources

from jsonschema import Draft202012Validator
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from cardkit.agent import schema
from cardkit.agent.config import AgentConfig
from cardkit.agent.owner import ReaderOwner, ReadOutcome, face_url
from cardkit.agent.pairing import PairingDesk
from cardkit.agent.problems import AgentError, Code, Problem, problem_of
from cardkit.agent.security import WS_PROTOCOL, Guard, RateLimiter
from cardkit.agent.tokens import TokenStore
from cardkit.station.export import checkin_fhir

logger = logging.getLogger(__name__)

_READ = Draft202012Validator(schema.READ_REQUEST)
_QR = Draft202012Validator(schema.QR_REQUEST)
DEMO_CSP = ("default-src 'self'; img-src 'self' blob:; connect-src 'self'; style-src 'self' 'unsafe-inline'; "
            "frame-ancestors 'none'")


def error(problem: Problem) -> JSONResponse:
    return JSONResponse(problem.to_dict(), status_code=problem.status)


def handled(route):
    """Every failure of a route becomes a typed JSON error; never a traceback."""

    @functools.wraps(route)
    async def wrapper(request: Request) -> Response:
        try:
            return await route(request)
        except Exception as exc:  # the HTTP boundary: typed answer, logged without data
            p = problem_of(exc)
            if p.code is Code.INTERNAL:
                logger.exception("%s %s failed", request.method, request.url.path)
            return error(p)

    return wrapper


async def json_body(request: Request, validator: Draft202012Validator) -> dict:
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise _invalid("the body is not JSON") from None
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    if errors:
        raise _invalid(f"{'/'.join(map(str, errors[0].path)) or 'body'}: {errors[0].message}"[:300])
    return body


def _invalid(detail: str) -> AgentError:
    return AgentError(Code.INVALID_REQUEST, detail)


def read_document(outcome: ReadOutcome, *, inline_face: bool = False, faces=None) -> dict[str, object]:
    """``cardkit read --json``'s document plus the station's check-in (identity, discrepancies,
    registry match, insurance, badges), the journal sequence number and the face URL."""
    doc = outcome.result.to_dict()
    c = outcome.checkin.to_dict()
    doc.update({"api_version": schema.API_VERSION, "checkin_id": c["checkin_id"], "seq": c["seq"], "at": c["at"],
                "station": c["station"], "access_method": c["access_method"], "identity": c["identity"],
                "discrepancies": c["discrepancies"], "match": c["match"], "insurance": c["insurance"],
                "badges": c["badges"], "qr_scanned": c["qr_scanned"],
                "face_url": face_url(outcome.checkin.checkin_id) if outcome.face else None})
    if inline_face and outcome.face and faces is not None:
        doc["face_jpeg_base64"] = base64.b64encode(faces.get(outcome.checkin.checkin_id) or b"").decode("ascii")
    return doc


def _caller(request) -> str | None:
    return request.scope.get("state", {}).get("caller")


def build_app(owner: ReaderOwner, config: AgentConfig, tokens: TokenStore, *,
              limiter: RateLimiter | None = None, pairing: PairingDesk | None = None) -> Guard:
    """The ASGI application: the route groups wrapped in the security guard. ``pairing``: who
    approves ``POST /v1/pair/request`` (default: nobody on screen, the CLI pairs)."""
    pairing = pairing or PairingDesk(tokens, None, timeout=config.pair_timeout)
    routes = [*page_routes(), *card_routes(owner), *checkin_routes(owner), *pairing_routes(pairing),
              WebSocketRoute("/v1/events", functools.partial(stream_events, owner=owner))]
    app = Starlette(routes=routes, lifespan=functools.partial(_lifespan, owner=owner),
                    exception_handlers={404: lambda r, e: error(Problem(Code.NOT_FOUND)),
                                        405: lambda r, e: error(Problem(Code.INVALID_REQUEST, "method not allowed"))})
    return Guard(app, config=config, tokens=tokens, limiter=limiter)


@contextlib.asynccontextmanager
async def _lifespan(app, owner: ReaderOwner):
    """The standalone agent's presence poller runs with the server (the station runs its own owner)."""
    owner.start()
    try:
        yield
    finally:
        owner.stop()


def page_routes() -> list[Route]:
    """The demo page, the ES module client and the API documents (no token needed)."""

    async def openapi(request: Request) -> Response:
        return JSONResponse(schema.openapi())

    async def result_schema(request: Request) -> Response:
        return JSONResponse(schema.READ_RESULT, media_type="application/schema+json")

    return [
        Route("/", lambda r: RedirectResponse("/demo")),
        Route("/demo", static("demo.html", "text/html; charset=utf-8", csp=DEMO_CSP)),
        Route("/cardkit-agent.js", static("cardkit-agent.js", "text/javascript; charset=utf-8")),
        Route("/demo.js", static("demo.js", "text/javascript; charset=utf-8")),
        Route("/v1/openapi.json", openapi),
        Route("/v1/schema/read-result.json", result_schema),
    ]


def card_routes(owner: ReaderOwner) -> list[Route]:
    """The reader: status, readers, the read (one at a time), the QR scanned before it."""

    @handled
    async def status(request: Request) -> Response:
        doc = await run_in_threadpool(owner.status)
        return JSONResponse({"api_version": schema.API_VERSION, **doc, "caller": _caller(request)})

    @handled
    async def readers(request: Request) -> Response:
        return JSONResponse({"readers": await run_in_threadpool(owner.source.readers)})

    @handled
    async def read(request: Request) -> Response:
        body = await json_body(request, _READ)
        caller = _caller(request)
        outcome = await run_in_threadpool(functools.partial(
            owner.read, body.get("key", ""), use_qr=bool(body.get("use_qr")), origin=caller))
        logger.info("check-in %s journaled (seq %s, %s) for %s", outcome.checkin.checkin_id, outcome.checkin.seq,
                    outcome.checkin.overall.value, caller)
        return JSONResponse(read_document(outcome, inline_face=bool(body.get("inline_face")), faces=owner.faces))

    @handled
    async def qr(request: Request) -> Response:
        body = await json_body(request, _QR)
        payload = owner.scan_qr(body["text"])
        return JSONResponse({"scanned": True, "id_number": payload.id_number})

    return [Route("/v1/status", status), Route("/v1/readers", readers),
            Route("/v1/read", read, methods=["POST"]), Route("/v1/qr", qr, methods=["POST"])]


def checkin_routes(owner: ReaderOwner) -> list[Route]:
    """Journaled check-ins (the desk's and the browser's alike), as JSON and FHIR, and the face."""

    async def _record(request: Request):
        rec = await run_in_threadpool(owner.checkin, request.path_params["checkin_id"])
        if rec is None:
            raise _not_found()
        return rec

    @handled
    async def checkin(request: Request) -> Response:
        return JSONResponse((await _record(request)).to_dict())

    @handled
    async def fhir(request: Request) -> Response:
        return JSONResponse(checkin_fhir(await _record(request)), media_type="application/fhir+json")

    @handled
    async def face(request: Request) -> Response:
        jpeg = owner.faces.get(request.path_params["checkin_id"])
        if jpeg is None:  # never kept, or expired (agent.toml face_max_age)
            raise _not_found()
        return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})

    return [Route("/v1/checkins/{checkin_id}", checkin), Route("/v1/checkins/{checkin_id}/fhir", fhir),
            Route("/v1/checkins/{checkin_id}/face.jpg", face)]


def pairing_routes(desk: PairingDesk) -> list[Route]:
    """``POST /v1/pair/request`` from an allowed origin: waits for the desk's answer."""

    @handled
    async def pair_request(request: Request) -> Response:
        pairing, token = await desk.request(_caller(request))
        logger.info("pairing %s approved at the desk for %s", pairing.pairing_id, pairing.origin)
        return JSONResponse({**pairing.public(), "token": token}, headers={"Cache-Control": "no-store"})

    return [Route("/v1/pair/request", pair_request, methods=["POST"])]


def _not_found() -> AgentError:
    return AgentError(Code.NOT_FOUND)


def static(name: str, media_type: str, *, csp: str | None = None):
    data = resources.files("cardkit.agent").joinpath("static", name).read_bytes()
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
    if csp:
        headers["Content-Security-Policy"] = csp

    async def serve(request: Request) -> Response:
        return Response(data, media_type=media_type, headers=headers)

    return serve


async def stream_events(ws: WebSocket, *, owner: ReaderOwner) -> None:
    """Every event to this client until it leaves (it must offer the ``cardkit.v1`` subprotocol)."""
    offered = [p.strip() for p in (ws.headers.get("sec-websocket-protocol") or "").split(",")]
    if WS_PROTOCOL not in offered:
        await ws.close(code=1002, reason="subprotocol cardkit.v1 required")
        return
    await ws.accept(subprotocol=WS_PROTOCOL)
    queue = owner.hub.subscribe()
    try:
        await ws.send_json({"event": "hello", "api_version": schema.API_VERSION, "card_present": owner.card_present,
                            "busy": owner.busy})
        while True:
            getter = asyncio.ensure_future(queue.get())
            closer = asyncio.ensure_future(ws.receive())
            done, pending = await asyncio.wait({getter, closer}, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            if closer in done and closer.result()["type"] == "websocket.disconnect":
                return
            if getter in done:
                await ws.send_json(getter.result().to_dict())
    except WebSocketDisconnect:
        return
    finally:
        owner.hub.unsubscribe(queue)
