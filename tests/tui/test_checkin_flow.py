# SPDX-License-Identifier: Apache-2.0
"""Pilot tests of the desk flow, driven in-process (no pcscd): card -> key -> read -> verdicts."""

from __future__ import annotations

from textual.widgets import Input, Static

from cardkit.icao.verdict import Status
from cardkit.registry.journal import Journal
from cardkit.registry.store import open_store
from cardkit.tui.photo import HalfBlockPhoto

SIZE = (120, 40)


def text_of(app, selector: str) -> str:
    return str(app.main.query_one(selector, Static).render())


async def type_key(pilot, text: str) -> None:
    pilot.app.main.query_one("#key", Input).focus()
    await pilot.press(*text, "enter")


async def test_card_inserted_then_id_typed_shows_name_photo_and_valid(station, card_images, sim_card, holder, until):
    app, source = station()
    async with app.run_test(size=SIZE) as pilot:
        assert "ảnh" in str(app.main.query_one("#photo", HalfBlockPhoto).placeholder).lower()  # placeholder
        source.insert(sim_card(card_images()))
        await until(pilot, lambda: app.card_present)
        assert "Nhập số định danh" in app.status[0]
        await type_key(pilot, holder.id_number)
        await until(pilot, lambda: app.checkin is not None and app.checkin.seq is not None)
        assert "Nguyễn Văn An" in text_of(app, "#identity")
        assert "VALID" in text_of(app, "#overall") and app.checkin.overall is Status.VALID
        assert app.main.query_one("#photo", HalfBlockPhoto).has_image
        assert app.checkin.match_outcome == "exact_id"
        assert "Đã ghi nhật ký (#1)" in app.status[0]


async def test_name_is_shown_as_soon_as_dg13_arrives(station, card_images, sim_card, holder, until):
    app, source = station()
    async with app.run_test(size=SIZE) as pilot:
        await type_key(pilot, holder.id_number)
        source.insert(sim_card(card_images(), "slow:15"))
        await until(pilot, lambda: app.holder is not None)
        assert app.checkin is None  # still reading: DG2 comes last
        assert "Nguyễn Văn An" in text_of(app, "#identity")
        await until(pilot, lambda: app.checkin is not None, timeout=30)


async def test_wrong_can_shows_message_and_retry_works(station, card_images, sim_card, holder, until):
    app, source = station()
    async with app.run_test(size=SIZE) as pilot:
        source.insert(sim_card(card_images()))
        await until(pilot, lambda: app.card_present)
        await type_key(pilot, "999999")
        await until(pilot, lambda: app.status[1] == "error")
        assert "Sai khóa truy cập" in app.status[0]
        assert "Traceback" not in app.status[0] and app.checkin is None
        await type_key(pilot, holder.id_number)
        await until(pilot, lambda: app.checkin is not None)
        assert app.checkin.overall is Status.VALID


async def test_card_pulled_mid_read_shows_message_and_next_card_reads(station, card_images, sim_card, holder, until):
    app, source = station()
    async with app.run_test(size=SIZE) as pilot:
        await type_key(pilot, holder.id_number)
        source.insert(sim_card(card_images(), "remove-during:DG2"))
        await until(pilot, lambda: app.status[1] == "error")
        assert "rút ra" in app.status[0] and app.checkin is None
        await until(pilot, lambda: not app.card_present)
        source.insert(sim_card(card_images()))
        await until(pilot, lambda: app.checkin is not None)
        assert app.checkin.overall is Status.VALID


async def test_qr_scanned_then_card_prefills_key_and_reads(station, card_images, sim_card, until):
    app, source = station()
    image = card_images()
    async with app.run_test(size=SIZE) as pilot:
        app.scan_qr(image.meta["qr"])
        await until(pilot, lambda: app.qr is not None)
        assert app.main.query_one("#key", Input).value == image.meta["id"]
        source.insert(sim_card(image))
        await until(pilot, lambda: app.checkin is not None)
        assert app.checkin.summary.qr_agrees.state.value == "pass"
        assert app.checkin.access_method == "PACE-CAN+QR"


async def test_qr_typed_by_keyboard_wedge_scanner_is_understood(station, card_images, sim_card, until):
    app, source = station()
    image = card_images()
    async with app.run_test(size=SIZE) as pilot:
        source.insert(sim_card(image))
        await until(pilot, lambda: app.card_present)
        app.main.query_one("#key", Input).value = image.meta["qr"]
        await pilot.press("enter")
        await until(pilot, lambda: app.checkin is not None)
        assert app.checkin.qr is not None


async def test_tampered_card_is_shown_not_genuine_never_valid(station, card_images, sim_card, holder, until):
    app, source = station()
    async with app.run_test(size=SIZE) as pilot:
        await type_key(pilot, holder.id_number)
        source.insert(sim_card(card_images("altered-dg:13")))
        await until(pilot, lambda: app.checkin is not None)
        overall = text_of(app, "#overall")
        assert "KHÔNG PHẢI THẺ THẬT" in overall and "not genuine" in overall
        assert app.checkin.overall is Status.INVALID and not app.checkin.genuine
        assert app.checkin.summary.chip_authentic.state.value == "fail"
        assert any(d.kind == "chip_not_genuine" for d in app.checkin.discrepancies)


async def test_untrusted_issuer_is_never_shown_valid(station, card_images, sim_card, holder, until):
    app, source = station()
    async with app.run_test(size=SIZE) as pilot:
        await type_key(pilot, holder.id_number)
        source.insert(sim_card(card_images("untrusted-csca")))
        await until(pilot, lambda: app.checkin is not None)
        assert app.checkin.overall is Status.UNKNOWN_ISSUER
        assert "UNKNOWN_ISSUER" in text_of(app, "#overall")
        assert app.checkin.summary.chip_authentic.state.value == "warn"


async def test_registry_mismatch_is_listed(station, card_images, sim_card, holder, until, resident, tmp_path):
    from datetime import date

    url = str(tmp_path / "other.sqlite3")
    with open_store(url) as s:
        s.upsert([resident(date_of_birth=date(1990, 2, 1), full_name="Nguyễn Văn Ann")])
    app, source = station(url=url)
    async with app.run_test(size=SIZE) as pilot:
        await type_key(pilot, holder.id_number)
        source.insert(sim_card(card_images()))
        await until(pilot, lambda: app.checkin is not None)
        kinds = {d.kind for d in app.checkin.discrepancies}
        assert {"dob_mismatch", "name_mismatch"} <= kinds
        table = app.main.query_one("#discrepancies")
        assert table.row_count == len(app.checkin.discrepancies)
        assert app.checkin.summary.registry_match.state.value == "fail"


async def test_clinic_mode_shows_insurance_state(station, card_images, sim_card, holder, until):
    app, source = station(mode="clinic")
    async with app.run_test(size=SIZE) as pilot:
        await type_key(pilot, holder.id_number)
        source.insert(sim_card(card_images()))
        await until(pilot, lambda: app.checkin is not None)
        clinic = text_of(app, "#clinic")
        assert "CÒN HẠN" in clinic and "DN4010123456789" in clinic and "Bạch Mai" in clinic
        assert app.main.query_one("#clinic").display


async def test_counter_mode_hides_the_clinic_panel(station, card_images, sim_card, holder, until):
    app, source = station(mode="counter")
    async with app.run_test(size=SIZE) as pilot:
        await type_key(pilot, holder.id_number)
        source.insert(sim_card(card_images()))
        await until(pilot, lambda: app.checkin is not None)
        assert not app.main.query_one("#clinic").display


async def test_badge_explains_itself_on_focus(station, card_images, sim_card, holder, until):
    app, source = station()
    async with app.run_test(size=SIZE) as pilot:
        await type_key(pilot, holder.id_number)
        source.insert(sim_card(card_images()))
        await until(pilot, lambda: app.checkin is not None)
        app.main.query_one("#badge-chip_authentic").focus()
        await pilot.pause()
        assert "kho tin cậy" in text_of(app, "#explain") or "tin cậy" in text_of(app, "#explain")


async def test_check_in_is_journaled_with_operator(station, card_images, sim_card, holder, until, registry_url):
    app, source = station()
    async with app.run_test(size=SIZE) as pilot:
        await type_key(pilot, holder.id_number)
        source.insert(sim_card(card_images()))
        await until(pilot, lambda: app.checkin is not None and app.checkin.seq is not None)
    with open_store(registry_url) as s:
        (rec,) = Journal(s).list()
    assert rec.operator == "Lan" and rec.id_number == holder.id_number and rec.overall_verdict == "VALID"
    assert rec.match_outcome == "exact_id" and "face" not in rec.extra


async def test_english_switch(station, until):
    app, _ = station()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        assert app.t.lang == "en"
        assert app.status[0].startswith("Ready")
        assert app.main.query_one("#key", Input).placeholder.startswith("12-digit ID")
        await pilot.press("f9")
        await pilot.pause()
        assert app.t.lang == "vi" and app.status[0].startswith("Sẵn sàng")


async def test_cloned_chip_is_shown_not_cloned_check_failed(station, card_images, sim_card, holder, until):
    app, source = station()
    async with app.run_test(size=SIZE) as pilot:
        await type_key(pilot, holder.id_number)
        source.insert(sim_card(card_images("cloned")))
        await until(pilot, lambda: app.checkin is not None)
        assert app.checkin.overall is Status.INVALID and not app.checkin.genuine
        assert app.checkin.summary.chip_not_cloned.state.value == "fail"
        assert app.checkin.summary.chip_authentic.state.value == "pass"  # the signed data is fine
        assert "KHÔNG PHẢI THẺ THẬT" in text_of(app, "#overall")


async def test_qr_from_the_configured_camera_prefills_the_key(station, card_images, tmp_path, until):
    from cardkit.sim.printed import front_png

    image = card_images()
    frames = tmp_path / "camera"
    frames.mkdir()
    (frames / "0001.png").write_bytes(front_png(image))  # a card held up to the camera
    app, _source = station()
    app.config = app.config.with_(camera=str(frames))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.qr is not None)
        assert app.qr.id_number == image.meta["id"]
        assert app.main.query_one("#key", Input).value == image.meta["id"]


async def test_camera_that_cannot_open_is_a_plain_message(station, until):
    app, _source = station()
    app.config = app.config.with_(camera="/nonexistent/video.avi")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "video" in app.status[0])
        assert app.status[1] == "error" and "Không tìm thấy tệp video" in app.status[0]
