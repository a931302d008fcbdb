# SPDX-License-Identifier: Apache-2.0
"""The override prompt: the operator types why they proceed with a card that is not verified."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class OverrideScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    OverrideScreen { align: center middle; }
    #override-box { width: 80; height: auto; border: thick $error; padding: 1 2; background: $surface; }
    """
    BINDINGS = [Binding("escape", "cancel", "Esc")]

    def __init__(self, prompt: str) -> None:
        super().__init__()
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical(id="override-box"):
            yield Static(self.prompt)
            yield Input(id="override-reason")

    def on_mount(self) -> None:
        self.query_one("#override-reason", Input).focus()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        self.dismiss(message.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
