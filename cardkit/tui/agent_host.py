# SPDX-License-Identifier: Apache-2.0
"""The desk agent inside the station (``agent = "on"`` in ``station.toml``).

One :class:`~cardkit.agent.owner.ReaderOwner` holds the reader for both: the desk's key entry
(:meth:`DeskAgent.read`, from the station's read worker) and the browser's ``POST /v1/read``
go through it, one at a time (the second gets the busy answer: HTTP 409, or the desk's
"Đầu đọc đang bận…"). Its presence poller replaces the station's; :class:`StationWatcher`
turns every read (the desk's or the browser's) into the station's own messages, so both show
on the screen and both reach the event stream and the journal with the same check-in id.

The agent's uvicorn runs in its own thread (:class:`~cardkit.agent.server.AgentServer`),
started on mount and stopped on unmount. A page from an allowed origin that asks to pair
(``POST /v1/pair/request``) gets a modal here: "Cho phép <origin> đọc thẻ?" (Y / N).

This module is the one place the TUI imports the agent (import-linter contract).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from cardkit.agent.config import AgentConfig
from cardkit.agent.faces import FaceCache
from cardkit.agent.owner import ReaderOwner
from cardkit.agent.pairing import Decision, PairingDesk, PairingRequest
from cardkit.agent.problems import AgentError, Code
from cardkit.agent.sources import StationSource
from cardkit.agent.tokens import TokenStore
from cardkit.agent.watchers import Stage
from cardkit.errors import CardkitError
from cardkit.tui import messages as m
from cardkit.tui.state import Progress, StatusLevel
from cardkit.tui.workers import failure_of

if TYPE_CHECKING:
    from cardkit.icao.session import FileEvent
    from cardkit.station.checkin import CheckIn


@dataclass(frozen=True)
class AgentHosting:
    """What the station needs to host the agent: its settings (agent.toml, the port possibly from
    station.toml) and the pairings."""

    config: AgentConfig = field(default_factory=AgentConfig)
    tokens: TokenStore = field(default_factory=TokenStore)


def hosting_for(config, agent_config: str | None = None) -> AgentHosting:
    """The agent's settings for a station whose ``station.toml`` says ``agent = "on"``: agent.toml
    (``agent_config``, default ``$CARDKIT_HOME/agent.toml``), with station.toml's ``agent_port``."""
    from cardkit.agent.config import load_agent_config

    settings = load_agent_config(agent_config)
    if config.agent_port:
        settings = settings.with_(port=int(config.agent_port))
    return AgentHosting(settings, TokenStore())


class PairingAsked(Message):
    def __init__(self, request: PairingRequest) -> None:
        super().__init__()
        self.request = request


class PairingWithdrawn(Message):
    def __init__(self, request: PairingRequest) -> None:
        super().__init__()
        self.request = request


class StationWatcher:
    """The owner's reads and presence, as the station's messages (posted from the owner's threads)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def _text(self, exc: BaseException) -> str:
        return self.app._error_text(exc) if isinstance(exc, CardkitError) else self.app.t("error.internal")

    def presence(self, present: bool) -> None:
        self.app.post_message(m.CardInserted() if present else m.CardRemoved())

    def reader_problem(self, error: BaseException | None) -> None:
        self.app.post_message(m.ReaderProblem(self._text(error) if error is not None else ""))

    def read_started(self, checkin_id: str, origin: str | None) -> None:
        self.app.post_message(m.ReadStarted(checkin_id, origin))

    def file_event(self, event: FileEvent) -> None:
        self.app._file_event(event)

    def evaluated(self, checkin: CheckIn) -> None:
        self.app.post_message(m.CheckInReady(checkin))

    def journaled(self, checkin: CheckIn) -> None:
        self.app.post_message(m.Journaled(checkin))

    def read_failed(self, error: BaseException, stage: Stage) -> None:
        kind = m.Failure.JOURNAL if stage is Stage.JOURNAL else failure_of(error)
        self.app.post_message(m.ReadFailed(kind, self._text(error)))


class ScreenApprover:
    """Pairing requests to the station's screen (posted from the agent's thread)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def ask(self, request: PairingRequest) -> None:
        self.app.post_message(PairingAsked(request))

    def withdraw(self, request: PairingRequest) -> None:
        self.app.post_message(PairingWithdrawn(request))


class DeskAgent:
    """The reader owner, the pairing desk and the agent's server of one station."""

    def __init__(self, app: Any, hosting: AgentHosting, *, source, config, registry, trust, clock, new_id,
                 poll_interval: float) -> None:
        from cardkit.agent.app import build_app  # starlette: only when the agent is on
        from cardkit.agent.server import AgentServer

        self.owner = ReaderOwner(StationSource(source), config, registry, trust, clock=clock, new_id=new_id,
                                 poll_interval=poll_interval, faces=FaceCache(max_age=hosting.config.face_max_age))
        self.server = AgentServer(hosting.config)  # bound now: a port in use fails before the screen opens
        served = hosting.config.with_(port=self.server.port)
        self.pairing = PairingDesk(hosting.tokens, ScreenApprover(app), timeout=served.pair_timeout)
        self.asgi = build_app(self.owner, served, hosting.tokens, pairing=self.pairing)
        self.owner.watchers.add(StationWatcher(app))

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def busy(self) -> bool:
        return self.owner.busy

    def start(self) -> None:
        self.owner.start()
        self.server.start(self.asgi)

    def stop(self) -> None:
        self.server.stop()
        self.owner.stop()

    def read(self, access, qr) -> bool:
        """The desk's read (in the station's worker thread); False when the reader is busy. Every
        other outcome reaches the screen through :class:`StationWatcher`."""
        try:
            self.owner.read_access(access, qr)
        except AgentError as exc:
            if exc.code is Code.BUSY:
                return False
        except Exception:  # noqa: BLE001 - already shown by the watcher (read_failed) and logged by the owner
            pass
        return True


class PairingScreen(ModalScreen[Decision | None]):
    """ "Cho phép <origin> đọc thẻ?": Y approves, N or Esc refuses (nothing is approved by default)."""

    DEFAULT_CSS = """
    PairingScreen { align: center middle; }
    #pair-box { width: 84; height: auto; border: thick $warning; padding: 1 2; background: $surface; }
    """
    BINDINGS = [Binding("y", "approve", "Đồng ý / Allow"), Binding("n", "deny", "Từ chối / Deny"),
                Binding("escape", "deny", "Từ chối / Deny")]

    def __init__(self, request: PairingRequest) -> None:
        super().__init__()
        self.request = request

    def compose(self) -> ComposeResult:
        with Vertical(id="pair-box"):
            yield Static(f"Cho phép {self.request.origin} đọc thẻ?\nAllow {self.request.origin} to read cards?",
                         id="pair-question")
            yield Static("Y: Đồng ý / Allow    N: Từ chối / Deny", id="pair-keys")

    def action_approve(self) -> None:
        self.dismiss(Decision.APPROVED)

    def action_deny(self) -> None:
        self.dismiss(Decision.DENIED)


class AgentDesk:
    """Mixed into :class:`~cardkit.tui.app.StationApp`: the pairing modals and the reads that the
    owner started (the browser's as well as the desk's)."""

    agent: DeskAgent | None
    t: Any
    desk: Any
    screen_stack: Any
    push_screen: Any
    set_status: Any
    _render: Any

    def on_pairing_asked(self, message: PairingAsked) -> None:
        req = message.request
        self.push_screen(PairingScreen(req), lambda decision: self._pairing_answered(req, decision))

    def _pairing_answered(self, req: PairingRequest, decision: Decision | None) -> None:
        if decision is None or self.agent is None:
            return
        if not self.agent.pairing.decide(req.request_id, decision):
            self.set_status(self.t("pair.expired", origin=req.origin), StatusLevel.WARN)
        elif decision is Decision.APPROVED:
            self.set_status(self.t("pair.approved", origin=req.origin), StatusLevel.OK)
        else:
            self.set_status(self.t("pair.denied", origin=req.origin), StatusLevel.INFO)

    def on_pairing_withdrawn(self, message: PairingWithdrawn) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, PairingScreen) and screen.request == message.request:
                if screen is self.screen_stack[-1]:
                    screen.dismiss(None)
                self.set_status(self.t("pair.expired", origin=message.request.origin), StatusLevel.WARN)

    def on_read_started(self, message: m.ReadStarted) -> None:
        self.desk = self.desk.without_card().with_(reading=True, last_error=None, progress=Progress())
        self._render()
        if message.origin is None:
            self.set_status(self.t("status.reading"), StatusLevel.INFO)
        else:
            self.set_status(self.t("status.remote_read", origin=message.origin), StatusLevel.INFO)
