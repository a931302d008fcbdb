# SPDX-License-Identifier: Apache-2.0
"""The station's thread workers: card presence polling, reading, confirming a candidate.

Each runs in a thread (``@work(thread=True, exclusive=True, exit_on_error=False)``) and talks to
the UI only through typed messages (:mod:`cardkit.tui.messages`). Every failure becomes a
:class:`~cardkit.tui.messages.ReadFailed` with the error's staff message, never a traceback.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message
from textual.worker import get_current_worker

from cardkit.errors import CardkitError, CardRemovedError, NoCardError, WrongKeyError
from cardkit.icao.card_data import face_of_dg2, holder_of_dg13
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.session import FileEvent, FileEventKind
from cardkit.station.checkin import CheckIn
from cardkit.tui import messages as m
from cardkit.tui.state import StatusLevel

if TYPE_CHECKING:
    from cardkit.station.checkin import CheckInPipeline, RegistrySource
    from cardkit.station.config import StationConfig
    from cardkit.transport.sources import CardSource
    from cardkit.tui.i18n import Translator
    from cardkit.tui.state import DeskState

logger = logging.getLogger("cardkit.tui.app")


def failure_of(exc: BaseException) -> m.Failure:
    """How the desk reacts to a read that failed with ``exc``."""
    if isinstance(exc, WrongKeyError):
        return m.Failure.WRONG_KEY
    if isinstance(exc, (CardRemovedError, NoCardError)):
        return m.Failure.REMOVED
    return m.Failure.ERROR


class CardWorkers:
    """Mixed into :class:`~cardkit.tui.app.StationApp`, which provides what is declared here."""

    source: CardSource
    pipeline: CheckInPipeline
    t: Translator
    desk: DeskState
    poll_interval: float
    agent: Any  # cardkit.tui.agent_host.DeskAgent when the desk agent runs inside the station
    _error_text: Callable[[CardkitError], str]
    post_message: Callable[[Message], bool]

    @work(thread=True, exclusive=True, group="presence", exit_on_error=False)
    def watch_card(self) -> None:
        worker = get_current_worker()
        last: bool | None = None
        problem = ""
        while not worker.is_cancelled:
            if not self.desk.reading:
                try:
                    present, now_problem = self.source.card_present(), ""
                except CardkitError as exc:
                    present, now_problem = False, self._error_text(exc)
                except Exception:  # noqa: BLE001 - outermost boundary of the poller: log, show, go on
                    logger.exception("card presence poll failed")
                    present, now_problem = False, self.t("error.internal")
                if now_problem != problem:
                    problem = now_problem
                    self.post_message(m.ReaderProblem(problem))
                if present != last and (last is not None or present):
                    self.post_message(m.CardInserted() if present else m.CardRemoved())
                last = present
            time.sleep(self.poll_interval)

    @work(thread=True, exclusive=True, group="read", exit_on_error=False)
    def read_card(self, access, qr) -> None:
        if self.agent is not None:  # through the one reader owner, which reports to the screen
            if not self.agent.read(access, qr):
                self.post_message(m.ReadFailed(m.Failure.BUSY, self.t("status.busy")))
            return
        conn = None
        try:
            conn = self.source.connect()
            result = self.pipeline.read(conn, access, progress=self._file_event)
            self.post_message(m.ReadProgress(FileEvent(FileEventKind.VERIFY, None)))
            checkin = self.pipeline.evaluate(result, qr)
            self.post_message(m.CheckInReady(checkin))
            try:
                checkin = self.pipeline.record(checkin)
            except CardkitError as exc:
                self.post_message(m.ReadFailed(m.Failure.JOURNAL, self._error_text(exc)))
            else:
                self.post_message(m.Journaled(checkin))
        except CardkitError as exc:
            self.post_message(m.ReadFailed(failure_of(exc), self._error_text(exc)))
        except Exception:  # noqa: BLE001 - outermost UI boundary: logged, shown as a plain message
            logger.exception("reading the card failed")
            self.post_message(m.ReadFailed(m.Failure.ERROR, self.t("error.internal")))
        finally:
            if conn is not None:
                try:
                    conn.close()
                except CardkitError:
                    pass

    def _file_event(self, event: FileEvent) -> None:
        self.post_message(m.ReadProgress(event))
        if event.kind is not FileEventKind.DONE or not event.data:
            return
        if event.file is DataGroup.DG13:  # an early preview only: the full result reports any problem
            holder = holder_of_dg13(event.data)
            if holder is not None:
                self.post_message(m.HolderRead(holder))
        elif event.file is DataGroup.DG2:
            face = face_of_dg2(event.data)
            if face:
                self.post_message(m.FaceRead(face))

    @work(thread=True, exclusive=True, group="confirm", exit_on_error=False)
    def override(self, checkin: CheckIn, reason: str) -> None:
        """Journal the operator's decision to proceed with a card that is not verified."""
        self._journal_decision(lambda: self.pipeline.override(checkin, reason))

    @work(thread=True, exclusive=True, group="confirm", exit_on_error=False)
    def confirm(self, checkin: CheckIn, index: int) -> None:
        self._journal_decision(lambda: self.pipeline.confirm(checkin, checkin.candidates[index]))

    def _journal_decision(self, decide) -> None:
        try:
            done = decide()
        except CardkitError as exc:
            self.post_message(m.ReadFailed(m.Failure.JOURNAL, self._error_text(exc)))
            return
        except Exception:  # noqa: BLE001 - outermost UI boundary
            logger.exception("journaling an operator decision failed")
            self.post_message(m.ReadFailed(m.Failure.JOURNAL, self.t("error.internal")))
            return
        self.post_message(m.CheckInReady(done))
        self.post_message(m.Journaled(done))



def camera_source(target: str):
    """The configured QR camera: ``"0"`` a camera index, a video file, or a folder of images."""
    from pathlib import Path

    from cardkit.qr.scanner import CaptureSource, ImageSource

    target = target.strip()
    if target.isdigit():
        return CaptureSource(int(target))
    if Path(target).is_dir():
        return ImageSource([target])
    return CaptureSource(target)


class CameraWorker:
    """Mixed into :class:`~cardkit.tui.app.StationApp`, which provides what is declared here."""

    scan_qr: Callable[[Any], None]
    set_status: Callable[[str, str], None]
    _error_text: Callable[[CardkitError], str]
    call_from_thread: Callable[..., Any]

    @work(thread=True, exclusive=True, group="camera", exit_on_error=False)
    def watch_camera(self, target: str) -> None:
        """Scan the QR of each card shown to the camera; each new code goes to ``scan_qr``."""
        from cardkit.qr.scanner import Scanner

        worker = get_current_worker()
        try:
            source = camera_source(target)
        except CardkitError as exc:  # no such camera or file: say so, keep the desk working
            self.call_from_thread(self.set_status, self._error_text(exc), StatusLevel.ERROR)
            return
        scanner = Scanner(source, on_event=self._qr_event)
        scanner.start()
        while not worker.is_cancelled and not scanner.wait(0.2):
            pass
        scanner.stop()

    def _qr_event(self, event) -> None:
        """In the scanner thread: parse the code's exact bytes, hand the result to the UI."""
        from cardkit.qr.payload import parse_payload

        try:
            payload = parse_payload(event.code.raw)
        except CardkitError as exc:  # a code that is not a CCCD QR, or not UTF-8: say so
            self.call_from_thread(self.set_status, self._error_text(exc), StatusLevel.ERROR)
            return
        self.call_from_thread(self.scan_qr, payload)


class RetentionWorker:
    """Mixed into :class:`~cardkit.tui.app.StationApp`: the retention purge, at start and hourly."""

    config: StationConfig
    registry: RegistrySource
    clock: Callable[[], datetime]
    set_interval: Callable[..., Any]
    PURGE_EVERY = 3600.0

    def schedule_purge(self) -> None:
        if float(self.config.retention_days) > 0 and callable(self.registry):
            self.purge_journal()
            self.set_interval(self.PURGE_EVERY, self.purge_journal)

    @work(thread=True, exclusive=True, group="purge", exit_on_error=False)
    def purge_journal(self) -> None:
        from datetime import timedelta

        from cardkit.registry.evidence import purge

        try:
            store = self.registry()
            try:
                done = purge(store, older_than=timedelta(days=float(self.config.retention_days)), now=self.clock())
            finally:
                store.close()
        except CardkitError as exc:
            logger.warning("retention purge failed: %s", exc)
            return
        self.last_purge = done
        logger.info("retention purge: %d check-ins, %d lookups, %d receipts", done.checkins, done.lookups,
                    done.receipts)
