# SPDX-License-Identifier: Apache-2.0
"""The panels of the check-in screen. Each renders from plain data; none does I/O."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable, Static

from cardkit.discrepancy import Discrepancy, Severity
from cardkit.person import PersonData
from cardkit.station.verdicts import Badge, BadgeState
from cardkit.tui.i18n import Translator

IDENTITY_FIELDS = ("full_name", "id_number", "date_of_birth", "sex", "residence", "issue_date", "expiry_date",
                   "old_id_number")
STATE_STYLE = {BadgeState.PASS: "bold white on dark_green", BadgeState.WARN: "bold black on yellow",
               BadgeState.FAIL: "bold white on red", BadgeState.NA: "white on grey30"}
SEV_STYLE = {Severity.BLOCKING: "bold white on red", Severity.WARNING: "bold black on yellow", Severity.INFO: "black on grey70"}


def fmt_date(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _address_lines(out: Text, name: str, addresses: dict, t: Translator, width: int) -> None:
    """After the printed residence: its current form (2025 units), a split ward flagged; after the
    ID number: the province its prefix names (old birth registration, with today's province)."""
    if name == "residence":
        res = addresses.get("residence") or {}
        current = res.get("current")
        if current and current != res.get("printed"):
            out.append(f"{t('f.residence_now'):<{width}}", style="dim")
            out.append(f"{current}\n", style="cyan")
        if res.get("split"):
            alt = ", ".join(a["name"] for a in res.get("alternatives") or [])
            out.append(t("addr.split", alt=alt) + "\n", style="bold yellow")
    elif name == "id_number" and addresses.get("birth_registration_province"):
        b = addresses["birth_registration_province"]
        now = b.get("current") or "?"
        text = f"{b['old_name']} (nay: {now})" if t.lang == "vi" else f"{b['old_name']} (now {now})"
        out.append(f"{t('f.birth_province'):<{width}}", style="dim")
        out.append(f"{text}\n")


def identity_text(p: PersonData | None, t: Translator, addresses: dict | None = None, *,
                  verified: bool = False) -> Text:
    """The holder's fields; unless the card is VALID, the name is marked "chưa xác thực"."""
    out = Text()
    width = 16
    for name in IDENTITY_FIELDS:
        v: object = getattr(p, name) if p is not None else None
        if name == "sex" and v is not None:
            v = v.vi if t.lang == "vi" else ("Male" if v.value == "M" else "Female")
        elif isinstance(v, date):
            v = fmt_date(v)
        if name == "expiry_date" and v is None and p is not None and p.expiry_text:
            v = p.expiry_text
        if name == "old_id_number" and not v:
            continue
        out.append(f"{t('f.' + name):<{width}}", style="dim")
        style = "bold" if name in ("full_name", "id_number") else ""
        out.append(f"{v or ''}", style=style)
        if name == "full_name" and p is not None and not verified:
            out.append(f"  ({t('identity.unverified')})", style="bold red")
        out.append("\n")
        if addresses:
            _address_lines(out, name, addresses, t, width)
    return out


class BadgeView(Static, can_focus=True):
    """One verdict badge; focusing it explains it (the screen shows the reason)."""

    DEFAULT_CSS = """
    BadgeView { height: 1; width: 100%; }
    BadgeView:focus { text-style: reverse; }
    """

    class Focused(Message):
        def __init__(self, badge: BadgeView) -> None:
            super().__init__()
            self.badge = badge

    def __init__(self, key: str, **kw) -> None:
        super().__init__(**kw)
        self.key = key
        self.badge: Badge | None = None

    def show(self, badge: Badge | None, t: Translator) -> None:
        self.badge = badge
        state = badge.state if badge else BadgeState.NA
        label = f" {t('state.' + state.value):^10} "
        self.update(Text.assemble((label, STATE_STYLE[state]), " ", t("badge." + self.key)))

    def on_focus(self) -> None:
        self.post_message(self.Focused(self))


class DiscrepancyTable(DataTable):
    def show(self, items: tuple[Discrepancy, ...], t: Translator) -> None:
        self.clear(columns=True)
        self.add_columns(t("col.severity"), t("col.message"), t("col.values"))
        for d in items:
            msg = d.message_vi if t.lang == "vi" else d.message_en
            values = " ≠ ".join(f"{src}: {v}" for src, v in ((d.source_a, d.value_a), (d.source_b, d.value_b))
                                if v is not None)
            self.add_row(Text(t("sev." + d.severity.value), style=SEV_STYLE[d.severity]), msg,
                         values[:70])


class CandidateTable(DataTable):
    def show(self, candidates: tuple, t: Translator) -> None:
        self.clear(columns=True)
        self.add_columns(t("col.score"), t("col.name"), t("f.date_of_birth"), t("f.id_number"), t("col.reasons"))
        for i, c in enumerate(candidates):
            r = c.resident
            self.add_row(f"{c.score:.0f}", r.full_name, fmt_date(r.date_of_birth), r.id_number or r.old_id_number or "",
                         "; ".join(c.reasons), key=str(i))


def insurance_text(ins, t: Translator) -> Text:
    out = Text()
    if ins is None:
        return out
    style = {"valid": "bold white on dark_green", "expired": "bold white on red",
             "not_yet_valid": "bold black on yellow"}.get(ins.status, "white on grey30")
    out.append(f"{t('ins.state'):<20}", style="dim")
    out.append(f" {t('ins.' + ins.status)} ", style=style)
    out.append("\n")
    for label, v in (("ins.code", ins.code), ("ins.valid_to", fmt_date(ins.valid_to)), ("ins.facility", ins.facility)):
        out.append(f"{t(label):<20}", style="dim")
        out.append(f"{v or ''}\n")
    return out
