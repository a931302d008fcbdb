# SPDX-License-Identifier: Apache-2.0
"""Replay every PACE transcript in test_vectors/transcripts/ byte for byte (TRANSCRIPTS.md).

Discovery is automatic: any ``*.json`` of kind ``pace`` dropped into the folder is run, whatever
its mapping, key agreement, cipher or password type.
"""

import json

import pytest
from support import ScriptedConnection, transcripts

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.errors import AccessError, CardkitError
from cardkit.icao.keys import MrzKey, PasswordType, SecretPassword
from cardkit.icao.lds.security_infos import PaceInfo, parse_security_infos
from cardkit.icao.oids import Oid
from cardkit.icao.pace import FixedRandom, pace

PACE = transcripts("pace")


def password_of(p: dict) -> MrzKey | SecretPassword:
    if p["type"] == "mrz":
        return MrzKey.create(p["document_number"], p["date_of_birth"], p["date_of_expiry"])
    return SecretPassword(PasswordType[p["type"].upper()], p["value"])


def terminal_random(t: dict) -> FixedRandom:
    term = t["terminal"]
    keys = [int(term[k], 16) for k in ("mapping_private_key", "ephemeral_private_key") if k in term]
    nonces = [bytes.fromhex(term["nonce_t"])] if "nonce_t" in term else []
    return FixedRandom(private_keys=keys, nonces=nonces)


def pace_info_of(t: dict) -> PaceInfo:
    return PaceInfo(Oid(t["pace_info"]["oid"]), 2, t["pace_info"]["parameter_id"])


def run(t: dict, exchanges: list, **kw):
    conn = ScriptedConnection(exchanges)
    result = pace(conn, password_of(t["password"]), pace_info_of(t), rng=terminal_random(t), **kw)
    return conn, result


def test_pace_transcripts_are_discovered():
    assert len(PACE) >= 4


@pytest.mark.parametrize("path", PACE, ids=lambda p: p.name)
def test_pace_transcript_replays_byte_for_byte(path):
    t = json.loads(path.read_text())
    res = t["result"]
    chip_key = bytes.fromhex(res["chip_public_key"]) if "chip_public_key" in res else None
    conn, result = run(t, t["exchanges"], chip_public_key=chip_key)
    assert conn.done(), "not every recorded exchange was used"
    sm = result.sm
    assert result.cipher == sm.suite.name == res["cipher"]
    assert (sm.ks_enc.hex(), sm.ks_mac.hex()) == (res["ks_enc"], res["ks_mac"])
    assert sm.ssc.to_bytes(sm.suite.ssc_size, "big").hex() == res["ssc"]
    if res.get("cam_verified"):
        assert result.mapping == "CAM" and result.cam is not None
        result.cam.verify(chip_key)  # raises unless PK_Map,IC == CA_IC * PK_IC
    for entry in t.get("secure_messaging", []):
        assert sm.protect(CommandApdu.decode(bytes.fromhex(entry["plain_command"]))).encode().hex() == entry["command"]
        assert sm.unprotect(ResponseApdu.decode(bytes.fromhex(entry["response"]))).encode().hex() == entry["plain_response"]


@pytest.mark.parametrize("path", [p for p in PACE if "card_access" in json.loads(p.read_text())], ids=lambda p: p.name)
def test_card_access_selects_the_transcript_pace_info(path):
    t = json.loads(path.read_text())
    infos = parse_security_infos(bytes.fromhex(t["card_access"])).pace_infos
    assert pace_info_of(t) in infos


def _flip_token(t: dict) -> list:
    """The chip token T_IC (DO 86 of the GA step 4 response) with its first byte flipped."""
    exchanges = [dict(e) for e in t["exchanges"]]
    last = bytearray(bytes.fromhex(exchanges[-1]["response"]))
    at = last.index(0x86) + 2
    last[at] ^= 0x01
    exchanges[-1]["response"] = last.hex()
    return exchanges


@pytest.mark.parametrize("path", PACE, ids=lambda p: p.name)
def test_flipped_chip_token_raises_and_returns_no_keys(path):
    t = json.loads(path.read_text())
    with pytest.raises(AccessError, match="token"):
        run(t, _flip_token(t))


@pytest.mark.parametrize("path", PACE, ids=lambda p: p.name)
def test_any_flipped_byte_in_the_last_chip_response_is_rejected(path):
    t = json.loads(path.read_text())
    exchanges = [dict(e) for e in t["exchanges"]]
    last = bytearray(bytes.fromhex(exchanges[-1]["response"]))
    rejected = 0
    for i in range(len(last) - 2):
        last[i] ^= 0x80
        exchanges[-1]["response"] = last.hex()
        try:
            run(t, exchanges)
        except CardkitError as exc:
            assert isinstance(exc, AccessError)
            rejected += 1
        last[i] ^= 0x80
    # bytes the reader must ignore (DO 87 of App. G.2) may change; 7C/86 and the token may not
    assert rejected >= 10


def test_cam_with_a_wrong_chip_public_key_is_rejected():
    t = json.loads(next(p for p in PACE if p.name == "pace_cam.json").read_text())
    from ecdsa.curves import BRAINPOOLP256r1

    other = BRAINPOOLP256r1.generator * 7
    wrong = b"\x04" + other.x().to_bytes(32, "big") + other.y().to_bytes(32, "big")
    with pytest.raises(AccessError, match="CAM"):
        run(t, t["exchanges"], chip_public_key=wrong)
