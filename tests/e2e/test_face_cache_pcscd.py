# SPDX-License-Identifier: Apache-2.0
"""`cardkit read --face-cache` twice through pcscd + vpcd: the returning card is VALID in fewer APDUs,
its DG2, DG14 and DG15 from the cache, Chip and Active Authentication still run on the chip."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from support import wait_for_card

from cardkit.icao.keys import cccd_can
from cardkit.sim.pki import TestPki
from cardkit.sim.population import builtin_card

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
    assert [d["from_cache"] for d in docs] == [[], [], ["DG14", "DG15", "DG2"]]
    assert [(f["code"], f["reason"].split(" ")[0]) for f in docs[2]["findings"]] == [
        ("face_from_cache", "DG14"), ("face_from_cache", "DG15"), ("face_from_cache", "DG2")]
    verdicts = {v["check"]: (v["status"], v["reason"]) for v in docs[2]["verdicts"]}
    assert verdicts["chip_authentication"] == ("VALID", "EF.COM read and verified under the chip-authenticated keys")
    assert verdicts["active_authentication"] == ("VALID", "RSA 2048 ISO/IEC 9796-2 signature (SHA1) of the challenge verifies")
    # DG2's two READ BINARYs (extended length), DG14's and DG15's one each; no EF.COM re-read
    assert docs[1]["apdus"] - docs[2]["apdus"] == 4
    cached = sum(len(image.app_files[fid]) for fid in (0x0102, 0x010E, 0x010F))
    assert docs[2]["bytes_received"] < docs[1]["bytes_received"] - cached
    entries = sorted((home / "face-cache").iterdir())
    assert len(entries) == 3
    modes = [stat.S_IMODE(p.stat().st_mode) for p in (home / "face-cache", *entries, home / "face-cache.key")]
    assert modes == [0o700, 0o600, 0o600, 0o600, 0o600]
    status = json.loads(_cardkit("cache", "status", "--json", env=env).stdout)
    assert (status["entries"], status["bytes"]) == (3, sum(p.stat().st_size for p in entries))
    assert _cardkit("cache", "wipe", env=env).returncode == 0
    assert list((home / "face-cache").iterdir()) == [] and not (home / "face-cache.key").exists()
