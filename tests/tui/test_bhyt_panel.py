# SPDX-License-Identifier: Apache-2.0
"""The BHYT panel end to end: a verified card -> the lookup worker -> the HTTP stand-in of the
BHXH gateway -> the panel, for every result code; discrepancies gateway vs chip; a slow or
offline gateway ("Chưa tra cứu được BHYT", F6 retries, the check-in goes on); the lookup journal."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import socket

import pytest
from textual.widgets import Input, Static

from cardkit.insurance.codes import Outcome
from cardkit.insurance.codes import ResultCode as R
from cardkit.insurance.gateway import GatewayClient
from cardkit.insurance.standin import StandIn, StandInState
from cardkit.registry.evidence import LookupJournal
from cardkit.registry.store import open_store
from cardkit.station.config import StationConfig
from cardkit.transport.sources import InProcessCardSource
from cardkit.tui.app import StationApp

SIZE = (120, 40)
LABEL = {Outcome.USABLE: "DÙNG ĐƯỢC", Outcome.NOT_AS_IS: "KHÔNG NHẬN NGAY", Outcome.LOOKUP_FAILED: "KHÔNG TRA ĐƯỢC"}


@pytest.fixture
def standin(holder):
    from tui_fixtures_clock import FIXED_NOW

    tokens = itertools.count(1)
    state = StandInState(clock=lambda: FIXED_NOW, new_token=lambda: f"t{next(tokens)}")
    with StandIn(state) as s:
        yield s


@pytest.fixture
def bhyt_station(registry_url, trust, standin):
    from tui_fixtures_clock import FIXED_NOW

    def make(*, timeout: float = 2.0, url: str | None = None):
        ids = (f"00000000-0000-4000-8000-{n:012d}" for n in itertools.count(1))
        config = StationConfig(mode="clinic", language="vi", operator="Nguyễn Thị Lan", operator_id="001099012345",
                               station="quay-1", registry_url=registry_url, trust_path="")
        client = GatewayClient(url or standin.url, "standin", "standin-password", timeout=timeout, name="stand-in")
        source = InProcessCardSource()
        app = StationApp(source=source, config=config, registry=functools.partial(open_store, registry_url),
                         trust=trust, clock=lambda: FIXED_NOW, new_id=lambda: next(ids), poll_interval=0.02,
                         insurance=client)
        return app, source
    return make


def clinic(app) -> str:
    return str(app.main.query_one("#clinic", Static).render())


async def checked_in(pilot, app, source, card, holder, until):
    app.main.query_one("#key", Input).focus()
    await pilot.press(*holder.id_number, "enter")
    source.insert(card)
    await until(pilot, lambda: app.checkin is not None and app.bhyt is not None and app.bhyt.state.value != "pending")


def set_answer(standin, holder, **changes):
    cards = tuple(dataclasses.replace(c, **changes) if c.id_number == holder.id_number else c
                  for c in standin.state.cards)
    standin.state.cards = cards


async def test_usable_card_shows_status_validity_facility_and_five_years(bhyt_station, standin, card_images, sim_card,
                                                                          holder, until, registry_url):
    app, source = bhyt_station()
    async with app.run_test(size=SIZE) as pilot:
        await checked_in(pilot, app, source, sim_card(card_images()), holder, until)
        text = clinic(app)
        assert " 000 DÙNG ĐƯỢC " in text and "(stand-in, giả lập)" in text
        assert "Thông tin thẻ chính xác" in text and "→ Tiếp nhận theo thẻ" in text
        assert "DN4010123456789" in text and "01/01/2025 – 31/12/2025" in text
        assert "01001" in text and "01/01/2028" in text
        assert app.bhyt.outcome is Outcome.USABLE and app.bhyt.discrepancies == ()
        await until(pilot, lambda: app.checkin.seq is not None)
    with open_store(registry_url) as s:
        rows = LookupJournal(s).list()
    assert [(r.station, r.operator, r.source, r.result_code, r.checkin_id) for r in rows] == [
        ("quay-1", "Nguyễn Thị Lan", "stand-in", "000", "00000000-0000-4000-8000-000000000001")]


async def test_every_result_code_reaches_the_panel(bhyt_station, standin, card_images, sim_card, holder, until):
    app, source = bhyt_station()
    async with app.run_test(size=SIZE) as pilot:
        await checked_in(pilot, app, source, sim_card(card_images()), holder, until)
        for code in R:  # the same verified check-in, looked up again against each answer
            set_answer(standin, holder, answer=code)
            app.start_bhyt_lookup()
            await until(pilot, lambda: app.bhyt.state.value == "done")
            expected = Outcome.USABLE if code is R.OK else code.outcome
            assert app.bhyt.status.code is code, code
            assert f" {code.value} {LABEL[expected]} " in clinic(app), code
            assert code.meaning_vi in clinic(app), code


async def test_new_card_is_shown_for_004(bhyt_station, standin, card_images, sim_card, holder, until):
    set_answer(standin, holder, answer=R.OLD_CARD_VALID_NEW_ISSUED, new_code="DN4010123456790")
    app, source = bhyt_station()
    async with app.run_test(size=SIZE) as pilot:
        await checked_in(pilot, app, source, sim_card(card_images()), holder, until)
        text = clinic(app)
        assert " 004 KHÔNG NHẬN NGAY " in text and "→ Dùng mã thẻ mới và hạn mới" in text
        assert "DN4010123456790 01/01/2025 – 31/12/2026" in text and "01002 Bệnh viện Bạch Mai" in text


async def test_computed_codes_name_dob_operator(bhyt_station, standin, card_images, sim_card, holder, until):
    set_answer(standin, holder, full_name="Nguyễn Văn Ân")
    app, source = bhyt_station()
    async with app.run_test(size=SIZE) as pilot:
        await checked_in(pilot, app, source, sim_card(card_images()), holder, until)
        assert app.bhyt.status.code is R.WRONG_NAME_INITIALS_RIGHT and " 061 KHÔNG NHẬN NGAY " in clinic(app)
        set_answer(standin, holder, full_name=holder.full_name, dob="02/01/1990")
        app.start_bhyt_lookup()
        await until(pilot, lambda: app.bhyt.state.value == "done")
        assert app.bhyt.status.code is R.WRONG_DOB and " 070 KHÔNG NHẬN NGAY " in clinic(app)
        standin.state.operators = {"001099012345": "Người Khác"}
        app.start_bhyt_lookup()
        await until(pilot, lambda: app.bhyt.state.value == "done")
        assert app.bhyt.status.code is R.OPERATOR_NAME_MISMATCH
        assert " 055 KHÔNG TRA ĐƯỢC " in clinic(app)


async def test_gateway_name_dob_sex_differing_from_the_chip_are_discrepancies(bhyt_station, standin, card_images,
                                                                              sim_card, holder, until):
    set_answer(standin, holder, extra={"hoTen": "Nguyễn Văn Anh", "ngaySinh": "01/01/1991", "gioiTinh": "Nữ"})
    app, source = bhyt_station()
    async with app.run_test(size=SIZE) as pilot:
        await checked_in(pilot, app, source, sim_card(card_images()), holder, until)
        got = [(d.kind, d.value_a, d.value_b, d.severity.value) for d in app.bhyt.discrepancies]
        assert got == [("bhyt_name_mismatch", "Nguyễn Văn An", "Nguyễn Văn Anh", "warning"),
                       ("bhyt_dob_mismatch", "01/01/1990", "01/01/1991", "warning"),
                       ("bhyt_sex_mismatch", "Nam", "Nữ", "warning")]
        table = app.main.query_one("#discrepancies")
        assert table.row_count == len(app.checkin.discrepancies) + 3


async def test_slow_gateway_says_not_looked_up_checkin_goes_on_and_f6_retries(bhyt_station, standin, card_images,
                                                                              sim_card, holder, until, registry_url):
    standin.state.delay = 1.0
    app, source = bhyt_station(timeout=0.3)
    async with app.run_test(size=SIZE) as pilot:
        await checked_in(pilot, app, source, sim_card(card_images()), holder, until)
        await until(pilot, lambda: app.checkin.seq is not None)  # journaled all the same
        assert app.bhyt.state.value == "failed"
        assert "Chưa tra cứu được BHYT" in clinic(app) and "F6: tra cứu lại" in clinic(app)
        assert "quá chậm" in clinic(app)
        standin.state.delay = 0.0
        await pilot.press("f6")
        await until(pilot, lambda: app.bhyt.state.value == "done")
        assert " 000 DÙNG ĐƯỢC " in clinic(app)
    with open_store(registry_url) as s:
        assert [r.result_code for r in LookupJournal(s).list()] == ["error:GatewayTimeoutError", "000"]


async def test_offline_gateway_says_not_looked_up(bhyt_station, card_images, sim_card, holder, until):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    app, source = bhyt_station(url=f"http://127.0.0.1:{port}")
    async with app.run_test(size=SIZE) as pilot:
        await checked_in(pilot, app, source, sim_card(card_images()), holder, until)
        assert app.bhyt.state.value == "failed" and "không kết nối được cổng BHXH" in clinic(app)
        await until(pilot, lambda: app.checkin.seq is not None)


async def test_unverified_chip_is_not_looked_up(bhyt_station, standin, card_images, sim_card, holder, until):
    app, source = bhyt_station()
    async with app.run_test(size=SIZE) as pilot:
        await checked_in(pilot, app, source, sim_card(card_images("altered-dg:13")), holder, until)
        assert app.bhyt.state.value == "skipped" and "thẻ chưa xác thực" in clinic(app)
        assert [r.path for r in standin.requests] == []


def test_demo_starts_the_standin_and_configures_the_station_for_it(tmp_path):
    from cardkit.sim.population import person
    from cardkit.station.insurance import query_for, source_for
    from cardkit.tui.demo import Demo

    demo = Demo(home=tmp_path)
    demo.dir.mkdir(parents=True)
    demo._start_standin()
    try:
        config = demo.config(StationConfig())
        assert (config.insurance, config.operator, config.operator_id) == ("gateway", "Nguyễn Thị Lan", "001099012345")
        assert oct(demo.account_path.stat().st_mode & 0o777) == "0o600"
        client = source_for(config)
        status = client.check(query_for(person("nguyen-van-an").data(), config))
        assert (status.code, status.source, status.card_code) == (R.OK, "stand-in", "DN4010123456789")
        client.close()
    finally:
        demo.stop()


async def test_station_purges_the_journal_on_its_schedule(registry_url, trust, until):
    from datetime import timedelta

    from tui_fixtures_clock import FIXED_NOW

    from cardkit.registry.evidence import LookupRow

    with open_store(registry_url) as s:
        LookupJournal(s).append(LookupRow(FIXED_NOW - timedelta(days=100), "quay-1", "Lan", "stand-in", "000"))
        LookupJournal(s).append(LookupRow(FIXED_NOW - timedelta(days=10), "quay-1", "Lan", "stand-in", "010"))
    config = StationConfig(mode="counter", operator="Lan", station="quay-1", registry_url=registry_url,
                           trust_path="", retention_days="90")
    app = StationApp(source=InProcessCardSource(), config=config, registry=functools.partial(open_store, registry_url),
                     trust=trust, clock=lambda: FIXED_NOW, poll_interval=0.02)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.last_purge is not None)
        assert app.last_purge.to_dict() == {"checkins": 0, "lookups": 1, "receipts": 0}
    with open_store(registry_url) as s:
        assert [r.result_code for r in LookupJournal(s).list()] == ["010"]


async def test_identity_panel_shows_current_address_split_flag_and_birth_province(station, card_images, sim_card,
                                                                                   holder, until):
    app, source = station()
    async with app.run_test(size=SIZE) as pilot:
        app.main.query_one("#key", Input).focus()
        await pilot.press(*holder.id_number, "enter")
        source.insert(sim_card(card_images()))
        await until(pilot, lambda: app.checkin is not None)
        text = str(app.main.query_one("#identity", Static).render())
        assert holder.residence in text.replace("\n", " ") or "Phường Dịch Vọng Hậu" in text
        assert "nay (2025)" in text and "Phường Cầu Giấy, Thành phố Hà Nội" in text
        assert "phường/xã cũ đã chia, cần xác nhận; có thể: Phường Nghĩa Đô" in text
        assert "ĐK khai sinh    Thành phố Hà Nội" in text and "Thành phố Hà Nội (nay: Thành phố Hà Nội)" in text


async def test_gateway_configured_without_account_says_so_and_the_desk_works(registry_url, trust, tmp_path):
    config = StationConfig(mode="clinic", operator="Lan", station="quay-1", registry_url=registry_url, trust_path="",
                           insurance="gateway", insurance_account=str(tmp_path / "missing.toml"))
    app = StationApp(source=InProcessCardSource(), config=config, registry=functools.partial(open_store, registry_url),
                     trust=trust, poll_interval=0.02)
    assert app.insurance_desk is None
    assert app.status == ("Chưa có tài khoản cổng BHXH (tệp cấu hình không tồn tại).", "warn")


async def test_setup_saves_the_operator_id_and_the_next_lookup_sends_it(bhyt_station, standin, card_images, sim_card,
                                                                        holder, until, tmp_path):
    import json

    app, source = bhyt_station()
    app.config_path = tmp_path / "station.toml"
    async with app.run_test(size=SIZE) as pilot:
        await checked_in(pilot, app, source, sim_card(card_images()), holder, until)
        await pilot.press("f2")
        await pilot.pause()
        app.screen.query_one("#operator_id", Input).value = "079000000001"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("escape")
        app.start_bhyt_lookup()
        await until(pilot, lambda: app.bhyt.state.value == "done")
        assert app.bhyt.status.code is R.OPERATOR_NOT_REGISTERED
        assert json.loads(standin.requests[-1].body)["cccdCb"] == "079000000001"
    from cardkit.station.config import load_config

    assert load_config(tmp_path / "station.toml").operator_id == "079000000001"
