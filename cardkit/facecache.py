# SPDX-License-Identifier: Apache-2.0
"""The station's face cache: DG2, DG14 and DG15 of returning cards, encrypted at rest, bounded,
wiped by one command.

Opt-in (``cardkit read --face-cache``, ``face_cache = "on"`` in station.toml). What is stored:
of cards whose read was VALID, the DG2 bytes (the face image: sensitive personal data, Law
91/2025/QH15), DG14 (security infos: the Chip Authentication public key) and DG15 (the Active
Authentication public key), nothing else; DG14 and DG15 hold no personal data, but their keys
are unique to a card, so they are kept exactly like the face. Where: ``$CARDKIT_HOME/face-cache/``
(0700), one file (0600) per data group, and the station key ``$CARDKIT_HOME/face-cache.key``
(0600, 32 random bytes made on first use).

- Each entry is AES-256-GCM (``cryptography``) of ``stored_at (8 bytes, Unix seconds) || bytes``
  under the station key, with a fresh 12-byte nonce, the entry's name as associated data.
- An entry's name is HMAC-SHA256(station key, algorithm ":" digest) in hex: it reveals neither
  the person nor the hash EF.SOD lists (which the card hands to anyone who can open it).
- An entry that does not decrypt (altered, truncated, renamed to another hash's name, another
  station's) or is older than ``max_age`` is deleted and reported a miss: the chip is read.
- At most ``max_entries`` entries and ``max_bytes`` bytes; the least recently used go first
  (the file's mtime is its last use, set from the injected clock).
- :meth:`FileFaceCache.wipe` (``cardkit cache wipe``) deletes every entry and the key.

The card side (which hash to ask for, re-hashing what comes back) is
:mod:`cardkit.icao.face_cache`; this module only keeps bytes.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from cardkit.errors import CardkitError, FileAccessError
from cardkit.home import cardkit_home, ensure_parent, private_dir, write_private

logger = logging.getLogger(__name__)

KEY_BYTES = 32
NONCE_BYTES = 12
_STAMP = 8
_NAME = re.compile(r"[0-9a-f]{64}")
DAY = 86400.0


class FaceCacheError(CardkitError):
    message_vi = "Bộ nhớ đệm ảnh chân dung bị hỏng: hãy xóa bằng lệnh 'cardkit cache wipe'."


@dataclass(frozen=True)
class CacheLimits:
    max_entries: int = 6000  # three a card (DG2, DG14, DG15): 2000 cards
    max_bytes: int = 64 * 1024 * 1024
    max_age: float = 30 * DAY  # seconds since the face was stored (a hit does not extend it)


@dataclass(frozen=True)
class CacheStatus:
    """What ``cardkit cache status`` shows: counts only, no personal data."""

    folder: str
    entries: int
    bytes: int
    key_present: bool
    max_entries: int
    max_bytes: int
    max_age_days: float

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def default_folder() -> Path:
    return cardkit_home() / "face-cache"


def default_key_path() -> Path:
    return cardkit_home() / "face-cache.key"


class FileFaceCache:
    """The :class:`cardkit.icao.face_cache.FaceCache` of a station, in files."""

    def __init__(self, folder: Path | None = None, key_path: Path | None = None, *,
                 limits: CacheLimits = CacheLimits(), clock: Callable[[], float] | None = None,
                 random: Callable[[int], bytes] = os.urandom) -> None:
        import time

        self.folder = Path(folder) if folder is not None else default_folder()
        self.key_path = Path(key_path) if key_path is not None else default_key_path()
        self.limits = limits
        self.clock = clock or time.time
        self.random = random
        self._key: bytes | None = None

    # -- the station key ------------------------------------------------------------------
    def _station_key(self) -> bytes:
        if self._key is None:
            ensure_parent(self.key_path)  # the home (0700), or a missing folder made 0700
            if not self.key_path.exists():
                self._make_key()
            try:
                key = self.key_path.read_bytes()
            except OSError as exc:
                raise FileAccessError.of(exc, self.key_path) from None
            if len(key) != KEY_BYTES:
                raise FaceCacheError(f"station key {self.key_path} is not {KEY_BYTES} bytes: run `cardkit cache wipe`")
            self._key = key
        return self._key

    def _make_key(self) -> None:
        """Written whole under a temporary name, then linked in: two processes never see half a
        key, and the first one to link wins."""
        tmp = self.key_path.with_name(f".{self.key_path.name}.{os.getpid()}.tmp")
        write_private(tmp, self.random(KEY_BYTES))
        try:
            os.link(tmp, self.key_path)
        except FileExistsError:
            pass
        except OSError as exc:
            raise FileAccessError.of(exc, self.key_path, writing=True) from None
        finally:
            tmp.unlink(missing_ok=True)

    def _name(self, algorithm: str, digest: bytes) -> str:
        return hmac.new(self._station_key(), algorithm.encode("ascii") + b":" + digest, sha256).hexdigest()

    def _aead(self):  # noqa: ANN202 - cryptography's AESGCM
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        return AESGCM(self._station_key())

    # -- the entries ----------------------------------------------------------------------
    def get(self, algorithm: str, digest: bytes) -> bytes | None:
        name = self._name(algorithm, digest)
        path = self.folder / name
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise FileAccessError.of(exc, path) from None
        now = self.clock()
        plain = self._open(blob, name)
        if plain is None or now - int.from_bytes(plain[:_STAMP], "big") > self.limits.max_age:
            logger.info("face cache entry %s discarded (%s)", name[:8], "expired" if plain else "does not decrypt")
            path.unlink(missing_ok=True)
            return None
        os.utime(path, (now, now))  # its last use, for LRU eviction
        return plain[_STAMP:]

    def _open(self, blob: bytes, name: str) -> bytes | None:
        from cryptography.exceptions import InvalidTag

        if len(blob) < NONCE_BYTES + _STAMP + 16:
            return None
        try:
            return self._aead().decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], name.encode("ascii"))
        except InvalidTag:
            return None

    def put(self, algorithm: str, digest: bytes, data: bytes) -> None:
        name = self._name(algorithm, digest)
        now = self.clock()
        nonce = self.random(NONCE_BYTES)
        blob = nonce + self._aead().encrypt(nonce, int(now).to_bytes(_STAMP, "big") + data, name.encode("ascii"))
        folder = private_dir(self.folder)
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        write_private(tmp, blob)
        os.utime(tmp, (now, now))
        tmp.replace(folder / name)
        self._enforce(now)

    def _entries(self) -> list[tuple[Path, os.stat_result]]:
        if not self.folder.is_dir():
            return []
        out = []
        for p in self.folder.iterdir():
            if _NAME.fullmatch(p.name):
                try:
                    out.append((p, p.stat()))
                except FileNotFoundError:
                    continue
        return out

    def _enforce(self, now: float) -> None:
        """Expired entries out (last use older than max_age: stored even earlier), then the least
        recently used until the bounds hold."""
        entries = []
        for path, st in self._entries():
            if now - st.st_mtime > self.limits.max_age:
                path.unlink(missing_ok=True)
            else:
                entries.append((path, st))
        entries.sort(key=lambda e: e[1].st_mtime)
        total = sum(st.st_size for _, st in entries)
        while entries and (len(entries) > self.limits.max_entries or total > self.limits.max_bytes):
            path, st = entries.pop(0)
            path.unlink(missing_ok=True)
            total -= st.st_size

    # -- the operator's commands ----------------------------------------------------------
    def status(self) -> CacheStatus:
        entries = self._entries()
        return CacheStatus(str(self.folder), len(entries), sum(st.st_size for _, st in entries),
                           self.key_path.exists(), self.limits.max_entries, self.limits.max_bytes,
                           self.limits.max_age / DAY)

    def wipe(self) -> int:
        """Delete every entry (and stray temporary file) and the station key; the number of entries."""
        count = len(self._entries())
        if self.folder.is_dir():
            for p in self.folder.iterdir():
                if p.is_file():
                    p.unlink(missing_ok=True)
        self.key_path.unlink(missing_ok=True)
        self._key = None
        return count
