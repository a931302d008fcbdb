# SPDX-License-Identifier: Apache-2.0
"""Active Authentication host against the simulated chip: after BAC, RSA and ECDSA, and clones."""


import pytest

from cardkit.apdu import CommandApdu
from cardkit.icao.aa import active_authentication
from cardkit.icao.bac import bac
from cardkit.icao.lds.dg14 import parse_dg14
from cardkit.icao.verdict import Status
from cardkit.sim.aa_card import AaCardHandler, sign_9796_2
from cardkit.sim.card import CardConfig, SimCard
from cardkit.sim.factory import mrz_key_of
from cardkit.sim.issuer import personalise
from cardkit.sim.pki import TestPki
from cardkit.sim.population import person
from cardkit.transport.base import ApduProtocol
from cardkit.transport.inproc import InProcessConnection

WHO = person("bui-quang-vinh")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return TestPki(tmp_path_factory.mktemp("pki"), seed=11)


def _session(img):
    """A SimCard with the AA handler, opened with BAC; returns the SM-wrapping send."""
    card = SimCard(img, CardConfig(mrz_key=mrz_key_of(img)), handlers=[AaCardHandler.from_image(img)])

    raw = ApduProtocol(InProcessConnection(card)).send  # handles 61xx: a long answer to a short command

    raw(CommandApdu(0x00, 0xA4, 0x04, 0x0C, bytes.fromhex("A0000002471001")))
    sm = bac(raw, mrz_key_of(img))
    return lambda cmd: sm.unprotect(raw(sm.protect(cmd)))


@pytest.mark.parametrize("profile,kind", [("cccd2021", "RSA 2048"), ("cancuoc2024", "ECDSA-SHA256")])
def test_aa_after_bac_is_valid(pki, profile, kind):
    img = personalise(WHO.data(profile), profile=profile, pki=pki, seed=4)
    send = _session(img)
    infos = parse_dg14(img.app_files[0x010E])
    aa_info = infos.aa_infos[0] if infos.aa_infos else None
    assert (aa_info is not None) == (profile == "cancuoc2024")
    v = active_authentication(send, img.app_files[0x010F], aa_info=aa_info)
    assert v.status is Status.VALID, v.reason
    assert kind in v.reason


@pytest.mark.parametrize("profile", ["cccd2021", "cancuoc2024"])
def test_cloned_chip_fails_aa(pki, profile):
    img = personalise(WHO.data(profile), profile=profile, pki=pki, seed=4, faults=["cloned"])
    infos = parse_dg14(img.app_files[0x010E])
    v = active_authentication(_session(img), img.app_files[0x010F],
                              aa_info=infos.aa_infos[0] if infos.aa_infos else None)
    assert v.status is Status.INVALID


def test_internal_authenticate_needs_access(pki):
    img = personalise(WHO.data("cancuoc2024"), profile="cancuoc2024", pki=pki, seed=4)
    card = SimCard(img, CardConfig(mrz_key=mrz_key_of(img)), handlers=[AaCardHandler.from_image(img)])
    card.transmit(bytes.fromhex("00A4040C07A0000002471001"))
    assert card.transmit(bytes.fromhex("0088000008112233445566778800"))[-2:] == b"\x69\x82"


def test_wrong_challenge_length_is_6700(pki):
    img = personalise(WHO.data("cancuoc2024"), profile="cancuoc2024", pki=pki, seed=4)
    send = _session(img)
    assert send(CommandApdu(0x00, 0x88, 0x00, 0x00, bytes(4), le=256)).sw == 0x6700


@pytest.mark.parametrize("hash_name", ["sha1", "sha224", "sha256", "sha384", "sha512"])
def test_9796_2_trailers_round_trip(hash_name):
    from cryptography.hazmat.primitives.asymmetric import rsa

    from cardkit.icao.aa import recover_9796_2, rsa_representative, verify_9796_2

    key = rsa.generate_private_key(65537, 2048)
    m2 = bytes(range(8))
    sig = sign_9796_2(key, m2, hash_name=hash_name)
    rec = verify_9796_2(rsa_representative(key.public_key(), sig), m2)
    assert rec.hash_name == hash_name
    assert recover_9796_2(rsa_representative(key.public_key(), sig)).partial


def _rsa_session(img, **config):
    import random

    rng = random.Random(7).randbytes  # the chip's M1 and BAC nonces: the same run every time
    card = SimCard(img, CardConfig(mrz_key=mrz_key_of(img), **config), handlers=[AaCardHandler.from_image(img)], rng=rng)

    raw = ApduProtocol(InProcessConnection(card)).send  # handles 61xx: a long answer to a short command

    raw(CommandApdu(0x00, 0xA4, 0x04, 0x0C, bytes.fromhex("A0000002471001")))
    sm = bac(raw, mrz_key_of(img))
    return card, lambda cmd: sm.unprotect(raw(sm.protect(cmd)))


def _rsa_public(img):
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(img.meta["aa_private_key_pem"].encode(), None).public_key().public_numbers()


@pytest.mark.parametrize("min_form", [False, True], ids=["default-plain-s", "fault-aa-min-form"])
def test_rsa_aa_answers_plain_s_by_default_and_min_form_only_as_a_fault(pki, min_form):
    img = personalise(WHO.data("cccd2021"), profile="cccd2021", pki=pki, seed=4)
    nums = _rsa_public(img)
    _, send = _rsa_session(img, aa_min_form=min_form)
    high = 0
    for i in range(12):
        challenge = bytes([i]) * 8
        sig = int.from_bytes(send(CommandApdu(0x00, 0x88, 0x00, 0x00, challenge, le=256)).data, "big")
        f = pow(sig, nums.e, nums.n)
        plain = f & 0xFF == 0xBC  # s itself opens to F (trailer BC); else n - s does
        assert plain != (min_form and (nums.n - f) & 0xFF == 0xBC)
        assert not min_form or sig <= nums.n - sig
        high += sig > nums.n - sig
        v = active_authentication(send, img.app_files[0x010F])
        assert v.status is Status.VALID, v.reason
    assert (high > 0) != min_form  # plain s lands above n/2 about half the time; min form never


def test_aa_min_form_is_a_runtime_fault():
    from cardkit.sim.faults import apply_faults, split_faults

    config = CardConfig()
    assert split_faults(["aa-min-form", "cloned"]) == (["aa-min-form"], ["cloned"])
    runtime, rest = apply_faults(["aa-min-form"], config, {})
    assert (runtime, rest, config.aa_min_form) == (None, [], True)


def test_plain_ecdsa_answer_whose_r_starts_with_byte_30_is_still_verified():
    """A plain r || s answer is not DER because its first byte is 30 (1 in 256 challenges)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from cardkit.icao.aa import verify_response
    from cardkit.icao.lds.dg15 import build_dg15
    from cardkit.sim.aa_card import sign_ecdsa_plain

    key = ec.generate_private_key(ec.BrainpoolP256R1())
    dg15 = build_dg15(key.public_key())
    for n in range(4000):  # find a challenge whose signature's r begins with 0x30
        m2 = n.to_bytes(8, "big")
        sig = sign_ecdsa_plain(key, m2)
        if sig[0] == 0x30:
            break
    else:  # pragma: no cover - 4000 tries at 1/256 each
        raise AssertionError("no signature with r starting 0x30 found")
    v = verify_response(dg15, m2, sig)
    assert (v.status.value, v.reason) == (
        "VALID", "ECDSA-SHA256 signature of the challenge verifies with the DG15 key (hash guessed: no "
                 "ActiveAuthenticationInfo)")
