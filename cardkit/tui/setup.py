# SPDX-License-Identifier: Apache-2.0
"""Station setup: reader, camera, registry, trust store, mode, operator, language; saved to the
config file ($CARDKIT_HOME/station.toml unless the app was given another)."""

from __future__ import annotations

import logging

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Select, Static

from cardkit.errors import CardkitError
from cardkit.station.config import StationConfig, config_path, save_config

logger = logging.getLogger(__name__)


class SetupScreen(Screen):
    DEFAULT_CSS = """
    #form { grid-size: 2; grid-columns: 58 1fr; grid-rows: 3; grid-gutter: 0 1; height: auto; padding: 1 2; }
    #form Label { padding: 1 0 0 0; width: 100%; text-align: right; }
    #info { height: 2; padding: 0 2; }
    """

    class Readers(Message):
        def __init__(self, names: list[str], error: str = "") -> None:
            super().__init__()
            self.names = names
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        t = self.app.t
        self._bindings.bind("escape", "back", t("b.back"))
        self._bindings.bind("ctrl+s", "save", t("b.save"))

    def compose(self) -> ComposeResult:
        t, c = self.app.t, self.app.config
        yield Header()
        with VerticalScroll():
            with Grid(id="form"):
                yield Label(t("setup.reader"))
                options = [(c.reader, c.reader)] if c.reader else []
                yield Select(options, value=c.reader or Select.NULL, prompt=t("setup.reader_any"), id="reader",
                             allow_blank=True)
                for key, name, value in (("setup.camera", "camera", c.camera), ("setup.registry", "registry_url", c.registry_url),
                                         ("setup.trust", "trust_path", c.trust_path)):
                    yield Label(t(key))
                    yield Input(value, id=name)
                yield Label(t("setup.mode"))
                yield Select([(t("mode.clinic"), "clinic"), (t("mode.counter"), "counter")], value=c.mode,
                             allow_blank=False, id="mode")
                yield Label(t("setup.operator"))
                yield Input(c.operator, id="operator")
                yield Label(t("setup.operator_id"))
                yield Input(c.operator_id, id="operator_id")
                yield Label(t("setup.station"))
                yield Input(c.station, id="station")
                yield Label(t("setup.language"))
                yield Select([("Tiếng Việt", "vi"), ("English", "en")], value=c.language, allow_blank=False,
                             id="language")
            yield Static(id="info")
        yield Footer()

    def on_mount(self) -> None:
        t = self.app.t
        self.title = t("title")
        self.sub_title = t("setup.title")
        self.query_one("#info", Static).update(t("setup.path", path=self.app.config_path or config_path()))
        self.query_one("#operator", Input).focus()
        self.list_readers()

    @work(thread=True, exclusive=True, group="readers", exit_on_error=False)
    def list_readers(self) -> None:
        try:
            self.post_message(self.Readers(self.app.source.readers()))
        except CardkitError as exc:
            self.post_message(self.Readers([], exc.message_vi))
        except Exception:  # noqa: BLE001 - outermost UI boundary
            logger.exception("listing readers failed")
            self.post_message(self.Readers([], self.app.t("error.internal")))

    def on_setup_screen_readers(self, message: Readers) -> None:
        select = self.query_one("#reader", Select)
        current = self.app.config.reader
        names = sorted(set(message.names) | ({current} if current else set()))
        select.set_options([(n, n) for n in names])
        if current:
            select.value = current
        if message.error:
            self.query_one("#info", Static).update(Text(message.error, style="bold red"))

    def form_config(self) -> StationConfig:
        reader = self.query_one("#reader", Select).value
        values = {name: self.query_one(f"#{name}", Input).value.strip()
                  for name in ("camera", "registry_url", "trust_path", "operator", "operator_id", "station")}
        return self.app.config.with_(
            reader="" if reader in (Select.NULL, None) else str(reader),
            mode=str(self.query_one("#mode", Select).value),
            language=str(self.query_one("#language", Select).value), **values)

    async def action_save(self) -> None:
        try:
            config = self.form_config()
            path = save_config(config, self.app.config_path)
        except (CardkitError, OSError) as exc:
            text = exc.message_vi if isinstance(exc, CardkitError) else str(exc)
            self.query_one("#info", Static).update(Text(text, style="bold red"))
            return
        language_changed = config.language != self.app.t.lang
        self.app.apply_config(config)
        if language_changed:
            await self.app.set_language(config.language)
            self.app.call_later(self._saved, path)
        else:
            self._saved(path)

    def _saved(self, path) -> None:
        self.query_one("#info", Static).update(Text(self.app.t("setup.saved", path=path), style="bold green"))

    def action_back(self) -> None:
        self.app.pop_screen()
