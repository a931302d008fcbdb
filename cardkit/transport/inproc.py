# SPDX-License-Identifier: Apache-2.0
"""An in-process connection to any object that behaves like a card.

The object needs ``atr: bytes`` and ``transmit(apdu: bytes) -> bytes`` (the simulated card does).
The library depends on this duck type only, never on ``cardkit.sim``.
"""

from __future__ import annotations

from typing import Protocol

from cardkit.transport.base import Connection


class CardLike(Protocol):
    atr: bytes

    def transmit(self, apdu: bytes) -> bytes: ...


class InProcessConnection(Connection):
    def __init__(self, card: CardLike, *, extended_length: bool = True, name: str = "in-process") -> None:
        self.card = card
        self._extended = extended_length
        self.name = name  # the reader's name: what files.FileReader remembers limits under

    @property
    def atr(self) -> bytes:
        return self.card.atr

    @property
    def supports_extended_length(self) -> bool:
        return self._extended

    def transmit(self, apdu: bytes) -> bytes:
        return self.card.transmit(apdu)
