# SPDX-License-Identifier: Apache-2.0
"""The one owner of the reader: one read at a time, events as the card is read, every read
journaled with the calling origin.

A read runs in a worker thread: open the card (:meth:`CheckInPipeline.read`, i.e.
``cardkit.icao.reading.read_and_verify``), then the station's own check-in
(:meth:`CheckInPipeline.evaluate` / :meth:`record`). Verdicts are the library's
(``ReadResult.to_dict()``), never re-derived here. A second read while one runs is refused at
once with :attr:`Code.BUSY`; a presence poller publishes card inserted / removed while idle.

The same owner serves the browser and, when the agent runs inside the station, the desk: the
station's key entry calls :meth:`ReaderOwner.read_access` and shows every read (its own and the
browser's) through a :class:`~cardkit.agent.watchers.ReadWatcher`, so there is one reader, one
lock, one presence poller and one journal.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cardkit.agent.events import EventHub, EventKind
from cardkit.agent.faces import FaceCache, as_jpeg
from cardkit.agent.problems import AgentError, Code, problem_of
from cardkit.agent.sources import CardSource
from cardkit.agent.watchers import Stage, Watchers
from cardkit.errors import CardkitError, CardRemovedError, TransportError
from cardkit.icao.card_data import face_of_dg2, holder_of_dg13
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.reading import ReadResult
from cardkit.icao.session import AccessSpec, FileEvent, FileEventKind
from cardkit.registry.journal import CheckInRecord, Journal
from cardkit.station.access import access_from_input
from cardkit.station.checkin import CheckIn, CheckInPipeline, RegistrySource
from cardkit.station.config import StationConfig

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReadOutcome:
    result: ReadResult
    checkin: CheckIn
    face: bool


def face_url(checkin_id: str) -> str:
    return f"/v1/checkins/{checkin_id}/face.jpg"


class ReaderOwner:
    def __init__(self, source: CardSource, config: StationConfig, registry: RegistrySource = None, trust=None, *,
                 hub: EventHub | None = None, clock: Callable[[], datetime] | None = None,
                 new_id: Callable[[], str] | None = None, poll_interval: float = 0.3,
                 faces: FaceCache | None = None) -> None:
        self.source = source
        self.hub = hub or EventHub()
        self.watchers = Watchers()
        self.faces = faces if faces is not None else FaceCache()
        self.make_id = new_id or (lambda: str(uuid.uuid4()))
        self.pipeline = CheckInPipeline(config, registry, trust, clock=clock, new_id=self._take_id)
        self.poll_interval = poll_interval
        self.qr = None
        self._busy = threading.Lock()  # one read at a time: a second one is refused at once
        self._card = threading.Lock()  # the read and the presence probe never touch the card together
        self._current = ""
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        self.card_present: bool | None = None

    @property
    def config(self) -> StationConfig:
        return self.pipeline.config  # the station's setup screen reconfigures the one pipeline

    @property
    def busy(self) -> bool:
        return self._busy.locked()

    def _take_id(self) -> str:
        return self._current or self.make_id()

    # -- the QR scanned before the card -------------------------------------------------------
    def scan_qr(self, text: str):
        from cardkit.qr.payload import parse_payload

        payload = parse_payload(text)
        self.qr = payload
        self.hub.publish(EventKind.QR_SCANNED, id_number=payload.id_number)
        return payload

    # -- the read -----------------------------------------------------------------------------
    def read(self, key: str, *, use_qr: bool, origin: str | None) -> ReadOutcome:
        """A read asked for through the agent (the browser, a program): journaled with its origin."""
        if use_qr and self.qr is None:
            raise AgentError(Code.NO_QR)
        qr = self.qr if use_qr or (self.qr is not None and self.qr.id_number == key.strip()) else None
        access = access_from_input(key, qr)
        outcome = self.read_access(access, qr, origin=origin, extra={"origin": origin, "via": "agent"})
        if qr is not None and qr is self.qr:
            self.qr = None  # used with this card; the next patient scans their own
        return outcome

    def read_access(self, access: AccessSpec, qr=None, *, origin: str | None = None,
                    extra: dict | None = None) -> ReadOutcome:
        """Read with ``access`` now, or :attr:`Code.BUSY` at once when a read runs. ``origin`` None:
        the desk itself (the station's key entry); ``extra`` goes into the journal row."""
        if not self._busy.acquire(blocking=False):
            raise AgentError(Code.BUSY)
        self._current = checkin_id = self.make_id()
        stage = Stage.CARD
        try:
            self.hub.publish(EventKind.READ_STARTED, checkin_id=checkin_id)
            self.watchers.notify("read_started", checkin_id, origin)
            result = self._read(access, checkin_id)
            stage = Stage.JOURNAL
            return self._check_in(result, checkin_id, qr, extra)
        except Exception as exc:
            self.faces.drop(checkin_id)
            if not isinstance(exc, CardkitError):
                logger.exception("read failed")
            self.hub.publish(EventKind.READ_FAILED, checkin_id=checkin_id, **problem_of(exc).to_dict())
            self.watchers.notify("read_failed", exc.__cause__ if stage is Stage.JOURNAL and exc.__cause__ else exc,
                                 stage)
            raise
        finally:
            self._current = ""
            self._busy.release()

    def _read(self, access, checkin_id: str) -> ReadResult:
        with self._card:  # waits for a presence probe in flight (a PC/SC probe powers the card off)
            conn = self.source.connect()
            try:
                result = self.pipeline.read(conn, access, progress=lambda ev: self._progress(ev, checkin_id))
            except TransportError as exc:
                if type(exc) is TransportError and not self._still_present():
                    raise CardRemovedError("the link failed and the card is no longer on the reader") from exc
                raise
            finally:
                try:
                    conn.close()
                except CardkitError:
                    pass
        self.watchers.notify("file_event", FileEvent(FileEventKind.VERIFY, None))
        return result

    def _check_in(self, result: ReadResult, checkin_id: str, qr, extra: dict | None) -> ReadOutcome:
        doc = result.to_dict()
        self.hub.publish(EventKind.VERDICTS, checkin_id=checkin_id, overall=doc["overall"], verdicts=doc["verdicts"])
        checkin = self.pipeline.evaluate(result, qr)
        self.watchers.notify("evaluated", checkin)
        try:
            checkin = self.pipeline.record(checkin, extra=extra)
        except CardkitError as exc:
            raise AgentError(Code.JOURNAL_FAILED, type(exc).__name__) from exc
        self.hub.publish(EventKind.CHECKIN_JOURNALED, checkin_id=checkin.checkin_id, seq=checkin.seq,
                         overall=doc["overall"])
        self.watchers.notify("journaled", checkin)
        return ReadOutcome(result, checkin, self.faces.get(checkin_id) is not None)

    def _still_present(self) -> bool:
        """After a failed exchange: is the card still there? (pcscd may notice a pull late.)"""
        try:
            return self.source.card_present()
        except CardkitError:
            return False

    def _progress(self, ev: FileEvent, checkin_id: str) -> None:
        self.watchers.notify("file_event", ev)
        self.hub.publish(EventKind.FILE_PROGRESS, checkin_id=checkin_id, file=ev.name, state=ev.kind.value,
                         done=ev.done, total=ev.total, error=ev.error)
        if ev.kind is not FileEventKind.DONE or not ev.data:
            return
        if ev.file is DataGroup.DG13:  # an early preview only: the final result reports any problem
            holder = holder_of_dg13(ev.data)
            if holder is not None:
                self.hub.publish(EventKind.IDENTITY, checkin_id=checkin_id, holder=holder.to_dict())
        elif ev.file is DataGroup.DG2:
            jpeg = as_jpeg(face_of_dg2(ev.data))
            if jpeg:
                self.faces.put(checkin_id, jpeg)
                self.hub.publish(EventKind.FACE, checkin_id=checkin_id, url=face_url(checkin_id))

    # -- the journal ----------------------------------------------------------------------------
    def checkin(self, checkin_id: str) -> CheckInRecord | None:
        with self.pipeline.store() as store:
            return Journal(store).get(checkin_id) if store is not None else None

    # -- presence ------------------------------------------------------------------------------
    def start(self) -> None:
        if self._poller is None:
            self._stop.clear()
            self._poller = threading.Thread(target=self._poll, name="agent-presence", daemon=True)
            self._poller.start()

    def stop(self) -> None:
        self._stop.set()
        if self._poller is not None:
            self._poller.join(5)
            self._poller = None

    def _probe(self) -> tuple[bool, BaseException | None]:
        try:
            return self.source.card_present(), None
        except CardkitError as exc:
            return False, exc
        except Exception as exc:  # the poller's boundary: a PC/SC surprise must not end presence events
            logger.warning("card presence probe failed: %s", type(exc).__name__)
            return False, exc
        finally:
            self._card.release()

    def _poll(self) -> None:
        problem, seen = None, None
        while not self._stop.is_set():
            if not self.busy and self._card.acquire(blocking=False):
                present, exc = self._probe()
                now = problem_of(exc) if exc is not None else None
                if now != problem:
                    problem = now
                    if now is not None:
                        self.hub.publish(EventKind.READER_PROBLEM, **now.to_dict())
                    self.watchers.notify("reader_problem", exc)
                # a change counts once two probes in a row agree (a card being powered down after
                # a read can look absent for an instant)
                confirmed, seen = present == seen, present
                if confirmed and present != self.card_present:
                    if self.card_present is not None or present:
                        self.hub.publish(EventKind.CARD_INSERTED if present else EventKind.CARD_REMOVED)
                        self.watchers.notify("presence", present)
                    self.card_present = present
            self._stop.wait(self.poll_interval)

    # -- status ---------------------------------------------------------------------------------
    def status(self) -> dict[str, object]:
        trust = self.pipeline.trust
        url = self.config.registry_url
        registry: dict[str, object] = {"backend": "none", "reachable": False}
        if self.pipeline.registry is not None:
            registry["backend"] = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
            try:
                with self.pipeline.store() as store:
                    registry["reachable"] = store is not None
            except CardkitError as exc:
                registry["problem"] = problem_of(exc).code.value
        return {
            "reader": self.config.reader or "(first reader holding a card)",
            "card_present": self.card_present, "busy": self.busy,
            "trust_store": {"loaded": trust is not None and bool(trust.anchors),
                            "csca": len(trust.anchors) if trust is not None else 0},
            "registry": registry,
        }
