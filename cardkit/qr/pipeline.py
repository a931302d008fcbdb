# SPDX-License-Identifier: Apache-2.0
"""Frame -> QR codes: one fast pass, then bounded recoveries within a per-frame time budget.

Most frames at a desk either hold a clean code (the fast pass reads it in a few ms) or hold none
(and must cost little, or the camera loop falls behind). Only when the fast pass finds nothing do
we try recoveries, cheapest and most often useful first, and stop at the first success or when
the budget is spent. Regions where zxing saw a QR-like pattern but could not decode it are
cropped and worked on first, because processing a small crop is far cheaper than a whole frame.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cardkit.extras import Extra, MissingExtraError

try:  # the optional extra "qr": without it, one typed line naming it (cardkit.extras)
    import cv2
    import numpy as np
except ImportError as exc:
    raise MissingExtraError.of(Extra.QR, exc) from None

from cardkit.qr.decoders import Decoded, ZbarDecoder, ZxingDecoder

Transform = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class PipelineResult:
    codes: tuple[Decoded, ...]
    stage: str  # "fast", the recovery that succeeded, or "none"
    elapsed_ms: float
    tried: tuple[str, ...]


def to_gray(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        return frame
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def clahe(img: np.ndarray) -> np.ndarray:
    """Local contrast: low light and glare flatten the module contrast in part of the code."""
    return cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(img)


def sharpen(img: np.ndarray) -> np.ndarray:
    """Unsharp mask: motion and focus blur smear module edges."""
    blur = cv2.GaussianBlur(img, (0, 0), 2.0)
    return cv2.addWeighted(img, 1.8, blur, -0.8, 0)


def adaptive(img: np.ndarray) -> np.ndarray:
    """Adaptive threshold: uneven light (glare, vignetting) defeats a global threshold."""
    block = max(15, (min(img.shape[:2]) // 16) | 1)
    return cv2.adaptiveThreshold(img, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, 5)


def upscale(img: np.ndarray) -> np.ndarray:
    """Small codes (far from the camera) have about 1.5 px per module: give the detector 3."""
    return cv2.resize(img, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)


def denoise(img: np.ndarray) -> np.ndarray:
    """Sensor noise in low light breaks module sampling: a median keeps the edges."""
    return cv2.medianBlur(img, 3)


def rotate45(img: np.ndarray) -> np.ndarray:
    """A 45° turn gives the finder-pattern scan lines another chance on tilted, skewed codes."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 45, 1.0)
    side = int((w + h) / 1.414) + 2
    m[:, 2] += (side - w) / 2, (side - h) / 2
    return cv2.warpAffine(img, m, (side, side), borderValue=255)


# (name, transform, scale) applied to crops around QR evidence, in order of payoff per ms.
CROP_RECOVERIES: tuple[tuple[str, Transform, float], ...] = (
    ("crop", lambda x: x, 1.0),
    ("crop+upscale", upscale, 2.0),
    ("crop+sharpen", lambda x: sharpen(upscale(x)), 2.0),
    ("crop+clahe", lambda x: clahe(upscale(x)), 2.0),
    ("crop+adaptive", lambda x: adaptive(upscale(x)), 2.0),
    ("crop+denoise", lambda x: denoise(upscale(x)), 2.0),
    ("crop+rotate", lambda x: rotate45(upscale(x)), 0.0),
)
FRAME_RECOVERIES: tuple[tuple[str, Transform], ...] = (
    ("clahe", clahe),
    ("sharpen", sharpen),
    ("adaptive", adaptive),
)


class QrPipeline:
    """Decode the QR codes of a frame (BGR or gray) as quickly as the frame allows.

    ``budget_ms`` bounds the recoveries (the fast pass always runs). Recoveries run only where
    there is evidence of a code (zxing saw one it could not decode, or a patch of QR-like
    texture), so that frames without a code stay cheap. Not thread-safe (zbar's scanner is
    not): give each thread its own pipeline.
    """

    def __init__(self, *, budget_ms: float = 40.0, use_zbar: bool = True,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.budget_ms = budget_ms
        self.primary = ZxingDecoder(try_rotate=False, try_downscale=True, try_invert=False)
        self.secondary = ZbarDecoder() if use_zbar else None
        self.clock = clock

    def decode(self, frame: np.ndarray) -> PipelineResult:
        start = self.clock()
        gray = to_gray(frame)
        tried = ["fast"]
        codes, regions = self.primary.scan(gray)
        stage = "fast"
        if not codes:
            strong = bool(regions)  # zxing located a code: worth whole-frame recoveries too
            regions = regions or locate_texture(gray)
            codes, stage = self._recover(gray, regions, strong, start, tried) if regions else ([], "none")
        return PipelineResult(tuple(codes), stage, (self.clock() - start) * 1000.0, tuple(tried))

    def _recover(self, gray, regions, strong: bool, start: float, tried: list[str]) -> tuple[list[Decoded], str]:
        deadline = start + self.budget_ms / 1000.0
        for name, run in self._attempts(gray, regions, strong):
            if self.clock() >= deadline:
                break
            tried.append(name)
            codes = run()
            if codes:
                return codes, name
        return [], "none"

    def _attempts(self, gray: np.ndarray, regions, strong: bool) -> Iterator[tuple[str, Callable[[], list[Decoded]]]]:
        crops = [(gray[y:y + h, x:x + w], x, y) for (x, y, w, h) in (_pad(r, gray.shape) for r in regions)]
        for name, tf, k in CROP_RECOVERIES:
            for crop, x, y in crops:
                yield name, lambda tf=tf, crop=crop, x=x, y=y, k=k: _shift(self._decode_any(tf(crop)), x, y, k)
        if not strong:
            return
        for name, tf in FRAME_RECOVERIES:
            yield name, lambda tf=tf: self.primary.decode(tf(gray))
        if self.secondary is not None:
            yield self.secondary.name, lambda: self.secondary.decode(gray)

    def _decode_any(self, img: np.ndarray) -> list[Decoded]:
        codes = self.primary.decode(img)
        if not codes and self.secondary is not None:
            codes = self.secondary.decode(img)
        return codes


def _pad(region: tuple[int, int, int, int], shape) -> tuple[int, int, int, int]:
    """Room for the quiet zone and for a detector that guessed the code too small."""
    x, y, w, h = region
    pad = max(w, h) // 3 + 8
    x0, y0 = max(0, x - pad), max(0, y - pad)
    x1, y1 = min(shape[1], x + w + pad), min(shape[0], y + h + pad)
    return x0, y0, x1 - x0, y1 - y0


def _shift(codes: list[Decoded], x: int, y: int, k: float) -> list[Decoded]:
    """Positions found in a crop scaled by ``k``, mapped back to frame coordinates (``k`` 0:
    the crop was warped, only the crop's origin is known)."""
    def back(pts):
        return tuple((int(px / k) + x, int(py / k) + y) for px, py in pts) if k else ((x, y),)

    return [Decoded(c.raw, c.text, back(c.position), c.decoder) for c in codes]


def locate_texture(gray: np.ndarray, limit: int = 2) -> list[tuple[int, int, int, int]]:
    """Patches busy with edges in both directions, as a QR is (text lines are busy in one).

    About 1 ms on a 1280x720 frame; finds small or damaged codes zxing's detector misses.
    """
    small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    gx = cv2.convertScaleAbs(cv2.Sobel(small, cv2.CV_16S, 1, 0, ksize=3))
    gy = cv2.convertScaleAbs(cv2.Sobel(small, cv2.CV_16S, 0, 1, ksize=3))
    energy = cv2.min(cv2.blur(gx, (15, 15)), cv2.blur(gy, (15, 15)))
    coarse = cv2.resize(energy, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)  # 1/8 of the frame
    _, mask = cv2.threshold(coarse, max(25, int(coarse.max()) // 2), 255, cv2.THRESH_BINARY)
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_16U)
    out = []
    for i in np.argsort(-stats[1:, cv2.CC_STAT_AREA])[:limit] + 1:
        x, y, w, h, area = (int(v) for v in stats[i])
        if w >= 2 and h >= 2 and 0.4 < w / h < 2.5 and area > 0.4 * w * h:
            out.append((8 * x, 8 * y, 8 * w, 8 * h))
    return out
