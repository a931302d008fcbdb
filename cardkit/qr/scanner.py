# SPDX-License-Identifier: Apache-2.0
"""Frame sources (camera, video file, images) and the background QR scanner.

A card held in front of the camera shows the same code in dozens of consecutive frames; the desk
wants one event per presentation. :class:`Deduper` reports a payload once and again only after
it has been absent for ``absent_frames`` frames *and* ``absent_seconds`` seconds, so a frame or
two lost to motion blur does not produce a second check-in.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cardkit.extras import Extra, MissingExtraError

try:  # the optional extra "qr": without it, one typed line naming it (cardkit.extras)
    import cv2
    import numpy as np
except ImportError as exc:
    raise MissingExtraError.of(Extra.QR, exc) from None

from cardkit.errors import InputError
from cardkit.qr.decoders import Decoded
from cardkit.qr.pipeline import QrPipeline

log = logging.getLogger(__name__)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm"}


class FrameSource:
    """An iterable of BGR or gray frames; ``close()`` releases the device or file."""

    name = "source"

    def frames(self) -> Iterator[np.ndarray]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class CaptureSource(FrameSource):
    """OpenCV VideoCapture over a camera index or a video file."""

    def __init__(self, target: int | str, *, width: int | None = None, height: int | None = None,
                 fps: float | None = None) -> None:
        self.name = f"camera {target}" if isinstance(target, int) else Path(target).name
        if isinstance(target, str) and not Path(target).exists():
            raise InputError(f"video file not found: {target}", message_vi="Không tìm thấy tệp video.")
        self._cap = cv2.VideoCapture(target)
        if not self._cap.isOpened():
            raise InputError(f"cannot open {self.name}", message_vi="Không mở được camera hoặc tệp video.")
        for prop, value in ((cv2.CAP_PROP_FRAME_WIDTH, width), (cv2.CAP_PROP_FRAME_HEIGHT, height),
                            (cv2.CAP_PROP_FPS, fps)):
            if value:
                self._cap.set(prop, value)

    def frames(self) -> Iterator[np.ndarray]:
        while True:
            ok, frame = self._cap.read()
            if not ok:
                return
            yield frame

    def close(self) -> None:
        self._cap.release()


class ImageSource(FrameSource):
    """Image files, or every image in a directory (sorted by name)."""

    def __init__(self, paths: Iterable[str | Path]) -> None:
        self.paths = list(expand_images(paths))
        self.name = f"{len(self.paths)} images"

    def frames(self) -> Iterator[np.ndarray]:
        for p in self.paths:
            yield read_image(p)


def expand_images(paths: Iterable[str | Path]) -> Iterator[Path]:
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(q for q in p.iterdir() if q.suffix.lower() in IMAGE_SUFFIXES)
        else:
            yield p


def read_image(path: str | Path) -> np.ndarray:
    """The image as a gray array; a typed error (not ``None``) when it cannot be read."""
    img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) if Path(path).is_file() else None
    if img is None:
        raise InputError(f"cannot read image {Path(path).name}", message_vi="Không đọc được tệp ảnh.")
    return img


@dataclass(frozen=True)
class QrEvent:
    """A payload newly presented to the camera. ``timestamp`` is the clock time of its frame."""

    code: Decoded
    timestamp: float
    frame_index: int


class Deduper:
    """Report a payload once per presentation (see module docstring)."""

    def __init__(self, *, absent_frames: int = 5, absent_seconds: float = 0.5) -> None:
        self.absent_frames = absent_frames
        self.absent_seconds = absent_seconds
        self._last_seen: dict[bytes, tuple[int, float]] = {}

    def feed(self, codes: Iterable[Decoded], index: int, now: float) -> list[Decoded]:
        new = []
        for code in codes:
            seen = self._last_seen.get(code.raw)
            if seen is None or self._gone(seen, index, now):
                new.append(code)
            self._last_seen[code.raw] = (index, now)
        self._last_seen = {k: v for k, v in self._last_seen.items() if not self._gone(v, index, now)}
        return new

    def _gone(self, seen: tuple[int, float], index: int, now: float) -> bool:
        return index - seen[0] > self.absent_frames and now - seen[1] > self.absent_seconds


class Scanner:
    """Decode frames of a source in a background thread and report each new payload.

    Events go to ``on_event`` (called in the scanner thread) or, without it, to :attr:`events`
    (a queue). ``stop()`` ends the thread and releases the source; ``done`` is set when the
    source is exhausted or stopped.
    """

    def __init__(self, source: FrameSource, *, on_event: Callable[[QrEvent], None] | None = None,
                 deduper: Deduper | None = None, pipeline_factory: Callable[[], QrPipeline] = QrPipeline,
                 clock: Callable[[], float] = time.time, frame_clock: Callable[[int], float] | None = None) -> None:
        self.source = source
        self.events: queue.Queue[QrEvent] = queue.Queue()
        self.on_event = on_event or self.events.put
        self.deduper = deduper or Deduper()
        self._pipeline_factory = pipeline_factory
        self._clock = clock
        self._frame_clock = frame_clock  # video files: time from the frame index, not the wall
        self._stop = threading.Event()
        self.done = threading.Event()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="cardkit-qr-scanner", daemon=True)

    def start(self) -> Scanner:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)

    def __enter__(self) -> Scanner:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        pipeline = self._pipeline_factory()  # built here: zbar's scanner belongs to this thread
        try:
            for index, frame in enumerate(self.source.frames()):
                if self._stop.is_set():
                    break
                now = self._frame_clock(index) if self._frame_clock else self._clock()
                for code in self.deduper.feed(pipeline.decode(frame).codes, index, now):
                    log.info("QR code read (%d bytes) at frame %d", len(code.raw), index)
                    self.on_event(QrEvent(code, now, index))
        except BaseException as exc:  # noqa: BLE001 - the thread boundary: keep it for the caller
            self.error = exc
            log.warning("QR scanner stopped: %s", exc)
        finally:
            self.source.close()
            self.done.set()


def scan_all(source: FrameSource, **kwargs) -> list[QrEvent]:
    """Run a scanner over a finite source and return its events (tests, batch use)."""
    events: list[QrEvent] = []
    scanner = Scanner(source, on_event=events.append, **kwargs).start()
    scanner.wait()
    scanner.stop()
    if scanner.error is not None:
        raise scanner.error
    return events
