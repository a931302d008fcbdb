# SPDX-License-Identifier: Apache-2.0
"""A real headless Chromium (Debian chromium + chromium-driver, Selenium) on the demo page served
by a real uvicorn on a free loopback port; virtual cards inserted through pcscd + vpcd."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading

import httpx
import pytest
from agent_support import UvicornThread, free_port

from cardkit.agent.app import build_app
from cardkit.agent.config import AgentConfig
from cardkit.agent.owner import ReaderOwner
from cardkit.agent.sources import PcscSource
from cardkit.agent.tokens import TokenStore
from cardkit.registry.journal import Journal
from cardkit.registry.store import open_store
from cardkit.sim.factory import make_card
from cardkit.station.config import StationConfig
from cardkit.trustdir import load_trust_store

pytestmark = pytest.mark.pcscd
READER = "Virtual PCD 00 00"
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def server(pcscd, tmp_path_factory, trust_dir, registry_template):
    home = tmp_path_factory.mktemp("agent-browser")
    registry = home / "registry.sqlite3"
    registry.write_bytes(registry_template.read_bytes())
    port = free_port()
    station = StationConfig(reader=READER, registry_url=str(registry), trust_path=str(trust_dir), station="desk-1")
    owner = ReaderOwner(PcscSource(READER), station, functools.partial(open_store, str(registry)),
                        load_trust_store(trust_dir), poll_interval=0.2)
    tokens = TokenStore(home / "pairings.json")
    base = f"http://127.0.0.1:{port}"
    _, token = tokens.pair(base)
    with UvicornThread(build_app(owner, AgentConfig(port=port), tokens), port):
        yield {"base": base, "token": token, "registry": str(registry), "port": port}


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM and DRIVER):
        pytest.fail("chromium and chromium-driver are not installed (bash scripts/setup.sh installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-extensions", "--window-size=1200,900"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    yield driver
    driver.quit()


def _journal(server) -> list:
    with open_store(server["registry"]) as store:
        return Journal(store).list()


def _open_demo(browser, server, key: str):
    import time

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    auth = {"Authorization": f"Bearer {server['token']}"}
    deadline = time.monotonic() + 10  # the agent has seen the previous card leave
    while httpx.get(f"{server['base']}/v1/status", headers=auth).json()["card_present"] is not False:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    browser.get("about:blank")  # a fresh page: the same URL again would only be a fragment navigation
    browser.get(f"{server['base']}/demo#token={server['token']}")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-connected") == "yes")
    assert browser.find_element(By.ID, "status").text == "Mời đặt thẻ lên đầu đọc."
    browser.find_element(By.ID, "key").send_keys(key)


def _wait_state(browser, *states: str, timeout: float = 20) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        WebDriverWait(browser, timeout).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state") in states)
    except Exception:
        texts = {i: browser.find_element(By.ID, i).text for i in ("status", "progress", "message", "verdict")}
        raise AssertionError(f"page never reached {states}: {texts}") from None
    state = browser.find_element(By.TAG_NAME, "body").get_attribute("data-state")
    if state == "done":
        return state
    message = browser.find_element(By.ID, "message")
    print("read failed:", message.get_attribute("data-code"), message.get_attribute("title"))
    return f"{state}: {message.get_attribute('data-code')}"


def _fields(browser) -> dict[str, str]:
    from selenium.webdriver.common.by import By

    names = ("ho_ten", "ngay_sinh", "gioi_tinh", "so_dinh_danh", "dia_chi", "ma_bhyt")
    return {n: browser.find_element(By.ID, n).get_attribute("value") for n in names}


def test_demo_page_fills_the_registration_form_from_the_card(browser, server, serve_card, image):
    from selenium.webdriver.common.by import By

    before = len(_journal(server))
    _open_demo(browser, server, "001090012345")
    with serve_card(make_card(image), slot=0):  # inserting the card starts the read (key already typed)
        assert _wait_state(browser, "done", "failed") == "done"
    assert _fields(browser) == {
        "ho_ten": "Nguyễn Văn An", "ngay_sinh": "01/01/1990", "gioi_tinh": "Nam", "so_dinh_danh": "001090012345",
        "dia_chi": "Số 18 ngõ 215 phố Trần Quốc Hoàn, Phường Dịch Vọng Hậu, Quận Cầu Giấy, Thành phố Hà Nội",
        "ma_bhyt": "DN4010123456789",
    }
    photo = browser.find_element(By.ID, "photo")
    assert browser.execute_script("return [arguments[0].complete, arguments[0].naturalWidth, arguments[0].naturalHeight]",
                                  photo) == [True, 300, 400]
    rows = _journal(server)
    assert len(rows) == before + 1 and rows[-1].extra["origin"] == server["base"]
    assert browser.find_element(By.ID, "verdict").text == f"Kết quả xác thực: VALID · lượt tiếp nhận #{rows[-1].seq}"


def test_the_demo_link_with_a_key_checks_in_the_card_already_on_the_reader(browser, server, serve_card, image):
    """What `cardkit agent --demo` prints: /demo#token=...&key=ID reads the card as the page opens."""
    from selenium.webdriver.common.by import By

    before = len(_journal(server))
    with serve_card(make_card(image), slot=0):
        auth = {"Authorization": f"Bearer {server['token']}"}
        while httpx.get(f"{server['base']}/v1/status", headers=auth).json()["card_present"] is not True:
            pass
        browser.get("about:blank")
        browser.get(f"{server['base']}/demo#token={server['token']}&key=001090012345")
        assert _wait_state(browser, "done", "failed") == "done"
    assert browser.find_element(By.ID, "ho_ten").get_attribute("value") == "Nguyễn Văn An"
    assert len(_journal(server)) == before + 1


def test_pulling_the_card_mid_read_shows_the_typed_message(browser, server, serve_card, image):
    from selenium.webdriver.common.by import By

    before = len(_journal(server))
    _open_demo(browser, server, "001090012345")
    with serve_card(make_card(image, ["remove-during:DG2"]), slot=0):
        assert _wait_state(browser, "done", "failed") == "failed: card_removed"
    message = browser.find_element(By.ID, "message")
    assert message.text == "Thẻ đã bị rút ra trong khi đang đọc. Vui lòng đặt lại thẻ."
    assert message.get_attribute("data-code") == "card_removed"
    assert set(_fields(browser).values()) == {""}  # nothing partial kept
    assert len(_journal(server)) == before


EVIL = """<!doctype html><meta charset="utf-8"><body data-done="no"><script type="module">
const agent = new URLSearchParams(location.search).get("agent");
const out = {};
try {
  const r = await fetch(agent + "/v1/read", {method: "POST", headers: {"Content-Type": "application/json",
    "Authorization": "Bearer " + new URLSearchParams(location.search).get("token")}, body: '{"key": "001090012345"}'});
  out.cors = "read " + r.status;
} catch (e) { out.cors = "blocked"; }
try {  // a "simple" request: no preflight, the answer is opaque, the agent must refuse it anyway
  const r = await fetch(agent + "/v1/read", {method: "POST", mode: "no-cors", body: '{"key": "001090012345"}'});
  out.simple = r.type;
} catch (e) { out.simple = "blocked"; }
out.ws = await new Promise((done) => {
  const token = new URLSearchParams(location.search).get("token");
  const ws = new WebSocket(agent.replace("http", "ws") + "/v1/events", ["cardkit.v1", "token." + token]);
  ws.onopen = () => done("open"); ws.onerror = () => done("refused");
});
document.body.dataset.result = JSON.stringify(out);
document.body.dataset.done = "yes";
</script>"""


def test_a_page_from_a_non_allowed_origin_cannot_read(browser, server, serve_card, image, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    (tmp_path / "evil.html").write_text(EVIL, "utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    evil = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    before = len(_journal(server))
    try:
        with serve_card(make_card(image), slot=0):  # a card a permitted page could read
            browser.get(f"http://127.0.0.1:{evil.server_address[1]}/evil.html?agent={server['base']}&token={server['token']}")
            WebDriverWait(browser, 15).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-done") == "yes")
            result = browser.find_element(By.TAG_NAME, "body").get_attribute("data-result")
    finally:
        evil.shutdown()
    assert result == '{"cors":"blocked","simple":"opaque","ws":"refused"}'
    assert len(_journal(server)) == before  # the simple request reached the agent and was refused


def test_real_server_refuses_a_rebinding_host_and_a_missing_token(server):
    base = server["base"]
    r = httpx.get(f"{base}/v1/status", headers={"Host": f"attacker.example:{server['port']}",
                                                 "Authorization": f"Bearer {server['token']}"})
    assert (r.status_code, r.json()["error"]["code"]) == (421, "bad_host")
    r = httpx.get(f"{base}/v1/status")
    assert (r.status_code, r.json()["error"]["code"]) == (401, "unauthorized")
    r = httpx.get(f"{base}/v1/status", headers={"Authorization": f"Bearer {server['token']}"})
    assert r.json()["reader"] == READER


def test_no_reader_is_a_typed_error(pcscd, make_agent):
    from cardkit.errors import NoReaderError

    a = make_agent()
    a.owner.source = PcscSource("No Such Reader 99")
    r = a.client.post("/v1/read", headers=a.headers, json={"key": "001090012345"})
    assert (r.status_code, r.json()["error"]["code"], r.json()["error"]["message_vi"]) == (
        503, "no_reader", NoReaderError.message_vi)


def test_the_demo_page_is_served_with_a_strict_policy(server):
    r = httpx.get(f"{server['base']}/demo")
    assert r.headers["content-security-policy"].startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert '<script type="module" src="/demo.js">' in r.text
    assert "cardkit-agent.js" in httpx.get(f"{server['base']}/demo.js").text
