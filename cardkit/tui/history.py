# SPDX-License-Identifier: Apache-2.0
"""Today's check-ins from the journal, searchable; export one as JSON or as a FHIR R4 Patient."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from cardkit.errors import CardkitError
from cardkit.home import cardkit_home, private_dir, write_private
from cardkit.registry.journal import CheckInRecord
from cardkit.station.export import checkin_fhir, checkin_json, dumps
from cardkit.tui.checkin_screen import OVERALL_STYLE

logger = logging.getLogger(__name__)


def _name(rec: CheckInRecord) -> str:
    ident = rec.extra.get("identity") if isinstance(rec.extra, dict) else None
    return (ident or {}).get("full_name") or ""


def matches(rec: CheckInRecord, query: str) -> bool:
    from cardkit.registry.normalize import fold

    q = fold(query.strip())
    if not q:
        return True
    hay = " ".join(x or "" for x in (_name(rec), rec.id_number, rec.old_id_number, rec.operator,
                                     rec.match_outcome, rec.overall_verdict, rec.station))
    return q in fold(hay)


class HistoryScreen(Screen):
    DEFAULT_CSS = """
    #search { margin: 0 1; }
    #records { height: 1fr; border: round $primary; }
    #info { height: 1; padding: 0 1; }
    """

    class Loaded(Message):
        def __init__(self, records: list[CheckInRecord], error: str = "") -> None:
            super().__init__()
            self.records = records
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self.records: list[CheckInRecord] = []
        self.shown: list[CheckInRecord] = []
        t = self.app.t
        self._bindings.bind("escape", "back", t("b.back"))
        self._bindings.bind("f6", "export('json')", t("b.json"))
        self._bindings.bind("f7", "export('fhir')", t("b.fhir"))

    def compose(self) -> ComposeResult:
        t = self.app.t
        yield Header()
        yield Input(placeholder=t("history.search"), id="search")
        yield DataTable(id="records", cursor_type="row", zebra_stripes=True)
        yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        t = self.app.t
        self.title = t("title")
        self.sub_title = t("history.title")
        self.query_one("#records").border_title = t("history.title")
        self.load()
        self.query_one("#search", Input).focus()

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def load(self) -> None:
        now = self.app.clock()
        since = now.replace(hour=0, minute=0, second=0, microsecond=0)
        try:
            records = self.app.pipeline.history(since=since)
        except CardkitError as exc:
            self.post_message(self.Loaded([], exc.message_vi))
            return
        except Exception:  # noqa: BLE001 - outermost UI boundary
            logger.exception("loading the history failed")
            self.post_message(self.Loaded([], self.app.t("error.internal")))
            return
        self.post_message(self.Loaded(records))

    def on_history_screen_loaded(self, message: Loaded) -> None:
        self.records = list(reversed(message.records))  # newest first
        self.show(self.query_one("#search", Input).value)
        if message.error:
            self.query_one("#info", Static).update(Text(message.error, style="bold red"))

    def on_input_changed(self, message: Input.Changed) -> None:
        self.show(message.value)

    def on_input_submitted(self, message: Input.Submitted) -> None:
        self.query_one("#records", DataTable).focus()

    def show(self, query: str) -> None:
        t = self.app.t
        table = self.query_one("#records", DataTable)
        table.clear(columns=True)
        table.add_columns("#", t("col.time"), t("col.name"), t("f.id_number"), t("col.verdict"),
                          t("col.outcome"), t("col.operator"))
        self.shown = [r for r in self.records if matches(r, query)]
        for r in self.shown:
            local = r.at.astimezone(self.app.clock().tzinfo)
            verdict = r.overall_verdict or ""
            table.add_row(str(r.seq), local.strftime("%H:%M:%S"), _name(r), r.id_number or r.old_id_number or "",
                          Text(verdict, style=OVERALL_STYLE.get(verdict, "")), r.match_outcome, r.operator,
                          key=r.checkin_id)
        info = t("history.count", n=len(self.shown)) if self.records else t("history.empty")
        self.query_one("#info", Static).update(info)

    def selected(self) -> CheckInRecord | None:
        table = self.query_one("#records", DataTable)
        if not self.shown or table.cursor_row is None or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def action_export(self, kind: str) -> None:
        rec = self.selected()
        if rec is None:
            return
        path = export_record(rec, kind, getattr(self.app, "export_dir", None) or cardkit_home() / "exports")
        self.query_one("#info", Static).update(Text(self.app.t("history.exported", path=path), style="bold green"))

    def action_back(self) -> None:
        self.app.pop_screen()


def export_record(rec: CheckInRecord, kind: str, folder: Path) -> Path:
    folder = private_dir(folder)  # exports hold personal data: folder 0700, files 0600
    stamp = rec.at.astimezone().strftime("%Y%m%d-%H%M%S") if isinstance(rec.at, datetime) else "checkin"
    if kind == "fhir":
        path = folder / f"{stamp}-{rec.seq}.fhir-patient.json"
        write_private(path, dumps(checkin_fhir(rec)))
    else:
        path = folder / f"{stamp}-{rec.seq}.checkin.json"
        write_private(path, dumps(checkin_json(rec)))
    return path
