# SPDX-License-Identifier: Apache-2.0
"""ICAO 9303-11 §9.8 secure messaging against test_vectors/icao/secure_messaging_additional_examples.json."""

import json
from pathlib import Path

import pytest

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.errors import SecureMessagingError
from cardkit.icao.crypto import AES128, AES256, TDES
from cardkit.icao.sm import SmState

VECTORS = json.loads((Path(__file__).parents[2] / "test_vectors/icao/secure_messaging_additional_examples.json").read_text())


def _state(case, ssc_key="SSC_before"):
    suite = TDES if case["alg"] == "3DES" else {16: AES128, 32: AES256}[len(bytes.fromhex(case["KS_enc"]))]
    return SmState(suite, bytes.fromhex(case["KS_enc"]), bytes.fromhex(case.get("KS_mac", "00" * 16)), int(case[ssc_key], 16))


@pytest.mark.parametrize("case", VECTORS["protect"], ids=lambda c: c["name"])
def test_protect_command(case):
    sm = _state(case)
    out = sm.protect(CommandApdu.decode(bytes.fromhex(case["command"])))
    assert out.encode().hex().upper() == case["protected"]
    assert sm.ssc == int(case["SSC_after"], 16)


@pytest.mark.parametrize("case", VECTORS["unprotect"], ids=lambda c: c["name"])
def test_unprotect_response(case):
    sm = _state(case)
    plain = sm.unprotect(ResponseApdu.decode(bytes.fromhex(case["response"])))
    assert plain.data.hex().upper() == case["data"] and plain.sw == int(case["SW"], 16)
    assert sm.ssc == int(case["SSC_after"], 16)


@pytest.mark.parametrize("case", VECTORS["unprotect"], ids=lambda c: c["name"])
def test_any_flipped_byte_in_a_protected_response_is_rejected(case):
    raw = bytearray(bytes.fromhex(case["response"]))
    for i in range(len(raw) - 2):  # every byte but the outer SW
        raw[i] ^= 0x01
        with pytest.raises(SecureMessagingError):
            _state(case).unprotect(ResponseApdu.decode(bytes(raw)))
        raw[i] ^= 0x01


@pytest.mark.parametrize("case", VECTORS["decode_do87_only"], ids=lambda c: c["name"])
def test_decrypt_do87(case):
    sm = _state(case, "SSC_for_response")
    value = bytes.fromhex(case["DO87_value"])
    assert sm._decrypt(value[1:]).hex().upper() == case["plaintext"]


@pytest.mark.parametrize("suite", [TDES, AES128, AES256])
@pytest.mark.parametrize("cmd", [
    CommandApdu(0x00, 0xA4, 0x02, 0x0C, b"\x01\x1e"),
    CommandApdu(0x00, 0xB0, 0x00, 0x00, le=223),
    CommandApdu(0x00, 0xB0, 0x00, 0x00, le=1024),
    CommandApdu(0x00, 0xB1, 0x00, 0x00, b"\x54\x02\x80\x00", le=223),
])
def test_card_and_terminal_sides_are_mirrors(suite, cmd):
    key = bytes(range(suite.key_size))
    host, card = SmState(suite, key, key[::-1], 5), SmState(suite, key, key[::-1], 5)
    assert card.unprotect_command(host.protect(cmd)).data == cmd.data
    resp = card.protect_response(ResponseApdu(b"hello" * 60, 0x9000), odd_ins=bool(cmd.ins & 1))
    assert host.unprotect(resp).data == b"hello" * 60


def test_plain_9000_without_sm_objects_is_an_error():
    sm = SmState(TDES, b"\x01" * 16, b"\x02" * 16)
    with pytest.raises(SecureMessagingError, match="without secure messaging"):
        sm.unprotect(ResponseApdu(b"", 0x9000))
    assert sm.unprotect(ResponseApdu(b"", 0x6A82)).sw == 0x6A82  # an unprotected error is kept
    with pytest.raises(SecureMessagingError, match="6988"):
        sm.unprotect(ResponseApdu(b"", 0x6988))  # the chip ended the session
