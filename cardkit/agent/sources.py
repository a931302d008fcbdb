# SPDX-License-Identifier: Apache-2.0
"""Where the agent's card is: a PC/SC reader (the desk), or a card object in this process
(tests, load tests and benchmarks: any object with ``atr`` and ``transmit``, e.g. a simulated
card, so this package never imports the simulator).

When the agent runs inside the station, it reads the station's own source
(:class:`StationSource` wraps any :class:`cardkit.transport.sources.CardSource`), so the reader
chosen in the station's setup is the agent's too.
"""

from __future__ import annotations

from typing import Protocol

from cardkit.errors import NoReaderError
from cardkit.transport.base import Connection
from cardkit.transport.sources import CardSource as StationCardSource
from cardkit.transport.sources import InProcessCardSource, PcscCardSource


class CardSource(Protocol):
    def card_present(self) -> bool: ...

    def connect(self) -> Connection: ...

    def readers(self) -> list[dict[str, object]]: ...


class PcscSource:
    """A PC/SC reader by name (substring); empty: the first reader holding a card. Presence comes
    from pcscd's reader states (:func:`cardkit.transport.pcsc.card_states`), never from a probe
    connection, which would power off a card being read."""

    def __init__(self, reader: str = "") -> None:
        self.wanted = reader

    def _states(self) -> dict[str, bool]:
        from cardkit.transport.pcsc import card_states

        states = card_states()
        if not states:
            raise NoReaderError("no PC/SC reader found")
        if self.wanted:
            states = {n: p for n, p in states.items() if self.wanted.lower() in n.lower()}
            if not states:
                raise NoReaderError(f"no reader matching {self.wanted!r}")
        return states

    def card_present(self) -> bool:
        return any(self._states().values())

    def connect(self) -> Connection:
        from cardkit.transport.pcsc import find_reader

        return find_reader(self.wanted or None, require_card=True).connect()

    def readers(self) -> list[dict[str, object]]:
        from cardkit.transport.pcsc import card_states

        return [{"name": n, "card_present": p, "selected": bool(self.wanted) and self.wanted.lower() in n.lower()}
                for n, p in card_states().items()]


class InProcessSource(InProcessCardSource):
    """One reader slot holding a card object (the station's in-process source), listed as the agent
    lists readers."""

    def readers(self) -> list[dict[str, object]]:
        return [{"name": self.name, "card_present": self.card_present(), "selected": True}]


class StationSource:
    """The station's card source as the agent lists it (``readers()`` with presence per reader)."""

    def __init__(self, source: StationCardSource) -> None:
        self.inner = source

    def card_present(self) -> bool:
        return self.inner.card_present()

    def connect(self) -> Connection:
        return self.inner.connect()

    def readers(self) -> list[dict[str, object]]:
        if isinstance(self.inner, PcscCardSource):
            from cardkit.transport.pcsc import card_states

            states = card_states()
        else:
            states = {name: self.inner.card_present() for name in self.inner.readers()}
        wanted = getattr(self.inner, "wanted", "") or ""
        return [{"name": n, "card_present": p,
                 "selected": wanted.lower() in n.lower() if wanted else n == self.inner.name}
                for n, p in states.items()]
