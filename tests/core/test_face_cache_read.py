# SPDX-License-Identifier: Apache-2.0
"""Returning cards: DG2 from the station's face cache, and only when its hash is the one the
card's EF.SOD lists; the rest of the read is verified as on a first visit."""

from __future__ import annotations

import copy
import hashlib
import tempfile

import pytest

from cardkit.facecache import FileFaceCache
from cardkit.icao.keys import cccd_can
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.lds.sod import parse_sod
from cardkit.icao.pa.trust import TrustStore
from cardkit.icao.reading import read_and_verify
from cardkit.icao.session import AccessSpec
from cardkit.icao.verdict import FindingCode, Status
from cardkit.sim.factory import make_card
from cardkit.sim.pki import TestPki
from cardkit.sim.population import builtin_card, persons
from cardkit.transport.inproc import InProcessConnection
from cardkit.trustdir import load_trust_store

DG2_FID = DataGroup.DG2.fid


@pytest.fixture(scope="module")
def trust() -> TrustStore:
    with tempfile.TemporaryDirectory() as tmp:
        TestPki().write_trust(tmp)
        return load_trust_store(tmp)


@pytest.fixture(scope="module")
def image():
    return builtin_card()


@pytest.fixture
def cache(tmp_path) -> FileFaceCache:
    return FileFaceCache(tmp_path / "face-cache", tmp_path / "face-cache.key")


class Recording:
    """The simulated card, noting the current EF of every READ BINARY."""

    def __init__(self, card) -> None:
        self.card, self.reads = card, []

    def transmit(self, raw: bytes) -> bytes:
        out = self.card.transmit(raw)
        if len(raw) > 1 and raw[1] in (0xB0, 0xB1):
            self.reads.append(self.card.state.ef)
        return out

    def __getattr__(self, name):
        return getattr(self.card, name)


def _read(image, trust, cache=None):
    card = Recording(make_card(image))
    result = read_and_verify(InProcessConnection(card), AccessSpec(can=cccd_can(image.meta["id"])),
                             trust=trust, face_cache=cache)
    return result, card.reads


def _verdict(result, check):
    return next((v.status, v.reason) for v in result.verdicts if v.check == check)


def _dg2_hash(image) -> tuple[str, bytes]:
    sod = parse_sod(image.app_files[DataGroup.SOD.fid])
    return sod.hash_algorithm, sod.dg_hashes[2]


def test_a_returning_card_takes_dg2_from_the_cache_and_is_still_fully_verified(image, trust, cache):
    first, first_reads = _read(image, trust, cache)
    assert first.overall is Status.VALID and first.read.from_cache == ()
    assert DG2_FID in first_reads and cache.status().entries == 1
    second, second_reads = _read(image, trust, cache)
    assert second.overall is Status.VALID
    assert DG2_FID not in second_reads  # the chip's DG2 was not read at all
    assert second.read.from_cache == (DataGroup.DG2,)
    assert second.read.files[DataGroup.DG2] == image.app_files[DG2_FID]
    assert _verdict(second, "dg_hash:DG2") == (Status.VALID, "sha256 hash matches EF.SOD")
    assert _verdict(second, "sod_signature")[0] is Status.VALID
    assert _verdict(second, "chip_authentication")[0] is Status.VALID
    assert _verdict(second, "active_authentication")[0] is Status.VALID
    assert [f.code for f in second.findings] == [FindingCode.FACE_FROM_CACHE]
    doc = second.to_dict()
    assert doc["from_cache"] == ["DG2"] and doc["files"]["DG2"] == len(image.app_files[DG2_FID])
    dg2_reads = first.read.apdus - second.read.apdus
    assert dg2_reads == first_reads.count(DG2_FID)  # exactly DG2's READ BINARYs are saved
    assert second.read.bytes_received < first.read.bytes_received - len(image.app_files[DG2_FID])


def test_an_empty_cache_is_a_miss_the_chip_is_read_and_the_face_kept(image, trust, cache):
    result, reads = _read(image, trust, cache)
    assert result.overall is Status.VALID and result.read.from_cache == ()
    assert DG2_FID in reads
    assert cache.get(*_dg2_hash(image)) == image.app_files[DG2_FID]


def test_without_a_cache_nothing_is_stored(image, trust, tmp_path):
    result, reads = _read(image, trust)
    assert result.overall is Status.VALID and result.to_dict()["from_cache"] == []
    assert DG2_FID in reads and not list(tmp_path.iterdir())


class LyingCache:
    """A cache that answers any hash with the bytes it holds (a broken or hostile store)."""

    def __init__(self, data: bytes) -> None:
        self.data, self.puts = data, []

    def get(self, algorithm: str, digest: bytes) -> bytes | None:
        return self.data

    def put(self, algorithm: str, digest: bytes, data: bytes) -> None:
        self.puts.append((algorithm, digest, data))


def test_cached_bytes_changed_are_not_used_the_chip_is_read(image, trust):
    genuine = image.app_files[DG2_FID]
    lying = LyingCache(genuine[:-1] + bytes([genuine[-1] ^ 1]))
    result, reads = _read(image, trust, lying)
    assert result.overall is Status.VALID and result.read.from_cache == ()
    assert DG2_FID in reads and result.read.files[DataGroup.DG2] == genuine
    assert _verdict(result, "dg_hash:DG2") == (Status.VALID, "sha256 hash matches EF.SOD")
    assert lying.puts == [(*_dg2_hash(image), genuine)]  # the verified face replaces it


def test_cached_bytes_of_another_card_are_not_used(image, trust):
    other = builtin_card(persons()[1].key).app_files[DG2_FID]
    assert other != image.app_files[DG2_FID]
    result, reads = _read(image, trust, LyingCache(other))
    assert result.overall is Status.VALID and result.read.from_cache == ()
    assert DG2_FID in reads and result.read.files[DataGroup.DG2] == image.app_files[DG2_FID]


def test_a_tampered_entry_file_is_discarded_and_the_chip_read(image, trust, cache):
    _read(image, trust, cache)
    (entry,) = [p for p in cache.folder.iterdir()]
    blob = bytearray(entry.read_bytes())
    blob[40] ^= 0x01
    entry.write_bytes(bytes(blob))
    result, reads = _read(image, trust, cache)
    assert result.overall is Status.VALID and result.read.from_cache == ()
    assert DG2_FID in reads
    assert cache.get(*_dg2_hash(image)) == image.app_files[DG2_FID]  # stored again, genuine


def _altered_dg2(image):
    """The same card whose chip now holds another DG2 (same length), EF.SOD untouched."""
    altered = copy.deepcopy(image)
    dg2 = altered.app_files[DG2_FID]
    altered.app_files[DG2_FID] = dg2[:-3] + bytes(b ^ 0x5A for b in dg2[-3:])
    return altered


def test_dg2_changed_on_the_chip_the_sod_listed_hash_decides(image, trust, cache):
    altered = _altered_dg2(image)
    cold, _ = _read(altered, trust)
    assert cold.overall is Status.INVALID and _verdict(cold, "dg_hash:DG2")[0] is Status.INVALID
    _read(image, trust, cache)  # the genuine card came before: its face is cached
    warm, reads = _read(altered, trust, cache)
    assert warm.overall is Status.VALID and warm.read.from_cache == (DataGroup.DG2,)
    assert DG2_FID not in reads and warm.read.files[DataGroup.DG2] == image.app_files[DG2_FID]


def test_a_forged_sod_listing_the_changed_dg2_is_still_invalid(image, trust, cache):
    _read(image, trust, cache)
    forged = _altered_dg2(image)
    algorithm, genuine_hash = _dg2_hash(image)
    sod = forged.app_files[DataGroup.SOD.fid]
    assert sod.count(genuine_hash) == 1
    forged.app_files[DataGroup.SOD.fid] = sod.replace(genuine_hash, hashlib.new(algorithm, forged.app_files[DG2_FID]).digest())
    result, reads = _read(forged, trust, cache)
    assert result.overall is Status.INVALID and result.read.from_cache == ()
    assert DG2_FID in reads  # the listed hash is not the cached one: the chip is read
    assert _verdict(result, "sod_content") == (Status.INVALID, "messageDigest in the signed attributes does not "
                                                               "match the content")
    assert _verdict(result, "dg_hash:DG2")[0] is Status.VALID  # the forger's own hash: the signature decides
    assert cache.status().entries == 1  # an INVALID read stores nothing
