# SPDX-License-Identifier: Apache-2.0
"""Run cardkit's pipeline, raw zxing-cpp and raw zbar side by side over a benchmark set.

The set (benchmarks/qr_dataset.py) is DIR/<class>/NNN.jpg plus manifest.json with the expected
text per file (null: no code). A frame counts as read when the exact expected text is among the
decoded codes; a frame without a code counts as read when nothing is decoded. Times cover the
decode of an in-memory BGR frame, grey conversion included, not the JPEG read.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from cardkit.extras import Extra, MissingExtraError

try:  # the optional extra "qr": without it, one typed line naming it (cardkit.extras)
    import cv2
    import numpy as np
except ImportError as exc:
    raise MissingExtraError.of(Extra.QR, exc) from None

from cardkit.errors import InputError
from cardkit.qr.decoders import ZbarDecoder, ZxingDecoder
from cardkit.qr.pipeline import QrPipeline, to_gray

RUNNERS = ("pipeline", "zxing", "zbar")


def load_manifest(root: Path) -> list[dict]:
    path = Path(root) / "manifest.json"
    if not path.is_file():
        raise InputError(f"no manifest.json in {root}", message_vi="Thư mục không có manifest.json.")
    return list(json.loads(path.read_text("utf-8"))["frames"])


def _runners() -> dict[str, Callable[[np.ndarray], list]]:
    pipeline, zx, zb = QrPipeline(), ZxingDecoder(), ZbarDecoder()
    return {
        "pipeline": lambda f: list(pipeline.decode(f).codes),
        "zxing": lambda f: zx.decode(to_gray(f)),
        "zbar": lambda f: zb.decode(to_gray(f)),
    }


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def run_bench(root: Path, *, limit: int | None = None) -> dict:
    """{"classes": {cls: {runner: {"frames", "read", "rate", "median_ms", "p95_ms"}}}}"""
    frames = load_manifest(root)
    runners = _runners()
    got: dict[str, dict[str, list[tuple[bool, float]]]] = defaultdict(lambda: defaultdict(list))
    per_class: dict[str, int] = defaultdict(int)
    for entry in frames:
        cls = entry["class"]
        if limit is not None and per_class[cls] >= limit:
            continue
        per_class[cls] += 1
        img = cv2.imread(str(Path(root) / entry["file"]), cv2.IMREAD_COLOR)
        if img is None:
            raise InputError(f"cannot read {entry['file']}", message_vi="Không đọc được tệp ảnh.")
        for name, run in runners.items():
            t0 = time.perf_counter()
            codes = run(img)
            ms = (time.perf_counter() - t0) * 1000.0
            expected = entry["text"]
            ok = not codes if expected is None else any(c.text == expected for c in codes)
            got[cls][name].append((ok, ms))
    return {"classes": {cls: {name: _summary(v) for name, v in by.items()} for cls, by in got.items()}}


def _summary(results: list[tuple[bool, float]]) -> dict[str, float]:
    times = [ms for _, ms in results]
    read = sum(ok for ok, _ in results)
    return {"frames": len(results), "read": read, "rate": read / len(results),
            "median_ms": statistics.median(times), "p95_ms": _pct(times, 0.95)}


def format_table(report: dict) -> str:
    head = f"{'class':<12}" + "".join(f" | {n:>8} rate  med   p95" for n in RUNNERS)
    lines = [head, "-" * len(head)]
    for cls, by in report["classes"].items():
        row = f"{cls:<12}"
        for n in RUNNERS:
            s = by[n]
            row += f" | {s['rate']:>12.1%} {s['median_ms']:5.1f} {s['p95_ms']:5.1f}"
        lines.append(row)
    return "\n".join(lines)
