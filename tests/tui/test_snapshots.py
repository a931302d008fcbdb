# SPDX-License-Identifier: Apache-2.0
"""Snapshots of the check-in, history and setup screens at 120x40 (fixed clock, ids, data and
paths). Update after a deliberate UI change: ``pytest tests/tui/test_snapshots.py --snapshot-update``."""

from __future__ import annotations

from textual.widgets import Input

from cardkit.sim.factory import make_card

SIZE = (120, 40)
FIXED_PATHS = dict(registry_url="/var/lib/cardkit/registry.sqlite3", trust_path="/var/lib/cardkit/trust")


async def steady(pilot) -> None:
    """No blinking cursor in screenshots: the one nondeterminism left once data and clock are fixed."""
    await pilot.pause(0.2)
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


def checked_in(image, until):
    async def run_before(pilot) -> None:
        app = pilot.app
        app.main.query_one("#key", Input).value = image.meta["id"]
        await pilot.press("enter")
        app.source.insert(make_card(image))
        await until(pilot, lambda: app.checkin is not None and app.checkin.seq is not None)
        await steady(pilot)
    return run_before


def test_checkin_screen_snapshot(snap_compare, station, card_images, until):
    app, _ = station()
    assert snap_compare(app, terminal_size=SIZE, run_before=checked_in(card_images(), until))


def test_checkin_screen_with_registry_mismatch_snapshot(snap_compare, station, card_images, until, resident, tmp_path):
    from datetime import date

    from cardkit.registry.store import open_store

    url = str(tmp_path / "mismatch.sqlite3")
    with open_store(url) as s:
        s.upsert([resident(date_of_birth=date(1990, 2, 1), full_name="Nguyen Van An",
                           insurance_valid_to=date(2025, 6, 30))])
    app, _ = station(url=url)
    assert snap_compare(app, terminal_size=SIZE, run_before=checked_in(card_images(), until))


def test_history_screen_snapshot(snap_compare, station, card_images, until):
    app, _ = station()
    inner = checked_in(card_images(), until)

    async def run_before(pilot) -> None:
        await inner(pilot)
        await pilot.press("f3")
        await until(pilot, lambda: getattr(pilot.app.screen, "records", None))
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_setup_screen_snapshot(snap_compare, station):
    app, _ = station(config_path="/etc/cardkit/station.toml")
    app.apply_config(app.config.with_(**FIXED_PATHS))

    async def run_before(pilot) -> None:
        await pilot.press("f2")
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
