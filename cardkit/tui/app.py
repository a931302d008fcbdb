# SPDX-License-Identifier: Apache-2.0
"""The desk station app: backends in, typed messages from worker threads, no traceback ever shown.

Workers (``@work(thread=True, exclusive=True, exit_on_error=False)``): ``watch_card`` polls the
card source for presence; ``read_card`` opens the card, reads it progressively (name on DG13,
photo on DG2), verifies, matches and journals; ``confirm`` journals an operator's choice of a
candidate record. Every failure arrives as a :class:`~cardkit.tui.messages.ReadFailed` carrying
the error's ``message_vi`` (or English text): staff never see a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding, BindingsMap
from textual.css.query import NoMatches
from textual.widgets import Input

from cardkit.errors import CardkitError
from cardkit.icao.session import FileEventKind
from cardkit.station.access import access_from_input, looks_like_qr
from cardkit.station.checkin import CheckInPipeline, RegistrySource
from cardkit.station.config import StationConfig
from cardkit.station.outcome import MatchOutcome
from cardkit.transport.sources import CardSource
from cardkit.tui import messages as m
from cardkit.tui.agent_host import AgentDesk
from cardkit.tui.bhyt import BhytWorker
from cardkit.tui.checkin_screen import CheckInScreen
from cardkit.tui.i18n import Translator
from cardkit.tui.state import DeskState, Progress, StatusLevel, read_only_fields
from cardkit.tui.workers import CameraWorker, CardWorkers, RetentionWorker

if TYPE_CHECKING:
    from cardkit.tui.agent_host import AgentHosting

logger = logging.getLogger(__name__)


def _bindings(t: Translator) -> list[Binding]:
    return [
        Binding("f2", "setup", t("b.setup")),
        Binding("f3", "history", t("b.history")),
        Binding("f4", "override", t("b.override")),
        Binding("f5", "reread", t("b.reread")),
        Binding("escape", "reset", t("b.reset")),
        Binding("f9", "toggle_language", t("b.lang")),
        Binding("ctrl+q", "quit", t("b.quit"), priority=True),
    ]


@read_only_fields
class StationApp(CardWorkers, CameraWorker, BhytWorker, RetentionWorker, AgentDesk, App):
    TITLE = "cardkit"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, *, source: CardSource, config: StationConfig | None = None,
                 registry: RegistrySource = None, trust=None, clock: Callable[[], datetime] | None = None,
                 new_id: Callable[[], str] | None = None, config_path: str | Path | None = None,
                 poll_interval: float = 0.3, graphics: bool = False, demo_qr: str | None = None,
                 demo_toggle: Callable[[], bool] | None = None, insurance=None,
                 agent: AgentHosting | None = None) -> None:
        super().__init__()
        self.config = config or StationConfig()
        self.source = source
        self.registry = registry
        self.config_path = config_path
        self.poll_interval = poll_interval
        self.graphics = graphics
        self.demo_qr = demo_qr
        self.demo_toggle = demo_toggle
        self.clock = clock or (lambda: datetime.now().astimezone())
        self.pipeline = CheckInPipeline(self.config, registry, trust, clock=self.clock, new_id=new_id)
        self.agent = None  # the desk agent inside the station: one reader owner for the desk and the browser
        if agent is not None:
            from cardkit.tui.agent_host import DeskAgent

            self.agent = DeskAgent(self, agent, source=source, config=self.config, registry=registry, trust=trust,
                                   clock=self.clock, new_id=new_id, poll_interval=poll_interval)
            self.pipeline = self.agent.owner.pipeline
        self.t = Translator(self.config.language)
        self.insurance_desk = self._insurance_desk(insurance)
        self.last_purge = None  # cardkit.registry.evidence.Purged of the last scheduled purge
        self._bindings = BindingsMap(self._make_bindings())
        warning = getattr(self, "_startup_warning", None)
        # what the screens render: replaced, never mutated (cardkit.tui.state)
        self.desk = DeskState(status=(warning, StatusLevel.WARN) if warning else (self.t("status.ready"), StatusLevel.INFO))

    def _make_bindings(self) -> list[Binding]:
        extra = [Binding("f8", "demo_toggle", self.t("b.demo"))] if self.demo_toggle else []
        if self.insurance_desk is not None:
            extra.append(Binding("f6", "bhyt_retry", self.t("b.bhyt_retry")))
        return _bindings(self.t) + extra

    # -- lifecycle ---------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.push_screen(CheckInScreen())
        if self.agent is not None:
            self.agent.start()  # its presence poller replaces watch_card
        else:
            self.watch_card()
        self.schedule_purge()
        if self.config.camera:
            self.watch_camera(self.config.camera)
        if self.demo_qr:  # the demo "scans" the virtual card's QR, as a desk would before the card
            self.set_timer(1.0, lambda: self.scan_qr(self.demo_qr))

    def on_unmount(self) -> None:
        if self.agent is not None:
            self.agent.stop()

    def action_demo_toggle(self) -> None:
        if self.demo_toggle is not None and self.demo_toggle() and self.demo_qr:
            self.scan_qr(self.demo_qr)

    @property
    def main(self) -> CheckInScreen | None:
        for s in self.screen_stack:
            if isinstance(s, CheckInScreen):
                return s
        return None

    def _render(self, show: Callable[[CheckInScreen], None] = CheckInScreen.render_state) -> None:
        """Render the desk state on the check-in screen: all of it, or one part (``CheckInScreen.show_*``)."""
        screen = self.main
        if screen is None or not screen.is_mounted:
            return
        try:
            show(screen)
        except NoMatches:  # widgets not composed yet, or torn down at exit: on_mount renders all
            return

    def set_status(self, text: str, level: StatusLevel = StatusLevel.INFO) -> None:
        self.desk = self.desk.with_(status=(text, level), last_error=text if level is StatusLevel.ERROR else self.last_error)
        self._render(CheckInScreen.show_status)

    def _error_text(self, exc: CardkitError) -> str:
        return exc.message_vi if self.t.lang == "vi" else (str(exc) or exc.message_vi)

    # -- the flow ----------------------------------------------------------------------------
    def _access(self):
        try:
            return access_from_input(self.key_text, self.qr)
        except CardkitError as exc:
            if self.key_text or self.qr is not None:
                self.set_status(self._error_text(exc), StatusLevel.ERROR)
            return None

    def start_read(self) -> None:
        if self.reading or (self.agent is not None and self.agent.busy):
            if self.agent is not None:  # the browser's read holds the reader
                self.set_status(self.t("status.busy"), StatusLevel.WARN)
            return
        access = self._access()
        if access is None:
            self.set_status(self.t("status.card_waiting_key"), StatusLevel.WARN)
            self._focus_key()
            return
        if self.checkin is not None:  # a new read replaces the last check-in on screen
            self._clear_card()
        # with the agent, the owner's ReadStarted marks the desk reading (a busy refusal changes nothing)
        self.desk = self.desk.with_(reading=self.agent is None, last_error=None, progress=Progress())
        self.set_status(self.t("status.reading"), StatusLevel.INFO)
        self._render(CheckInScreen.show_progress)
        self.read_card(access, self.qr)

    def submit_key(self, value: str) -> None:
        text = value.strip()
        if looks_like_qr(text):
            self.scan_qr(text)
            return
        self.desk = self.desk.with_(key_text=text)
        if self.card_present:
            self.start_read()
        elif self._access() is not None:
            self.set_status(self.t("status.need_card"), StatusLevel.INFO)

    def scan_qr(self, text_or_payload) -> None:
        """A QR was scanned (camera worker or keyboard-wedge scanner)."""
        if isinstance(text_or_payload, str):
            from cardkit.qr.payload import parse_payload

            try:
                payload = parse_payload(text_or_payload)
            except CardkitError as exc:
                self.set_status(self._error_text(exc), StatusLevel.ERROR)
                return
        else:
            payload = text_or_payload
        self.post_message(m.QrScanned(payload))

    def on_qr_scanned(self, message: m.QrScanned) -> None:
        if self.checkin is not None and not self.reading:
            self._clear_card()
            self._render()
        self.desk = self.desk.with_(qr=message.payload, key_text=message.payload.id_number)
        self._set_key(self.key_text)
        self.set_status(self.t("status.qr", name=message.payload.full_name), StatusLevel.OK)
        if self.card_present:
            self.start_read()

    def action_override(self) -> None:
        """F4: proceed with a card that is not verified, only with a reason the journal keeps."""
        if self.checkin is None or not self.checkin.blocked:
            return
        from cardkit.tui.override import OverrideScreen

        checkin = self.checkin
        self.push_screen(OverrideScreen(self.t("override.prompt")),
                         lambda reason: self.override(checkin, reason) if reason else None)

    def confirm_candidate(self, index: int) -> None:
        if self.checkin is not None and self.checkin.match_outcome is MatchOutcome.CANDIDATES:
            self.confirm(self.checkin, index)

    def _key_input(self) -> Input | None:
        """The key field, or None while the check-in screen is not composed (start, exit)."""
        screen = self.main
        if screen is None:
            return None
        try:
            return screen.query_one("#key", Input)
        except NoMatches:
            return None

    def _set_key(self, text: str) -> None:
        field = self._key_input()
        if field is not None:
            field.value = text

    def _focus_key(self) -> None:
        field = self._key_input()
        if field is not None and self.screen is self.main:
            field.focus()

    def _clear_card(self) -> None:
        self.desk = self.desk.without_card()

    # -- messages from the workers -----------------------------------------------------------
    def on_card_inserted(self, _: m.CardInserted) -> None:
        self.desk = self.desk.with_(card_present=True)
        if self.checkin is not None:  # next card resets the screen
            self._clear_card()
            self._render()
        self.start_read()

    def on_card_removed(self, _: m.CardRemoved) -> None:
        self.desk = self.desk.with_(card_present=False)
        if not self.reading and self.last_error is None:
            self.set_status(self.t("status.removed") + " " + self.t("status.ready"), StatusLevel.INFO)

    def on_reader_problem(self, message: m.ReaderProblem) -> None:
        if message.text:
            self.set_status(self.t("status.reader_error", msg=message.text), StatusLevel.ERROR)
        elif not self.reading:
            self.set_status(self.t("status.ready"), StatusLevel.INFO)

    def on_read_progress(self, message: m.ReadProgress) -> None:
        e = message.event
        if e.kind is FileEventKind.VERIFY:
            self.set_status(self.t("status.verifying"), StatusLevel.INFO)
            return
        if e.kind in (FileEventKind.START, FileEventKind.PROGRESS, FileEventKind.DONE):
            self.desk = self.desk.with_(progress=Progress(e.name, e.done, e.total))
            self._render(CheckInScreen.show_progress)

    def on_holder_read(self, message: m.HolderRead) -> None:
        self.desk = self.desk.with_(holder=message.person)
        self._render(CheckInScreen.show_holder)

    def on_face_read(self, message: m.FaceRead) -> None:
        self.desk = self.desk.with_(face=message.image)
        self._render(CheckInScreen.show_face)

    def on_check_in_ready(self, message: m.CheckInReady) -> None:
        ci = message.checkin
        self.desk = self.desk.with_(reading=False, checkin=ci, face=ci.face or self.face, holder=ci.identity,
                                    last_error=None)
        if message.checkin.match_outcome is MatchOutcome.CANDIDATE_CONFIRMED and message.checkin.matched:
            self.set_status(self.t("status.confirmed", key=message.checkin.matched.resident.key), StatusLevel.OK)
        elif self.bhyt is None or self.bhyt.checkin_id != message.checkin.checkin_id:
            self.start_bhyt_lookup()
        self._render()

    def on_journaled(self, message: m.Journaled) -> None:
        if self.checkin is not None and self.checkin.checkin_id == message.checkin.checkin_id:
            self.desk = self.desk.with_(checkin=message.checkin)
        ci = self.checkin
        journaled = self.t("status.journaled", seq=message.seq)
        if ci is not None and ci.override is not None:
            done = self.t("override.done", who=ci.override.by, why=ci.override.reason)
            self.set_status(done + " " + journaled, StatusLevel.WARN)
        elif ci is not None and ci.blocked:
            why = next((d.message_vi if self.t.lang == "vi" else d.message_en for d in ci.discrepancies
                        if d.source_b == "verification"), "")
            self.set_status(self.t("override.blocked", why=why) + " " + journaled, StatusLevel.ERROR)
        else:
            self.set_status(self.t("status.done") + " " + journaled, StatusLevel.OK)
        # The key of this card is spent: the next card needs its own (typed or scanned).
        self.desk = self.desk.with_(key_text="", qr=None)
        self._set_key("")

    def on_read_failed(self, message: m.ReadFailed) -> None:
        if message.kind is m.Failure.BUSY:
            self.set_status(message.text, StatusLevel.WARN)
            return
        self.desk = self.desk.with_(reading=False)
        if message.journal:
            self.set_status(self.t("status.journal_failed", msg=message.text), StatusLevel.ERROR)
            return
        self._clear_card()
        if message.kind is m.Failure.WRONG_KEY:
            self.desk = self.desk.with_(key_text="")
            self._set_key("")
        self._render()
        self.set_status(message.text, StatusLevel.ERROR)
        self._focus_key()

    # -- actions -----------------------------------------------------------------------------
    def action_reread(self) -> None:
        if self.card_present or self.source.card_present():
            self.desk = self.desk.with_(card_present=True)
            self._clear_card()
            self._render()
            self.start_read()
        else:
            self.set_status(self.t("status.no_card"), StatusLevel.WARN)

    def action_reset(self) -> None:
        if len(self.screen_stack) > 2:
            self.pop_screen()
            return
        if self.reading:
            return
        self.desk = self.desk.without_card().with_(key_text="", qr=None, last_error=None,
                                                    status=(self.t("status.ready"), StatusLevel.INFO))
        self._set_key("")
        self._render()
        self._focus_key()

    def action_history(self) -> None:
        from cardkit.tui.history import HistoryScreen

        if not isinstance(self.screen, HistoryScreen):
            self.push_screen(HistoryScreen())

    def action_setup(self) -> None:
        from cardkit.tui.setup import SetupScreen

        if not isinstance(self.screen, SetupScreen):
            self.push_screen(SetupScreen())

    async def action_toggle_language(self) -> None:
        await self.set_language("en" if self.t.lang == "vi" else "vi")

    async def set_language(self, lang: str) -> None:
        was_ready = self.status[0] == self.t("status.ready")
        self.t = Translator(lang)
        if was_ready:
            self.desk = self.desk.with_(status=(self.t("status.ready"), StatusLevel.INFO))
        self.config = self.config.with_(language=self.t.lang)
        self.pipeline.reconfigure(self.config)
        self._bindings = BindingsMap(self._make_bindings())
        if self.main is not None:
            await self.main.recompose()
            self.main.on_mount()
        if self.screen is not self.main and hasattr(self.screen, "recompose"):
            await self.screen.recompose()
        self.refresh_bindings()

    def apply_config(self, config: StationConfig) -> None:
        """Settings saved in setup take effect now: reader, registry, trust store, mode, operator."""
        old, self.config = self.config, config
        self.pipeline.reconfigure(config)
        if self.insurance_desk is not None:  # the operator's name and ID go with every lookup
            self.insurance_desk.config = config
        if config.reader != old.reader:
            self.source.choose(config.reader)
        self._render()
