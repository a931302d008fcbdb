# SPDX-License-Identifier: Apache-2.0
"""The holder's face, served as JPEG at ``/v1/checkins/{id}/face.jpg``: kept in memory only, for
the last few check-ins (the desk needs it for minutes, the journal never stores it)."""

from __future__ import annotations

import io
import logging
import threading
from collections import OrderedDict

logger = logging.getLogger(__name__)

JPEG_MAGIC = b"\xff\xd8"


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
    def __init__(self, keep: int = 8) -> None:
        self.keep = keep
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key: str, jpeg: bytes) -> None:
        with self._lock:
            self._items[key] = jpeg
            self._items.move_to_end(key)
            while len(self._items) > self.keep:
                self._items.popitem(last=False)

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._items.get(key)

    def drop(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)
