# SPDX-License-Identifier: Apache-2.0
"""PACE Integrated Mapping with every cipher of 9303-11 Tables 2/3 (§4.4.3.3.2).

App. H has worked examples for AES-128 only (checked value by value in test_pace_vectors.py).
For 3DES and AES-192/256 the PRF is checked against a second, independent reading of Figure 2
written here on another library (``cryptography``, not pycryptodome), the whole protocol runs
host <-> simulated card for each cipher, ECDH and DH, in test_pace_sim.py.
"""

import secrets

import pytest
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from cardkit.apdu import ResponseApdu
from cardkit.errors import AccessError
from cardkit.icao.crypto import AES128, AES192, AES256, TDES
from cardkit.icao.domain import standardized
from cardkit.icao.keys import MrzKey
from cardkit.icao.lds.security_infos import PaceInfo
from cardkit.icao.oids import Oid
from cardkit.icao.pace import pace
from cardkit.icao.prf import chip_nonce_size, pseudo_random, random_octets, terminal_nonce_size

C0_128 = "a668892a7c41e3ca739f40b057d85904"
C1_128 = "a4e136ac725f738b01c1f60217c188ad"
C0_256 = "d463d65234124ef7897054986dca0a174e28df758cbaa03f240616414d5a1676"
C1_256 = "54bd7255f0aaf831bec3423fcf39d69b6cbf066677d0faae5aadd99df8e53517"


def _cbc(name: str, key: bytes, data: bytes) -> bytes:
    algo = TripleDES(key + key[:8]) if name == "3DES" else algorithms.AES(key)  # two-key 3DES as K1 K2 K1
    enc = Cipher(algo, modes.CBC(bytes(algo.block_size // 8))).encryptor()
    return enc.update(data) + enc.finalize()


def reference_r(name: str, key_bits: int, s: bytes, t: bytes, p: int) -> bytes:
    """Figure 2 read literally: l = 128 (3DES, AES-128) or 256 (AES-192/256)."""
    l_bits = 128 if key_bits == 128 else 256
    c0, c1 = bytes.fromhex(C0_128 if l_bits == 128 else C0_256), bytes.fromhex(C1_128 if l_bits == 128 else C1_256)
    n = 1
    while n * l_bits < p.bit_length() + 64:
        n += 1
    k = _cbc(name, t, s)
    x = b""
    for _ in range(n):
        k_trunc = k[: key_bits // 8]
        x += _cbc(name, k_trunc, c1)
        k = _cbc(name, k_trunc, c0)
    return x


SUITES = [(TDES, 128, 16, 16), (AES128, 128, 16, 16), (AES192, 192, 24, 32), (AES256, 256, 32, 32)]


@pytest.mark.parametrize("suite,key_bits,t_size,s_size", SUITES, ids=lambda v: getattr(v, "name", None))
def test_nonce_sizes_follow_section_4_4_3_3(suite, key_bits, t_size, s_size):
    assert (terminal_nonce_size(suite), chip_nonce_size(suite)) == (t_size, s_size)


@pytest.mark.parametrize("pid", [13, 16, 17, 2])  # brainpoolP256r1 / P384r1 / P512r1, DH 2048/256
@pytest.mark.parametrize("suite,key_bits,t_size,s_size", SUITES, ids=lambda v: getattr(v, "name", None))
def test_prf_matches_an_independent_reading_of_figure_2(suite, key_bits, t_size, s_size, pid):
    p = standardized(pid).p
    for _ in range(3):
        s, t = secrets.token_bytes(s_size), secrets.token_bytes(t_size)
        expected = reference_r(suite.name, key_bits, s, t, p)
        assert random_octets(suite, s, t, p) == expected
        assert pseudo_random(suite, s, t, p) == int.from_bytes(expected, "big") % p
        assert 8 * len(expected) >= p.bit_length() + 64 > 8 * len(expected) - (128 if key_bits == 128 else 256)


def test_aes_192_uses_only_octets_1_to_24_of_each_k_i():
    # Changing only the last 8 bytes of k_0 = E(t, s) must not change R: k_0 is cut to 24 bytes.
    p, t = standardized(16).p, bytes(range(24))
    s = bytes(32)
    k0 = _cbc("AES", t, s)
    other_k0 = k0[:24] + bytes(8 ^ b for b in k0[24:])
    dec = Cipher(algorithms.AES(t), modes.CBC(bytes(16))).decryptor()
    other_s = dec.update(other_k0) + dec.finalize()
    assert other_s != s
    assert random_octets(AES192, other_s, t, p) == random_octets(AES192, s, t, p)


@pytest.mark.parametrize("s_size,t_size", [(16, 24), (32, 16), (24, 24)])
def test_wrong_nonce_sizes_are_refused(s_size, t_size):
    with pytest.raises(AccessError) as err:
        pseudo_random(AES192, bytes(s_size), bytes(t_size), standardized(13).p)
    assert str(err.value) == (
        f"integrated mapping with AES-192: nonce s must be 32 bytes and t 24 bytes (got {s_size} and {t_size})"
    )


def test_host_refuses_a_one_block_nonce_for_aes_256_integrated_mapping():
    answers = [ResponseApdu(b"", 0x9000), ResponseApdu(bytes.fromhex("7c128010") + bytes(16), 0x9000)]
    sent = []

    def send(cmd):
        sent.append(cmd)
        return answers.pop(0)

    info = PaceInfo(Oid.PACE_ECDH_IM_AES_CBC_CMAC_256, 2, 17)
    with pytest.raises(AccessError) as err:
        pace(send, MrzKey.create("090012345", "900101", "300101"), info)
    assert str(err.value) == "GA step 2 (map nonce): the chip's nonce has the wrong size for AES-256"
    assert err.value.step == "GA step 2 (map nonce)" and len(sent) == 2  # t never sent
