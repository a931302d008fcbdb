# SPDX-License-Identifier: Apache-2.0
"""Typed messages the worker threads post to the UI (Textual's post_message is thread-safe)."""

from __future__ import annotations

from textual.message import Message

from cardkit.icao.session import FileEvent
from cardkit.person import PersonData


class CardInserted(Message):
    pass


class CardRemoved(Message):
    pass


class ReaderProblem(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


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
    def __init__(self, checkin) -> None:  # cardkit.station.checkin.CheckIn
        super().__init__()
        self.checkin = checkin


class Journaled(Message):
    def __init__(self, checkin) -> None:  # the check-in with its journal sequence number
        super().__init__()
        self.checkin = checkin
        self.seq = checkin.seq


class ReadFailed(Message):
    """``kind``: "wrong_key", "removed", "input", "error"; ``text`` is for staff (never a traceback)."""

    def __init__(self, kind: str, text: str, *, journal: bool = False) -> None:
        super().__init__()
        self.kind = kind
        self.text = text
        self.journal = journal


class QrScanned(Message):
    def __init__(self, payload) -> None:  # cardkit.qr.payload.QrPayload
        super().__init__()
        self.payload = payload


class BhytLooked(Message):
    """The BHYT lookup of a check-in finished (answer, no answer, or skipped)."""

    def __init__(self, lookup) -> None:  # cardkit.station.insurance.BhytLookup
        super().__init__()
        self.lookup = lookup
