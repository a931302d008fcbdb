# SPDX-License-Identifier: Apache-2.0
"""The station's face cache on disk: encrypted, named without the person, bounded, wiped."""

from __future__ import annotations

import hashlib
import json
import os
import stat

import pytest

from cardkit.facecache import DAY, CacheLimits, FaceCacheError, FileFaceCache

FACE = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8  # stands for a DG2


class Clock:
    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _cache(tmp_path, clock=None, **limits) -> FileFaceCache:
    return FileFaceCache(tmp_path / "home" / "face-cache", tmp_path / "home" / "face-cache.key",
                         limits=CacheLimits(**limits), clock=clock or Clock())


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_entries_round_trip_encrypted_under_a_name_that_reveals_nothing(tmp_path):
    cache = _cache(tmp_path)
    cache.put("sha256", _digest(FACE), FACE)
    assert cache.get("sha256", _digest(FACE)) == FACE
    (entry,) = cache.folder.iterdir()
    assert _digest(FACE).hex() not in entry.name and len(entry.name) == 64
    blob = entry.read_bytes()
    assert FACE[4:40] not in blob and len(blob) == 12 + 8 + len(FACE) + 16  # nonce, stamp, tag
    assert cache.get("sha256", _digest(b"another face")) is None
    assert cache.get("sha1", _digest(FACE)) is None  # the algorithm is part of the key


def test_files_are_0600_in_0700_folders_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        cache = _cache(tmp_path)
        cache.put("sha256", _digest(FACE), FACE)
    finally:
        os.umask(old)
    (entry,) = cache.folder.iterdir()
    assert (_mode(cache.folder), _mode(entry), _mode(cache.key_path)) == (0o700, 0o600, 0o600)
    assert len(cache.key_path.read_bytes()) == 32


def test_the_station_key_comes_from_the_injected_randomness(tmp_path):
    calls = []

    def random(n: int) -> bytes:
        calls.append(n)
        return bytes([len(calls)]) * n

    cache = FileFaceCache(tmp_path / "fc", tmp_path / "key", clock=Clock(), random=random)
    cache.put("sha256", _digest(FACE), FACE)
    assert calls == [32, 12] and (tmp_path / "key").read_bytes() == b"\x01" * 32
    assert next(cache.folder.iterdir()).read_bytes()[:12] == b"\x02" * 12


def test_an_altered_entry_is_discarded(tmp_path):
    cache = _cache(tmp_path)
    cache.put("sha256", _digest(FACE), FACE)
    (entry,) = cache.folder.iterdir()
    blob = bytearray(entry.read_bytes())
    blob[-20] ^= 0x80
    entry.write_bytes(bytes(blob))
    assert cache.get("sha256", _digest(FACE)) is None
    assert not entry.exists()


def test_an_entry_moved_under_another_hash_name_does_not_decrypt(tmp_path):
    cache = _cache(tmp_path)
    other = FACE[::-1]
    cache.put("sha256", _digest(FACE), FACE)
    cache.put("sha256", _digest(other), other)
    name_face, name_other = cache._name("sha256", _digest(FACE)), cache._name("sha256", _digest(other))
    (cache.folder / name_face).replace(cache.folder / name_other)  # FACE's entry now answers for `other`
    assert cache.get("sha256", _digest(other)) is None
    assert cache.status().entries == 0


def test_another_stations_key_cannot_read_the_entries(tmp_path):
    cache = _cache(tmp_path)
    cache.put("sha256", _digest(FACE), FACE)
    cache.key_path.write_bytes(b"\x07" * 32)
    assert FileFaceCache(cache.folder, cache.key_path, clock=Clock()).get("sha256", _digest(FACE)) is None


def test_a_damaged_key_is_a_typed_error(tmp_path):
    cache = _cache(tmp_path)
    cache.key_path.parent.mkdir(parents=True)
    cache.key_path.write_bytes(b"short")
    with pytest.raises(FaceCacheError, match="is not 32 bytes"):
        cache.get("sha256", _digest(FACE))


def test_an_entry_expires_max_age_after_it_was_stored_even_when_used(tmp_path):
    clock = Clock()
    cache = _cache(tmp_path, clock, max_age=30 * DAY)
    cache.put("sha256", _digest(FACE), FACE)
    clock.t += 29 * DAY
    assert cache.get("sha256", _digest(FACE)) == FACE  # a hit: its last use moves, its age does not
    clock.t += 1 * DAY + 1
    assert cache.get("sha256", _digest(FACE)) is None
    assert cache.status().entries == 0


def test_expired_entries_are_purged_when_another_is_stored(tmp_path):
    clock = Clock()
    cache = _cache(tmp_path, clock, max_age=10.0)
    cache.put("sha256", _digest(FACE), FACE)
    clock.t += 11
    cache.put("sha256", _digest(b"x"), b"x")
    assert cache.status().entries == 1 and cache.get("sha256", _digest(b"x")) == b"x"


def test_the_least_recently_used_entry_is_evicted_past_max_entries(tmp_path):
    clock = Clock()
    cache = _cache(tmp_path, clock, max_entries=2)
    faces = [FACE + bytes([i]) for i in range(3)]
    for face in faces[:2]:
        clock.t += 1
        cache.put("sha256", _digest(face), face)
    clock.t += 1
    assert cache.get("sha256", _digest(faces[0])) == faces[0]  # faces[1] is now the least recent
    clock.t += 1
    cache.put("sha256", _digest(faces[2]), faces[2])
    assert [cache.get("sha256", _digest(f)) is not None for f in faces] == [True, False, True]


def test_entries_are_evicted_past_max_bytes(tmp_path):
    clock = Clock()
    entry_size = 12 + 8 + len(FACE) + 1 + 16
    cache = _cache(tmp_path, clock, max_bytes=2 * entry_size + 10)
    faces = [FACE + bytes([i]) for i in range(3)]
    for face in faces:
        clock.t += 1
        cache.put("sha256", _digest(face), face)
    status = cache.status()
    assert (status.entries, status.bytes) == (2, 2 * entry_size)
    assert cache.get("sha256", _digest(faces[0])) is None


def test_wipe_deletes_every_entry_and_the_key(tmp_path):
    cache = _cache(tmp_path)
    for i in range(3):
        cache.put("sha256", _digest(FACE + bytes([i])), FACE + bytes([i]))
    old_key = cache.key_path.read_bytes()
    assert cache.wipe() == 3
    assert list(cache.folder.iterdir()) == [] and not cache.key_path.exists()
    status = cache.status()
    assert (status.entries, status.bytes, status.key_present) == (0, 0, False)
    cache.put("sha256", _digest(FACE), FACE)  # a fresh key after the wipe
    assert cache.key_path.read_bytes() != old_key


def test_the_cli_status_and_wipe(tmp_path, monkeypatch, capsys):
    from cardkit.cli import main

    monkeypatch.setenv("CARDKIT_HOME", str(tmp_path / "home"))
    cache = FileFaceCache()
    cache.put("sha256", _digest(FACE), FACE)
    assert main(["cache", "status", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc == {"folder": str(tmp_path / "home" / "face-cache"), "entries": 1, "bytes": 12 + 8 + len(FACE) + 16,
                   "key_present": True, "max_entries": 2000, "max_bytes": 64 * 1024 * 1024, "max_age_days": 30.0}
    assert main(["cache", "wipe"]) == 0
    assert capsys.readouterr().out == "face cache wiped: 1 entries and the station key deleted\n"
    assert FileFaceCache().status().entries == 0 and not (tmp_path / "home" / "face-cache.key").exists()


def test_every_single_byte_change_or_truncation_of_an_entry_is_discarded(tmp_path):
    """Length-preserving mutations of every byte (nonce, stamp, ciphertext, tag), and every cut."""
    cache = _cache(tmp_path)
    small = b"\xff\xd8 a tiny face"
    cache.put("sha256", _digest(small), small)
    (entry,) = cache.folder.iterdir()
    genuine = entry.read_bytes()
    outcomes = set()
    for i in range(len(genuine)):
        for mutated in (genuine[:i] + bytes([genuine[i] ^ 0x01]) + genuine[i + 1:], genuine[:i]):
            entry.write_bytes(mutated)
            outcomes.add(cache.get("sha256", _digest(small)))
    assert outcomes == {None}
    entry.write_bytes(genuine)
    assert cache.get("sha256", _digest(small)) == small
