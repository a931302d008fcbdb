# SPDX-License-Identifier: Apache-2.0
"""`cardkit sim serve --reader-quirk ...` through pcscd + vpcd: read byte-identical and VALID."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from support import wait_for_card

from cardkit.icao.files import forget_learned
from cardkit.icao.keys import cccd_can
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.reading import read_and_verify
from cardkit.icao.session import AccessSpec
from cardkit.sim.pki import TestPki
from cardkit.sim.population import builtin_card
from cardkit.transport.pcsc import find_reader
from cardkit.trustdir import load_trust_store

pytestmark = pytest.mark.pcscd
READER = "Virtual PCD 00 00"
PERSON = "bui-quang-vinh"


@pytest.mark.parametrize("quirks", [[], ["no-extended"], ["max-apdu:255", "le256-refused", "aa-le-max:256"]],
                         ids=lambda q: "+".join(q) or "ideal")
def test_served_quirky_reader_reads_valid(pcscd, tmp_path, quirks):
    env = os.environ.copy()
    env["CARDKIT_HOME"] = str(tmp_path / "home")
    args = [a for q in quirks for a in ("--reader-quirk", q)]
    proc = subprocess.Popen([sys.executable, "-m", "cardkit", "sim", "serve", "--person", PERSON, "--port", "35963", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    image = builtin_card(PERSON)
    TestPki().write_trust(tmp_path / "trust")
    forget_learned()
    try:
        wait_for_card(READER, True, timeout=30)
        with find_reader(READER).connect() as conn:
            result = read_and_verify(conn, AccessSpec(can=cccd_can(image.meta["id"])), trust=load_trust_store(tmp_path / "trust"))
    finally:
        proc.terminate()
        proc.wait(10)
        wait_for_card(READER, False)
    assert result.overall.value == "VALID", [v.to_dict() for v in result.verdicts]
    for fid, name in ((0x0101, "DG1"), (0x0102, "DG2"), (0x010D, "DG13"), (0x011D, "EF.SOD")):
        assert result.read.files[DataGroup.from_fid(fid)] == image.app_files[fid], name


@pytest.mark.parametrize("quirks,extended,block", [([], True, 65536), (["max-apdu:255"], False, 223)],
                         ids=["ideal", "max-apdu-255"])
def test_readers_probe_reports_the_pair(pcscd, tmp_path, quirks, extended, block):
    env = os.environ.copy()
    env["CARDKIT_HOME"] = str(tmp_path / "home")
    args = [a for q in quirks for a in ("--reader-quirk", q)]
    proc = subprocess.Popen([sys.executable, "-m", "cardkit", "sim", "serve", "--person", PERSON, "--port", "35963", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        wait_for_card(READER, True, timeout=30)
        out = subprocess.run([sys.executable, "-m", "cardkit", "readers", "--probe", "--json"], capture_output=True,
                             text=True, env=env, timeout=60, check=True)
    finally:
        proc.terminate()
        proc.wait(10)
        wait_for_card(READER, False)
    row = next(r for r in json.loads(out.stdout) if r["name"] == READER)
    assert (row["probe"]["extended"], row["probe"]["block"], row["probe"]["atr_extended"]) == (extended, block, True)
    assert row["probe"]["card_access"] == len(builtin_card(PERSON).mf_files[0x011C])
