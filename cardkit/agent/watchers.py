# SPDX-License-Identifier: Apache-2.0
"""Who else watches the reader owner, besides the event stream: the station's screen when the
agent runs inside the station (``cardkit.tui.agent_host``).

The WebSocket stream carries JSON; a watcher gets the objects themselves (the file event with
its bytes, the check-in, the exception), in the thread that produced them, so the station shows
a read the browser asked for exactly as one typed at the desk. A watcher that fails is logged
and skipped: it never breaks the read.
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from cardkit.icao.session import FileEvent
    from cardkit.station.checkin import CheckIn

logger = logging.getLogger(__name__)


class Stage(str, Enum):
    """Where a read failed."""

    CARD = "card"  # opening or reading the card: nothing is kept
    JOURNAL = "journal"  # the check-in was made but could not be journaled


class ReadWatcher(Protocol):
    def presence(self, present: bool) -> None: ...

    def reader_problem(self, error: BaseException | None) -> None: ...  # None: the problem is over

    def read_started(self, checkin_id: str, origin: str | None) -> None: ...  # origin None: the desk

    def file_event(self, event: FileEvent) -> None: ...

    def evaluated(self, checkin: CheckIn) -> None: ...

    def journaled(self, checkin: CheckIn) -> None: ...

    def read_failed(self, error: BaseException, stage: Stage) -> None: ...


class Watchers:
    """Every registered watcher, called in turn."""

    def __init__(self) -> None:
        self._items: list[ReadWatcher] = []

    def add(self, watcher: ReadWatcher) -> None:
        self._items.append(watcher)

    def remove(self, watcher: ReadWatcher) -> None:
        self._items = [w for w in self._items if w is not watcher]

    def notify(self, method: str, *args: object) -> None:
        for w in list(self._items):
            try:
                getattr(w, method)(*args)
            except Exception:  # a watcher's bug must not break the read (logged without data)
                logger.exception("reader watcher %s.%s failed", type(w).__name__, method)
