# SPDX-License-Identifier: Apache-2.0
"""Replay every BAC transcript in test_vectors/transcripts/ byte for byte (TRANSCRIPTS.md).

Discovery is automatic: any ``*.json`` of kind ``bac`` dropped into the folder is run.
(PACE transcripts are replayed by tests/pace/test_pace_transcripts.py.)
"""

import json

import pytest
from support import ScriptedConnection, transcripts

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.errors import AccessError, CardkitError
from cardkit.icao.bac import bac
from cardkit.icao.keys import MrzKey

BAC = transcripts("bac")


def _run(t, exchanges):
    p = t["password"]
    key = MrzKey.create(p["document_number"], p["date_of_birth"], p["date_of_expiry"])
    conn = ScriptedConnection(exchanges)
    sm = bac(conn, key, rnd_ifd=bytes.fromhex(t["terminal"]["rnd_ifd"]), k_ifd=bytes.fromhex(t["terminal"]["k_ifd"]))
    return conn, sm


def test_bac_transcripts_are_discovered():
    assert BAC, "no BAC transcript found"


@pytest.mark.parametrize("path", BAC, ids=lambda p: p.name)
def test_bac_transcript_replays_byte_for_byte(path):
    t = json.loads(path.read_text())
    conn, sm = _run(t, t["exchanges"])
    assert conn.done()
    assert sm.suite.name == t["result"]["cipher"]
    assert (sm.ks_enc.hex(), sm.ks_mac.hex()) == (t["result"]["ks_enc"], t["result"]["ks_mac"])
    assert sm.ssc == int(t["result"]["ssc"], 16)
    for entry in t.get("secure_messaging", []):
        assert sm.protect(CommandApdu.decode(bytes.fromhex(entry["plain_command"]))).encode().hex() == entry["command"]
        assert sm.unprotect(ResponseApdu.decode(bytes.fromhex(entry["response"]))).encode().hex() == entry["plain_response"]


@pytest.mark.parametrize("path", BAC, ids=lambda p: p.name)
def test_bac_transcript_with_a_flipped_card_byte_is_rejected(path):
    t = json.loads(path.read_text())
    exchanges = [dict(e) for e in t["exchanges"]]
    last = bytearray(bytes.fromhex(exchanges[-1]["response"]))
    for i in range(len(last) - 2):
        last[i] ^= 0x80
        exchanges[-1]["response"] = last.hex()
        with pytest.raises(CardkitError) as err:
            _run(t, exchanges)
        assert isinstance(err.value, AccessError)
        last[i] ^= 0x80
