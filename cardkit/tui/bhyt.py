# SPDX-License-Identifier: Apache-2.0
"""The BHYT part of the station: the lookup worker (after the chip is verified, short timeout,
never blocking the check-in), its retry, and the panel text (status, code, validity, facility,
five-year date, new card; the source named: "stand-in" is never shown as the gateway)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.message import Message

from cardkit.errors import CardkitError
from cardkit.insurance.codes import ACTION_TEXT, Outcome
from cardkit.station.insurance import BhytLookup, LookupState
from cardkit.tui import messages as m
from cardkit.tui.i18n import Translator
from cardkit.tui.widgets import fmt_date

if TYPE_CHECKING:
    from cardkit.station.checkin import RegistrySource
    from cardkit.station.config import StationConfig
    from cardkit.station.insurance import InsuranceDesk
    from cardkit.tui.state import DeskState

logger = logging.getLogger("cardkit.tui.app")
OUTCOME_STYLE = {Outcome.USABLE: "bold white on dark_green", Outcome.NOT_AS_IS: "bold white on red",
                 Outcome.LOOKUP_FAILED: "bold black on yellow"}
SOURCE_TEXT = {"gateway": ("cổng BHXH", "BHXH gateway"), "stand-in": ("stand-in, giả lập", "stand-in")}


class BhytWorker:
    """Mixed into :class:`~cardkit.tui.app.StationApp`, which provides what is declared here."""

    config: StationConfig
    registry: RegistrySource
    clock: Callable[[], datetime]
    t: Translator
    desk: DeskState
    insurance_desk: InsuranceDesk | None
    _render: Callable[[], None]
    post_message: Callable[[Message], bool]

    def _insurance_desk(self, source):
        """The gateway (or its stand-in) lookup, when one is given or configured; None: the
        registry's insurance, already in the check-in, is the panel (as before the gateway)."""
        from cardkit.station.insurance import InsuranceDesk, source_for

        if source is None and self.config.clinic:
            try:
                source = source_for(self.config)
            except CardkitError as exc:  # no account file: the desk works, the panel says why
                logger.warning("BHYT gateway not configured: %s", type(exc).__name__)
                self._startup_warning = exc.message_vi if self.t.lang == "vi" else str(exc)
        if source is None:
            return None
        opener = self.registry if callable(self.registry) else None
        return InsuranceDesk(source, self.config, opener, self.clock)

    def start_bhyt_lookup(self) -> None:
        ci = self.desk.checkin
        if self.insurance_desk is None or ci is None or not self.config.clinic:
            return
        self.desk = self.desk.with_(bhyt=BhytLookup(LookupState.PENDING, ci.checkin_id, self.insurance_desk.source.name))
        self.lookup_insurance(ci)

    def action_bhyt_retry(self) -> None:
        if self.desk.bhyt is not None and self.desk.bhyt.state is LookupState.FAILED and not self.desk.reading:
            self.start_bhyt_lookup()
            self._render()

    def on_bhyt_looked(self, message: m.BhytLooked) -> None:
        ci = self.desk.checkin
        if ci is not None and message.lookup.checkin_id == ci.checkin_id:
            self.desk = self.desk.with_(bhyt=message.lookup)
            self._render()

    @work(thread=True, exclusive=True, group="bhyt", exit_on_error=False)
    def lookup_insurance(self, checkin) -> None:
        try:
            lookup = self.insurance_desk.lookup(checkin.checkin_id, checkin.overall, checkin.chip)
        except Exception:  # noqa: BLE001 - outermost UI boundary: the check-in goes on without BHYT
            logger.exception("the BHYT lookup failed")
            from cardkit.station.insurance import NOT_LOOKED_UP_EN, NOT_LOOKED_UP_VI

            lookup = BhytLookup(LookupState.FAILED, checkin.checkin_id, "", message_vi=NOT_LOOKED_UP_VI,
                                message_en=NOT_LOOKED_UP_EN)
        self.post_message(m.BhytLooked(lookup))


def _row(out: Text, label: str, value: str | None) -> None:
    if value:
        out.append(f"{label:<14}", style="dim")
        out.append(f"{value}\n")


def bhyt_text(lookup: BhytLookup | None, t: Translator) -> Text:
    out = Text()
    if lookup is None:
        return out
    vi = t.lang == "vi"
    if lookup.state is LookupState.PENDING:
        out.append(t("bhyt.pending"), style="italic")
        return out
    if lookup.state in (LookupState.FAILED, LookupState.SKIPPED):
        out.append(f" {t('bhyt.not_looked_up')} ", style="bold black on yellow")
        out.append("\n" + (lookup.message_vi if vi else lookup.message_en) + "\n", style="dim")
        if lookup.state is LookupState.FAILED:
            out.append(t("bhyt.retry"))
        return out
    s, outcome = lookup.status, lookup.outcome
    out.append(f" {s.code.value} {t('bhyt.' + outcome.value)} ", style=OUTCOME_STYLE[outcome])
    src = SOURCE_TEXT.get(lookup.source, (lookup.source, lookup.source))
    out.append(f" ({src[0] if vi else src[1]})\n", style="dim")
    out.append((s.code.meaning_vi if vi else s.code.meaning_en) + "\n")
    action = ACTION_TEXT[s.code.action]
    out.append("→ " + (action[0] if vi else action[1]) + "\n", style="bold")
    _row(out, t("bhyt.code"), s.card_code)
    if s.valid_from or s.valid_to:
        _row(out, t("bhyt.validity"), f"{fmt_date(s.valid_from)} – {fmt_date(s.valid_to)}")
    _row(out, t("bhyt.facility"), s.facility_code or s.facility_name)
    _row(out, t("bhyt.five_years"), fmt_date(s.five_years))
    if s.new_card is not None:
        n = s.new_card
        _row(out, t("bhyt.new_card"), f"{n.code} {fmt_date(n.valid_from)} – {fmt_date(n.valid_to)}")
        _row(out, t("bhyt.new_facility"), " ".join(x for x in (n.facility_code, n.facility_name) if x))
    return out
