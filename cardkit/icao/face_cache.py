# SPDX-License-Identifier: Apache-2.0
"""Returning cards: DG2 (the face) taken from a station's cache instead of the chip.

The card side only: the cache is an injected :class:`FaceCache` (the encrypted file store is
:mod:`cardkit.facecache`; the icao layer does no file I/O). The cache is asked by the hash that
the card's EF.SOD lists for DG2, in EF.SOD's own algorithm (ICAO 9303-10 §4.6.2.2), and what it
returns is hashed again here: bytes are used only when their hash equals the listed one, so a
cache can at most cost a chip read, never change what is verified. The rest of the read is as
on a first visit: EF.SOD's signature, every other group, CA and AA; passive authentication
hashes DG2 once more (``dg_hash:DG2``). A face is stored only after a read that is VALID.
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Protocol

from cardkit.errors import CardkitError

if TYPE_CHECKING:  # asn1crypto: loaded only once EF.SOD is in
    from cardkit.icao.lds.sod import Sod

logger = logging.getLogger(__name__)

DG2 = 2


class FaceCache(Protocol):
    """Bytes by (hash algorithm name as EF.SOD names it, digest). ``get`` answers None for a
    miss, an expired entry or one that cannot be decrypted; errors may be raised (they count
    as a miss)."""

    def get(self, algorithm: str, digest: bytes) -> bytes | None: ...

    def put(self, algorithm: str, digest: bytes, data: bytes) -> None: ...


def cached_face(cache: FaceCache, sod: Sod) -> bytes | None:
    """The cached DG2 whose hash equals the one ``sod`` lists, or None (then read the chip)."""
    digest = sod.dg_hashes.get(DG2)
    if digest is None:
        return None
    try:
        data = cache.get(sod.hash_algorithm, digest)
        if data is None:
            return None
        same = hashlib.new(sod.hash_algorithm, data).digest() == digest
    except (CardkitError, OSError, ValueError) as exc:  # a broken cache costs a chip read, nothing more
        logger.warning("face cache not usable (%s): DG2 is read from the chip", type(exc).__name__)
        return None
    if not same:
        logger.warning("face cache returned bytes whose hash is not the one EF.SOD lists: not used")
        return None
    return data


def remember_face(cache: FaceCache, sod: Sod, dg2: bytes) -> bool:
    """Store ``dg2`` under the hash ``sod`` lists (the caller has verified the read); False when
    the bytes do not match that hash or the cache could not store them."""
    digest = sod.dg_hashes.get(DG2)
    try:
        if digest is None or hashlib.new(sod.hash_algorithm, dg2).digest() != digest:
            return False
        cache.put(sod.hash_algorithm, digest, dg2)
    except (CardkitError, OSError, ValueError) as exc:
        logger.warning("face cache could not store DG2 (%s)", type(exc).__name__)
        return False
    return True
