# SPDX-License-Identifier: Apache-2.0
"""The printed QR code of the CCCD / Căn cước card.

``payload`` (parse and build the QR text), ``mojibake`` and ``crosscheck`` are pure; only
``decoders``, ``pipeline`` and ``scanner`` import OpenCV and the QR decoders (extra ``qr``).
"""

from cardkit.qr.mojibake import repair_mojibake
from cardkit.qr.payload import QrPayload, QrPayloadError, build_payload, parse_payload

__all__ = ["QrPayload", "QrPayloadError", "build_payload", "parse_payload", "repair_mojibake"]
