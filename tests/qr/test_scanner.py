# SPDX-License-Identifier: Apache-2.0
"""The scanner reports each presentation of a card once, from a real video file."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from cardkit.errors import InputError
from cardkit.qr.decoders import Decoded
from cardkit.qr.scanner import CaptureSource, Deduper, ImageSource, scan_all

from .conftest import PAYLOADS, qr_gray

W, H = 320, 240


def _frame(code: np.ndarray | None, x: int) -> np.ndarray:
    frame = np.full((H, W, 3), 90, np.uint8)
    cv2.rectangle(frame, (10, 150), (120, 220), (200, 200, 200), -1)  # some clutter
    if code is not None:
        h, w = code.shape
        visible = frame[40:40 + h, x:x + w]
        visible[:] = cv2.cvtColor(np.ascontiguousarray(code[:, : visible.shape[1]]), cv2.COLOR_GRAY2BGR)
    return frame


def _write_video(path, frames) -> None:
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (W, H))
    assert out.isOpened()
    for f in frames:
        out.write(f)
    out.release()


def test_card_shown_twice_in_a_video_gives_exactly_two_reports(tmp_path):
    code = qr_gray(PAYLOADS[3], scale=2)
    slide_in = [_frame(code, x) for x in range(W - 20, 100, -20)]  # enters from the right edge
    still = [_frame(code, 100)] * 8
    gone = [_frame(None, 0)] * 12
    frames = gone[:3] + slide_in + still + slide_in[::-1] + gone + slide_in + still + gone
    path = tmp_path / "card.avi"
    _write_video(path, frames)
    events = scan_all(CaptureSource(str(path)), frame_clock=lambda i: i / 10.0)
    assert [e.code.text for e in events] == [PAYLOADS[3], PAYLOADS[3]]
    assert events[0].frame_index < events[1].frame_index
    assert events[1].timestamp > events[0].timestamp


def test_deduper_reports_again_only_after_absence_in_frames_and_seconds():
    code = Decoded(b"x", "x", (), "zxing")
    d = Deduper(absent_frames=3, absent_seconds=1.0)
    seen = [bool(d.feed([code] if present else [], i, t)) for i, (present, t) in enumerate(
        [(True, 0.0), (True, 0.1), (False, 0.2), (True, 0.3),  # a one-frame dropout: no new report
         (False, 0.4), (False, 0.5), (False, 0.6), (False, 0.7), (True, 0.8),  # 4 frames but < 1 s
         (False, 1.0), (False, 1.5), (False, 2.0), (False, 2.5), (True, 3.0)])]
    assert seen == [True, False, False, False, False, False, False, False, False, False, False, False, False, True]


def test_image_directory_source_reports_each_distinct_code(tmp_path):
    for i, text in enumerate(PAYLOADS[:3]):
        cv2.imwrite(str(tmp_path / f"{i}.png"), qr_gray(text, scale=2))
    (tmp_path / "notes.txt").write_text("not an image")
    events = scan_all(ImageSource([tmp_path]))
    assert [e.code.text for e in events] == PAYLOADS[:3]


def test_missing_video_is_a_typed_error(tmp_path):
    with pytest.raises(InputError):
        CaptureSource(str(tmp_path / "nope.avi"))
