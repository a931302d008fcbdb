# SPDX-License-Identifier: Apache-2.0
"""Returning cards: DG2, DG14 and DG15 from the station's face cache, and only when their hashes
are the ones the card's EF.SOD lists; the rest of the read is verified as on a first visit, and
Chip Authentication is still proven by a file read from the chip under its keys."""

from __future__ import annotations

import copy
import hashlib
import tempfile

import pytest

from cardkit.facecache import FileFaceCache
from cardkit.icao.files import forget_learned
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
CACHED = (DataGroup.DG14, DataGroup.DG15, DataGroup.DG2)  # in read order
CACHED_FIDS = {dg.fid for dg in CACHED}
GA = 0x86  # GENERAL AUTHENTICATE: PACE's steps, then Chip Authentication's key agreement


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
    """The simulated card, noting every command's INS and, for a READ BINARY, the EF it reads
    (the short EF identifier in P1, ISO/IEC 7816-4 §11.3.3, else the current EF)."""

    def __init__(self, card) -> None:
        self.card, self.reads, self.commands = card, [], []

    def transmit(self, raw: bytes) -> bytes:
        out = self.card.transmit(raw)
        if len(raw) > 2 and raw[1] in (0xB0, 0xB1):
            self.reads.append(0x0100 | raw[2] & 0x1F if raw[1] == 0xB0 and raw[2] & 0x80 else self.card.state.ef)
            self.commands.append((raw[1], self.reads[-1]))
        else:
            self.commands.append((raw[1] if len(raw) > 1 else None, None))
        return out

    def __getattr__(self, name):
        return getattr(self.card, name)


def _read(image, trust, cache=None, card=None):
    forget_learned()  # exact READ counts: nothing another test's reader quirk taught this reader name
    card = card or Recording(make_card(image))
    result = read_and_verify(InProcessConnection(card), AccessSpec(can=cccd_can(image.meta["id"])),
                             trust=trust, face_cache=cache)
    return result, card.reads


def _verdict(result, check):
    return next((v.status, v.reason) for v in result.verdicts if v.check == check)


def _hash(image, dg: DataGroup = DataGroup.DG2) -> tuple[str, bytes]:
    sod = parse_sod(image.app_files[DataGroup.SOD.fid])
    return sod.hash_algorithm, sod.dg_hashes[dg.number]


def _dg2_hash(image) -> tuple[str, bytes]:
    return _hash(image, DataGroup.DG2)


def _cached_finding(dg: DataGroup) -> str:
    return f"{dg.label} came from this station's face cache, not the chip: its sha256 hash is the one EF.SOD lists"


CA_PROOF = (Status.VALID, "EF.COM read and verified under the chip-authenticated keys")
AA_RSA = (Status.VALID, "RSA 2048 ISO/IEC 9796-2 signature (SHA1) of the challenge verifies")


def test_a_returning_card_takes_dg2_dg14_dg15_from_the_cache_and_is_still_fully_verified(image, trust, cache):
    first, first_reads = _read(image, trust, cache)
    assert first.overall is Status.VALID and first.read.from_cache == ()
    assert set(first_reads) >= CACHED_FIDS and cache.status().entries == 3
    card = Recording(make_card(image))
    second, second_reads = _read(image, trust, cache, card)
    assert second.overall is Status.VALID
    assert not CACHED_FIDS & set(second_reads)  # the chip's DG2, DG14 and DG15 were not read at all
    assert second.read.from_cache == CACHED
    for dg in CACHED:
        assert second.read.files[dg] == image.app_files[dg.fid]
        assert _verdict(second, f"dg_hash:{dg.label}") == (Status.VALID, "sha256 hash matches EF.SOD")
    assert _verdict(second, "sod_signature")[0] is Status.VALID
    assert _verdict(second, "chip_authentication") == CA_PROOF
    assert _verdict(second, "active_authentication") == AA_RSA
    assert [(f.code, f.reason) for f in second.findings] == [(FindingCode.FACE_FROM_CACHE, _cached_finding(dg))
                                                             for dg in CACHED]
    doc = second.to_dict()
    assert doc["from_cache"] == ["DG14", "DG15", "DG2"] and doc["files"]["DG2"] == len(image.app_files[DG2_FID])
    # exactly the cached groups' READ BINARYs are saved: EF.COM, read once after CA, is the proof
    assert first.read.apdus - second.read.apdus == sum(first_reads.count(fid) for fid in CACHED_FIDS) == 4
    assert second.read.apdus == 16
    assert second_reads == [0x011C, 0x011D, 0x010D, 0x0101, 0x011E, 0x0103]  # CardAccess, SOD, DG13, DG1, COM, DG3
    assert first_reads.count(DataGroup.COM.fid) == second_reads.count(DataGroup.COM.fid) == 1
    ca_agreement = max(i for i, (ins, _) in enumerate(card.commands) if ins == GA)
    assert card.commands[ca_agreement + 1] == (0xB0, DataGroup.COM.fid)  # the chip answers under CA's keys
    assert second.read.bytes_received < first.read.bytes_received - sum(len(image.app_files[f]) for f in CACHED_FIDS)


def test_an_empty_cache_is_a_miss_the_chip_is_read_and_the_face_kept(image, trust, cache):
    result, reads = _read(image, trust, cache)
    assert result.overall is Status.VALID and result.read.from_cache == ()
    assert set(reads) >= CACHED_FIDS
    for dg in CACHED:
        assert cache.get(*_hash(image, dg)) == image.app_files[dg.fid]


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
    lying = LyingCache(genuine[:-1] + bytes([genuine[-1] ^ 1]))  # answers DG14's and DG15's hash too
    result, reads = _read(image, trust, lying)
    assert result.overall is Status.VALID and result.read.from_cache == ()
    assert set(reads) >= CACHED_FIDS and result.read.files[DataGroup.DG2] == genuine
    assert _verdict(result, "dg_hash:DG2") == (Status.VALID, "sha256 hash matches EF.SOD")
    # the verified groups replace it, in DG number order
    assert lying.puts == [(*_hash(image, dg), image.app_files[dg.fid])
                          for dg in (DataGroup.DG2, DataGroup.DG14, DataGroup.DG15)]


def test_cached_bytes_of_another_card_are_not_used(image, trust):
    other = builtin_card(persons()[1].key).app_files[DG2_FID]
    assert other != image.app_files[DG2_FID]
    result, reads = _read(image, trust, LyingCache(other))
    assert result.overall is Status.VALID and result.read.from_cache == ()
    assert DG2_FID in reads and result.read.files[DataGroup.DG2] == image.app_files[DG2_FID]


@pytest.mark.parametrize("dg", CACHED, ids=lambda dg: dg.label)
def test_a_tampered_entry_file_is_discarded_and_the_chip_read(image, trust, cache, dg):
    _read(image, trust, cache)
    entry = cache.folder / cache._name(*_hash(image, dg))
    blob = bytearray(entry.read_bytes())
    blob[40] ^= 0x01
    entry.write_bytes(bytes(blob))
    result, reads = _read(image, trust, cache)
    assert result.overall is Status.VALID
    assert result.read.from_cache == tuple(other for other in CACHED if other is not dg)
    assert reads.count(dg.fid) >= 1 and not (CACHED_FIDS - {dg.fid}) & set(reads)
    assert _verdict(result, "chip_authentication") == CA_PROOF
    assert _verdict(result, "active_authentication") == AA_RSA
    assert cache.get(*_hash(image, dg)) == image.app_files[dg.fid]  # stored again, genuine


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
    assert warm.overall is Status.VALID and warm.read.from_cache == CACHED
    assert DG2_FID not in reads and warm.read.files[DataGroup.DG2] == image.app_files[DG2_FID]


def test_a_forged_sod_listing_the_changed_dg2_is_still_invalid(image, trust, cache):
    _read(image, trust, cache)
    forged = _altered_dg2(image)
    algorithm, genuine_hash = _dg2_hash(image)
    sod = forged.app_files[DataGroup.SOD.fid]
    assert sod.count(genuine_hash) == 1
    forged.app_files[DataGroup.SOD.fid] = sod.replace(genuine_hash, hashlib.new(algorithm, forged.app_files[DG2_FID]).digest())
    result, reads = _read(forged, trust, cache)
    # DG14 and DG15 are the genuine ones, cached; the listed DG2 hash is not the cached one: the chip is read
    assert result.overall is Status.INVALID and result.read.from_cache == (DataGroup.DG14, DataGroup.DG15)
    assert DG2_FID in reads
    assert _verdict(result, "sod_content") == (Status.INVALID, "messageDigest in the signed attributes does not "
                                                               "match the content")
    assert _verdict(result, "dg_hash:DG2")[0] is Status.VALID  # the forger's own hash: the signature decides
    assert cache.status().entries == 3  # the genuine read's DG2, DG14, DG15; an INVALID read stores nothing
