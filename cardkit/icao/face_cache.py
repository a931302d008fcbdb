# SPDX-License-Identifier: Apache-2.0
"""Returning cards: DG2 (the face), DG14 and DG15 taken from a station's cache instead of the chip.

The card side only: the cache is an injected :class:`FaceCache` (the encrypted file store is
:mod:`cardkit.facecache`; the icao layer does no file I/O). The cache is asked by the hash that
the card's EF.SOD lists for the group, in EF.SOD's own algorithm (ICAO 9303-10 §4.6.2.2), and
what it returns is hashed again here: bytes are used only when their hash equals the listed one,
so a cache can at most cost a chip read, never change what is verified. The rest of the read is
as on a first visit: EF.SOD's signature, every other group; passive authentication hashes each
cached group once more (``dg_hash:DGn``). A group is stored only after a read that is VALID.

Which groups (:data:`CACHED_GROUPS`): DG2, the bulk of a read's time on the air; DG14 (security
infos, the Chip Authentication public key) and DG15 (the Active Authentication public key), which
hold no personal data. Chip and Active Authentication still run on the chip with the cached
DG14/DG15: their keys are bound by EF.SOD's signature, and only the chip holding the private keys
passes them (:mod:`cardkit.icao.chip_checks`). EF.SOD itself (what binds the hashes to this
card's signature), DG1 and DG13 are always read from the chip.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from cardkit.errors import CardkitError
from cardkit.icao.lds.ef import DataGroup

if TYPE_CHECKING:  # asn1crypto: loaded only once EF.SOD is in
    from cardkit.icao.lds.sod import Sod

logger = logging.getLogger(__name__)

# the groups a cache may hold, in DG number order, with their number (EF.SOD's key)
CACHED_GROUPS: Mapping[DataGroup, int] = MappingProxyType({DataGroup.DG2: 2, DataGroup.DG14: 14, DataGroup.DG15: 15})


class FaceCache(Protocol):
    """Bytes by (hash algorithm name as EF.SOD names it, digest). ``get`` answers None for a
    miss, an expired entry or one that cannot be decrypted; errors may be raised (they count
    as a miss)."""

    def get(self, algorithm: str, digest: bytes) -> bytes | None: ...

    def put(self, algorithm: str, digest: bytes, data: bytes) -> None: ...


def cached_group(cache: FaceCache, sod: Sod, dg: DataGroup) -> bytes | None:
    """The cached ``dg`` (one of :data:`CACHED_GROUPS`) whose hash equals the one ``sod`` lists,
    or None (then read the chip)."""
    digest = sod.dg_hashes.get(CACHED_GROUPS[dg]) if dg in CACHED_GROUPS else None
    if digest is None:
        return None
    try:
        data = cache.get(sod.hash_algorithm, digest)
        if data is None:
            return None
        same = hashlib.new(sod.hash_algorithm, data).digest() == digest
    except (CardkitError, OSError, ValueError) as exc:  # a broken cache costs a chip read, nothing more
        logger.warning("face cache not usable (%s): %s is read from the chip", type(exc).__name__, dg.label)
        return None
    if not same:
        logger.warning("face cache returned bytes for %s whose hash is not the one EF.SOD lists: not used", dg.label)
        return None
    return data


def remember_groups(cache: FaceCache, sod: Sod, files: Mapping[DataGroup, bytes]) -> tuple[DataGroup, ...]:
    """Store each of :data:`CACHED_GROUPS` in ``files`` under the hash ``sod`` lists (the caller
    has verified the read); the groups stored (not those whose bytes do not match that hash, nor
    those the cache could not store)."""
    stored = []
    for dg, number in CACHED_GROUPS.items():
        if dg not in files:
            continue
        digest = sod.dg_hashes.get(number)
        try:
            if digest is None or hashlib.new(sod.hash_algorithm, files[dg]).digest() != digest:
                continue
            cache.put(sod.hash_algorithm, digest, files[dg])
        except (CardkitError, OSError, ValueError) as exc:
            logger.warning("face cache could not store %s (%s)", dg.label, type(exc).__name__)
            continue
        stored.append(dg)
    return tuple(stored)
