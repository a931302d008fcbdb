# SPDX-License-Identifier: Apache-2.0
"""Pairing approved on the desk's screen: a page from an allowed origin asks
(``POST /v1/pair/request``), the station shows "Cho phép <origin> đọc thẻ?", and the waiting
request gets the token (approve) or a typed refusal (deny, or no answer within
``pair_timeout`` seconds).

The :class:`Approver` is a strategy: the station's screen when the agent runs inside the
station; none for the standalone ``cardkit agent``, whose origins are approved with
``cardkit agent pair ORIGIN`` (the request is then refused at once with
:attr:`Code.PAIRING_ON_CLI`). The decision comes from the approver's thread
(:meth:`PairingDesk.decide`); the request waits on it in the server's event loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from cardkit.agent.problems import AgentError, Code
from cardkit.agent.tokens import Pairing, TokenStore


class Decision(str, Enum):
    APPROVED = "approved"
    DENIED = "denied"


@dataclass(frozen=True)
class PairingRequest:
    request_id: str
    origin: str  # normalized scheme://host[:port], already on the allow-list


class Approver(Protocol):
    def ask(self, request: PairingRequest) -> None:
        """Show the request (from the server's thread); answer later with :meth:`PairingDesk.decide`."""

    def withdraw(self, request: PairingRequest) -> None:
        """The request needs no answer any more (timed out, or the page went away)."""


class PairingDesk:
    MAX_PENDING = 4  # a page cannot stack up prompts on the desk's screen

    def __init__(self, tokens: TokenStore, approver: Approver | None = None, *, timeout: float = 60.0,
                 new_id: Callable[[], str] | None = None) -> None:
        self.tokens = tokens
        self.approver = approver
        self.timeout = timeout
        self.new_id = new_id or (lambda: uuid.uuid4().hex[:12])
        self._pending: dict[str, tuple[PairingRequest, concurrent.futures.Future]] = {}
        self._lock = threading.Lock()

    def pending(self) -> list[PairingRequest]:
        with self._lock:
            return [req for req, _ in self._pending.values()]

    async def request(self, origin: str | None) -> tuple[Pairing, str]:
        """Wait for the desk's decision on ``origin``; the new pairing and its token, or a typed refusal."""
        if self.approver is None:
            raise AgentError(Code.PAIRING_ON_CLI)
        if origin is None or origin.startswith("app:"):
            raise AgentError(Code.INVALID_REQUEST, "pairing on the desk's screen is for web pages (with an Origin); "
                                                   "a program pairs with cardkit agent pair app:NAME")
        req, fut = self._open(origin)
        self.approver.ask(req)
        try:
            decision = await asyncio.wait_for(asyncio.wrap_future(fut), self.timeout)
        except TimeoutError:
            self.approver.withdraw(req)
            raise AgentError(Code.PAIRING_TIMEOUT) from None
        except asyncio.CancelledError:  # the server stops
            self.approver.withdraw(req)
            raise
        finally:
            with self._lock:
                self._pending.pop(req.request_id, None)
        if decision is not Decision.APPROVED:
            raise AgentError(Code.PAIRING_DENIED)
        return self.tokens.pair(origin)

    def _open(self, origin: str) -> tuple[PairingRequest, concurrent.futures.Future]:
        with self._lock:
            if len(self._pending) >= self.MAX_PENDING or any(r.origin == origin for r, _ in self._pending.values()):
                raise AgentError(Code.PAIRING_PENDING)
            req = PairingRequest(self.new_id(), origin)
            fut: concurrent.futures.Future = concurrent.futures.Future()
            self._pending[req.request_id] = (req, fut)
        return req, fut

    def decide(self, request_id: str, decision: Decision) -> bool:
        """The desk's answer (any thread); False when that request is no longer waiting."""
        with self._lock:
            item = self._pending.get(request_id)
        if item is None:
            return False
        try:
            item[1].set_result(decision)
        except concurrent.futures.InvalidStateError:  # timed out a moment ago
            return False
        return True
