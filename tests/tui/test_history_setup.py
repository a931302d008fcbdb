# SPDX-License-Identifier: Apache-2.0
"""History (today's journal, search, JSON / FHIR export) and setup (saved to the config file)."""

from __future__ import annotations

import json

from textual.widgets import DataTable, Input, Select

from cardkit.station.config import load_config

SIZE = (120, 40)


async def checked_in(pilot, app, source, image, until):
    app.main.query_one("#key", Input).value = image.meta["id"]
    await pilot.press("enter")
    source.insert(__import__("cardkit.sim.factory", fromlist=["make_card"]).make_card(image))
    await until(pilot, lambda: app.checkin is not None and app.checkin.seq is not None)


async def test_history_lists_todays_check_ins_and_searches(station, card_images, until):
    app, source = station()
    async with app.run_test(size=SIZE) as pilot:
        await checked_in(pilot, app, source, card_images(), until)
        await pilot.press("f3")
        await until(pilot, lambda: getattr(app.screen, "records", None))
        table = app.screen.query_one("#records", DataTable)
        assert table.row_count == 1
        assert "Nguyễn Văn An" in str(table.get_row_at(0))
        await pilot.press(*"nguyen van")  # folded search: no diacritics needed
        assert table.row_count == 1
        await pilot.press(*" xyz")
        assert table.row_count == 0
        await pilot.press("escape")
        assert app.screen is app.main


async def test_history_exports_json_and_fhir_patient(station, card_images, until, tmp_path, holder):
    app, source = station()
    app.export_dir = tmp_path / "exports"
    async with app.run_test(size=SIZE) as pilot:
        await checked_in(pilot, app, source, card_images(), until)
        await pilot.press("f3")
        await until(pilot, lambda: getattr(app.screen, "records", None))
        await pilot.press("f6", "f7")
        await pilot.pause()
    (js,) = (tmp_path / "exports").glob("*.checkin.json")
    (fh,) = (tmp_path / "exports").glob("*.fhir-patient.json")
    # personal data at rest: the export folder 0700, the files 0600 (cardkit.home)
    assert [p.stat().st_mode & 0o777 for p in (tmp_path / "exports", js, fh)] == [0o700, 0o600, 0o600]
    rec = json.loads(js.read_text("utf-8"))
    assert rec["id_number"] == holder.id_number and rec["operator"] == "Lan"
    patient = json.loads(fh.read_text("utf-8"))
    assert patient["resourceType"] == "Patient"
    assert patient["identifier"][0] == {**patient["identifier"][0], "system": "urn:vn:cccd", "value": holder.id_number}
    assert patient["name"][0]["family"] == "Nguyễn" and patient["name"][0]["given"] == ["Văn", "An"]
    assert patient["birthDate"] == "1990-01-01" and patient["gender"] == "male"


async def test_setup_saves_config_and_applies_it(station, tmp_path):
    path = tmp_path / "station.toml"
    app, _ = station(config_path=path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        app.screen.query_one("#operator", Input).value = "Trần Thị Mai"
        app.screen.query_one("#mode", Select).value = "counter"
        app.screen.query_one("#language", Select).value = "en"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.config.operator == "Trần Thị Mai" and app.config.mode == "counter"
        assert app.t.lang == "en"
        await pilot.press("escape")
        await pilot.pause()
        assert not app.main.query_one("#clinic").display
    saved = load_config(path)
    assert saved.operator == "Trần Thị Mai" and saved.mode == "counter" and saved.language == "en"
