# SPDX-License-Identifier: Apache-2.0
"""The event stream: what happens at the reader, as typed events, to every WebSocket client.

Worker threads (the read, the presence poller) :meth:`EventHub.publish`; each subscriber is an
asyncio queue fed through its loop's ``call_soon_threadsafe``. A slow client's queue is bounded:
when full, its oldest events are dropped (it can always re-read ``/v1/status``).
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum


class EventKind(str, Enum):
    CARD_INSERTED = "card_inserted"
    CARD_REMOVED = "card_removed"
    READER_PROBLEM = "reader_problem"
    READ_STARTED = "read_started"
    FILE_PROGRESS = "file_progress"  # per file: start, progress, done, failed
    IDENTITY = "identity"  # the holder as DG13 states it, before the face arrives
    FACE = "face"  # the face JPEG is at ``url``
    VERDICTS = "verdicts"  # the checks and the overall verdict (ReadResult.to_dict)
    QR_SCANNED = "qr_scanned"
    CHECKIN_JOURNALED = "checkin_journaled"
    READ_FAILED = "read_failed"  # with the typed error


@dataclass(frozen=True)
class Event:
    kind: EventKind
    data: dict = field(default_factory=dict)
    seq: int = 0
    at: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"event": self.kind.value, "seq": self.seq, "at": self.at, **self.data}


class EventHub:
    QUEUE = 256

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        self._subs: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = set()
        self._lock = threading.Lock()
        self._seq = itertools.count(1)

    def subscribe(self) -> asyncio.Queue:
        q: asyncio.Queue = asyncio.Queue(self.QUEUE)
        with self._lock:
            self._subs.add((asyncio.get_running_loop(), q))
        return q

    def unsubscribe(self, q: asyncio.Queue) -> None:
        with self._lock:
            self._subs = {s for s in self._subs if s[1] is not q}

    def publish(self, kind: EventKind, **data: object) -> Event:
        ev = Event(kind, data, next(self._seq), self.clock().isoformat(timespec="milliseconds"))
        with self._lock:
            subs = list(self._subs)
        for loop, q in subs:
            try:
                loop.call_soon_threadsafe(_offer, q, ev)
            except RuntimeError:  # that loop is closed: the client is gone
                self.unsubscribe(q)
        return ev


def _offer(q: asyncio.Queue, ev: Event) -> None:
    if q.full():
        q.get_nowait()
    q.put_nowait(ev)
