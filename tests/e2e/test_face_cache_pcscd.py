# SPDX-License-Identifier: Apache-2.0
"""`cardkit read --face-cache` twice through pcscd + vpcd: the returning card is VALID in fewer APDUs."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from cardkit.icao.keys import cccd_can
from cardkit.sim.pki import TestPki
from cardkit.sim.population import builtin_card
from support import wait_for_card

pytestmark = pytest.mark.pcscd
READER = "Virtual PCD 00 00"
PERSON = "bui-quang-vinh"


def _cardkit(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cardkit", *args], capture_output=True, text=True, env=env, timeout=120)


def test_a_returning_card_through_pcscd_takes_its_face_from_the_cache(pcscd, tmp_path):
    env = os.environ.copy()
    home = tmp_path / "home"
    env["CARDKIT_HOME"] = str(home)
    TestPki().write_trust(tmp_path / "trust")
    image = builtin_card(PERSON)
    read = ["read", "--reader", READER, "--can", cccd_can(image.meta["id"]).value,
            "--trust", str(tmp_path / "trust"), "--json"]
    proc = subprocess.Popen([sys.executable, "-m", "cardkit", "sim", "serve", "--person", PERSON, "--port", "35963"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        wait_for_card(READER, True, timeout=30)
        plain = _cardkit(*read, env=env)
        assert not (home / "face-cache").exists()  # off unless asked for
        first, second = (_cardkit(*read, "--face-cache", env=env) for _ in range(2))
    finally:
        proc.terminate()
        proc.wait(10)
        wait_for_card(READER, False)
    docs = [json.loads(r.stdout) for r in (plain, first, second)]
    assert [r.returncode for r in (plain, first, second)] == [0, 0, 0]
    assert [d["overall"] for d in docs] == ["VALID", "VALID", "VALID"]
    assert [d["from_cache"] for d in docs] == [[], [], ["DG2"]]
    assert docs[2]["findings"][-1]["code"] == "face_from_cache"
    assert docs[1]["apdus"] - docs[2]["apdus"] == 2  # DG2's two READ BINARYs (extended length)
    assert docs[2]["bytes_received"] < docs[1]["bytes_received"] - len(image.app_files[0x0102])
    (entry,) = (home / "face-cache").iterdir()
    modes = [stat.S_IMODE(p.stat().st_mode) for p in (home / "face-cache", entry, home / "face-cache.key")]
    assert modes == [0o700, 0o600, 0o600]
    status = json.loads(_cardkit("cache", "status", "--json", env=env).stdout)
    assert (status["entries"], status["bytes"]) == (1, entry.stat().st_size)
    assert _cardkit("cache", "wipe", env=env).returncode == 0
    assert list((home / "face-cache").iterdir()) == [] and not (home / "face-cache.key").exists()
