# SPDX-License-Identifier: Apache-2.0
"""The holder's face, served as JPEG at ``/v1/checkins/{id}/face.jpg``: kept in memory only, for
the last few check-ins and for a few minutes at most (the desk needs it while the patient is at the
counter; the journal never stores it). An expired face is gone: its URL answers 404."""

from __future__ import annotations

import io
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

logger = logging.getLogger(__name__)

JPEG_MAGIC = b"\xff\xd8"
KEEP = 8  # faces of the last check-ins
MAX_AGE = 600.0  # seconds a face is kept (agent.toml ``face_max_age``)


def as_jpeg(image: bytes | None) -> bytes | None:
    """The DG2 image as JPEG: as is when it is one, else converted (JPEG 2000 via Pillow)."""
    if not image:
        return None
    if image[:2] == JPEG_MAGIC:
        return image
    try:
        from PIL import Image

        with Image.open(io.BytesIO(image)) as img:
            out = io.BytesIO()
            img.convert("RGB").save(out, "JPEG", quality=90)
            return out.getvalue()
    except Exception as exc:  # noqa: BLE001 - Pillow raises assorted types on undecodable images
        logger.info("face image not convertible to JPEG: %s", type(exc).__name__)
        return None


class FaceCache:
    """The last ``keep`` faces, each for ``max_age`` seconds of ``clock`` (monotonic, injected)."""

    def __init__(self, keep: int = KEEP, max_age: float = MAX_AGE, clock: Callable[[], float] = time.monotonic) -> None:
        self.keep, self.max_age, self.clock = keep, max_age, clock
        self._items: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key: str, jpeg: bytes) -> None:
        with self._lock:
            self._items[key] = (self.clock(), jpeg)
            self._items.move_to_end(key)
            self._expire()
            while len(self._items) > self.keep:
                self._items.popitem(last=False)

    def get(self, key: str) -> bytes | None:
        with self._lock:
            self._expire()
            item = self._items.get(key)
            return item[1] if item is not None else None

    def drop(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._items)

    def _expire(self) -> None:
        """Drop every face older than ``max_age`` (oldest first: the dict is in insertion order)."""
        limit = self.clock() - self.max_age
        while self._items:
            key, (at, _) = next(iter(self._items.items()))
            if at > limit:
                return
            del self._items[key]
