# SPDX-License-Identifier: Apache-2.0
"""What the desk shows, as one frozen :class:`DeskState` that the app replaces, never mutates.

:class:`~cardkit.tui.app.StationApp` holds one ``desk`` and swaps it for a changed copy
(``dataclasses.replace``) on each message from a worker or key from the operator; the screens
render from ``app.desk`` only. :func:`read_only_fields` gives the app a read-only property per
field (``app.checkin`` is ``app.desk.checkin``) so a field cannot be assigned past the state.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from enum import Enum
from typing import Any

from cardkit.person import PersonData
from cardkit.station.checkin import CheckIn
from cardkit.station.insurance import BhytLookup


@dataclass(frozen=True)
class Progress:
    """The file being read and how far: ``done`` of ``total`` bytes (``total`` None: not known yet)."""

    name: str = ""
    done: int = 0
    total: int | None = None

    def __iter__(self):  # name, done, total = state.progress
        return iter((self.name, self.done, self.total))


class StatusLevel(str, Enum):
    """How the status line is drawn (``checkin_screen.STATUS_STYLE``)."""

    INFO = "info"
    OK = "ok"
    WARN = "warn"
    ERROR = "error"


@dataclass(frozen=True)
class DeskState:
    checkin: CheckIn | None = None  # the check-in on screen
    holder: PersonData | None = None  # the early preview from DG13, until the check-in is ready
    face: bytes | None = None  # the DG2 image, as soon as it is read
    qr: Any = None  # the QrPayload scanned for this card (cardkit.qr.payload)
    key_text: str = ""  # the ID number or CAN typed (or taken from the QR)
    card_present: bool = False
    reading: bool = False
    progress: Progress = Progress()
    status: tuple[str, StatusLevel] = ("", StatusLevel.INFO)  # the status line: text, level
    last_error: str | None = None
    bhyt: BhytLookup | None = None  # the BHYT lookup of the check-in on screen

    def with_(self, **changes: Any) -> DeskState:
        return replace(self, **changes)

    def without_card(self) -> DeskState:
        """The card's data gone from the screen (the key and QR stay: they may open the next read)."""
        return replace(self, checkin=None, holder=None, face=None, bhyt=None, progress=Progress())


def read_only_fields(cls: type) -> type:
    """Give ``cls`` (which has a ``desk: DeskState``) a read-only property for each desk field."""
    for f in fields(DeskState):
        setattr(cls, f.name, property(lambda self, name=f.name: getattr(self.desk, name),
                                      doc=f"``desk.{f.name}`` (read-only: replace the desk state)"))
    return cls
