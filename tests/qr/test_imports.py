# SPDX-License-Identifier: Apache-2.0
"""Payload parsing and cross-checks stay usable without OpenCV or the QR decoders."""

from __future__ import annotations

import subprocess
import sys


def test_pure_modules_import_no_imaging_library():
    code = ("import sys, cardkit.qr, cardkit.qr.payload, cardkit.qr.crosscheck, cardkit.qr.samples;"
            "print(sorted(m for m in ('cv2', 'zxingcpp', 'pyzbar', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
