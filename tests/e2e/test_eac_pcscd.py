# SPDX-License-Identifier: Apache-2.0
"""End to end, EAC: `cardkit sim make --ta-version 2` + `cardkit sim serve --eac` through the real
pcscd + vpcd, `cardkit sim make-terminal`, then `cardkit read --terminal-cert ... --terminal-key`:
PACE, TA v2, CA, DG3 read and verified, every check's exact status."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from support import wait_for_card

pytestmark = pytest.mark.pcscd
READER = "Virtual PCD 00 00"


def cardkit(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cardkit", *args], capture_output=True, text=True, env=env, timeout=120)


def test_read_with_a_terminal_chain_opens_dg3_through_pcscd(pcscd, tmp_path):
    env = {**os.environ, "CARDKIT_HOME": str(tmp_path / "home")}
    card, trust, term = tmp_path / "card", tmp_path / "trust", tmp_path / "terminal"
    made = cardkit("sim", "make", "--person", "nguyen-van-an", "--profile", "cancuoc2024", "--seed", "3",
                   "--ta-version", "2", "--out", str(card), "--trust", str(trust), env=env)
    assert made.returncode == 0, made.stderr
    assert cardkit("sim", "make-terminal", str(term), env=env).returncode == 0
    can = json.loads((card / "card.json").read_text())["can"]
    served = subprocess.Popen([sys.executable, "-m", "cardkit", "sim", "serve", str(card), "--eac", "--port", "35963",
                               "--no-pcscd"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        wait_for_card(READER, True, timeout=20)
        chain = [a for name in ("CVCA", "DV", "IS") for a in ("--terminal-cert", str(term / f"{name}.cvcert"))]
        res = cardkit("read", "--reader", READER, "--can", can, "--trust", str(trust), *chain,
                      "--terminal-key", str(term / "IS.key.pem"), "--json", env=env)
    finally:
        served.terminate()
        served.wait(10)
        wait_for_card(READER, False)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert (doc["access"], doc["overall"]) == ("PACE", "VALID")
    got = {v["check"]: v["status"] for v in doc["verdicts"]}
    assert got == {
        "sod_content": "VALID", "sod_signature": "VALID", "ds_validity": "VALID", "ds_chain": "VALID",
        "ds_revocation": "NOT_CHECKED", "issuing_state": "VALID", "dg_hash:DG1": "VALID", "dg_hash:DG2": "VALID",
        "dg_hash:DG3": "VALID", "dg_hash:DG13": "VALID", "dg_hash:DG14": "VALID", "dg_hash:DG15": "VALID",
        "chip_authentication": "VALID", "active_authentication": "VALID", "terminal_authentication": "VALID",
        "access_downgrade": "VALID",
    }
    ta = next(v for v in doc["verdicts"] if v["check"] == "terminal_authentication")
    assert ta["reason"] == "the chip accepted terminal VNIS00001 (TA v2); its authorization opens DG3, DG4"
    assert doc["files"]["DG3"] == (card / "DG3.bin").stat().st_size
    assert "terminal_authentication" in doc["required"] and "dg_hash:DG3" in doc["required"]
