# SPDX-License-Identifier: Apache-2.0
"""The check-in screen: key entry, read progress, identity, photo, badges, discrepancies,
candidates, clinic panel. It renders the app's state; the app owns the workers."""

from __future__ import annotations

import logging

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, ProgressBar, Static

from cardkit.station.addresses import address_view
from cardkit.station.outcome import MatchOutcome
from cardkit.tui.bhyt import bhyt_text
from cardkit.tui.photo import HalfBlockPhoto, decode
from cardkit.tui.state import StatusLevel
from cardkit.tui.widgets import BadgeView, CandidateTable, DiscrepancyTable, identity_text, insurance_text

logger = logging.getLogger(__name__)
BADGES = ("chip_authentic", "chip_not_cloned", "qr_agrees", "registry_match")
OVERALL_STYLE = {"VALID": "bold white on dark_green", "INVALID": "bold white on red",
                 "UNKNOWN_ISSUER": "bold black on yellow", "NOT_CHECKED": "bold white on grey30"}
STATUS_STYLE = {StatusLevel.INFO: "", StatusLevel.OK: "bold green", StatusLevel.WARN: "bold yellow",
                StatusLevel.ERROR: "bold white on red"}


class CheckInScreen(Screen):
    DEFAULT_CSS = """
    CheckInScreen { layout: vertical; }
    #keyrow { height: 3; }
    #key { width: 62; }
    #status { width: 1fr; padding: 1 1 0 1; }
    #progressrow { height: 1; padding: 0 1; }
    #progress { width: 40; }
    #fileinfo { width: 1fr; padding: 0 1; color: $text-muted; }
    #main { height: 21; }
    #left { width: 28; }
    #photo { height: 16; border: round $primary; }
    #photo-gfx { height: 16; width: 100%; border: round $primary; }
    #overall { height: 3; content-align: center middle; text-align: center; }
    #identity { width: 1fr; border: round $primary; padding: 0 1; }
    #right { width: 50; }
    #badges { height: 8; border: round $primary; padding: 0 1; }
    #explain { height: 3; color: $text-muted; }
    #clinic { height: 1fr; border: round $accent; padding: 0 1; }
    #lower { height: 1fr; }
    #discrepancies { width: 1fr; height: 100%; border: round $warning; }
    #candidates { width: 1fr; height: 100%; border: round $accent; display: none; }
    #candidates.shown { display: block; }
    """

    def compose(self) -> ComposeResult:
        t = self.app.t
        yield Header()
        with Horizontal(id="keyrow"):
            yield Input(placeholder=t("key.placeholder"), id="key")
            yield Static(id="status")
        with Horizontal(id="progressrow"):
            yield ProgressBar(id="progress", show_eta=False)
            yield Static(id="fileinfo")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield HalfBlockPhoto(t("photo.none"), id="photo")
                yield Static(id="overall")
            yield Static(id="identity")
            with Vertical(id="right"):
                with Vertical(id="badges"):
                    for key in BADGES:
                        yield BadgeView(key, id=f"badge-{key}")
                    yield Static(id="explain")
                yield Static(id="clinic")
        with Horizontal(id="lower"):
            yield DiscrepancyTable(id="discrepancies", cursor_type="row", zebra_stripes=True)
            yield CandidateTable(id="candidates", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        t = self.app.t
        self.query_one("#photo").border_title = t("panel.photo")
        self.query_one("#identity").border_title = t("panel.identity")
        self.query_one("#badges").border_title = t("panel.verdicts")
        self.query_one("#clinic").border_title = t("panel.clinic")
        self.query_one("#discrepancies").border_title = t("panel.discrepancies")
        self.query_one("#candidates").border_title = t("panel.candidates")
        self.render_state()
        self.query_one("#key", Input).focus()

    # -- rendering from the app's state ------------------------------------------------------
    def render_state(self) -> None:
        app, t = self.app, self.app.t
        ci = app.desk.checkin
        self.title = t("title")
        self.sub_title = f"{t('mode.' + app.config.mode)} · {t('operator')}: {app.config.operator or '—'}"
        self.show_status()
        self.show_progress()
        self.query_one("#identity", Static).update(
            identity_text(ci.identity if ci else app.desk.holder, t, address_view(ci.identity) if ci else None,
                          verified=ci is not None and ci.genuine))
        photo = self.query_one("#photo", HalfBlockPhoto)
        if app.desk.face is None:
            self.query("#photo-gfx").remove()
            photo.display = True
            photo.set_image(None)
            photo.set_placeholder(t("photo.wait") if app.desk.reading and app.desk.holder else t("photo.none"))
        elif not photo.has_image:
            self.show_face()
        overall = self.query_one("#overall", Static)
        if ci is None:
            overall.update(Text(t("overall.none"), style="dim"))
        else:
            overall.update(Text(f" {t('overall.' + ci.overall.value)} ", style=OVERALL_STYLE[ci.overall.value]))
        for key in BADGES:
            self.query_one(f"#badge-{key}", BadgeView).show(getattr(ci.summary, key) if ci else None, t)
        self.query_one("#explain", Static).update("")
        clinic = self.query_one("#clinic", Static)
        clinic.display = app.config.clinic
        if app.insurance_desk is not None:
            clinic.update(bhyt_text(app.desk.bhyt, t))
        else:
            clinic.update(insurance_text(ci.insurance if ci else None, t))
        table = self.query_one("#discrepancies", DiscrepancyTable)
        bhyt_ds = app.desk.bhyt.discrepancies if app.desk.bhyt is not None and ci is not None else ()
        table.show((ci.discrepancies + bhyt_ds) if ci else (), t)
        cands = self.query_one("#candidates", CandidateTable)
        pending = ci is not None and ci.match_outcome is MatchOutcome.CANDIDATES and bool(ci.candidates)
        cands.set_class(pending, "shown")
        cands.show(ci.candidates if pending else (), t)

    def show_status(self) -> None:
        text, level = self.app.desk.status
        self.query_one("#status", Static).update(Text(text, style=STATUS_STYLE[level]))

    def show_progress(self) -> None:
        name, done, total = self.app.desk.progress
        bar = self.query_one("#progress", ProgressBar)
        if total:
            bar.update(total=total, progress=done)
        else:
            bar.update(total=None if self.app.desk.reading else 100, progress=0 if self.app.desk.reading else 0)
        info = f"{name} {done}/{total} B" if name and total else (name or "")
        self.query_one("#fileinfo", Static).update(info)

    def show_holder(self) -> None:
        self.query_one("#identity", Static).update(identity_text(self.app.desk.holder, self.app.t))  # not verified yet
        photo = self.query_one("#photo", HalfBlockPhoto)
        if self.app.desk.face is None:
            photo.set_placeholder(self.app.t("photo.wait"))

    def show_face(self) -> None:
        photo = self.query_one("#photo", HalfBlockPhoto)
        photo.set_image(self.app.desk.face)
        if self.app.graphics and self.app.desk.face:
            try:  # Kitty / Sixel through textual-image, detected before the app started
                from textual_image.widget import Image as GraphicsImage

                self.query("#photo-gfx").remove()
                gfx = GraphicsImage(decode(self.app.desk.face), id="photo-gfx")
                gfx.border_title = photo.border_title
                self.query_one("#left").mount(gfx, before=0)
                photo.display = False
            except Exception:  # noqa: BLE001 - terminal graphics are optional: half blocks stay
                logger.info("terminal graphics unavailable; half-block photo shown", exc_info=True)

    # -- events ------------------------------------------------------------------------------
    def on_badge_view_focused(self, message: BadgeView.Focused) -> None:
        b = message.badge.badge
        self.query_one("#explain", Static).update(b.reason(self.app.t.lang) if b else "")

    def on_input_submitted(self, message: Input.Submitted) -> None:
        if message.input.id == "key":
            self.app.submit_key(message.value)

    def on_data_table_row_selected(self, message: CandidateTable.RowSelected) -> None:
        if message.data_table.id == "candidates" and message.row_key.value is not None:
            self.app.confirm_candidate(int(message.row_key.value))
