# SPDX-License-Identifier: Apache-2.0
"""`cardkit sim serve`: several slots, scheduled insert/remove, latency emulation."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from support import wait_for_card

from cardkit.errors import InputError
from cardkit.icao.lds.ef import DataGroup
from cardkit.sim.vpcd import parse_latency

pytestmark = pytest.mark.pcscd


def _serve(*args: str, env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cardkit", "sim", "serve", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


@pytest.fixture
def env(tmp_path):
    return {**os.environ, "CARDKIT_HOME": str(tmp_path / "home")}


def test_two_cards_on_two_slots_each_read_with_its_own_key(pcscd, tmp_path, env, make_minimal_image):
    from cardkit.icao.keys import can
    from cardkit.icao.session import AccessSpec, read_card
    from cardkit.transport.pcsc import find_reader

    a = make_minimal_image(card_access=True).save(tmp_path / "a")
    img_b = make_minimal_image(card_access=True)
    img_b.meta["can"] = "654321"
    b = img_b.save(tmp_path / "b")
    proc = _serve(str(a), str(b), env=env)
    try:
        wait_for_card("Virtual PCD 00 00", True)
        wait_for_card("Virtual PCD 00 01", True)
        with find_reader("Virtual PCD 00 01").connect() as conn:
            read = read_card(conn, AccessSpec(can=can("654321")))
        assert read.access.protocol == "PACE" and DataGroup.DG2 in read.files
    finally:
        proc.terminate()
        proc.wait(10)
    wait_for_card("Virtual PCD 00 00", False)
    wait_for_card("Virtual PCD 00 01", False)


def test_insert_after_and_remove_after(pcscd, tmp_path, env, make_minimal_image):
    from cardkit.transport.pcsc import find_reader

    folder = make_minimal_image().save(tmp_path / "c")
    proc = _serve(str(folder), "--insert-after", "1.5", "--remove-after", "4", env=env)
    try:
        assert find_reader("Virtual PCD 00 00", require_card=False).card_present() is False
        wait_for_card("Virtual PCD 00 00", True, timeout=10)
        wait_for_card("Virtual PCD 00 00", False, timeout=10)
    finally:
        proc.terminate()
        proc.wait(10)


def test_latency_model_counts_turnaround_framing_and_chaining():
    delay = parse_latency("424k:5ms")
    # 5 command bytes in one frame (+3), 255 response bytes in two frames of <= 253 (+6), one chained frame
    assert delay(b"\x00" * 5, b"\x00" * 255) == pytest.approx(0.005 + 8 * (8 + 261) / 424_000 + 0.0003)
    assert parse_latency("106k:0ms")(b"", b"\x00" * 100) == pytest.approx(8 * (3 + 103) / 106_000)
    with pytest.raises(InputError):
        parse_latency("fast")
