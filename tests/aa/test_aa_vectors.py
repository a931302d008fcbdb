# SPDX-License-Identifier: Apache-2.0
"""test_vectors/icao/active_authentication_examples.json: ICAO worked example and real passports."""

import json
from pathlib import Path

import pytest

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.errors import VerificationError
from cardkit.icao.aa import active_authentication, internal_authenticate, recover_9796_2, verify_9796_2, verify_response
from cardkit.icao.crypto import TDES
from cardkit.icao.sm import SmState
from cardkit.icao.verdict import Status

VECTORS = json.loads((Path(__file__).parents[2] / "test_vectors/icao/active_authentication_examples.json").read_text())
ICAO = VECTORS["icao_worked_example_rsa_sha1"]
PYMRTD = VECTORS["real_passport_rsa1024_pymrtd"]
GMRTD = VECTORS["real_passport_rsa_gmrtd_secure_messaging"]
H = bytes.fromhex


def test_icao_worked_example_recovers_m1_and_hash():
    rec = verify_9796_2(H(ICAO["F_recovered_message_representative"]), H(ICAO["RND_IFD_M2"]))
    assert rec.m1 == H(ICAO["M1_recovered"]) and rec.digest == H(ICAO["D_hash"])
    assert rec.hash_name == "sha1" and rec.partial


def test_icao_worked_example_rejects_another_challenge():
    with pytest.raises(VerificationError):
        verify_9796_2(H(ICAO["F_recovered_message_representative"]), bytes(8))


def test_internal_authenticate_apdu_bytes():
    assert internal_authenticate(H(ICAO["RND_IFD_M2"])).encode() == H(ICAO["internal_authenticate_command"])


@pytest.mark.parametrize("sample", PYMRTD["samples"], ids=lambda s: s["challenge_RND_IFD"])
def test_real_passport_rsa1024(sample):
    sent: list[CommandApdu] = []

    def send(cmd: CommandApdu) -> ResponseApdu:
        sent.append(cmd)
        return ResponseApdu(H(sample["signature"]), 0x9000)

    v = active_authentication(send, H(PYMRTD["DG15"]), challenge=H(sample["challenge_RND_IFD"]))
    assert v.status is Status.VALID, v.reason
    assert sent[0].encode() == H("0088000008" + sample["challenge_RND_IFD"] + "00")


@pytest.mark.parametrize("sample", PYMRTD["samples"][:1])
def test_real_passport_signature_fails_for_another_challenge(sample):
    v = verify_response(H(PYMRTD["DG15"]), bytes(8), H(sample["signature"]))
    assert v.status is Status.INVALID


def test_recovered_m1_matches_pymrtd():
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    from cardkit.icao.aa import rsa_representative

    key = load_der_public_key(H(PYMRTD["DG15"])[3:])
    for s in PYMRTD["samples"]:
        assert recover_9796_2(rsa_representative(key, H(s["signature"]))).m1 == H(s["M1_recovered"])


def test_real_passport_under_3des_secure_messaging():
    """The gmrtd session: the protected APDUs unwrap to the plain ones; the signature (SHA-256,
    trailer 34CC) verifies with DG15."""
    sm = SmState(TDES, H(GMRTD["KS_enc"]), H(GMRTD["KS_mac"]), int(GMRTD["SSC_before"], 16))
    cmd = internal_authenticate(H(GMRTD["RND_IFD"]))
    assert cmd.encode() == H(GMRTD["unprotected_command"])
    assert sm.protect(cmd).encode() == H(GMRTD["protected_command"])
    raw = H(GMRTD["protected_response"])
    plain = sm.unprotect(ResponseApdu(raw[:-2], int.from_bytes(raw[-2:], "big")))
    assert plain.data == H(GMRTD["signature"])
    assert sm.ssc == int(GMRTD["SSC_after"], 16)
    v = active_authentication(lambda c: plain, H(GMRTD["DG15"]), challenge=H(GMRTD["RND_IFD"]))
    assert v.status is Status.VALID and "SHA256" in v.reason


def test_chip_refusing_aa_that_its_dg15_offers_is_a_possible_clone():
    v = active_authentication(lambda c: ResponseApdu(b"", 0x6D00), H(PYMRTD["DG15"]))
    assert (v.status, v.reason) == (Status.INVALID, "possible clone: the chip refuses INTERNAL AUTHENTICATE (6D00) "
                                                    "although its signed data offers Active Authentication")
