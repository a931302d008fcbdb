# SPDX-License-Identifier: Apache-2.0
"""Where cards come from: the one reader interface the station uses (:class:`CardSource`).

A :class:`CardSource` answers "is a card there?" (polled from a worker thread), "connect to it",
"which readers are there?" and "use this reader from now on" (:meth:`CardSource.choose`); the
station never knows which kind it has. :class:`PcscCardSource` picks a PC/SC reader slot
(:class:`~cardkit.transport.base.Reader`, :mod:`cardkit.transport.pcsc`) by name;
:class:`InProcessCardSource` holds a simulated card object (tests, demos without pcscd).
"""

from __future__ import annotations

import abc
import threading
from typing import TYPE_CHECKING

from cardkit.errors import CardRemovedError, NoCardError
from cardkit.transport.base import Connection

if TYPE_CHECKING:  # pyscard is imported only when a PC/SC reader is used
    from cardkit.transport.pcsc import PcscReader
from cardkit.transport.inproc import CardLike, InProcessConnection


class CardSource(abc.ABC):
    name: str = ""

    @abc.abstractmethod
    def card_present(self) -> bool:
        """Called from a worker thread every poll interval. May raise a CardkitError (no reader)."""

    @abc.abstractmethod
    def connect(self) -> Connection:
        """A connection to the card now on the reader; raise NoCardError when there is none."""

    def readers(self) -> list[str]:
        return [self.name] if self.name else []

    def choose(self, reader: str) -> None:  # noqa: B027 - a source with one slot has nothing to choose
        """Use the reader named ``reader`` (a substring; empty: the first holding a card) from now on."""


class PcscCardSource(CardSource):
    """A PC/SC reader chosen by name (substring); empty name: the first reader holding a card."""

    def __init__(self, reader: str = "") -> None:
        self.wanted = reader
        self.name = reader

    def _reader(self, require_card: bool) -> PcscReader:
        from cardkit.transport.pcsc import find_reader

        r = find_reader(self.wanted or None, require_card=require_card)
        self.name = r.name
        return r

    def card_present(self) -> bool:
        try:
            return self._reader(require_card=False).card_present() if self.wanted else self._reader(True) is not None
        except NoCardError:
            return False

    def connect(self) -> Connection:
        return self._reader(require_card=True).connect()

    def choose(self, reader: str) -> None:
        self.wanted = reader

    def readers(self) -> list[str]:
        from cardkit.transport.pcsc import list_readers

        return [r.name for r in list_readers()]


class _TrackedConnection(InProcessConnection):
    """Marks the fake source empty when the card is pulled mid-exchange (as a reader would)."""

    def __init__(self, card: CardLike, source: InProcessCardSource) -> None:
        super().__init__(card)
        self._source = source

    def transmit(self, apdu: bytes) -> bytes:
        try:
            return super().transmit(apdu)
        except CardRemovedError:
            self._source.remove(self.card)
            raise


class InProcessCardSource(CardSource):
    """A reader slot holding a simulated card object (tests, and demos without pcscd)."""

    def __init__(self, card: CardLike | None = None, name: str = "In-process reader") -> None:
        self.name = name
        self._card = card
        self._lock = threading.Lock()

    def insert(self, card: CardLike) -> None:
        with self._lock:
            self._card = card

    def remove(self, card: CardLike | None = None) -> None:
        with self._lock:
            if card is None or self._card is card:
                self._card = None

    def card_present(self) -> bool:
        with self._lock:
            return self._card is not None

    def connect(self) -> Connection:
        with self._lock:
            card = self._card
        if card is None:
            raise NoCardError("no card in the in-process reader")
        if hasattr(card, "reset"):
            card.reset()
        return _TrackedConnection(card, self)
