# SPDX-License-Identifier: Apache-2.0
"""A clone of a returning card: the station holds the genuine card's DG14 and DG15 (cached from
its VALID read), the clone presents the genuine EF.SOD but not the genuine private keys. Chip
and Active Authentication run on the chip with the cached public keys and fail exactly as on a
cold read of the clone; nothing of the clone's read is stored."""

from __future__ import annotations

import copy
import hashlib
import tempfile

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from cardkit.facecache import FileFaceCache
from cardkit.icao.keys import cccd_can
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.pa.trust import TrustStore
from cardkit.icao.reading import read_and_verify
from cardkit.icao.session import AccessSpec
from cardkit.icao.verdict import FindingCode, Status
from cardkit.sim.factory import make_card
from cardkit.sim.pki import TestPki
from cardkit.sim.population import builtin_card
from cardkit.transport.inproc import InProcessConnection
from cardkit.trustdir import load_trust_store

NOT_READ = "not read: chip authentication failed"


@pytest.fixture(scope="module")
def trust() -> TrustStore:
    with tempfile.TemporaryDirectory() as tmp:
        TestPki().write_trust(tmp)
        return load_trust_store(tmp)


@pytest.fixture
def warm(tmp_path, trust) -> FileFaceCache:
    """The face cache after a VALID read of the genuine card."""
    cache = FileFaceCache(tmp_path / "face-cache", tmp_path / "face-cache.key")
    first = _read(builtin_card(), trust, cache)
    assert first.overall is Status.VALID and cache.status().entries == 3
    return cache


def _stream(label: bytes):
    """Deterministic bytes: the AA challenge and the chip's nonces are the same on every run, so
    the way a wrong key's RSA signature fails (header or padding) is too."""
    counter = iter(range(1 << 30))
    return lambda n: b"".join(hashlib.sha256(label + next(counter).to_bytes(4, "big")).digest()
                              for _ in range(-(-n // 32)))[:n]


def _read(image, trust, cache=None):
    card = make_card(image)
    card.rng = _stream(b"chip")
    return read_and_verify(InProcessConnection(card), AccessSpec(can=cccd_can(image.meta["id"])),
                           trust=trust, face_cache=cache, rng=_stream(b"terminal"))


def _verdicts(result, *checks):
    by_check = {v.check: (v.status, v.reason) for v in result.verdicts}
    return [by_check[c] for c in checks]


def _ca_clone():
    """The genuine files (EF.SOD, DG14 ...) on a chip with another Chip Authentication key."""
    clone = copy.deepcopy(builtin_card())
    other = ec.generate_private_key(ec.BrainpoolP256R1())
    clone.meta["ca_private_key_pem"] = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    return clone


def test_a_clone_without_the_ca_key_fails_chip_authentication_with_the_cached_dg14(trust, warm):
    clone = _ca_clone()
    entries = sorted(p.name for p in warm.folder.iterdir())
    result = _read(clone, trust, warm)
    assert result.overall is Status.INVALID
    assert result.read.from_cache == (DataGroup.DG14,)  # the read stops at CA: DG15 and DG2 not even looked up
    assert _verdicts(result, "chip_authentication", "active_authentication", "dg_hash:DG14", "sod_signature") == [
        (Status.INVALID, "the chip failed to continue under chip-authentication keys "
                         "(the card rejected our secure messaging (6988))"),
        (Status.INVALID, f"possible clone: EF.SOD lists DG15 but the chip did not return it ({NOT_READ})"),
        (Status.VALID, "sha256 hash matches EF.SOD"),  # the cached genuine DG14
        (Status.VALID, "sha256_ecdsa signature verifies with the EC BRAINPOOLP256r1 key of the signer"),
    ]
    assert {dg: result.read.errors[dg] for dg in (DataGroup.COM, DataGroup.DG15, DataGroup.DG2)} == dict.fromkeys(
        (DataGroup.COM, DataGroup.DG15, DataGroup.DG2), NOT_READ)
    assert DataGroup.DG2 not in result.read.files and result.face is None  # the cached face is not shown
    assert [(f.code, f.reason) for f in result.findings] == [
        (FindingCode.COM_SOD_MISMATCH, "EF.COM was not read: chip authentication failed"),
        (FindingCode.FACE_FROM_CACHE, "DG14 came from this station's face cache, not the chip: its sha256 hash is "
                                      "the one EF.SOD lists")]
    assert sorted(p.name for p in warm.folder.iterdir()) == entries  # nothing stored, nothing dropped
    cold = _read(clone, trust)
    assert _verdicts(cold, "chip_authentication", "active_authentication") == _verdicts(
        result, "chip_authentication", "active_authentication")  # the cache changes nothing about the outcome


@pytest.mark.parametrize("profile,aa_reason", [
    ("cccd2021", "RSA signature does not verify with the DG15 key: message representative does not start "
                 "with header 4 or 6"),
    ("cancuoc2024", "ECDSA signature of the challenge does not verify with the DG15 key"),
])
def test_a_clone_without_the_aa_key_fails_active_authentication_with_the_cached_dg15(trust, tmp_path, profile, aa_reason):
    genuine = builtin_card(profile=profile)
    clone = builtin_card(profile=profile, faults=("cloned",))  # the chip's AA key is not DG15's
    assert clone.app_files == genuine.app_files and clone.meta["aa_private_key_pem"] != genuine.meta["aa_private_key_pem"]
    cache = FileFaceCache(tmp_path / "face-cache", tmp_path / "face-cache.key")
    assert _read(genuine, trust, cache).overall is Status.VALID
    result = _read(clone, trust, cache)
    assert result.overall is Status.INVALID
    assert result.read.from_cache == (DataGroup.DG14, DataGroup.DG15, DataGroup.DG2)
    assert _verdicts(result, "active_authentication", "chip_authentication", "dg_hash:DG15") == [
        (Status.INVALID, aa_reason),
        (Status.VALID, "EF.COM read and verified under the chip-authenticated keys"),
        (Status.VALID, "sha256 hash matches EF.SOD"),
    ]
    assert _verdicts(_read(clone, trust), "active_authentication") == [(Status.INVALID, aa_reason)]  # as cold
    assert cache.status().entries == 3  # the genuine read's; the clone's INVALID read stores nothing
