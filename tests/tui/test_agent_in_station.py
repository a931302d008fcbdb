# SPDX-License-Identifier: Apache-2.0
"""The desk agent inside the station (``agent = "on"``): a real uvicorn on a free loopback port,
driven over HTTP (httpx) and WebSocket while the station runs under the Textual pilot, on an
in-process virtual card. One reader owner: the browser's read shows on the screen, the desk's
check-in reaches the browser, a second read is busy on either side, pairing is approved on screen."""

from __future__ import annotations

import asyncio
import json
import threading

import httpx
import pytest
from textual.widgets import Input, Static
from websockets.asyncio.client import connect

from cardkit.agent.config import AgentConfig
from cardkit.agent.tokens import TokenStore
from cardkit.icao.verdict import Status
from cardkit.registry.journal import Journal
from cardkit.registry.store import open_store
from cardkit.tui.agent_host import AgentHosting, PairingScreen

SIZE = (120, 40)
HIS = "https://his.benhvien.vn"
NAME = "Nguyễn Văn An"
FIRST_ID = "00000000-0000-4000-8000-000000000001"
BUSY_VI = "Đầu đọc đang bận với một lượt đọc khác. Vui lòng thử lại khi lượt đọc kết thúc."


@pytest.fixture
def hosted(station, tmp_path):
    """``hosted(paired=True)`` -> (app, source, tokens, token): a station hosting the agent on port 0."""

    def make(*, paired: bool = True, **agent):
        tokens = TokenStore(tmp_path / "agent-pairings.json")
        token = tokens.pair(HIS)[1] if paired else None
        app, source = station(agent=AgentHosting(AgentConfig(port=0, allowed_origins=(HIS,), **agent), tokens))
        return app, source, tokens, token

    return make


def http(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=f"http://127.0.0.1:{app.agent.port}", timeout=30)


def auth(token: str) -> dict[str, str]:
    return {"Origin": HIS, "Authorization": f"Bearer {token}"}


def text_of(app, selector: str) -> str:
    return str(app.main.query_one(selector, Static).render())


async def type_key(pilot, text: str) -> None:
    pilot.app.main.query_one("#key", Input).focus()
    await pilot.press(*text, "enter")


async def enter_key(pilot, text: str) -> None:
    """The key as a keyboard-wedge scanner sends it: at once, then Enter."""
    field = pilot.app.main.query_one("#key", Input)
    field.focus()
    field.value = text
    await pilot.press("enter")


def asking(app) -> bool:
    """The pairing modal is on screen, composed (its keys reach it)."""
    return isinstance(app.screen, PairingScreen) and bool(app.screen.query("#pair-question"))


def journal(registry_url: str):
    with open_store(registry_url) as store:
        return Journal(store).list()


async def test_a_read_asked_by_the_browser_shows_on_the_station(hosted, card_images, sim_card, holder, until,
                                                                registry_url):
    app, source, _, token = hosted()
    async with app.run_test(size=SIZE) as pilot, http(app) as client:
        source.insert(sim_card(card_images()))
        await until(pilot, lambda: app.card_present)
        r = await client.post("/v1/read", json={"key": holder.id_number}, headers=auth(token))
        assert r.status_code == 200
        doc = r.json()
        assert (doc["checkin_id"], doc["seq"], doc["identity"]["full_name"], doc["overall"]) == (
            FIRST_ID, 1, NAME, "VALID")
        await until(pilot, lambda: app.checkin is not None and app.checkin.seq == 1)
        assert app.checkin.checkin_id == FIRST_ID and app.checkin.overall is Status.VALID
        assert NAME in text_of(app, "#identity")
        assert app.status == ("Đã tiếp nhận. Đặt thẻ tiếp theo. Đã ghi nhật ký (#1).", "ok")
    [row] = journal(registry_url)
    assert (row.checkin_id, row.extra["origin"], row.extra["via"]) == (FIRST_ID, HIS, "agent")


async def test_a_desk_check_in_reaches_the_browser(hosted, card_images, sim_card, holder, until, registry_url):
    app, source, _, token = hosted()
    async with app.run_test(size=SIZE) as pilot, http(app) as client:
        ws_url = f"ws://127.0.0.1:{app.agent.port}/v1/events"
        async with connect(ws_url, subprotocols=["cardkit.v1", f"token.{token}"], origin=HIS) as ws:
            assert json.loads(await ws.recv())["event"] == "hello"
            await type_key(pilot, holder.id_number)
            source.insert(sim_card(card_images()))
            events = []
            while not events or events[-1]["event"] != "checkin_journaled":
                events.append(json.loads(await asyncio.wait_for(ws.recv(), 30)))
        kinds = [e["event"] for e in events]
        assert kinds[0] == "card_inserted" and kinds.index("identity") < kinds.index("face") < kinds.index("verdicts")
        assert (events[-1]["checkin_id"], events[-1]["seq"], events[-1]["overall"]) == (FIRST_ID, 1, "VALID")
        await until(pilot, lambda: app.checkin is not None and app.checkin.seq == 1)
        assert app.checkin.checkin_id == FIRST_ID
        r = await client.get(f"/v1/checkins/{FIRST_ID}", headers=auth(token))
        assert r.status_code == 200
        rec = r.json()
        assert (rec["checkin_id"], rec["seq"], rec["id_number"], rec["station"], rec["operator"],
                rec["overall_verdict"], rec["match_outcome"]) == (FIRST_ID, 1, holder.id_number, "quay-1", "Lan",
                                                                  "VALID", "exact_id")
        fhir = await client.get(f"/v1/checkins/{FIRST_ID}/fhir", headers=auth(token))
        assert (fhir.status_code, fhir.json()["resourceType"]) == (200, "Patient")
        face = await client.get(f"/v1/checkins/{FIRST_ID}/face.jpg", headers=auth(token))
        assert (face.status_code, face.content[:2]) == (200, b"\xff\xd8")
    [row] = journal(registry_url)
    assert "origin" not in row.extra  # the desk's own read


class GatedCard:
    """A virtual card whose answers wait until the test opens the gate: a read held in flight."""

    def __init__(self, card) -> None:
        self.card, self.gate = card, threading.Event()

    def __getattr__(self, name: str):
        return getattr(self.card, name)

    def transmit(self, apdu: bytes) -> bytes:
        self.gate.wait(30)
        return self.card.transmit(apdu)


async def test_one_read_at_a_time_whoever_asks(hosted, card_images, sim_card, holder, until):
    app, source, _, token = hosted()
    async with app.run_test(size=SIZE) as pilot, http(app) as client:
        source.insert(card := GatedCard(sim_card(card_images())))
        await until(pilot, lambda: app.card_present)
        browser = asyncio.ensure_future(client.post("/v1/read", json={"key": holder.id_number}, headers=auth(token)))
        await until(pilot, lambda: app.reading)
        assert app.status == (f"Đang đọc thẻ theo yêu cầu của {HIS}… Không rút thẻ.", "info")
        await enter_key(pilot, holder.id_number)  # the desk asks while the browser's read runs
        assert app.status == (BUSY_VI, "warn") and app.reading
        card.gate.set()
        assert (await browser).status_code == 200
        await until(pilot, lambda: app.checkin is not None and app.checkin.seq == 1)

        source.insert(card := GatedCard(sim_card(card_images())))
        await enter_key(pilot, holder.id_number)  # now the desk reads; the browser asks meanwhile
        await until(pilot, lambda: app.reading)
        r = await client.post("/v1/read", json={"key": holder.id_number}, headers=auth(token))
        assert r.status_code == 409
        assert r.json()["error"] == {"code": "busy", "message": "The reader is busy with another read; try again "
                                     "when it ends.", "message_vi": BUSY_VI,
                                     "detail": "The reader is busy with another read; try again when it ends."}
        card.gate.set()
        await until(pilot, lambda: app.checkin is not None and app.checkin.seq == 2)
        assert app.status == ("Đã tiếp nhận. Đặt thẻ tiếp theo. Đã ghi nhật ký (#2).", "ok")


async def test_pairing_is_approved_or_denied_on_the_station_screen(hosted, until):
    app, _, tokens, _ = hosted(paired=False)
    async with app.run_test(size=SIZE) as pilot, http(app) as client:
        asked = asyncio.ensure_future(client.post("/v1/pair/request", headers={"Origin": HIS}))
        await until(pilot, lambda: asking(app))
        assert str(app.screen.query_one("#pair-question", Static).render()) == (
            f"Cho phép {HIS} đọc thẻ?\nAllow {HIS} to read cards?")
        first = app.screen.request.request_id
        await pilot.press("y")
        r = await asked
        assert r.status_code == 200
        token = r.json()["token"]
        assert [p.origin for p in tokens.pairings()] == [HIS]
        assert app.status == (f"Đã cho phép {HIS} đọc thẻ.", "ok")
        ok = await client.get("/v1/status", headers=auth(token))
        assert (ok.status_code, ok.json()["caller"]) == (200, HIS)

        await until(pilot, lambda: not isinstance(app.screen, PairingScreen))
        asked = asyncio.ensure_future(client.post("/v1/pair/request", headers={"Origin": HIS}))
        await until(pilot, lambda: asking(app) and app.screen.request.request_id != first)
        await pilot.press("n")
        r = await asked
        assert r.status_code == 403
        assert r.json() == {"error": {"code": "pairing_denied",
                                      "message": "The desk refused to let this web origin read cards.",
                                      "message_vi": "Quầy tiếp nhận đã từ chối cho trang web này đọc thẻ.",
                                      "detail": "The desk refused to let this web origin read cards."}}
        assert len(tokens.pairings()) == 1 and not isinstance(app.screen, PairingScreen)


def test_the_port_comes_from_station_toml_and_a_taken_port_is_a_typed_error(monkeypatch, tmp_path, station):
    import socket

    from cardkit.errors import InputError
    from cardkit.station.config import StationConfig
    from cardkit.tui.agent_host import hosting_for

    monkeypatch.setenv("CARDKIT_HOME", str(tmp_path))
    (tmp_path / "agent.toml").write_text(f'port = 9000\nallowed_origins = ["{HIS}"]\n', "utf-8")
    assert hosting_for(StationConfig(agent="on")).config.port == 9000
    assert hosting_for(StationConfig(agent="on", agent_port="9100")).config.port == 9100
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(InputError) as err:
            station(agent=AgentHosting(AgentConfig(port=port), TokenStore(tmp_path / "p.json")))
    assert err.value.message_vi == f"Không mở được dịch vụ đọc thẻ trên cổng {port} (cổng đang được dùng?)."


async def test_an_unanswered_pairing_times_out_and_the_modal_closes(hosted, until):
    app, _, tokens, _ = hosted(paired=False, pair_timeout=2)
    async with app.run_test(size=SIZE) as pilot, http(app) as client:
        asked = asyncio.ensure_future(client.post("/v1/pair/request", headers={"Origin": HIS}))
        await until(pilot, lambda: asking(app))
        r = await asked
        assert (r.status_code, r.json()["error"]["code"]) == (403, "pairing_timeout")
        await until(pilot, lambda: not isinstance(app.screen, PairingScreen))
        assert app.status == (f"Yêu cầu ghép nối của {HIS} đã hết hạn.", "warn")
        assert tokens.pairings() == []
