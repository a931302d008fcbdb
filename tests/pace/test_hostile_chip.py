# SPDX-License-Identifier: Apache-2.0
"""A hostile or broken chip: every bad answer is rejected with a typed error and nothing continues."""

import json
from pathlib import Path

import pytest

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.errors import AccessError, CardkitError, WrongKeyError
from cardkit.icao.domain import standardized
from cardkit.icao.keys import MrzKey
from cardkit.icao.lds.security_infos import PaceInfo
from cardkit.icao.oids import Oid
from cardkit.icao.pace import FixedRandom, pace
from cardkit.tlv import encode_tlv

FOLDER = Path(__file__).parents[2] / "test_vectors" / "transcripts"
G1 = json.loads((FOLDER / "pace_ecdh_gm_brainpoolp256r1.json").read_text())
G2 = json.loads((FOLDER / "pace_dh_gm.json").read_text())
MSE, GA1, GA2, GA3, GA4 = range(5)


class Chip:
    """Answers from a transcript, with some responses replaced; records how far the reader went."""

    def __init__(self, t: dict, replace: dict[int, bytes]):
        self.responses = [bytes.fromhex(e["response"]) for e in t["exchanges"]]
        for k, v in replace.items():
            self.responses[k] = v
        self.sent = 0

    def __call__(self, cmd: CommandApdu) -> ResponseApdu:
        resp = self.responses[self.sent]
        self.sent += 1
        return ResponseApdu.decode(resp)


def run(t: dict, replace: dict[int, bytes]) -> Chip:
    p = t["password"]
    key = MrzKey.create(p["document_number"], p["date_of_birth"], p["date_of_expiry"])
    term = t["terminal"]
    rng = FixedRandom([int(term["mapping_private_key"], 16), int(term["ephemeral_private_key"], 16)])
    chip = Chip(t, replace)
    info = PaceInfo(Oid(t["pace_info"]["oid"]), 2, t["pace_info"]["parameter_id"])
    chip.error = None
    try:
        pace(chip, key, info, rng=rng)
    except CardkitError as exc:
        chip.error = exc
    return chip


def ga(tag: int, value: bytes) -> bytes:
    return encode_tlv(0x7C, encode_tlv(tag, value)) + b"\x90\x00"


def ec_point_off_curve() -> bytes:
    g = standardized(13).generator
    return b"\x04" + g.x().to_bytes(32, "big") + ((g.y() + 1) % standardized(13).p).to_bytes(32, "big")


EC_BAD_POINTS = {
    "not on the curve": ec_point_off_curve(),
    "point at infinity": b"\x00",
    "compressed": b"\x02" + b"\x11" * 32,
    "x too large": b"\x04" + b"\xff" * 64,
    "short": b"\x04" + b"\x01" * 63,
    "empty": b"",
}


@pytest.mark.parametrize("step", [GA2, GA3], ids=["mapping key", "ephemeral key"])
@pytest.mark.parametrize("name", list(EC_BAD_POINTS))
def test_invalid_ec_point_from_the_chip_is_rejected(step, name):
    tag = 0x82 if step == GA2 else 0x84
    chip = run(G1, {step: ga(tag, EC_BAD_POINTS[name])})
    assert isinstance(chip.error, AccessError) and "invalid public key" in str(chip.error)
    assert chip.sent == step + 1, "the reader went on after an invalid key"


def _dh_bad_values() -> dict[str, bytes]:
    p = standardized(0).p
    return {
        "0": bytes(128),
        "1": (1).to_bytes(128, "big"),
        "p-1": (p - 1).to_bytes(128, "big"),
        "p": p.to_bytes(128, "big"),
        "p+1 (too long)": (p + 1).to_bytes(129, "big"),
        "outside the subgroup": (2).to_bytes(128, "big"),
    }


@pytest.mark.parametrize("step", [GA2, GA3], ids=["mapping key", "ephemeral key"])
@pytest.mark.parametrize("name", list(_dh_bad_values()))
def test_dh_value_out_of_range_is_rejected(step, name):
    tag = 0x82 if step == GA2 else 0x84
    chip = run(G2, {step: ga(tag, _dh_bad_values()[name])})
    assert isinstance(chip.error, AccessError) and "invalid public key" in str(chip.error)
    assert chip.sent == step + 1


def test_chip_echoing_the_terminal_key_is_rejected():
    own = bytes.fromhex(G1["exchanges"][GA3]["command"])[9:-1]
    chip = run(G1, {GA3: ga(0x84, own)})
    assert isinstance(chip.error, AccessError) and chip.sent == GA3 + 1


def test_wrong_chip_token_is_rejected():
    chip = run(G1, {GA4: ga(0x86, b"\x00" * 8)})
    assert isinstance(chip.error, AccessError) and not isinstance(chip.error, WrongKeyError)
    assert "token" in str(chip.error)


def test_missing_chip_token_is_rejected():
    chip = run(G1, {GA4: ga(0x87, b"DETESTCVCA00003")})
    assert isinstance(chip.error, AccessError)


@pytest.mark.parametrize("step", [GA1, GA2, GA3, GA4])
def test_truncated_ga_response_is_rejected(step):
    full = bytes.fromhex(G1["exchanges"][step]["response"])
    chip = run(G1, {step: full[: len(full) // 2] + b"\x90\x00"})
    assert isinstance(chip.error, AccessError) and chip.error.step.startswith(f"GA step {step}")
    assert chip.sent == step + 1


@pytest.mark.parametrize("step", [GA1, GA2, GA3, GA4])
def test_ga_response_without_7c_template_is_rejected(step):
    chip = run(G1, {step: bytes.fromhex("8001009000")})
    assert isinstance(chip.error, AccessError) and chip.sent == step + 1


def test_encrypted_nonce_of_the_wrong_size_is_rejected():
    chip = run(G1, {GA1: ga(0x80, b"\x00" * 15)})
    assert isinstance(chip.error, AccessError) and chip.sent == GA1 + 1


@pytest.mark.parametrize("sw", ["6300", "63c2", "6982"])
def test_card_refusing_the_terminal_token_means_wrong_password(sw):
    chip = run(G1, {GA4: bytes.fromhex(sw)})
    assert isinstance(chip.error, WrongKeyError)
    assert chip.error.step.startswith("GA step 4") and chip.error.sw == int(sw, 16)


@pytest.mark.parametrize("step", [MSE, GA1])
def test_63cx_early_is_a_wrong_key(step):
    chip = run(G1, {step: bytes.fromhex("63c1")})
    assert isinstance(chip.error, WrongKeyError) and chip.sent == step + 1


def test_other_status_is_an_access_error_naming_the_step():
    chip = run(G1, {MSE: bytes.fromhex("6a80")})
    assert type(chip.error) is AccessError and chip.error.step == "MSE:Set AT" and chip.error.sw == 0x6A80
