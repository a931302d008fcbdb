# SPDX-License-Identifier: Apache-2.0
"""A forged or cloned card at the desk: blocked with a plain reason, the name marked
"chưa xác thực", and proceeding only through an override the journal records (who and why)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from cardkit.icao.verdict import Status
from cardkit.registry.journal import Journal
from cardkit.registry.store import open_store

SIZE = (120, 40)


async def _check_in(pilot, app, source, image, holder, until):
    source.insert(image)
    await until(pilot, lambda: app.card_present)
    app.main.query_one("#key", Input).focus()
    await pilot.press(*holder.id_number, "enter")
    await until(pilot, lambda: app.checkin is not None and app.checkin.seq is not None)


@pytest.mark.parametrize("fault,overall,reason_vi", [
    ("sod-digest-downgrade", Status.INVALID, "Không xác thực được chữ ký trên chip: thuật toán không được phép"),
    ("com-hides:15", Status.INVALID, "Chip có thể là bản sao: không trả tệp DG15 mà dữ liệu ký số liệt kê"),
    ("untrusted-csca", Status.UNKNOWN_ISSUER,
     "Chữ ký hợp lệ nhưng cơ quan cấp không có trong kho tin cậy: chưa xác thực được thẻ"),
])
async def test_card_that_is_not_valid_is_blocked_with_a_plain_reason(station, card_images, sim_card, holder, until,
                                                                     fault, overall, reason_vi):
    app, source = station()
    async with app.run_test(size=SIZE) as pilot:
        await _check_in(pilot, app, source, sim_card(card_images(fault)), holder, until)
        ci = app.checkin
        assert ci.overall is overall and ci.blocked
        assert ci.discrepancies[0].severity.value == "blocking" and ci.discrepancies[0].message_vi == reason_vi
        assert "(chưa xác thực)" in str(app.main.query_one("#identity", Static).render())
        assert app.status == (f"Thẻ chưa xác thực: {reason_vi}. F4 để ghi nhận ngoại lệ nếu vẫn tiếp tục. "
                              f"Đã ghi nhật ký (#{ci.seq}).", "error")


async def test_genuine_card_name_is_not_marked(station, card_images, sim_card, holder, until):
    app, source = station()
    async with app.run_test(size=SIZE) as pilot:
        await _check_in(pilot, app, source, sim_card(card_images()), holder, until)
        assert app.checkin.overall is Status.VALID and not app.checkin.blocked
        assert "chưa xác thực" not in str(app.main.query_one("#identity", Static).render())


async def test_override_is_journaled_with_who_and_why(station, card_images, sim_card, holder, until, registry_url):
    app, source = station()
    async with app.run_test(size=SIZE) as pilot:
        await _check_in(pilot, app, source, sim_card(card_images("sod-sig-unknown")), holder, until)
        blocked = app.checkin
        await pilot.press("f4")
        await until(pilot, lambda: app.screen.query("#override-reason"))
        await pilot.press(*"BN cap cuu", "enter")
        await until(pilot, lambda: app.checkin.override is not None and app.checkin.seq is not None)
        ov = app.checkin.override
        assert (ov.by, ov.reason, ov.overrides) == ("Lan", "BN cap cuu", blocked.checkin_id)
        assert app.status[0].startswith("Đã ghi nhận ngoại lệ của Lan: BN cap cuu")
    with open_store(registry_url) as store:
        records = Journal(store).list()
    by_id = {r.checkin_id: r for r in records}
    assert by_id[blocked.checkin_id].extra["override"] is None
    assert by_id[blocked.checkin_id].overall_verdict == "INVALID"
    later = by_id[app.checkin.checkin_id].extra["override"]
    assert (later["by"], later["reason"], later["overrides"]) == ("Lan", "BN cap cuu", blocked.checkin_id)


async def test_override_without_a_reason_changes_nothing(station, card_images, sim_card, holder, until):
    app, source = station()
    async with app.run_test(size=SIZE) as pilot:
        await _check_in(pilot, app, source, sim_card(card_images("sod-sig-unknown")), holder, until)
        seq = app.checkin.seq
        await pilot.press("f4")
        await until(pilot, lambda: app.screen.query("#override-reason"))
        await pilot.press("enter")  # empty: dismissed, nothing journaled
        await pilot.pause(0.2)
        assert app.checkin.override is None and app.checkin.seq == seq and app.checkin.blocked
