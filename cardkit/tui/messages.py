# SPDX-License-Identifier: Apache-2.0
"""Typed messages the worker threads post to the UI (Textual's post_message is thread-safe)."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from textual.message import Message

from cardkit.icao.session import FileEvent
from cardkit.person import PersonData

if TYPE_CHECKING:
    from cardkit.qr.payload import QrPayload
    from cardkit.station.checkin import CheckIn
    from cardkit.station.insurance import BhytLookup


class Failure(str, Enum):
    """Why a worker gave up (:class:`ReadFailed`)."""

    WRONG_KEY = "wrong_key"  # the card refused the key: the key field is cleared
    REMOVED = "removed"  # the card was pulled (or is gone)
    ERROR = "error"  # any other typed error, or an internal one (logged, shown plainly)
    JOURNAL = "journal"  # the check-in is on screen but could not be journaled
    BUSY = "busy"  # another read (the browser's, through the desk agent) holds the reader: nothing changes


class CardInserted(Message):
    pass


class CardRemoved(Message):
    pass


class ReaderProblem(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class ReadStarted(Message):
    """The reader owner started a read (the desk agent inside the station): ``origin`` None is the
    desk's own key entry, else the web origin that asked."""

    def __init__(self, checkin_id: str, origin: str | None) -> None:
        super().__init__()
        self.checkin_id = checkin_id
        self.origin = origin


class ReadProgress(Message):
    def __init__(self, event: FileEvent) -> None:
        super().__init__()
        self.event = event


class HolderRead(Message):
    """DG13 (or DG1) arrived: the name can be shown before the rest is read."""

    def __init__(self, person: PersonData) -> None:
        super().__init__()
        self.person = person


class FaceRead(Message):
    def __init__(self, image: bytes) -> None:
        super().__init__()
        self.image = image


class CheckInReady(Message):
    def __init__(self, checkin: CheckIn) -> None:
        super().__init__()
        self.checkin = checkin


class Journaled(Message):
    def __init__(self, checkin: CheckIn) -> None:  # the check-in with its journal sequence number
        super().__init__()
        self.checkin = checkin
        self.seq = checkin.seq


class ReadFailed(Message):
    """A worker failed (:class:`Failure`); ``text`` is for staff (never a traceback)."""

    def __init__(self, kind: Failure, text: str) -> None:
        super().__init__()
        self.kind = kind
        self.text = text

    @property
    def journal(self) -> bool:
        """Only the journal failed: the check-in stays on screen."""
        return self.kind is Failure.JOURNAL


class QrScanned(Message):
    def __init__(self, payload: QrPayload) -> None:
        super().__init__()
        self.payload = payload


class BhytLooked(Message):
    """The BHYT lookup of a check-in finished (answer, no answer, or skipped)."""

    def __init__(self, lookup: BhytLookup) -> None:
        super().__init__()
        self.lookup = lookup
